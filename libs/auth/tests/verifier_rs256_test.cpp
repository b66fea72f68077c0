#include <catch2/catch.hpp>

#include "test_tokens.hpp"

using namespace mt::auth;
using namespace mt::auth::test;

TEST_CASE("a valid RS256 token yields its principal") {
    Claims c = ValidClaims();
    c.company_id = "acme";
    c.roles = {"DataEngineer"};
    const std::string token = SignOrThrow(c, Algorithm::kRS256, TestRsaKeys().private_pem);
    const auto r = Rs256Verifier().Verify(Bearer(token), kNow);
    REQUIRE(r.ok());
    CHECK(r->user_id == "user-1");
    CHECK(r->company_id == "acme");
    CHECK(r->permissions == kAllPermissions);
}

TEST_CASE("an RS256 token signed by another key is rejected") {
    const RsaKeyPair other = GenerateRsaKeyPair(2048);
    const std::string token = SignOrThrow(ValidClaims(), Algorithm::kRS256, other.private_pem);
    CHECK(RejectionReason(Rs256Verifier().Verify(Bearer(token), kNow)) == "Invalid token signature");
}

TEST_CASE("key confusion: an HS256 token keyed with the RS256 public key is rejected") {
    // The classic attack: the public key is public, so an attacker HMACs with it and hopes the verifier
    // uses whatever alg the token names. libjwt 1.10 would accept this token if the alg were not pinned.
    Claims c = ValidClaims();
    c.roles = {"ConnectionManager"};
    const std::string forged = SignOrThrow(c, Algorithm::kHS256, TestRsaKeys().public_pem);
    CHECK(RejectionReason(Rs256Verifier().Verify(Bearer(forged), kNow)) == "Unsupported token algorithm");
}

TEST_CASE("an RS256 token is rejected by an HS256 verifier") {
    const std::string token = SignOrThrow(ValidClaims(), Algorithm::kRS256, TestRsaKeys().private_pem);
    CHECK(RejectionReason(Hs256Verifier().Verify(Bearer(token), kNow)) == "Unsupported token algorithm");
}

TEST_CASE("RS256 claims rules are the same as HS256 ones") {
    Claims c = ValidClaims();
    c.exp = kNow - 60;
    const std::string token = SignOrThrow(c, Algorithm::kRS256, TestRsaKeys().private_pem);
    CHECK(RejectionReason(Rs256Verifier().Verify(Bearer(token), kNow)) == "Token expired");
}

TEST_CASE("Create refuses an HS256 secret shorter than 32 bytes") {
    const auto create = [](std::string key) {
        return Verifier::Create({Algorithm::kHS256, std::move(key), 30, {}, {}});
    };
    const auto short_key = create("secret");
    REQUIRE_FALSE(short_key.ok());
    CHECK(short_key.error().kind == mt::ErrorKind::kValidation);
    CHECK_THAT(short_key.error().message, Catch::Contains("at least 32"));
    CHECK_FALSE(create(std::string(31, 'k')).ok());
    CHECK(create(std::string(32, 'k')).ok());
}

TEST_CASE("Create rejects unusable configurations") {
    const auto create = [](Algorithm alg, std::string key, std::int64_t leeway = 30) {
        return Verifier::Create({alg, std::move(key), leeway, {}, {}});
    };
    CHECK_FALSE(create(Algorithm::kHS256, "").ok());
    CHECK_FALSE(create(Algorithm::kRS256, "").ok());
    CHECK_FALSE(create(Algorithm::kRS256, "not a pem").ok());
    CHECK_FALSE(create(Algorithm::kRS256, "-----BEGIN PUBLIC KEY-----\nAAAA\n-----END PUBLIC KEY-----\n").ok());
    // A private key where the public one belongs is a configuration mistake worth catching at startup.
    CHECK_FALSE(create(Algorithm::kRS256, TestRsaKeys().private_pem).ok());
    CHECK_FALSE(create(Algorithm::kRS256, GenerateRsaKeyPair(1024).public_pem).ok());
    const std::string secret(kSecret);
    CHECK_FALSE(create(Algorithm::kHS256, secret, -1).ok());
    CHECK_FALSE(create(Algorithm::kHS256, secret, 86401).ok());

    const auto bad = create(Algorithm::kHS256, "");
    REQUIRE_FALSE(bad.ok());
    CHECK(bad.error().kind == mt::ErrorKind::kValidation);

    CHECK(create(Algorithm::kHS256, secret, 0).ok());
    CHECK(create(Algorithm::kRS256, TestRsaKeys().public_pem).ok());
}
