#include "token_format.hpp"

#include <array>

#include "mt/core/json.hpp"

namespace mt::auth::detail {
namespace {

// Far above any real token (ours are ~400 bytes), low enough that a hostile header costs nothing to refuse.
constexpr std::size_t kMaxTokenBytes = 8192;

constexpr std::string_view kBlanks = " \t";

std::string_view Trim(std::string_view s) {
    const auto first = s.find_first_not_of(kBlanks);
    if (first == std::string_view::npos) return {};
    const auto last = s.find_last_not_of(kBlanks);
    return s.substr(first, last - first + 1);
}

bool EqualsIgnoreCase(std::string_view a, std::string_view b) {
    if (a.size() != b.size()) return false;
    for (std::size_t i = 0; i < a.size(); ++i) {
        const auto lower = [](char c) { return (c >= 'A' && c <= 'Z') ? static_cast<char>(c - 'A' + 'a') : c; };
        if (lower(a[i]) != lower(b[i])) return false;
    }
    return true;
}

/// The 6-bit value of a base64url character, or -1.
int Base64UrlValue(char c) {
    if (c >= 'A' && c <= 'Z') return c - 'A';
    if (c >= 'a' && c <= 'z') return c - 'a' + 26;
    if (c >= '0' && c <= '9') return c - '0' + 52;
    if (c == '-') return 62;
    if (c == '_') return 63;
    return -1;
}

bool IsBase64Url(std::string_view s) {
    for (char c : s) {
        if (Base64UrlValue(c) < 0) return false;
    }
    return true;
}

Error Malformed() { return Unauthorized("Malformed token"); }

/// Decodes a base64url segment and parses it as a JSON object.
Result<rapidjson::Document> DecodeJsonObject(std::string_view segment) {
    auto bytes = Base64UrlDecode(segment);
    if (!bytes) return Malformed();
    auto doc = json::ParseJson(*bytes);
    if (!doc.ok() || !doc->IsObject()) return Malformed();
    return std::move(doc).value();
}

}  // namespace

Result<std::string_view> ExtractBearerToken(std::string_view authorization_header) {
    const std::string_view header = Trim(authorization_header);
    const auto space = header.find_first_of(kBlanks);
    if (space == std::string_view::npos || !EqualsIgnoreCase(header.substr(0, space), "Bearer")) {
        return Unauthorized("Missing bearer token");
    }
    const std::string_view token = Trim(header.substr(space));
    if (token.empty()) return Unauthorized("Missing bearer token");
    return token;
}

Result<TokenParts> SplitToken(std::string_view token) {
    if (token.size() > kMaxTokenBytes) return Malformed();
    const auto dot1 = token.find('.');
    if (dot1 == std::string_view::npos) return Malformed();
    const auto dot2 = token.find('.', dot1 + 1);
    if (dot2 == std::string_view::npos) return Malformed();
    TokenParts parts{token.substr(0, dot1), token.substr(dot1 + 1, dot2 - dot1 - 1), token.substr(dot2 + 1)};
    // A fourth segment leaves a '.' in the signature, which IsBase64Url rejects.
    for (std::string_view part : {parts.header, parts.payload, parts.signature}) {
        if (part.empty() || !IsBase64Url(part)) return Malformed();
    }
    return parts;
}

std::optional<std::string> Base64UrlDecode(std::string_view text) {
    if (text.size() % 4 == 1) return std::nullopt;  // 6 bits cannot make a byte
    std::string out;
    out.reserve(text.size() * 3 / 4);
    std::uint32_t buffer = 0;
    int bits = 0;
    for (char c : text) {
        const int value = Base64UrlValue(c);
        if (value < 0) return std::nullopt;
        buffer = (buffer << 6) | static_cast<std::uint32_t>(value);
        bits += 6;
        if (bits >= 8) {
            bits -= 8;
            out.push_back(static_cast<char>((buffer >> bits) & 0xFFu));
        }
    }
    return out;
}

Status CheckHeader(std::string_view header_segment, Algorithm expected) {
    MT_ASSIGN_OR_RETURN(const rapidjson::Document header, DecodeJsonObject(header_segment));
    const rapidjson::Value* alg = json::Find(header, "alg");
    if (alg == nullptr || json::KindOf(*alg) != json::Kind::kString) return Malformed();
    // Exact match only: this is what stops "none", the HS256-with-the-public-key confusion, and any other alg.
    if (json::Text(*alg) != Name(expected)) return Unauthorized("Unsupported token algorithm");
    if (json::Find(header, "crit") != nullptr) return Unauthorized("Unsupported token header");
    return Ok();
}

Status CheckPayload(std::string_view payload_segment) {
    MT_TRY(DecodeJsonObject(payload_segment));
    return Ok();
}

}  // namespace mt::auth::detail
