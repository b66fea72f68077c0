#include <catch2/catch.hpp>

#include <stdexcept>

#include "test_tokens.hpp"

using namespace mt::auth;
using namespace mt::auth::test;

namespace {

const std::string kExp = std::to_string(kNow + 3600);

/// Verifies a validly signed HS256 token whose payload is exactly `payload`.
mt::Result<Principal> VerifyPayload(const std::string& payload) {
    return Hs256Verifier().Verify(Bearer(HandSignHs256(kHs256Header, payload, kSecret)), kNow);
}

std::string Reason(const std::string& payload) { return RejectionReason(VerifyPayload(payload)); }

}  // namespace

TEST_CASE("exp is required and must be a number") {
    CHECK(Reason(R"({"sub":"u","company_id":"c"})") == "Missing exp claim");
    CHECK(Reason(R"({"sub":"u","company_id":"c","exp":null})") == "Missing exp claim");
    CHECK(Reason(R"({"sub":"u","company_id":"c","exp":")" + kExp + "\"}") == "Invalid exp claim");
    CHECK(Reason(R"({"sub":"u","company_id":"c","exp":true})") == "Invalid exp claim");
    CHECK(Reason(R"({"sub":"u","company_id":"c","exp":-5})") == "Invalid exp claim");
    CHECK(Reason(R"({"sub":"u","company_id":"c","exp":1e300})") == "Invalid exp claim");
}

TEST_CASE("a fractional exp is accepted and rounded down") {
    CHECK(Reason(R"({"sub":"u","company_id":"c","exp":)" + kExp + ".75}").empty());
    const std::string just_expired = std::to_string(kNow - 30) + ".9";  // floor: kNow - 30, at the leeway edge
    CHECK(Reason(R"({"sub":"u","company_id":"c","exp":)" + just_expired + "}") == "Token expired");
}

TEST_CASE("nbf must be a number when present") {
    CHECK(Reason(R"({"sub":"u","company_id":"c","exp":)" + kExp + R"(,"nbf":"soon"})") == "Invalid nbf claim");
}

TEST_CASE("sub is required, non-empty and a string") {
    CHECK(Reason(R"({"company_id":"c","exp":)" + kExp + "}") == "Missing sub claim");
    CHECK(Reason(R"({"sub":"","company_id":"c","exp":)" + kExp + "}") == "Missing sub claim");
    CHECK(Reason(R"({"sub":7,"company_id":"c","exp":)" + kExp + "}") == "Missing sub claim");
}

TEST_CASE("company_id is required and non-empty") {
    CHECK(Reason(R"({"sub":"u","exp":)" + kExp + "}") == "Missing company_id claim");
    CHECK(Reason(R"({"sub":"u","company_id":"","exp":)" + kExp + "}") == "Missing company_id claim");
    CHECK(Reason(R"({"sub":"u","company_id":null,"exp":)" + kExp + "}") == "Missing company_id claim");
    CHECK(Reason(R"({"sub":"u","company_id":4.5,"exp":)" + kExp + "}") == "Invalid company_id claim");
    CHECK(Reason(R"({"sub":"u","company_id":{"id":1},"exp":)" + kExp + "}") == "Invalid company_id claim");
}

TEST_CASE("an integer company_id is normalized to its decimal text") {
    const auto r = VerifyPayload(R"({"sub":"u","company_id":42,"exp":)" + kExp + "}");
    REQUIRE(r.ok());
    CHECK(r->company_id == "42");
    const auto s = VerifyPayload(R"({"sub":"u","company_id":"42","exp":)" + kExp + "}");
    REQUIRE(s.ok());
    CHECK(s->company_id == r->company_id);
}

TEST_CASE("permissions and roles must be arrays of strings when present") {
    const std::string base = R"({"sub":"u","company_id":"c","exp":)" + kExp;
    CHECK(Reason(base + R"(,"permissions":"managed-tables:list"})") == "Invalid permissions claim");
    CHECK(Reason(base + R"(,"permissions":["managed-tables:list",3]})") == "Invalid permissions claim");
    CHECK(Reason(base + R"(,"roles":{"DataEngineer":true}})") == "Invalid roles claim");

    const auto r = VerifyPayload(base + R"(,"permissions":null,"roles":[]})");
    REQUIRE(r.ok());
    CHECK(r->permissions == 0);
}

TEST_CASE("permissions and roles combine") {
    const auto r = VerifyPayload(R"({"sub":"u","company_id":"c","exp":)" + kExp +
                                 R"(,"permissions":["managed-tables:delete"],"roles":["DataEngineer"]})");
    REQUIRE(r.ok());
    CHECK(r->permissions == kAllPermissions);
}

TEST_CASE("extra claims are ignored") {
    const auto r = VerifyPayload(R"({"sub":"u","company_id":"c","exp":)" + kExp +
                                 R"(,"iss":"console","aud":["x"],"iat":1,"email":"a@b.c"})");
    CHECK(r.ok());
}

TEST_CASE("a verified principal carries the validity window, leeway applied", "[claims]") {
    std::string payload = R"({"sub":"u","company_id":"c","permissions":[],"exp":)" + std::to_string(kNow + 100) +
                          R"(,"nbf":)" + std::to_string(kNow - 10) + "}";
    auto principal = Hs256Verifier(30).Verify(Bearer(HandSignHs256(kHs256Header, payload, kSecret)), kNow);
    REQUIRE(principal.ok());
    CHECK(principal->valid_until == kNow + 130);
    CHECK(principal->valid_from == kNow - 40);
}

TEST_CASE("company_id must be 1 to 64 characters of letters, digits, _ . -") {
    const auto with_id = [](const std::string& id_json) {
        return Reason(R"({"sub":"u","company_id":)" + id_json + R"(,"exp":)" + kExp + "}");
    };
    CHECK(with_id("\"" + std::string(64, 'a') + "\"").empty());
    CHECK(with_id(R"("Acme_Corp.eu-1")").empty());
    CHECK(with_id("\"" + std::string(65, 'a') + "\"") == "Invalid company_id claim");
    CHECK(with_id("\"" + std::string(5000, 'a') + "\"") == "Invalid company_id claim");
    CHECK(with_id(R"(" ")") == "Invalid company_id claim");
    CHECK(with_id(R"("acme corp")") == "Invalid company_id claim");
    CHECK(with_id(R"("acme\"; DROP")") == "Invalid company_id claim");
    CHECK(with_id(R"("acme/../x")") == "Invalid company_id claim");
    CHECK(with_id(R"("caf\u00e9")") == "Invalid company_id claim");
}

namespace {

Verifier VerifierWith(std::string audience, std::string issuer) {
    auto v = Verifier::Create({Algorithm::kHS256, std::string(kSecret), 30, std::move(audience), std::move(issuer)});
    if (!v) throw std::runtime_error(v.error().message);
    return std::move(v).value();
}

std::string ReasonWith(const Verifier& v, const std::string& extra_claims) {
    const std::string payload = R"({"sub":"u","company_id":"c","exp":)" + kExp + extra_claims + "}";
    return RejectionReason(v.Verify(Bearer(HandSignHs256(kHs256Header, payload, kSecret)), kNow));
}

}  // namespace

TEST_CASE("aud and iss are ignored unless configured") {
    const Verifier v = VerifierWith("", "");
    CHECK(ReasonWith(v, "").empty());
    CHECK(ReasonWith(v, R"(,"aud":"someone-else","iss":"whoever")").empty());
}

TEST_CASE("a configured audience must appear in aud") {
    const Verifier v = VerifierWith("managed-tables", "");
    CHECK(ReasonWith(v, "") == "Missing aud claim");
    CHECK(ReasonWith(v, R"(,"aud":"other")") == "Token audience does not match");
    CHECK(ReasonWith(v, R"(,"aud":["a","b"])") == "Token audience does not match");
    CHECK(ReasonWith(v, R"(,"aud":7)") == "Token audience does not match");
    CHECK(ReasonWith(v, R"(,"aud":"managed-tables")").empty());
    CHECK(ReasonWith(v, R"(,"aud":["other","managed-tables"])").empty());
}

TEST_CASE("a configured issuer must equal iss") {
    const Verifier v = VerifierWith("", "https://login.example.com");
    CHECK(ReasonWith(v, "") == "Missing iss claim");
    CHECK(ReasonWith(v, R"(,"iss":"https://evil.example.com")") == "Token issuer does not match");
    CHECK(ReasonWith(v, R"(,"iss":["https://login.example.com"])") == "Token issuer does not match");
    CHECK(ReasonWith(v, R"(,"iss":"https://login.example.com")").empty());
}
