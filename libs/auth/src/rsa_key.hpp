#pragma once
// Startup validation of an RS256 public key, so a bad key stops the service instead of failing every request.
#include <string_view>

#include "mt/core/result.hpp"

namespace mt::auth::detail {

/// The smallest RSA modulus accepted (NIST SP 800-57: 2048 bits through 2030).
inline constexpr int kMinRsaBits = 2048;

/// Ok when `pem` is a PEM "PUBLIC KEY" (SubjectPublicKeyInfo) holding an RSA key of at least kMinRsaBits.
/// Parsed with PEM_read_bio_PUBKEY, the same call libjwt 1.10 makes when verifying, so whatever passes here
/// is usable there (PKCS#1 "RSA PUBLIC KEY" and certificates are not).
Status CheckRsaPublicKey(std::string_view pem);

}  // namespace mt::auth::detail
