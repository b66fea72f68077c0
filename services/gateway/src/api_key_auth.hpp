#pragma once
/// Authentication by `x-api-key` (SPEC §9): the key's record found by its prefix, its secret's hash compared in
/// constant time, and a short per-gateway cache so that most requests cost no database lookup.
///
/// Revocation reaches every gateway through the cache's bound: a verified key is trusted for at most
/// `positive_ttl` (2 s) before it is looked up again, so a key revoked on gateway A is refused by gateway B within
/// that bound (SPEC: 5 s); the gateway that revokes forgets the key at once (`Forget`). A key that failed is
/// remembered for `negative_ttl`, so repeating a wrong key costs one lookup per bound, and lookups of keys not in
/// the cache draw on a token bucket (`lookups_per_second`): beyond it the request gets 503 with Retry-After instead
/// of a database query, so spraying random well-formed keys cannot turn every request into one. A malformed key
/// is refused without any lookup. A key created on this gateway is not in its cache, so it works at once.
///
/// Thread-safety: `Authenticate` and `Forget` may be called from any thread (one internal mutex, never held across
/// the lookup). Lifecycle: built with the Api; the lookup function must outlive it.
#include <chrono>
#include <cstdint>
#include <functional>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>

#include "mt/auth/permission.hpp"
#include "mt/core/result.hpp"
#include "mt/store/api_keys.hpp"

namespace mt::gateway {

struct ApiKeyCacheOptions {
    std::chrono::milliseconds positive_ttl{2000};
    std::chrono::milliseconds negative_ttl{2000};
    std::size_t capacity = 10'000;
    double lookups_per_second = 1000;  // also the burst
};

class ApiKeyAuthenticator {
public:
    /// The stored key of a prefix (store::FindApiKeyByPrefix on a control connection).
    using Lookup = std::function<Result<std::optional<store::StoredApiKey>>(const std::string& prefix)>;
    using SteadyNow = std::function<std::chrono::steady_clock::time_point()>;

    explicit ApiKeyAuthenticator(
        Lookup lookup, ApiKeyCacheOptions options = {},
        SteadyNow steady_now = [] { return std::chrono::steady_clock::now(); });

    /// The principal of `key` (company, the key's permissions, api_key_id, user_id = its creator) or 401
    /// UNAUTHORIZED (malformed, unknown, wrong secret, expired at `now_unix`, revoked); 503 when the lookup budget
    /// is spent or the database fails. The key itself is never logged nor kept: the cache holds its SHA-256.
    Result<auth::Principal> Authenticate(std::string_view key, std::int64_t now_unix);
    /// Drops every cached entry of the key `api_key_id` (called by the gateway that revokes it).
    void Forget(const std::string& api_key_id);

private:
    struct Entry {
        std::optional<auth::Principal> principal;  // nullopt: a refused key
        std::string refusal;                       // why, for a refused key
        std::chrono::steady_clock::time_point until;
    };
    Result<auth::Principal> Verify(const std::string& prefix, std::string_view secret, std::int64_t now_unix,
                                   std::string& refusal);
    bool TakeLookup(std::chrono::steady_clock::time_point now);
    void Remember(const std::string& digest, Entry entry, std::chrono::steady_clock::time_point now);

    Lookup lookup_;
    ApiKeyCacheOptions options_;
    SteadyNow steady_now_;
    std::mutex mu_;
    std::unordered_map<std::string, Entry> entries_;  // by SHA-256 (hex) of the whole key
    double tokens_;
    std::chrono::steady_clock::time_point refilled_;
};

}  // namespace mt::gateway
