#include <catch2/catch.hpp>
#include <chrono>
#include <stdexcept>
#include <thread>

#include "mt/worker/worker.hpp"

namespace mt::worker {
namespace {

using namespace std::chrono_literals;

/// Runs a loop without Kafka whose sweep hands out `messages` once, until `until` holds (or 5 s pass).
void RunLoop(std::vector<jobs::JobMessage> messages, JobHandler handler, JobPoisoned poisoned,
             const std::function<bool()>& until) {
    ops::Metrics metrics("test");
    WorkerSettings settings;
    settings.poll_timeout = 5ms;
    settings.sweep_interval = 5ms;
    bool handed_out = false;
    JobSweep sweep = [&]() -> Result<std::vector<jobs::JobMessage>> {
        if (handed_out) return std::vector<jobs::JobMessage>{};
        handed_out = true;
        return messages;
    };
    WorkerLoop loop(std::nullopt, std::move(handler), sweep, std::move(poisoned), settings, metrics);
    std::atomic<bool> stop{false};
    std::thread runner([&] { loop.Run(stop); });
    const auto deadline = std::chrono::steady_clock::now() + 5s;
    while (!until() && std::chrono::steady_clock::now() < deadline) std::this_thread::sleep_for(5ms);
    stop = true;
    runner.join();
}

}  // namespace

TEST_CASE("a handler that throws fails its job once and the loop serves the next message", "[worker][barrier]") {
    std::vector<std::pair<std::string, Error>> poisoned;
    std::vector<std::string> handled;
    RunLoop(
        {{"throws", "c", "", {}}, {"no-memory", "c", "", {}}, {"fine", "c", "", {}}},
        [&](const jobs::JobMessage& m, const std::atomic<bool>&) {
            if (m.job_id == "throws") throw std::invalid_argument("stoll");
            if (m.job_id == "no-memory") throw std::bad_alloc();
            handled.push_back(m.job_id);
        },
        [&](const jobs::JobMessage& m, const Error& e) { poisoned.emplace_back(m.job_id, e); },
        [&] { return !handled.empty(); });
    REQUIRE(poisoned.size() == 2);
    CHECK(poisoned[0].first == "throws");
    CHECK(poisoned[0].second.kind == ErrorKind::kInternal);  // a defect: the text is logged, not shown to users
    CHECK(poisoned[0].second.message == "stoll");
    CHECK(poisoned[1].first == "no-memory");
    CHECK(poisoned[1].second.kind == ErrorKind::kValidation);
    CHECK(handled == std::vector<std::string>{"fine"});
}

TEST_CASE("a poisoned-job callback that throws too does not stop the loop", "[worker][barrier]") {
    std::vector<std::string> handled;
    RunLoop(
        {{"throws", "c", "", {}}, {"fine", "c", "", {}}},
        [&](const jobs::JobMessage& m, const std::atomic<bool>&) {
            if (m.job_id == "throws") throw std::runtime_error("boom");
            handled.push_back(m.job_id);
        },
        [&](const jobs::JobMessage&, const Error&) { throw std::runtime_error("control database away"); },
        [&] { return !handled.empty(); });
    CHECK(handled == std::vector<std::string>{"fine"});
}

TEST_CASE("a trigger message with an absurd part number is refused, never thrown", "[worker][messages]") {
    CHECK_FALSE(jobs::ParseMessage(R"({"job_id":"a","company_id":"c","part":99999999999999999999})"));
    CHECK_FALSE(jobs::ParseMessage(R"({"job_id":"a","company_id":"c","part":-1})"));
    CHECK_FALSE(jobs::ParseMessage(R"({"job_id":"a","company_id":"c","part":1.5})"));
    auto ok = jobs::ParseMessage(R"({"job_id":"a","company_id":"c","part":7})");
    REQUIRE(ok);
    CHECK(ok->part == 7);
}

}  // namespace mt::worker
