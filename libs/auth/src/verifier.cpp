#include "mt/auth/verifier.hpp"

#include <climits>
#include <exception>

#include "claims.hpp"
#include "rsa_key.hpp"
#include "signature.hpp"
#include "token_format.hpp"

namespace mt::auth {
namespace {

constexpr std::int64_t kMaxLeewaySeconds = 86400;

}  // namespace

Result<Verifier> Verifier::Create(VerifierConfig config) {
    if (config.leeway_seconds < 0 || config.leeway_seconds > kMaxLeewaySeconds) {
        return Validation("JWT leeway must be between 0 and " + std::to_string(kMaxLeewaySeconds) + " seconds");
    }
    if (config.key.size() > static_cast<std::size_t>(INT_MAX)) return Validation("JWT key is too large");
    if (config.algorithm == Algorithm::kHS256) {
        // An empty secret would be worse than weak: libjwt skips verification when given no key.
        if (config.key.empty()) return Validation("HS256 verifier needs a non-empty secret");
        // RFC 7518 §3.2: an HS256 key must be at least as long as the hash output (32 bytes).
        if (config.key.size() < kMinHs256SecretBytes) {
            return Validation("HS256 secret is " + std::to_string(config.key.size()) + " bytes; at least " +
                              std::to_string(kMinHs256SecretBytes) + " are required");
        }
    } else {
        MT_TRY(detail::CheckRsaPublicKey(config.key));
    }
    return Verifier(std::move(config));
}

Result<Principal> Verifier::Verify(std::string_view authorization_header, std::int64_t now_unix_seconds) const {
    // Callers run on HTTP threads and expect a value; nothing below throws except on allocation failure.
    try {
        return VerifyToken(authorization_header, now_unix_seconds);
    } catch (const std::exception& e) {
        return Internal(std::string("Token verification failed: ") + e.what());
    }
}

Result<Principal> Verifier::VerifyToken(std::string_view authorization_header, std::int64_t now_unix_seconds) const {
    // Cheap structural checks first, cryptography second, claims last: unverified claims are never read.
    MT_ASSIGN_OR_RETURN(const std::string_view token, detail::ExtractBearerToken(authorization_header));
    MT_ASSIGN_OR_RETURN(const detail::TokenParts parts, detail::SplitToken(token));
    MT_TRY(detail::CheckHeader(parts.header, config_.algorithm));
    MT_TRY(detail::CheckPayload(parts.payload));
    MT_ASSIGN_OR_RETURN(const std::string claims, detail::VerifySignature(token, config_.algorithm, config_.key));
    return detail::PrincipalFromClaims(claims, now_unix_seconds,
                                       {config_.leeway_seconds, config_.audience, config_.issuer});
}

}  // namespace mt::auth
