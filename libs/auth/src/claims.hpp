#pragma once
// Phase 3 of verification: the claims of a token whose signature has been checked.
#include <cstdint>
#include <string_view>

#include "mt/auth/permission.hpp"
#include "mt/core/result.hpp"

namespace mt::auth::detail {

/// Checks `exp` (required) and `nbf` (optional) of `claims_json` against `now` with `leeway` seconds of
/// tolerated clock skew, then maps `sub`, `company_id`, `permissions` and `roles` to a Principal.
/// Precondition: 0 <= leeway <= 86400 (Verifier::Create enforces it).
Result<Principal> PrincipalFromClaims(std::string_view claims_json, std::int64_t now, std::int64_t leeway);

}  // namespace mt::auth::detail
