#pragma once
// Phase 3 of verification: the claims of a token whose signature has been checked.
#include <cstdint>
#include <string>
#include <string_view>

#include "mt/auth/permission.hpp"
#include "mt/core/result.hpp"

namespace mt::auth::detail {

/// What the claims must satisfy besides being well formed.
struct ClaimRules {
    std::int64_t leeway_seconds = 30;  // 0..86400 (Verifier::Create enforces it)
    std::string audience;              // non-empty: `aud` must name it
    std::string issuer;                // non-empty: `iss` must equal it
};

/// Checks `exp` (required) and `nbf` (optional) of `claims_json` against `now` with the leeway, `iss` and `aud`
/// when the rules name them, then maps `sub`, `company_id` (SPEC §3: 1–64 of [A-Za-z0-9_.-]), `permissions` and
/// `roles` to a Principal.
Result<Principal> PrincipalFromClaims(std::string_view claims_json, std::int64_t now, const ClaimRules& rules);

}  // namespace mt::auth::detail
