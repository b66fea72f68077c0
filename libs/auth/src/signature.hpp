#pragma once
// Phase 2 of verification: the signature, by libjwt.
#include <string>
#include <string_view>

#include "mt/auth/algorithm.hpp"
#include "mt/core/result.hpp"

namespace mt::auth::detail {

/// Verifies the signature of `token` (already shape- and alg-checked by token_format) with `key` and returns
/// the claims as libjwt parsed them, re-serialized as one JSON object. Thread-safe: libjwt 1.10 keeps no
/// global state and every call works on its own jwt_t.
Result<std::string> VerifySignature(std::string_view token, Algorithm alg, std::string_view key);

}  // namespace mt::auth::detail
