#pragma once
/// Permissions of SPEC §3 and the authenticated caller (`Principal`) that carries them.
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace mt::auth {

/// One permission of SPEC §3; each gates a group of endpoints. The first seven are the data permissions;
/// `kApiKeys` (managing API keys, SPEC §9) comes last and only the ConnectionManager role grants it.
enum class Permission { kList, kCreate, kUpdate, kDelete, kUpload, kDataRead, kDataWrite, kApiKeys };

/// Every permission, data permissions and kApiKeys.
inline constexpr int kPermissionCount = 8;
/// The seven data permissions (kList … kDataWrite).
inline constexpr int kDataPermissionCount = 7;

/// The claim string of a permission, e.g. "managed-tables:data-read".
std::string_view Name(Permission p);

/// The permission named by a claim string (exact, case-sensitive match), or nullopt for an unknown string.
std::optional<Permission> ParsePermission(std::string_view name);

/// The bit of `p` in `Principal::permissions`.
constexpr std::uint32_t Bit(Permission p) { return std::uint32_t{1} << static_cast<int>(p); }

/// The seven data permissions at once: what both the ConnectionManager and DataEngineer roles grant.
inline constexpr std::uint32_t kAllPermissions = (std::uint32_t{1} << kDataPermissionCount) - 1;
/// What the ConnectionManager role grants: the data permissions and managed-tables:api-keys.
inline constexpr std::uint32_t kConnectionManagerPermissions = kAllPermissions | Bit(Permission::kApiKeys);

/// The caller of a request, as established by a verified token. A plain value: copy it freely.
struct Principal {
    std::string user_id;            // `sub`
    std::string api_key_id;         // set when the caller authenticated with `x-api-key` (SPEC §9)
    std::string company_id;         // `company_id`, always as text (an integer claim is normalized)
    std::uint32_t permissions = 0;  // a set of Bit(Permission)
    /// The instants (Unix seconds, leeway applied) between which the token is valid: [valid_from, valid_until).
    /// A caller that caches a verified token must check them on every use.
    std::int64_t valid_from = 0;
    std::int64_t valid_until = 0;

    [[nodiscard]] bool Has(Permission p) const { return (permissions & Bit(p)) != 0; }
    /// Who acts, as the audit log records it (SPEC §9): the token's `sub`, or `apikey:<id>` for an API key.
    [[nodiscard]] std::string Actor() const { return api_key_id.empty() ? user_id : "apikey:" + api_key_id; }
};

}  // namespace mt::auth
