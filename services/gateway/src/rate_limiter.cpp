#include "rate_limiter.hpp"

#include <hiredis/hiredis.h>
#include <prometheus/counter.h>
#include <prometheus/registry.h>

#include <algorithm>
#include <charconv>
#include <optional>

#include "mt/core/log.hpp"

namespace mt::gateway {
namespace {

using SteadyClock = std::chrono::steady_clock;

/// KEYS: the counters of one request; ARGV[1]: the window in ms. Returns {count, ttl_ms} per key. A counter
/// without an expiry (new) gets one, in the same script: no counter can outlive its window.
constexpr const char* kScript = R"lua(
local out = {}
for i, key in ipairs(KEYS) do
  local n = redis.call('INCR', key)
  local ttl = redis.call('PTTL', key)
  if ttl < 0 then
    redis.call('PEXPIRE', key, ARGV[1])
    ttl = tonumber(ARGV[1])
  end
  out[#out + 1] = n
  out[#out + 1] = ttl
end
return out
)lua";

constexpr std::chrono::milliseconds kFirstBackoff{500};
constexpr std::chrono::milliseconds kMaxBackoff{10'000};
constexpr std::chrono::seconds kLogInterval{30};
constexpr std::size_t kMaxIdle = 64;

struct ReplyDeleter {
    void operator()(redisReply* r) const { freeReplyObject(r); }
};
using Reply = std::unique_ptr<redisReply, ReplyDeleter>;

struct ContextDeleter {
    void operator()(redisContext* c) const { redisFree(c); }
};

timeval TimevalOf(std::chrono::milliseconds ms) {
    return timeval{static_cast<time_t>(ms.count() / 1000), static_cast<suseconds_t>((ms.count() % 1000) * 1000)};
}

std::int64_t NowNs() {
    return std::chrono::duration_cast<std::chrono::nanoseconds>(SteadyClock::now().time_since_epoch()).count();
}

std::optional<int> PortOf(std::string_view text) {
    int port = 0;
    auto [ptr, ec] = std::from_chars(text.data(), text.data() + text.size(), port);
    if (ec != std::errc() || ptr != text.data() + text.size() || port < 1 || port > 65535) return std::nullopt;
    return port;
}

}  // namespace

Bucket BucketOf(std::string_view method, std::string_view route_pattern) {
    if (method == "GET" || method == "HEAD") return Bucket::kRead;
    if (method == "POST" && route_pattern == "/:id/query") return Bucket::kRead;
    return Bucket::kWrite;
}

std::string_view Name(Bucket bucket) { return bucket == Bucket::kRead ? "read" : "write"; }

std::vector<std::pair<std::string, std::string>> RateLimitHeaders(const RateVerdict& verdict) {
    if (!verdict.known) return {};
    return {{"RateLimit-Limit", std::to_string(verdict.limit)},
            {"RateLimit-Remaining", std::to_string(verdict.remaining)},
            {"RateLimit-Reset", std::to_string(verdict.reset_seconds)}};
}

Result<RedisAddress> ParseRedisUrl(std::string_view url) {
    constexpr std::string_view kScheme = "redis://";
    if (url.substr(0, kScheme.size()) != kScheme) return Validation("must start with redis://");
    std::string_view rest = url.substr(kScheme.size());
    RedisAddress a;
    if (auto slash = rest.find('/'); slash != std::string_view::npos) {
        std::string_view db = rest.substr(slash + 1);
        rest = rest.substr(0, slash);
        if (!db.empty()) {
            auto [ptr, ec] = std::from_chars(db.data(), db.data() + db.size(), a.database);
            if (ec != std::errc() || ptr != db.data() + db.size() || a.database < 0) {
                return Validation("the database after / must be a number");
            }
        }
    }
    if (auto at = rest.rfind('@'); at != std::string_view::npos) {
        std::string_view userinfo = rest.substr(0, at);
        rest = rest.substr(at + 1);
        auto colon = userinfo.find(':');
        a.password = std::string(colon == std::string_view::npos ? userinfo : userinfo.substr(colon + 1));
    }
    if (auto colon = rest.rfind(':'); colon != std::string_view::npos) {
        auto port = PortOf(rest.substr(colon + 1));
        if (!port) return Validation("the port must be a number from 1 to 65535");
        a.port = *port;
        rest = rest.substr(0, colon);
    }
    if (rest.empty()) return Validation("names no host");
    a.host = std::string(rest);
    return a;
}

struct RateLimiter::Connection {
    std::unique_ptr<redisContext, ContextDeleter> context;
    std::string script_sha;

    /// Runs `argv`; null (and the context unusable) on an I/O error or timeout.
    Reply Command(const std::vector<std::string>& argv) {
        std::vector<const char*> args;
        std::vector<std::size_t> lengths;
        for (const auto& a : argv) {
            args.push_back(a.data());
            lengths.push_back(a.size());
        }
        void* reply = redisCommandArgv(context.get(), static_cast<int>(args.size()), args.data(), lengths.data());
        return Reply(static_cast<redisReply*>(reply));
    }
};

RateLimiter::RateLimiter(RateLimiterOptions options, prometheus::Registry* registry) : options_(std::move(options)) {
    auto address = ParseRedisUrl(options_.redis_url);
    if (address) {
        address_ = std::move(*address);
        address_ok_ = true;
    } else {
        log::Error("rate limits are not enforced: MT_REDIS_URL " + address.error().message);
    }
    if (registry) {
        store_errors_ = &prometheus::BuildCounter()
                             .Name("mt_rate_limit_store_errors_total")
                             .Help("Rate-limit checks that could not reach Redis (the requests went on: fail open)")
                             .Register(*registry)
                             .Add({});
        limited_ = &prometheus::BuildCounter()
                        .Name("mt_rate_limited_total")
                        .Help("Requests refused with 429 RATE_LIMITED")
                        .Register(*registry)
                        .Add({});
    }
}

RateLimiter::~RateLimiter() = default;

void RateLimiter::StoreFailed(std::string_view what) {
    if (store_errors_) store_errors_->Increment();
    std::lock_guard lock(mu_);
    backoff_ = backoff_.count() == 0 ? kFirstBackoff : std::min(backoff_ * 2, kMaxBackoff);
    retry_at_.store(NowNs() + std::chrono::duration_cast<std::chrono::nanoseconds>(backoff_).count());
    idle_.clear();  // the others most likely share the failure: they are reconnected after the backoff
    auto now = SteadyClock::now();
    if (now >= next_log_) {
        next_log_ = now + kLogInterval;
        log::Warn("rate limiter: Redis unavailable, requests are not limited (fail open)",
                  {{"error", what}, {"retry_in_ms", std::to_string(backoff_.count())}});
    }
}

std::unique_ptr<RateLimiter::Connection> RateLimiter::Borrow() {
    if (!address_ok_ || NowNs() < retry_at_.load()) return nullptr;
    {
        std::lock_guard lock(mu_);
        if (!idle_.empty()) {
            auto c = std::move(idle_.back());
            idle_.pop_back();
            return c;
        }
    }
    auto c = std::make_unique<Connection>();
    c->context.reset(
        redisConnectWithTimeout(address_.host.c_str(), address_.port, TimevalOf(options_.connect_timeout)));
    if (!c->context || c->context->err) {
        StoreFailed(c->context ? c->context->errstr : "cannot allocate a Redis context");
        return nullptr;
    }
    // Every later read and write of this connection is bounded too: a stalled Redis costs a request 50 ms at most.
    redisSetTimeout(c->context.get(), TimevalOf(options_.command_timeout));
    auto check = [&](const Reply& r) { return r && r->type != REDIS_REPLY_ERROR; };
    if (!address_.password.empty() && !check(c->Command({"AUTH", address_.password}))) {
        StoreFailed("AUTH refused");
        return nullptr;
    }
    if (address_.database != 0 && !check(c->Command({"SELECT", std::to_string(address_.database)}))) {
        StoreFailed("SELECT refused");
        return nullptr;
    }
    Reply sha = c->Command({"SCRIPT", "LOAD", kScript});
    if (!sha || sha->type != REDIS_REPLY_STRING) {
        StoreFailed(c->context->err ? c->context->errstr : "SCRIPT LOAD refused");
        return nullptr;
    }
    c->script_sha.assign(sha->str, sha->len);
    return c;
}

void RateLimiter::GiveBack(std::unique_ptr<Connection> connection) {
    std::lock_guard lock(mu_);
    backoff_ = std::chrono::milliseconds(0);
    if (idle_.size() < kMaxIdle) idle_.push_back(std::move(connection));
}

RateVerdict RateLimiter::Check(std::string_view company, std::string_view api_key_id, Bucket bucket) {
    auto connection = Borrow();
    if (!connection) return {};
    // One hash tag per company: the keys of one request live in one Redis Cluster slot.
    const std::string base = options_.key_prefix + "{" + std::string(company) + "}:" + std::string(Name(bucket));
    const bool read = bucket == Bucket::kRead;
    std::vector<std::pair<std::string, std::int64_t>> counters{
        {base, read ? options_.limits.company_reads : options_.limits.company_writes}};
    if (!api_key_id.empty()) {
        counters.emplace_back(base + ":key:" + std::string(api_key_id),
                              read ? options_.limits.key_reads : options_.limits.key_writes);
    }
    std::vector<std::string> argv{"EVALSHA", connection->script_sha, std::to_string(counters.size())};
    for (const auto& [key, limit] : counters) argv.push_back(key);
    argv.push_back(std::to_string(options_.window.count()));
    Reply reply = connection->Command(argv);
    if (reply && reply->type == REDIS_REPLY_ERROR &&
        std::string_view(reply->str, reply->len).rfind("NOSCRIPT", 0) == 0) {
        argv[0] = "EVAL";  // Redis restarted or its scripts were flushed: send the script itself once
        argv[1] = kScript;
        reply = connection->Command(argv);
    }
    bool well_formed = reply && reply->type == REDIS_REPLY_ARRAY && reply->elements == 2 * counters.size();
    for (std::size_t i = 0; well_formed && i < reply->elements; ++i) {
        well_formed = reply->element[i]->type == REDIS_REPLY_INTEGER;
    }
    if (!well_formed) {
        StoreFailed(!reply                             ? std::string(connection->context->errstr)
                    : reply->type == REDIS_REPLY_ERROR ? std::string(reply->str, reply->len)
                                                       : "unexpected reply to the rate-limit script");
        return {};
    }
    RateVerdict verdict{true, true, 0, 0, 0};
    bool first = true;
    for (std::size_t i = 0; i < counters.size(); ++i) {
        const std::int64_t count = reply->element[2 * i]->integer;
        const std::int64_t ttl_ms = reply->element[2 * i + 1]->integer;
        const std::int64_t limit = counters[i].second;
        const std::int64_t remaining = std::max<std::int64_t>(0, limit - count);
        const std::int64_t reset = std::max<std::int64_t>(1, (ttl_ms + 999) / 1000);
        if (count > limit) verdict.allowed = false;
        // The headers describe the counter that binds first: the fewest requests left (then the later reset).
        if (first || remaining < verdict.remaining ||
            (remaining == verdict.remaining && reset > verdict.reset_seconds)) {
            verdict.limit = limit;
            verdict.remaining = remaining;
            verdict.reset_seconds = reset;
            first = false;
        }
    }
    GiveBack(std::move(connection));
    if (!verdict.allowed && limited_) limited_->Increment();
    return verdict;
}

}  // namespace mt::gateway
