#pragma once
// base64url without padding, the encoding of the store's opaque cursors (rows: cursor.cpp, audit log: audit.cpp).
#include <optional>
#include <string>
#include <string_view>

namespace mt::store {

std::string Base64UrlEncode(std::string_view in);
/// nullopt for a character outside the alphabet or a length no byte string encodes to.
std::optional<std::string> Base64UrlDecode(std::string_view in);

}  // namespace mt::store
