#pragma once
/// Per-company and per-API-key request rate limits (SPEC §9), counted in Redis so that every gateway replica
/// shares one count per company.
///
/// Two buckets per minute: `read` (GET, and POST /:id/query) and `write` (everything else). A bucket is a fixed
/// window that starts with its first request: one Lua script per request increments the company's counter (and
/// the API key's, when the caller used one), gives new counters their expiry, and returns each count with its
/// remaining time — one round trip. A request over any of its counters is refused (429 RATE_LIMITED); refused
/// requests count too, so hammering does not shorten the wait.
///
/// Fail open: when Redis is unreachable, slow (over the command timeout) or answers an error, the request goes on
/// unlimited and without RateLimit-* headers, the failure is counted in mt_rate_limit_store_errors_total and logged
/// at most once per 30 s, and no connection is tried again before a backoff (0.5 s doubling to 10 s) has passed,
/// so an unreachable Redis costs at most one connect timeout per backoff period, never one per request. Availability
/// of the API matters more than the exactness of a limit that protects it against bursts: a closed limiter would
/// make Redis a single point of failure of every route.
///
/// Thread-safe: Check is called from every reactor thread at once. Each call borrows one Redis connection from a
/// pool (one per concurrently checking thread at most) and gives it back; a connection that failed is dropped.
#include <atomic>
#include <chrono>
#include <cstdint>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "mt/core/result.hpp"

namespace prometheus {
class Registry;
class Counter;
}  // namespace prometheus

namespace mt::gateway {

enum class Bucket { kRead, kWrite };

/// `read` for GET and for POST /:id/query (a query by body), `write` for everything else.
Bucket BucketOf(std::string_view method, std::string_view route_pattern);
std::string_view Name(Bucket bucket);

struct RateLimits {
    std::int64_t company_reads = 6000;  // per window
    std::int64_t company_writes = 1200;
    std::int64_t key_reads = 6000;  // per API key, per window
    std::int64_t key_writes = 1200;
};

struct RateLimiterOptions {
    std::string redis_url;  // redis://[:password@]host[:port][/db]
    RateLimits limits;
    std::chrono::milliseconds window{60'000};
    std::chrono::milliseconds connect_timeout{50};
    std::chrono::milliseconds command_timeout{50};
    std::string key_prefix = "mt:rl:";
};

/// The outcome of one check. `known` is false when the store could not be asked (fail open: allowed, no headers).
struct RateVerdict {
    bool known = false;
    bool allowed = true;
    std::int64_t limit = 0;          // of the most constraining counter
    std::int64_t remaining = 0;      // requests left in its window (0 once over)
    std::int64_t reset_seconds = 0;  // until its window ends (>= 1)
};

/// RateLimit-Limit, RateLimit-Remaining, RateLimit-Reset (none when the verdict is not known).
std::vector<std::pair<std::string, std::string>> RateLimitHeaders(const RateVerdict& verdict);

/// Where Redis listens, parsed from a redis:// URL.
struct RedisAddress {
    std::string host;
    int port = 6379;
    std::string password;
    int database = 0;
};
Result<RedisAddress> ParseRedisUrl(std::string_view url);

class RateLimiter {
public:
    /// `registry` (may be null) receives the limiter's counters. Connects lazily, on the first Check.
    RateLimiter(RateLimiterOptions options, prometheus::Registry* registry);
    ~RateLimiter();
    RateLimiter(const RateLimiter&) = delete;
    RateLimiter& operator=(const RateLimiter&) = delete;

    /// Counts one request of `company` (and of `api_key_id` when not empty) in `bucket` and says whether it may go on.
    RateVerdict Check(std::string_view company, std::string_view api_key_id, Bucket bucket);

    [[nodiscard]] const RateLimiterOptions& options() const { return options_; }

private:
    struct Connection;
    std::unique_ptr<Connection> Borrow();
    void GiveBack(std::unique_ptr<Connection> connection);
    void StoreFailed(std::string_view what);

    RateLimiterOptions options_;
    RedisAddress address_;
    bool address_ok_ = false;
    std::mutex mu_;  // guards idle_, backoff_, next_log_
    std::vector<std::unique_ptr<Connection>> idle_;
    std::chrono::milliseconds backoff_{0};
    std::chrono::steady_clock::time_point next_log_{};
    std::atomic<std::int64_t> retry_at_{0};  // steady-clock ns before which no connection is tried
    prometheus::Counter* store_errors_ = nullptr;
    prometheus::Counter* limited_ = nullptr;
};

}  // namespace mt::gateway
