#include "mt/auth/permission.hpp"

#include <array>

namespace mt::auth {
namespace {

// Indexed by the enum value; SPEC §3 spells these strings, tokens carry them verbatim.
constexpr std::array<std::string_view, kPermissionCount> kPermissionNames = {
    "managed-tables:list",   "managed-tables:create",    "managed-tables:update",     "managed-tables:delete",
    "managed-tables:upload", "managed-tables:data-read", "managed-tables:data-write", "managed-tables:api-keys",
};

}  // namespace

std::string_view Name(Permission p) { return kPermissionNames.at(static_cast<std::size_t>(p)); }

std::optional<Permission> ParsePermission(std::string_view name) {
    for (std::size_t i = 0; i < kPermissionNames.size(); ++i) {
        if (kPermissionNames[i] == name) return static_cast<Permission>(i);
    }
    return std::nullopt;
}

}  // namespace mt::auth
