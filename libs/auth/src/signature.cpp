#include "signature.hpp"

#include <climits>

#include "libjwt_handle.hpp"

namespace mt::auth::detail {
namespace {

jwt_alg_t ToLibjwt(Algorithm alg) { return alg == Algorithm::kRS256 ? JWT_ALG_RS256 : JWT_ALG_HS256; }

}  // namespace

Result<std::string> VerifySignature(std::string_view token, Algorithm alg, std::string_view key) {
    // jwt_decode with a NULL key or key_len 0 skips verification entirely and accepts any token (reporting
    // alg "none"), so an empty key must never reach it. Verifier::Create already refuses one; this is the
    // last line of defence.
    if (key.empty() || key.size() > static_cast<std::size_t>(INT_MAX)) return Internal("Verifier has no usable key");

    const std::string token_z(token);  // jwt_decode wants a NUL-terminated string
    jwt_t* raw = nullptr;
    const int rc = jwt_decode(&raw, token_z.c_str(), reinterpret_cast<const unsigned char*>(key.data()),
                              static_cast<int>(key.size()));
    JwtPtr jwt(raw);
    // libjwt gives EINVAL for every failure (bad signature, bad JSON, wrong key type), so no finer reason
    // is available here; token_format has already reported the structural ones precisely.
    if (rc != 0 || !jwt) return Unauthorized("Invalid token signature");

    // jwt_decode verifies with whatever alg the token names, so with an RS256 key it would happily check an
    // HS256 token using the PEM text as the HMAC secret. CheckHeader refused that already; this re-checks what
    // libjwt actually did, in case the two ever read the header differently.
    if (jwt_get_alg(jwt.get()) != ToLibjwt(alg)) return Unauthorized("Unsupported token algorithm");

    // NULL grant name: the whole claims object. The string is malloc'ed and ours to free.
    MallocString grants(jwt_get_grants_json(jwt.get(), nullptr));
    if (!grants) return Unauthorized("Malformed token");
    return std::string(grants.get());
}

}  // namespace mt::auth::detail
