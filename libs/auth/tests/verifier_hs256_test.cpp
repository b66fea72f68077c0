#include <catch2/catch.hpp>

#include <atomic>
#include <thread>
#include <vector>

#include "test_tokens.hpp"

using namespace mt::auth;
using namespace mt::auth::test;

namespace {

std::string Token(const Claims& claims) { return SignOrThrow(claims, Algorithm::kHS256, kSecret); }

}  // namespace

TEST_CASE("a valid HS256 token yields its principal") {
    const auto r = Hs256Verifier().Verify(Bearer(Token(ValidClaims())), kNow);
    REQUIRE(r.ok());
    CHECK(r->user_id == "user-1");
    CHECK(r->company_id == "company-1");
    CHECK(r->permissions == Bit(Permission::kList));
}

TEST_CASE("permissions map to bits and unknown strings are ignored") {
    Claims c = ValidClaims();
    c.permissions = {"managed-tables:upload", "managed-tables:data-read", "other-product:admin", "managed-tables:LIST"};
    const auto r = Hs256Verifier().Verify(Bearer(Token(c)), kNow);
    REQUIRE(r.ok());
    CHECK(r->permissions == (Bit(Permission::kUpload) | Bit(Permission::kDataRead)));
}

TEST_CASE("both roles grant the data permissions and only ConnectionManager grants api-keys") {
    for (const char* role : {"ConnectionManager", "DataEngineer"}) {
        Claims c = ValidClaims();
        c.permissions.clear();
        c.roles = {"Viewer", role};
        const auto r = Hs256Verifier().Verify(Bearer(Token(c)), kNow);
        REQUIRE(r.ok());
        CHECK((r->permissions & kAllPermissions) == kAllPermissions);
        CHECK(r->Has(Permission::kApiKeys) == (std::string(role) == "ConnectionManager"));
    }
    Claims both = ValidClaims();
    both.permissions.clear();
    both.roles = {"DataEngineer", "ConnectionManager", "DataEngineer"};  // a later role never takes grants away
    const auto r = Hs256Verifier().Verify(Bearer(Token(both)), kNow);
    REQUIRE(r.ok());
    CHECK(r->permissions == kConnectionManagerPermissions);
}

TEST_CASE("managed-tables:api-keys is granted as a permission claim too") {
    Claims c = ValidClaims();
    c.permissions = {"managed-tables:api-keys"};
    const auto r = Hs256Verifier().Verify(Bearer(Token(c)), kNow);
    REQUIRE(r.ok());
    CHECK(r->permissions == Bit(Permission::kApiKeys));
}

TEST_CASE("other roles and no permissions at all give a valid principal without permissions") {
    Claims c = ValidClaims();
    c.permissions.clear();
    c.roles = {"Viewer", "dataengineer"};
    const auto r = Hs256Verifier().Verify(Bearer(Token(c)), kNow);
    REQUIRE(r.ok());
    CHECK(r->permissions == 0);
}

TEST_CASE("the Bearer scheme is case-insensitive and blanks around it are ignored") {
    const std::string token = Token(ValidClaims());
    const Verifier v = Hs256Verifier();
    CHECK(v.Verify("bearer " + token, kNow).ok());
    CHECK(v.Verify("BEARER\t" + token, kNow).ok());
    CHECK(v.Verify("  Bearer   " + token + "  ", kNow).ok());
}

TEST_CASE("a missing or non-Bearer authorization header is rejected") {
    const Verifier v = Hs256Verifier();
    CHECK(RejectionReason(v.Verify("", kNow)) == "Missing bearer token");
    CHECK(RejectionReason(v.Verify("   ", kNow)) == "Missing bearer token");
    CHECK(RejectionReason(v.Verify("Bearer", kNow)) == "Missing bearer token");
    CHECK(RejectionReason(v.Verify("Bearer   ", kNow)) == "Missing bearer token");
    CHECK(RejectionReason(v.Verify("Basic dXNlcjpwYXNz", kNow)) == "Missing bearer token");
    CHECK(RejectionReason(v.Verify(Token(ValidClaims()), kNow)) == "Missing bearer token");  // no scheme
    CHECK(RejectionReason(v.Verify("Bearer" + Token(ValidClaims()), kNow)) == "Missing bearer token");
}

TEST_CASE("a token signed with another secret is rejected") {
    const std::string token = SignOrThrow(ValidClaims(), Algorithm::kHS256, "another-secret-of-32-bytes-or-so");
    CHECK(RejectionReason(Hs256Verifier().Verify(Bearer(token), kNow)) == "Invalid token signature");
}

TEST_CASE("a tampered payload is rejected") {
    const std::string token = Token(ValidClaims());
    const auto dot1 = token.find('.');
    const auto dot2 = token.find('.', dot1 + 1);
    Claims elevated = ValidClaims();
    elevated.roles = {"ConnectionManager"};
    const std::string other = Token(elevated);
    const std::string other_payload = other.substr(other.find('.') + 1, other.rfind('.') - other.find('.') - 1);
    const std::string forged = token.substr(0, dot1 + 1) + other_payload + token.substr(dot2);
    CHECK(RejectionReason(Hs256Verifier().Verify(Bearer(forged), kNow)) == "Invalid token signature");
}

TEST_CASE("a tampered signature is rejected") {
    std::string token = Token(ValidClaims());
    token.back() = token.back() == 'A' ? 'B' : 'A';
    CHECK(RejectionReason(Hs256Verifier().Verify(Bearer(token), kNow)) == "Invalid token signature");
}

TEST_CASE("exp is honoured with the leeway, boundary included") {
    const Verifier v = Hs256Verifier(30);
    Claims c = ValidClaims();
    c.exp = kNow - 29;  // expired 29 s ago: inside the 30 s leeway
    CHECK(v.Verify(Bearer(Token(c)), kNow).ok());
    c.exp = kNow - 30;  // valid strictly before exp + leeway
    CHECK(RejectionReason(v.Verify(Bearer(Token(c)), kNow)) == "Token expired");
    c.exp = kNow - 86400;
    CHECK(RejectionReason(v.Verify(Bearer(Token(c)), kNow)) == "Token expired");
}

TEST_CASE("with zero leeway a token expires exactly at exp") {
    const Verifier v = Hs256Verifier(0);
    Claims c = ValidClaims();
    c.exp = kNow + 1;
    CHECK(v.Verify(Bearer(Token(c)), kNow).ok());
    c.exp = kNow;
    CHECK(RejectionReason(v.Verify(Bearer(Token(c)), kNow)) == "Token expired");
}

TEST_CASE("nbf in the future is rejected beyond the leeway") {
    const Verifier v = Hs256Verifier(30);
    const auto with_nbf = [](std::int64_t nbf) {
        const std::string payload = R"({"sub":"u","company_id":"c","exp":)" + std::to_string(kNow + 3600) +
                                    R"(,"nbf":)" + std::to_string(nbf) + "}";
        return Bearer(HandSignHs256(kHs256Header, payload, kSecret));
    };
    CHECK(v.Verify(with_nbf(kNow - 10), kNow).ok());
    CHECK(v.Verify(with_nbf(kNow + 30), kNow).ok());
    CHECK(RejectionReason(v.Verify(with_nbf(kNow + 31), kNow)) == "Token not yet valid");
    CHECK(RejectionReason(v.Verify(with_nbf(kNow + 3600), kNow)) == "Token not yet valid");
}

TEST_CASE("Verify may be called from many threads at once") {
    const Verifier v = Hs256Verifier();
    const std::string good = Bearer(Token(ValidClaims()));
    const std::string bad = Bearer(SignOrThrow(ValidClaims(), Algorithm::kHS256, "wrong-secret-wrong-secret-wrong!"));
    std::atomic<int> failures{0};
    std::vector<std::thread> threads;
    for (int t = 0; t < 8; ++t) {
        threads.emplace_back([&] {
            for (int i = 0; i < 200; ++i) {
                if (!v.Verify(good, kNow).ok() || v.Verify(bad, kNow).ok()) ++failures;
            }
        });
    }
    for (auto& th : threads) th.join();
    CHECK(failures == 0);
}
