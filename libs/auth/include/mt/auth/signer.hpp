#pragma once
/// Token signing, for development tokens (`mt-token`) and tests. The service itself only verifies.
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "mt/auth/algorithm.hpp"
#include "mt/core/result.hpp"

namespace mt::auth {

/// The claims `Sign` writes; the same ones `Verifier` reads.
struct Claims {
    std::string sub;
    std::string company_id;
    std::vector<std::string> permissions;  // e.g. "managed-tables:list"
    std::vector<std::string> roles;        // e.g. "DataEngineer"
    std::int64_t exp = 0;                  // expiry, Unix seconds
};

/// A compact JWS of `claims` with header {"alg": <alg>, "typ": "JWT"}. `key` is the HS256 secret or an RS256
/// PEM private key. Fails (kInternal) on an empty key or one libjwt cannot use. Thread-safe.
Result<std::string> Sign(const Claims& claims, Algorithm alg, std::string_view key);

}  // namespace mt::auth
