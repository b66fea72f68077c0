#pragma once
// Phase 1 of verification: the shape of the header and the token, checked before any cryptography.
//
// libjwt 1.10 is lenient where we must not be (Debian builds it against libb64, whose decoder skips
// characters outside the alphabet; without a key it accepts any token and reports alg "none"), so the
// structure and the `alg` header are checked here, strictly, before libjwt sees the token.
#include <optional>
#include <string>
#include <string_view>

#include "mt/auth/algorithm.hpp"
#include "mt/core/result.hpp"

namespace mt::auth::detail {

/// The token of `Bearer <token>`; the scheme is case-insensitive (RFC 7235), surrounding blanks are ignored.
Result<std::string_view> ExtractBearerToken(std::string_view authorization_header);

/// The three base64url segments of a compact JWS, each non-empty.
struct TokenParts {
    std::string_view header;
    std::string_view payload;
    std::string_view signature;
};

/// Splits `token` into exactly three non-empty segments of the unpadded base64url alphabet. An empty
/// signature (how `alg: none` tokens look) is refused here already.
Result<TokenParts> SplitToken(std::string_view token);

/// Strict unpadded base64url decoding (RFC 7515 §2); nullopt on any character outside the alphabet.
std::optional<std::string> Base64UrlDecode(std::string_view text);

/// Checks the decoded JOSE header: a JSON object whose `alg` is exactly `expected`, with no `crit`
/// extensions (we understand none, and RFC 7515 §4.1.11 says to reject what we do not understand).
Status CheckHeader(std::string_view header_segment, Algorithm expected);

/// Checks that the payload segment decodes to a JSON object, so that a malformed payload is reported as
/// such rather than as a bad signature.
Status CheckPayload(std::string_view payload_segment);

}  // namespace mt::auth::detail
