#pragma once
/// Company role passwords are never stored anywhere: each one is derived as hex(HMAC-SHA256(key, role name)) from a
/// master key that every process connecting as a company role reads from a secret file (MT_DB_ROLE_KEY_FILE).
/// The server learns only a SCRAM verifier, computed here on the client, so the password never appears in SQL
/// text or server logs.
#include <string>
#include <string_view>

#include "mt/core/result.hpp"
#include "mt/pg/connection.hpp"

namespace mt::store {

inline constexpr std::size_t kMinRoleKeyBytes = 32;

/// The key in `path` (a trailing newline is not part of it); an error when unreadable or shorter than 32 bytes.
Result<std::string> ReadRoleKeyFile(const std::string& path);

/// The password of company role `role` under `key`: 64 lowercase hex digits.
std::string DeriveRolePassword(std::string_view key, std::string_view role);

/// A SCRAM-SHA-256 verifier of `password` for `role`, computed by libpq (no clear password is sent).
Result<std::string> ScramVerifier(pg::Connection& conn, const std::string& role, const std::string& password);

}  // namespace mt::store
