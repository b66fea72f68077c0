#include "mt/auth/principal_cache.hpp"

#include <openssl/sha.h>

#include "token_format.hpp"

namespace mt::auth {

std::optional<std::string> PrincipalCache::KeyOf(std::string_view authorization_header) {
    auto token = detail::ExtractBearerToken(authorization_header);
    if (!token) return std::nullopt;
    std::string digest(SHA256_DIGEST_LENGTH, '\0');
    SHA256(reinterpret_cast<const unsigned char*>(token->data()), token->size(),
           reinterpret_cast<unsigned char*>(digest.data()));
    return digest;
}

std::optional<Principal> PrincipalCache::Find(const std::string& key, std::int64_t now) {
    std::lock_guard lock(mu_);
    auto it = index_.find(key);
    if (it == index_.end()) return std::nullopt;
    const Principal& p = it->second->second;
    if (now >= p.valid_until) {  // expired for good: free the slot now rather than when it ages out
        recency_.erase(it->second);
        index_.erase(it);
        return std::nullopt;
    }
    if (now < p.valid_from) return std::nullopt;
    recency_.splice(recency_.begin(), recency_, it->second);
    return p;
}

void PrincipalCache::Insert(const std::string& key, Principal principal) {
    std::lock_guard lock(mu_);
    if (auto it = index_.find(key); it != index_.end()) {
        it->second->second = std::move(principal);
        recency_.splice(recency_.begin(), recency_, it->second);
        return;
    }
    recency_.emplace_front(key, std::move(principal));
    index_.emplace(key, recency_.begin());
    if (recency_.size() > capacity_) {
        index_.erase(recency_.back().first);
        recency_.pop_back();
    }
}

std::size_t PrincipalCache::size() const {
    std::lock_guard lock(mu_);
    return recency_.size();
}

}  // namespace mt::auth
