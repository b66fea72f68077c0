// The harness itself: processes, waiting, tokens, multipart, a stack with the dev broker.
#include "e2e.hpp"

#include <signal.h>

#include <filesystem>
#include <fstream>

#include "mt/testing/wait.hpp"

namespace e2e {
namespace {

using namespace std::chrono_literals;
using mt::testing::Process;
using mt::testing::ProcessSpec;

std::filesystem::path Scratch() {
    static const auto dir = mt::testing::NewScratchDir("harness");
    return dir;
}

TEST_CASE("Process: exit status, environment, log", "[harness]") {
    Process p(ProcessSpec{
        "sh", "/bin/sh", {"-c", "echo \"FOO=$FOO\"; echo oops >&2; exit 3"}, {{"FOO", "bar"}}, Scratch() / "sh.log"});
    auto status = p.Wait(10s);
    REQUIRE(status.has_value());
    CHECK(*status == 3);
    CHECK_FALSE(p.Running());
    CHECK(p.Log() == "FOO=bar\noops\n");
    CHECK(p.LogTail(1) == "oops\n");
}

TEST_CASE("Process: Kill, Stop, and the destructor reaps", "[harness]") {
    pid_t pid;
    {
        Process p(ProcessSpec{"sleep", "/bin/sleep", {"60"}, {}, Scratch() / "sleep.log"});
        pid = p.pid();
        CHECK(p.Running());
        CHECK_FALSE(p.Wait(50ms).has_value());
        CHECK(p.Kill(SIGTERM));
        CHECK(p.Wait(10s) == 128 + SIGTERM);
        CHECK_FALSE(p.Kill(SIGTERM));
        Process q(ProcessSpec{"sleep2", "/bin/sleep", {"60"}, {}, Scratch() / "sleep2.log"});
        pid = q.pid();
    }  // q is SIGKILLed and reaped here
    CHECK(::kill(pid, 0) != 0);
}

TEST_CASE("Process: a binary that cannot run throws", "[harness]") {
    CHECK_THROWS_WITH(Process(ProcessSpec{"nope", "/nonexistent/binary", {}, {}, Scratch() / "nope.log"}),
                      Catch::Contains("cannot start"));
}

TEST_CASE("WaitUntil and FreePort", "[harness]") {
    int calls = 0;
    mt::testing::WaitUntil([&] { return ++calls == 3; }, 5s, "three calls");
    CHECK(calls == 3);
    CHECK_THROWS_WITH(mt::testing::WaitUntil([] { return false; }, 30ms, "godot"), Catch::Contains("godot"));
    CHECK(mt::testing::FreePort() > 0);
}

TEST_CASE("Base64Url (RFC 4648 test vectors, URL alphabet, no padding)", "[harness]") {
    using mt::testing::Base64Url;
    CHECK(Base64Url("") == "");
    CHECK(Base64Url("f") == "Zg");
    CHECK(Base64Url("fo") == "Zm8");
    CHECK(Base64Url("foo") == "Zm9v");
    CHECK(Base64Url("foob") == "Zm9vYg");
    CHECK(Base64Url("fooba") == "Zm9vYmE");
    CHECK(Base64Url("foobar") == "Zm9vYmFy");
    CHECK(Base64Url("\xfb\xff") == "-_8");
}

// A stack of its own with the dev broker; an upload exercises PostMultipart end to end.
TEST_CASE("Stack with the dev Kafka broker, and a multipart upload", "[harness][kafka]") {
    if (!std::filesystem::exists(Stack::Binary("services/kafka-dev/mt-kafka-dev"))) {
        WARN("mt-kafka-dev is not built; skipped");
        return;
    }
    StackOptions options;
    options.name = "harness-kafka";
    options.kafka = true;
    Stack stack(options);
    CHECK_FALSE(stack.kafka_brokers().empty());
    Tenant t(stack);
    t.Provision();
    std::string csv = "product,amount\nShirt,89.90\nPants,159.90\n";
    auto r = t.http.PostMultipart(Api("/upload"), t.token, {{"files", "sales.csv", csv, {}, "text/csv"}});
    REQUIRE_STATUS(r, 201);
    auto job = t.http.Get(Api("/upload-jobs/" + Str(r.Json()["job_id"])), t.token);
    REQUIRE_STATUS(job, 200);
    auto j = job.Json();
    REQUIRE(j["files"].Size() == 1);
    CHECK(Str(j["files"][0]["original_name"]) == "sales.csv");
    CHECK(j["files"][0]["size_bytes"].GetInt64() == static_cast<std::int64_t>(csv.size()));
    SECTION("from a file path, with a form field") {
        auto path = Scratch() / "from_disk.csv";
        std::ofstream(path) << csv;
        auto from_disk =
            t.http.PostMultipart(Api("/upload"), t.token, {{"files", "disk.csv", {}, path, {}}}, {{"mode", "append"}});
        CHECK_STATUS(from_disk, 201);
    }
}

}  // namespace
}  // namespace e2e
