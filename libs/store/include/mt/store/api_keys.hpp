#pragma once
/// API keys in the control database (SPEC §9; table mt_api_keys, store migration 7).
///
/// Each write is one statement on a connection the caller passes, so the caller decides the transaction: the
/// gateway runs CreateApiKey and RevokeApiKey inside pg::InTransaction, where an audit record of the same change can
/// join them. Plain functions over a connection: thread-safe as far as the connection is used by one thread.
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "mt/core/result.hpp"
#include "mt/pg/connection.hpp"

namespace mt::store {

/// A company holds at most this many active (not revoked) keys; a create beyond → 400 API_KEY_LIMIT.
inline constexpr std::int64_t kMaxApiKeysPerCompany = 100;
/// Bounds of a key's name, in characters (UTF-8 code points).
inline constexpr std::size_t kMaxApiKeyNameChars = 100;

/// A key as GET /api-keys shows it: never its secret or hash.
struct ApiKeyRecord {
    std::string id;
    std::string company_id;
    std::string name;
    std::string prefix;
    std::vector<std::string> permissions;  // SPEC §3 names, in the order of auth::Permission
    std::string created_by;                // the creator's `sub`, or `apikey:<id>` when a key created it
    std::string created_at;                // ISO 8601 UTC with milliseconds
    std::optional<std::string> expires_at;
};

struct NewApiKey {
    std::string company_id;
    std::string name;
    std::string prefix;       // from auth::GenerateApiKey
    std::string secret_hash;  // auth::HashApiKeySecret of the secret
    std::vector<std::string> permissions;
    std::string created_by;
    /// Canonical UTC timestamp text (types::FromJson, datetime) or nullopt: never expires.
    std::optional<std::string> expires_at;
};

/// What authentication needs of a key, found by its prefix.
struct StoredApiKey {
    std::string id;
    std::string company_id;
    std::string secret_hash;
    std::vector<std::string> permissions;
    std::string created_by;
    std::optional<std::int64_t> expires_at_unix;  // whole seconds, rounded down; nullopt: never
    bool revoked = false;
};

/// Inserts the key (a new 24-hex id). Holds a transaction-scoped advisory lock per company while it counts the
/// active keys (call it inside a transaction so the lock orders concurrent creators): 400 API_KEY_LIMIT at
/// kMaxApiKeysPerCompany; 422 VALIDATION_ERROR (field expires_at) when expires_at is not in the future.
Result<ApiKeyRecord> CreateApiKey(pg::Connection& control, const NewApiKey& key);
/// The company's active (not revoked) keys, newest first, at most kMaxApiKeysPerCompany; expired ones included
/// (their expires_at says so).
Result<std::vector<ApiKeyRecord>> ListApiKeys(pg::Connection& control, const std::string& company_id);
/// Sets revoked_at. 404 API_KEY_NOT_FOUND for an unknown, already revoked or other company's id.
Status RevokeApiKey(pg::Connection& control, const std::string& company_id, const std::string& id);
/// The key whose prefix is `prefix`, revoked or not; nullopt when none.
Result<std::optional<StoredApiKey>> FindApiKeyByPrefix(pg::Connection& control, const std::string& prefix);

/// 404 API_KEY_NOT_FOUND.
Error ApiKeyNotFound();

}  // namespace mt::store
