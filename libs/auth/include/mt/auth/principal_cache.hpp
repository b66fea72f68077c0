#pragma once
/// A bounded cache of verified tokens, so a client sending the same token again skips the signature check.
#include <cstddef>
#include <cstdint>
#include <list>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <utility>

#include "mt/auth/permission.hpp"

namespace mt::auth {

/// Principals of recently verified tokens, keyed by the SHA-256 of the bearer token itself (not of the header:
/// "Bearer  t", "bearer t " and "Bearer t" are one entry, and a key costs 32 bytes whatever the token's size).
/// At most `capacity` entries; the least recently used goes first, and an entry past its `valid_until` is dropped
/// when met. Only successful verifications belong here (failures are never cached).
///
/// Thread-safety: every member may be called from any thread at once (one internal mutex).
class PrincipalCache {
public:
    explicit PrincipalCache(std::size_t capacity = 10'000) : capacity_(capacity == 0 ? 1 : capacity) {}

    /// The cache key of an `Authorization` header: SHA-256 of its bearer token, or nullopt when it has none.
    static std::optional<std::string> KeyOf(std::string_view authorization_header);

    /// The principal stored under `key` when `now` lies in its validity window [valid_from, valid_until).
    std::optional<Principal> Find(const std::string& key, std::int64_t now);
    void Insert(const std::string& key, Principal principal);
    [[nodiscard]] std::size_t size() const;

private:
    using Entry = std::pair<std::string, Principal>;
    std::size_t capacity_;
    mutable std::mutex mu_;
    std::list<Entry> recency_;  // most recently used first
    std::unordered_map<std::string, std::list<Entry>::iterator> index_;
};

}  // namespace mt::auth
