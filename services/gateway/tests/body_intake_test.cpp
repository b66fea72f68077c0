// Body intake: the process-wide budget, memory and spool bodies, and the stall watch.
#include "body_intake.hpp"

#include <catch2/catch.hpp>

#include <filesystem>

using mt::gateway::BodyBudget;
using mt::gateway::BodyIntake;
using mt::gateway::IntakeWatch;

TEST_CASE("body budget: a declared length that does not fit is refused, and leases give back their bytes") {
    BodyBudget budget(100);
    auto a = budget.TryTake(60);
    REQUIRE(a);
    CHECK(budget.used() == 60);
    CHECK_FALSE(budget.TryTake(41));
    CHECK_FALSE(budget.TryTake(std::size_t(-1)));
    auto b = budget.TryTake(40);
    REQUIRE(b);
    CHECK(budget.used() == 100);
    {
        BodyBudget::Lease moved = std::move(*a);
        CHECK(budget.used() == 100);
    }
    CHECK(budget.used() == 40);
    b->Release();
    b->Release();
    CHECK(budget.used() == 0);
}

TEST_CASE("body intake: a memory body takes exactly its length and holds the budget until it goes") {
    BodyBudget budget(1000);
    {
        auto intake = BodyIntake::Start(5, false, "/tmp", std::move(*budget.TryTake(5)));
        REQUIRE(intake);
        CHECK(budget.used() == 5);
        CHECK(*(*intake)->Append("abc") == 3);
        CHECK_FALSE((*intake)->complete());
        CHECK(*(*intake)->Append("deGET / HTTP/1.1") == 2);  // the rest is the next request
        CHECK((*intake)->complete());
        CHECK_FALSE((*intake)->spooled());
        CHECK((*intake)->TakeMemory() == "abcde");
    }
    CHECK(budget.used() == 0);
}

TEST_CASE("body intake: an upload body goes to a spool file") {
    BodyBudget budget(1000);
    auto intake =
        BodyIntake::Start(6, true, std::filesystem::temp_directory_path().string(), std::move(*budget.TryTake(6)));
    REQUIRE(intake);
    CHECK((*intake)->spooled());
    CHECK(*(*intake)->Append("abc") == 3);
    CHECK(*(*intake)->Append("defghi") == 3);
    REQUIRE((*intake)->complete());
    auto mapped = (*intake)->Map();
    REQUIRE(mapped);
    CHECK(*mapped == "abcdef");
}

TEST_CASE("intake watch: heads must finish in time, bodies must not pause too long") {
    using namespace std::chrono_literals;
    IntakeWatch watch(IntakeWatch::Timeouts{1000ms, 500ms, 200ms});
    const auto t0 = IntakeWatch::Clock::now();
    int head_key = 0, body_key = 0, linger_key = 0;
    watch.Enter(&head_key, 10, IntakeWatch::Phase::kHead, t0);
    watch.Enter(&body_key, 11, IntakeWatch::Phase::kBody, t0);
    watch.Enter(&linger_key, 12, IntakeWatch::Phase::kLinger, t0);
    std::vector<int> cut;
    auto collect = [&](int fd) { cut.push_back(fd); };
    watch.CutOverdue(t0 + 100ms, collect);
    CHECK(cut.empty());
    watch.CutOverdue(t0 + 300ms, collect);
    CHECK(cut == std::vector<int>{12});
    watch.Touch(&head_key, t0 + 600ms);  // a trickling head gains nothing
    watch.Touch(&body_key, t0 + 600ms);  // a body that moves stays
    watch.CutOverdue(t0 + 800ms, collect);
    CHECK(cut == std::vector<int>{12});
    watch.CutOverdue(t0 + 1000ms, collect);
    CHECK(cut == std::vector<int>{12, 10});
    watch.Forget(&body_key);  // dispatched: never cut
    watch.CutOverdue(t0 + 10s, collect);
    CHECK(cut == std::vector<int>{12, 10});
    CHECK(watch.size() == 0);
}
