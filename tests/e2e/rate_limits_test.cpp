// Rate limits (SPEC §9): per company, `read` and `write` buckets, 429 RATE_LIMITED with Retry-After, RateLimit-*
// on every answer to a known caller, and one count per company across gateway replicas (a shared Redis).
#include <unistd.h>

#include <cstdlib>
#include <latch>
#include <thread>

#include "e2e.hpp"
#include "mt/testing/raw_socket.hpp"
#include "mt/testing/wait.hpp"

namespace e2e {
namespace {

constexpr int kWrites = 20;
constexpr int kReads = 30;

std::map<std::string, std::string> LowLimits() {
    return {{"MT_RATE_LIMIT_WRITES_PER_MINUTE", std::to_string(kWrites)},
            {"MT_RATE_LIMIT_READS_PER_MINUTE", std::to_string(kReads)}};
}

Stack& LimitedStack() {
    if (std::getenv("MT_TEST_REDIS_URL") == nullptr) FAIL("MT_TEST_REDIS_URL is not set (scripts/test starts Redis)");
    StackOptions options;
    options.name = "rate-limits";
    options.gateway_env = LowLimits();
    return SharedStack(options);
}

std::int64_t IntHeader(const Response& r, std::string_view name) {
    const std::string v = r.Header(name);
    INFO(r.Describe());
    REQUIRE_FALSE(v.empty());
    return std::stoll(v);
}

/// RateLimit-* present and consistent: the limit, what is left, seconds until the window resets (1..60).
void CheckRateHeaders(const Response& r, std::int64_t limit, std::int64_t remaining) {
    INFO(r.Describe());
    CHECK(IntHeader(r, "ratelimit-limit") == limit);
    CHECK(IntHeader(r, "ratelimit-remaining") == remaining);
    const std::int64_t reset = IntHeader(r, "ratelimit-reset");
    CHECK(reset >= 1);
    CHECK(reset <= 60);
}

TEST_CASE("Writes over the limit get 429 RATE_LIMITED with Retry-After and RateLimit headers", "[rate-limits]") {
    Tenant t(LimitedStack());
    for (int i = 1; i <= kWrites; ++i) {
        auto r = t.http.Post(Api("/provision"), t.token);  // idempotent: a write that changes nothing after the first
        REQUIRE_STATUS(r, 200);
        CheckRateHeaders(r, kWrites, kWrites - i);
    }
    auto over = t.http.Post(Api("/provision"), t.token);
    CHECK_ERROR(over, 429, "RATE_LIMITED");
    CheckRateHeaders(over, kWrites, 0);
    const std::int64_t retry = IntHeader(over, "retry-after");
    CHECK(retry >= 1);
    CHECK(retry <= 60);
    CHECK(retry == IntHeader(over, "ratelimit-reset"));
    CHECK(Str(over.Json()["error"]).find("Rate limit exceeded: 20 write requests per minute") == 0);
    // A write with a body is refused from its head as well, before the body is read.
    auto create = t.http.Post(Api(), t.token, R"({"display_name":"t","columns":[{"name":"a","type":"text"}]})");
    CHECK_ERROR(create, 429, "RATE_LIMITED");
    CHECK(t.stack.ControlQuery("SELECT count(*) FROM mt_tables WHERE company_id = $1", {t.company})[0][0] == "0");
}

TEST_CASE("The read bucket is counted apart from the write bucket", "[rate-limits]") {
    Tenant t(LimitedStack());
    for (int i = 0; i < kWrites; ++i) REQUIRE_STATUS(t.http.Post(Api("/provision"), t.token), 200);
    CHECK_ERROR(t.http.Post(Api("/provision"), t.token), 429, "RATE_LIMITED");
    // Writes are spent; reads still have all of theirs (GET, and a query by POST /:id/query is a read too).
    auto status = t.http.Get(Api("/status"), t.token);
    REQUIRE_STATUS(status, 200);
    CheckRateHeaders(status, kReads, kReads - 1);
    auto query = t.http.Post(Api("/0123456789abcdef01234567/query"), t.token, "{}");
    CHECK_ERROR(query, 404, "TABLE_NOT_FOUND");
    CheckRateHeaders(query, kReads, kReads - 2);
    for (int i = 3; i <= kReads; ++i) REQUIRE_STATUS(t.http.Get(Api("/status"), t.token), 200);
    auto over = t.http.Get(Api("/status"), t.token);
    CHECK_ERROR(over, 429, "RATE_LIMITED");
    CheckRateHeaders(over, kReads, 0);
}

TEST_CASE("One company's exhausted limit does not touch another company", "[rate-limits]") {
    Tenant a(LimitedStack());
    Tenant b(LimitedStack());
    for (int i = 0; i < kWrites; ++i) REQUIRE_STATUS(a.http.Post(Api("/provision"), a.token), 200);
    CHECK_ERROR(a.http.Post(Api("/provision"), a.token), 429, "RATE_LIMITED");
    auto other = b.http.Post(Api("/provision"), b.token);
    REQUIRE_STATUS(other, 200);
    CheckRateHeaders(other, kWrites, kWrites - 1);
}

TEST_CASE("RateLimit headers on 2xx and 4xx answers, none for an unknown caller", "[rate-limits]") {
    Tenant t(LimitedStack());
    auto ok = t.http.Get(Api("/status"), t.token);
    REQUIRE_STATUS(ok, 200);
    CheckRateHeaders(ok, kReads, kReads - 1);
    auto missing = t.http.Get(Api("/0123456789abcdef01234567"), t.token);
    CHECK_ERROR(missing, 404, "TABLE_NOT_FOUND");
    CheckRateHeaders(missing, kReads, kReads - 2);
    auto bad = t.http.Post(Api(), t.token, "{not json");
    CHECK_ERROR(bad, 400, "BAD_REQUEST");
    CheckRateHeaders(bad, kWrites, kWrites - 1);
    // A token without the route's permission: the caller is known, the request counted and answered 403.
    auto forbidden = t.http.Get(Api("/status"), t.stack.Token(t.company, {"managed-tables:upload"}));
    CHECK_ERROR(forbidden, 403, "FORBIDDEN");
    CheckRateHeaders(forbidden, kReads, kReads - 3);
    // No valid token: nobody to count against.
    auto anonymous = t.http.Get(Api("/status"), "");
    CHECK_ERROR(anonymous, 401, "UNAUTHORIZED");
    CHECK(anonymous.Header("ratelimit-limit").empty());
}

TEST_CASE("A refusal after admission (413 from the head) carries the RateLimit headers", "[rate-limits]") {
    Tenant t(LimitedStack());
    const int fd = mt::testing::ConnectLoopback(mt::testing::PortOf(t.stack.base_url()));
    REQUIRE(fd >= 0);
    // A JSON body declared far over MT_MAX_JSON_BYTES: refused from the head, after the request was counted.
    mt::testing::SendAll(fd, "POST " + Api("/") + " HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer " + t.token +
                                 "\r\nContent-Type: application/json\r\nContent-Length: 99999999999\r\n\r\n");
    const std::string answer = mt::testing::ReceiveAll(fd);
    ::close(fd);
    INFO(answer);
    CHECK(answer.rfind("HTTP/1.1 413", 0) == 0);
    CHECK(answer.find("RateLimit-Limit: " + std::to_string(kWrites) + "\r\n") != std::string::npos);
    CHECK(answer.find("RateLimit-Remaining: " + std::to_string(kWrites - 1) + "\r\n") != std::string::npos);
    CHECK(answer.find("RateLimit-Reset: ") != std::string::npos);
}

TEST_CASE("Two gateways share one limit per company", "[rate-limits]") {
    Stack& stack = LimitedStack();
    // A second replica on the same control database and Redis, with the same limits.
    const std::uint16_t port = mt::testing::FreePort();
    auto env = Stack::GatewayLimitsEnv();
    for (auto& [k, v] : LowLimits()) env[k] = v;
    env["MT_HTTP_PORT"] = std::to_string(port);
    env["MT_HTTP_ADDRESS"] = "127.0.0.1";
    stack.StopProcess("mt-gateway-2");
    mt::testing::Process& second =
        stack.StartProcess("mt-gateway-2", Stack::Binary("services/gateway/mt-gateway"), {}, env);
    const std::string second_url = "http://127.0.0.1:" + std::to_string(port);
    HttpClient probe(second_url, std::chrono::seconds(2));
    mt::testing::WaitUntil([&] { return !second.Running() || probe.Get(Api("/status"), "").status != 0; },
                           std::chrono::seconds(30), "the second gateway to answer");
    REQUIRE(second.Running());

    Tenant t(stack);
    // 60 writes at once, half to each gateway: exactly the limit gets through, all others are 429.
    constexpr int kSent = 3 * kWrites;
    std::vector<Response> out(kSent);
    std::latch start(kSent);
    std::vector<std::thread> threads;
    for (int i = 0; i < kSent; ++i) {
        threads.emplace_back([&, i] {
            HttpClient c(i % 2 == 0 ? stack.base_url() : second_url, std::chrono::seconds(60));
            start.arrive_and_wait();
            out[static_cast<std::size_t>(i)] = c.Post(Api("/provision"), t.token);
        });
    }
    for (auto& th : threads) th.join();
    auto counts = StatusCounts(out);
    CHECK(counts[200] == kWrites);
    CHECK(counts[429] == kSent - kWrites);
    for (const auto& r : out) {
        if (r.status == 429) CHECK(r.Header("ratelimit-remaining") == "0");
    }
    stack.StopProcess("mt-gateway-2");
}

}  // namespace
}  // namespace e2e
