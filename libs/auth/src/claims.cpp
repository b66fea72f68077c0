#include "claims.hpp"

#include <charconv>
#include <cmath>
#include <optional>
#include <string>

#include "mt/core/json.hpp"

namespace mt::auth::detail {
namespace {

using rapidjson::Value;

// Largest NumericDate accepted, 9999-12-31T23:59:59Z: keeps `exp + leeway` far from int64 overflow.
constexpr std::int64_t kMaxNumericDate = 253402300799;

constexpr std::size_t kMaxCompanyIdLength = 64;

// SPEC §3: both roles grant the seven data permissions; only ConnectionManager grants managed-tables:api-keys.
struct RoleGrant {
    std::string_view role;
    std::uint32_t permissions;
};
constexpr RoleGrant kRoleGrants[] = {{"ConnectionManager", kConnectionManagerPermissions},
                                     {"DataEngineer", kAllPermissions}};

std::optional<std::int64_t> ParseInt64(std::string_view text) {
    std::int64_t value = 0;
    const auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
    if (ec != std::errc{} || end != text.data() + text.size()) return std::nullopt;
    return value;
}

enum class Rounding { kDown, kUp };

/// A NumericDate claim (RFC 7519 §2): a JSON number of seconds, possibly fractional. Fractions are rounded
/// toward the stricter side (exp down, nbf up). nullopt when not a number or outside 0..year 9999.
std::optional<std::int64_t> ParseNumericDate(const Value& v, Rounding rounding) {
    if (json::KindOf(v) != json::Kind::kNumber) return std::nullopt;
    const std::string_view text = json::Text(v);
    std::optional<std::int64_t> seconds = ParseInt64(text);
    if (!seconds) {
        double d = 0;
        const auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), d);
        if (ec != std::errc{} || end != text.data() + text.size() || !std::isfinite(d)) return std::nullopt;
        d = rounding == Rounding::kDown ? std::floor(d) : std::ceil(d);
        if (d < 0 || d > static_cast<double>(kMaxNumericDate)) return std::nullopt;
        seconds = static_cast<std::int64_t>(d);
    }
    if (*seconds < 0 || *seconds > kMaxNumericDate) return std::nullopt;
    return seconds;
}

Status CheckTimes(const Value& claims, std::int64_t now, std::int64_t leeway, Principal& principal) {
    const Value* exp_claim = json::Find(claims, "exp");
    if (exp_claim == nullptr || exp_claim->IsNull()) return Unauthorized("Missing exp claim");
    const auto exp = ParseNumericDate(*exp_claim, Rounding::kDown);
    if (!exp) return Unauthorized("Invalid exp claim");
    // RFC 7519 §4.1.4: the token is valid strictly before exp; the leeway extends that.
    if (now >= *exp + leeway) return Unauthorized("Token expired");
    principal.valid_until = *exp + leeway;
    principal.valid_from = 0;

    const Value* nbf_claim = json::Find(claims, "nbf");
    if (nbf_claim == nullptr) return Ok();
    const auto nbf = ParseNumericDate(*nbf_claim, Rounding::kUp);
    if (!nbf) return Unauthorized("Invalid nbf claim");
    if (*nbf - leeway > now) return Unauthorized("Token not yet valid");
    principal.valid_from = *nbf - leeway;
    return Ok();
}

Result<std::string> Subject(const Value& claims) {
    const Value* sub = json::Find(claims, "sub");
    if (sub == nullptr || json::KindOf(*sub) != json::Kind::kString || json::Text(*sub).empty()) {
        return Unauthorized("Missing sub claim");
    }
    return std::string(json::Text(*sub));
}

/// SPEC §3: a company id is 1–64 characters of [A-Za-z0-9_.-]. It names a database and a role, so anything
/// else (blank, 5,000 characters, spaces, quotes) is an invalid token rather than a tenant to provision.
bool IsValidCompanyId(std::string_view id) {
    if (id.empty() || id.size() > kMaxCompanyIdLength) return false;
    for (char c : id) {
        const bool ok = (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_' ||
                        c == '.' || c == '-';
        if (!ok) return false;
    }
    return true;
}

/// `company_id` as text. Issuers send it as a string or an integer; an integer is re-printed canonically, so
/// tokens saying 42 and "42" name the same tenant. Fractions and exponents are refused rather than guessed at.
Result<std::string> CompanyId(const Value& claims) {
    const Value* id = json::Find(claims, "company_id");
    if (id == nullptr || id->IsNull()) return Unauthorized("Missing company_id claim");
    const json::Kind kind = json::KindOf(*id);
    std::string text;
    if (kind == json::Kind::kString) {
        if (json::Text(*id).empty()) return Unauthorized("Missing company_id claim");
        text = std::string(json::Text(*id));
    } else if (kind == json::Kind::kNumber) {
        if (const auto n = ParseInt64(json::Text(*id))) text = std::to_string(*n);
    }
    if (!IsValidCompanyId(text)) return Unauthorized("Invalid company_id claim");
    return text;
}

/// RFC 7519 §4.1.3: `aud` is one string or an array of strings; the token is for us when any of them is ours.
Status CheckAudience(const Value& claims, const std::string& expected) {
    if (expected.empty()) return Ok();
    const Value* aud = json::Find(claims, "aud");
    if (aud == nullptr) return Unauthorized("Missing aud claim");
    if (json::KindOf(*aud) == json::Kind::kString && json::Text(*aud) == expected) return Ok();
    if (aud->IsArray()) {
        for (const Value& item : aud->GetArray()) {
            if (json::KindOf(item) == json::Kind::kString && json::Text(item) == expected) return Ok();
        }
    }
    return Unauthorized("Token audience does not match");
}

Status CheckIssuer(const Value& claims, const std::string& expected) {
    if (expected.empty()) return Ok();
    const Value* iss = json::Find(claims, "iss");
    if (iss == nullptr) return Unauthorized("Missing iss claim");
    if (json::KindOf(*iss) != json::Kind::kString || json::Text(*iss) != expected) {
        return Unauthorized("Token issuer does not match");
    }
    return Ok();
}

/// Calls `fn` on each string of the array claim `name`. Absent or null is an empty list; anything but an
/// array of strings is an invalid token (a typo in an issuer's config should fail loudly, not silently).
template <typename Fn>
Status ForEachString(const Value& claims, std::string_view name, Fn fn) {
    const Value* list = json::Find(claims, name);
    if (list == nullptr || list->IsNull()) return Ok();
    const std::string error = "Invalid " + std::string(name) + " claim";
    if (!list->IsArray()) return Unauthorized(error);
    for (const Value& item : list->GetArray()) {
        if (json::KindOf(item) != json::Kind::kString) return Unauthorized(error);
        fn(json::Text(item));
    }
    return Ok();
}

Result<std::uint32_t> PermissionBits(const Value& claims) {
    std::uint32_t bits = 0;
    // Unknown permission and role strings are ignored: issuers share tokens across products.
    MT_TRY(ForEachString(claims, "permissions", [&](std::string_view s) {
        if (const auto p = ParsePermission(s)) bits |= Bit(*p);
    }));
    MT_TRY(ForEachString(claims, "roles", [&](std::string_view s) {
        for (const RoleGrant& grant : kRoleGrants) {
            if (s == grant.role) bits |= grant.permissions;
        }
    }));
    return bits;
}

}  // namespace

Result<Principal> PrincipalFromClaims(std::string_view claims_json, std::int64_t now, const ClaimRules& rules) {
    auto doc = json::ParseJson(claims_json);
    if (!doc.ok() || !doc->IsObject()) return Unauthorized("Malformed token");
    const Value& claims = *doc;

    Principal principal;
    MT_TRY(CheckTimes(claims, now, rules.leeway_seconds, principal));
    MT_TRY(CheckIssuer(claims, rules.issuer));
    MT_TRY(CheckAudience(claims, rules.audience));
    MT_ASSIGN_OR_RETURN(principal.user_id, Subject(claims));
    MT_ASSIGN_OR_RETURN(principal.company_id, CompanyId(claims));
    MT_ASSIGN_OR_RETURN(principal.permissions, PermissionBits(claims));
    return principal;
}

}  // namespace mt::auth::detail
