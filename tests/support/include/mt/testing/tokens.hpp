#pragma once
/// JWTs for tests: properly signed ones, and hand-built malformed ones the signer would refuse to make.
#include <chrono>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace mt::testing {

/// The seven permission strings of SPEC §3.
const std::vector<std::string>& AllPermissions();

/// An HS256 token for `company` signed with `secret`. Each grant containing ':' is a permission, anything else a
/// role. `ttl` may be negative (an expired token). Throws std::runtime_error when signing fails.
std::string SignHs256(std::string_view secret, std::string_view company, const std::vector<std::string>& grants,
                      std::chrono::seconds ttl, std::string_view user);

/// RFC 4648 base64url without padding.
std::string Base64Url(std::string_view bytes);

/// header.payload.signature from raw JSON texts (each part base64url-encoded; `signature` already encoded).
std::string HandBuiltToken(std::string_view header_json, std::string_view payload_json,
                           std::string_view signature = "");

/// Like HandBuiltToken, with the signature HMAC-SHA256(secret, header.payload): a correctly signed token whose
/// header and claims the test chooses freely (wrong `alg`, no `exp` …).
std::string HandSignedToken(std::string_view header_json, std::string_view payload_json, std::string_view secret);

/// Unix seconds now + `offset`.
std::int64_t UnixNow(std::chrono::seconds offset = std::chrono::seconds(0));

}  // namespace mt::testing
