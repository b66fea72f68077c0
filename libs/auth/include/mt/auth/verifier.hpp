#pragma once
/// Bearer-token verification (SPEC §3): `Authorization` header in, `Principal` or a 401 error out.
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <utility>

#include "mt/auth/algorithm.hpp"
#include "mt/auth/permission.hpp"
#include "mt/core/result.hpp"

namespace mt::auth {

/// HS256 secrets shorter than the SHA-256 output are refused (RFC 7518 §3.2).
inline constexpr std::size_t kMinHs256SecretBytes = 32;

struct VerifierConfig {
    Algorithm algorithm = Algorithm::kHS256;
    std::string
        key;  // HS256: the shared secret, >= 32 bytes. RS256: a PEM "PUBLIC KEY" (SubjectPublicKeyInfo), >= 2048 bits
    std::int64_t leeway_seconds = 30;  // clock skew tolerated on `exp` and `nbf`; 0..86400
    std::string audience;              // non-empty: tokens must carry it in `aud` (a string or an array of strings)
    std::string issuer;                // non-empty: tokens must carry exactly this `iss`
};

/// Verifies bearer tokens against one configured algorithm and key.
///
/// Lifecycle: built once at startup through `Create`, which validates the configuration; immutable afterwards.
/// Thread-safety: `Verify` is const and keeps no state between calls, so one instance may serve any number of
/// threads at once. Ownership: holds its own copy of the key.
class Verifier {
public:
    /// Fails (kValidation) on an HS256 secret under 32 bytes, a PEM that is not an RSA public key of at least 2048
    /// bits, or a leeway out of range: configuration errors that should stop the service at startup.
    static Result<Verifier> Create(VerifierConfig config);

    /// Checks `Bearer <token>` (scheme case-insensitive): structure, algorithm (must be the configured one),
    /// signature, `exp` (required) and `nbf` (optional) against `now_unix_seconds` with the leeway, `iss` and `aud`
    /// when configured, then maps
    /// `sub`, `company_id`, `permissions` and `roles` to a Principal. Every rejection is kUnauthorized with a
    /// short reason such as "Token expired"; nothing throws.
    Result<Principal> Verify(std::string_view authorization_header, std::int64_t now_unix_seconds) const;

    [[nodiscard]] Algorithm algorithm() const { return config_.algorithm; }

private:
    explicit Verifier(VerifierConfig config) : config_(std::move(config)) {}

    Result<Principal> VerifyToken(std::string_view authorization_header, std::int64_t now_unix_seconds) const;

    VerifierConfig config_;
};

}  // namespace mt::auth
