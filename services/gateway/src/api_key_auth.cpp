#include "api_key_auth.hpp"

#include <algorithm>
#include <limits>

#include "mt/auth/api_key.hpp"

namespace mt::gateway {

ApiKeyAuthenticator::ApiKeyAuthenticator(Lookup lookup, ApiKeyCacheOptions options, SteadyNow steady_now)
    : lookup_(std::move(lookup)),
      options_(options),
      steady_now_(std::move(steady_now)),
      tokens_(options.lookups_per_second),
      refilled_(steady_now_()) {}

Result<auth::Principal> ApiKeyAuthenticator::Authenticate(std::string_view key, std::int64_t now_unix) {
    const auto parts = auth::ParseApiKey(key);
    if (!parts) return Unauthorized("Invalid API key");
    const std::string digest = auth::HashApiKeySecret(key);
    const auto now = steady_now_();
    {
        std::lock_guard lock(mu_);
        auto it = entries_.find(digest);
        if (it != entries_.end() && now < it->second.until) {
            const Entry& e = it->second;
            if (!e.principal) return Unauthorized(e.refusal);
            if (now_unix < e.principal->valid_until) return *e.principal;
            return Unauthorized("API key expired");
        }
        if (!TakeLookup(now)) return Unavailable("Too many API key lookups on this gateway; retry shortly");
    }
    std::string refusal;
    auto principal = Verify(parts->prefix, parts->secret, now_unix, refusal);
    if (!principal && refusal.empty()) return principal;  // the database failed: nothing to remember
    Entry entry{principal ? std::optional<auth::Principal>(*principal) : std::nullopt, refusal, {}};
    entry.until = now + (principal ? options_.positive_ttl : options_.negative_ttl);
    std::lock_guard lock(mu_);
    Remember(digest, std::move(entry), now);
    return principal;
}

Result<auth::Principal> ApiKeyAuthenticator::Verify(const std::string& prefix, std::string_view secret,
                                                    std::int64_t now_unix, std::string& refusal) {
    MT_ASSIGN_OR_RETURN(auto stored, lookup_(prefix));
    // The same answer for an unknown prefix and a wrong secret: neither says whether the prefix exists.
    if (!stored || !auth::ApiKeySecretMatches(secret, stored->secret_hash)) refusal = "Invalid API key";
    if (refusal.empty() && stored->revoked) refusal = "API key revoked";
    if (refusal.empty() && stored->expires_at_unix && now_unix >= *stored->expires_at_unix) {
        refusal = "API key expired";
    }
    if (!refusal.empty()) return Unauthorized(refusal);
    auth::Principal p;
    p.user_id = stored->created_by;
    p.api_key_id = stored->id;
    p.company_id = stored->company_id;
    for (const auto& name : stored->permissions) {
        if (const auto perm = auth::ParsePermission(name)) p.permissions |= auth::Bit(*perm);
    }
    p.valid_from = 0;
    p.valid_until = stored->expires_at_unix.value_or(std::numeric_limits<std::int64_t>::max());
    return p;
}

bool ApiKeyAuthenticator::TakeLookup(std::chrono::steady_clock::time_point now) {
    const double elapsed = std::chrono::duration<double>(now - refilled_).count();
    refilled_ = now;
    tokens_ = std::min(options_.lookups_per_second, tokens_ + elapsed * options_.lookups_per_second);
    if (tokens_ < 1) return false;
    tokens_ -= 1;
    return true;
}

void ApiKeyAuthenticator::Remember(const std::string& digest, Entry entry, std::chrono::steady_clock::time_point now) {
    if (entries_.size() >= options_.capacity && !entries_.count(digest)) {
        std::erase_if(entries_, [now](const auto& kv) { return kv.second.until <= now; });
        // Still full of live entries: start over rather than track recency; each costs one lookup again.
        if (entries_.size() >= options_.capacity) entries_.clear();
    }
    entries_[digest] = std::move(entry);
}

void ApiKeyAuthenticator::Forget(const std::string& api_key_id) {
    std::lock_guard lock(mu_);
    std::erase_if(entries_,
                  [&](const auto& kv) { return kv.second.principal && kv.second.principal->api_key_id == api_key_id; });
}

}  // namespace mt::gateway
