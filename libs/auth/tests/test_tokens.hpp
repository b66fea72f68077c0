#pragma once
// Helpers for building tokens by hand, so tests can say exactly what bytes an attacker or a broken issuer sends.
#include <cstdint>
#include <string>
#include <string_view>

#include "mt/auth/signer.hpp"
#include "mt/auth/verifier.hpp"

namespace mt::auth::test {

inline constexpr std::int64_t kNow = 1'700'000'000;  // 2023-11-14T22:13:20Z
inline constexpr std::string_view kSecret = "test-secret-of-at-least-32-bytes!";
inline constexpr std::string_view kHs256Header = R"({"alg":"HS256","typ":"JWT"})";

/// Unpadded base64url (RFC 7515 §2).
std::string B64Url(std::string_view bytes);

/// `base64url(header).base64url(payload).` + HMAC-SHA256 signature over the two, computed with OpenSSL
/// independently of the code under test.
std::string HandSignHs256(std::string_view header_json, std::string_view payload, std::string_view secret);

/// Claims that verify at kNow: sub "user-1", company "company-1", one permission, exp in an hour.
Claims ValidClaims();

/// A 2048-bit RSA key pair, generated once per test run with the OpenSSL 3 EVP API.
struct RsaKeyPair {
    std::string private_pem;  // PKCS#8 "PRIVATE KEY"
    std::string public_pem;   // SubjectPublicKeyInfo "PUBLIC KEY"
};
const RsaKeyPair& TestRsaKeys();
/// A fresh key pair of `bits`; slow (tens of ms), so tests share TestRsaKeys() where they can.
RsaKeyPair GenerateRsaKeyPair(int bits);

inline std::string Bearer(std::string_view token) { return "Bearer " + std::string(token); }

/// An HS256 verifier over kSecret; throws if Create fails (a test bug, not a test result).
Verifier Hs256Verifier(std::int64_t leeway_seconds = 30);
/// An RS256 verifier over TestRsaKeys().public_pem.
Verifier Rs256Verifier();

/// Signs with the library's Sign, throwing on failure.
std::string SignOrThrow(const Claims& claims, Algorithm alg, std::string_view key);

/// "" when `r` is a Principal; the message when it is a kUnauthorized/UNAUTHORIZED error; a description of
/// the mismatch otherwise. Lets tests CHECK(RejectionReason(...) == "Token expired") with readable failures.
std::string RejectionReason(const Result<Principal>& r);

}  // namespace mt::auth::test
