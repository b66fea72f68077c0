// The rate limiter against a real Redis (MT_TEST_REDIS_URL, started by scripts/test), and its fail-open paths
// against a closed port and a server that never answers.
#include <arpa/inet.h>
#include <netinet/in.h>
#include <prometheus/registry.h>
#include <sys/socket.h>
#include <unistd.h>

#include <catch2/catch.hpp>
#include <chrono>
#include <cstdlib>
#include <random>
#include <thread>

#include "mt/core/ids.hpp"
#include "rate_limiter.hpp"

namespace mt::gateway {
namespace {

using namespace std::chrono_literals;

std::string RedisUrl() {
    const char* url = std::getenv("MT_TEST_REDIS_URL");
    if (url == nullptr || *url == '\0') FAIL("MT_TEST_REDIS_URL is not set (scripts/test starts a Redis and sets it)");
    return url;
}

RateLimiterOptions Options(std::string url, RateLimits limits) {
    RateLimiterOptions o;
    o.redis_url = std::move(url);
    o.limits = limits;
    o.key_prefix = "mt:test:" + RandomHex(8) + ":";  // runs never see each other's counters
    return o;
}

/// A TCP socket bound to a loopback port; `listening` false: closed again, so nothing answers there.
struct LoopbackPort {
    int fd = -1;
    int port = 0;
    explicit LoopbackPort(bool listening) {
        fd = ::socket(AF_INET, SOCK_STREAM, 0);
        sockaddr_in a{};
        a.sin_family = AF_INET;
        a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
        REQUIRE(::bind(fd, reinterpret_cast<sockaddr*>(&a), sizeof a) == 0);
        socklen_t len = sizeof a;
        ::getsockname(fd, reinterpret_cast<sockaddr*>(&a), &len);
        port = ntohs(a.sin_port);
        // Listening but never accepting: the kernel completes the handshake, nobody ever answers a command.
        if (listening) REQUIRE(::listen(fd, 16) == 0);
        if (!listening) ::close(fd), fd = -1;
    }
    ~LoopbackPort() {
        if (fd >= 0) ::close(fd);
    }
};

double CounterValue(prometheus::Registry& registry, const std::string& name) {
    for (const auto& family : registry.Collect()) {
        if (family.name == name && !family.metric.empty()) return family.metric.front().counter.value;
    }
    return -1;
}

TEST_CASE("Rate limiter: a bucket allows its limit in a window and refuses the rest", "[rate-limit][redis]") {
    RateLimiter limiter(Options(RedisUrl(), {100, 3, 100, 3}), nullptr);
    const std::string company = "c" + RandomHex(6);
    for (std::int64_t i = 1; i <= 3; ++i) {
        RateVerdict v = limiter.Check(company, "", Bucket::kWrite);
        REQUIRE(v.known);
        CHECK(v.allowed);
        CHECK(v.limit == 3);
        CHECK(v.remaining == 3 - i);
        CHECK(v.reset_seconds >= 1);
        CHECK(v.reset_seconds <= 60);
    }
    RateVerdict over = limiter.Check(company, "", Bucket::kWrite);
    REQUIRE(over.known);
    CHECK_FALSE(over.allowed);
    CHECK(over.remaining == 0);
    // The read bucket and another company are counted apart.
    RateVerdict read = limiter.Check(company, "", Bucket::kRead);
    CHECK(read.allowed);
    CHECK(read.limit == 100);
    CHECK(read.remaining == 99);
    CHECK(limiter.Check("other" + company, "", Bucket::kWrite).allowed);
}

TEST_CASE("Rate limiter: a new window starts once the old one has expired", "[rate-limit][redis]") {
    auto options = Options(RedisUrl(), {100, 2, 100, 2});
    options.window = 300ms;
    RateLimiter limiter(options, nullptr);
    const std::string company = "c" + RandomHex(6);
    CHECK(limiter.Check(company, "", Bucket::kWrite).allowed);
    CHECK(limiter.Check(company, "", Bucket::kWrite).allowed);
    RateVerdict over = limiter.Check(company, "", Bucket::kWrite);
    CHECK_FALSE(over.allowed);
    CHECK(over.reset_seconds == 1);  // 300 ms left at most, rounded up to a whole second
    auto deadline = std::chrono::steady_clock::now() + 10s;
    RateVerdict fresh;
    do {
        std::this_thread::sleep_for(50ms);
        fresh = limiter.Check(company, "", Bucket::kWrite);
    } while (!fresh.allowed && std::chrono::steady_clock::now() < deadline);
    CHECK(fresh.allowed);
    CHECK(fresh.remaining == 1);  // the first request of the new window
}

TEST_CASE("Rate limiter: an API key has its own limit inside its company's", "[rate-limit][redis]") {
    RateLimiter limiter(Options(RedisUrl(), {100, 5, 100, 2}), nullptr);
    const std::string company = "c" + RandomHex(6);
    RateVerdict first = limiter.Check(company, "key1", Bucket::kWrite);
    CHECK(first.allowed);
    CHECK(first.limit == 2);  // the key's counter binds first: its headers are the ones shown
    CHECK(first.remaining == 1);
    CHECK(limiter.Check(company, "key1", Bucket::kWrite).allowed);
    CHECK_FALSE(limiter.Check(company, "key1", Bucket::kWrite).allowed);
    // Another key of the company still has its own two, until the company's five are used (3 so far).
    CHECK(limiter.Check(company, "key2", Bucket::kWrite).allowed);
    RateVerdict company_bound = limiter.Check(company, "key2", Bucket::kWrite);
    CHECK(company_bound.allowed);  // 5th of the company
    CHECK(company_bound.remaining == 0);
    CHECK_FALSE(limiter.Check(company, "", Bucket::kWrite).allowed);  // the company itself is over now
}

TEST_CASE("Rate limiter: headers carry the binding counter", "[rate-limit]") {
    CHECK(RateLimitHeaders(RateVerdict{}).empty());
    auto h = RateLimitHeaders(RateVerdict{true, false, 20, 0, 42});
    REQUIRE(h.size() == 3);
    CHECK(h[0] == std::pair<std::string, std::string>{"RateLimit-Limit", "20"});
    CHECK(h[1] == std::pair<std::string, std::string>{"RateLimit-Remaining", "0"});
    CHECK(h[2] == std::pair<std::string, std::string>{"RateLimit-Reset", "42"});
}

TEST_CASE("Rate limiter: read and write buckets by route", "[rate-limit]") {
    CHECK(BucketOf("GET", "/:id/data") == Bucket::kRead);
    CHECK(BucketOf("GET", "/") == Bucket::kRead);
    CHECK(BucketOf("POST", "/:id/query") == Bucket::kRead);
    CHECK(BucketOf("POST", "/:id/data") == Bucket::kWrite);
    CHECK(BucketOf("POST", "/") == Bucket::kWrite);
    CHECK(BucketOf("PATCH", "/:id/data") == Bucket::kWrite);
    CHECK(BucketOf("DELETE", "/:id") == Bucket::kWrite);
}

TEST_CASE("Rate limiter: redis URLs", "[rate-limit]") {
    auto a = ParseRedisUrl("redis://:secret@cache.local:6380/2");
    REQUIRE(a);
    CHECK(a->host == "cache.local");
    CHECK(a->port == 6380);
    CHECK(a->password == "secret");
    CHECK(a->database == 2);
    auto b = ParseRedisUrl("redis://10.0.0.1");
    REQUIRE(b);
    CHECK(b->port == 6379);
    CHECK(b->database == 0);
    for (const char* bad :
         {"http://x:1", "redis://", "redis://h:0", "redis://h:99999", "redis://h:1/x", "redis://h:p"}) {
        INFO(bad);
        CHECK_FALSE(ParseRedisUrl(bad));
    }
}

TEST_CASE("Rate limiter: fails open at once when nothing listens and backs off", "[rate-limit]") {
    LoopbackPort closed(false);
    prometheus::Registry registry;
    auto options = Options("redis://127.0.0.1:" + std::to_string(closed.port), {});
    RateLimiter limiter(options, &registry);
    auto started = std::chrono::steady_clock::now();
    for (int i = 0; i < 20; ++i) {
        RateVerdict v = limiter.Check("c", "", Bucket::kRead);
        CHECK(v.allowed);
        CHECK_FALSE(v.known);
        CHECK(RateLimitHeaders(v).empty());
    }
    // Twenty checks cost far less than twenty connect timeouts would (a refused connect is immediate anyway).
    CHECK(std::chrono::steady_clock::now() - started < 1s);
    // One attempt, then the backoff: the other nineteen did not try to connect.
    CHECK(CounterValue(registry, "mt_rate_limit_store_errors_total") == 1);
}

TEST_CASE("Rate limiter: a server that never answers costs one command timeout, then is skipped", "[rate-limit]") {
    LoopbackPort silent(true);
    prometheus::Registry registry;
    auto options = Options("redis://127.0.0.1:" + std::to_string(silent.port), {});
    options.command_timeout = 50ms;
    RateLimiter limiter(options, &registry);
    auto started = std::chrono::steady_clock::now();
    RateVerdict v = limiter.Check("c", "", Bucket::kWrite);
    auto first = std::chrono::steady_clock::now() - started;
    CHECK(v.allowed);
    CHECK_FALSE(v.known);
    CHECK(first >= 50ms);  // it did wait for the answer: the timeout, not a refused connect, ended it
    CHECK(first < 1s);
    for (int i = 0; i < 10; ++i) CHECK(limiter.Check("c", "", Bucket::kWrite).allowed);
    CHECK(std::chrono::steady_clock::now() - started < 1s);
    CHECK(CounterValue(registry, "mt_rate_limit_store_errors_total") == 1);
}

}  // namespace
}  // namespace mt::gateway
