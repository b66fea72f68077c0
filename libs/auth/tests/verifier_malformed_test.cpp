#include <catch2/catch.hpp>

#include "test_tokens.hpp"

using namespace mt::auth;
using namespace mt::auth::test;

namespace {

const std::string kPayload = R"({"sub":"u","company_id":"c","exp":)" + std::to_string(kNow + 3600) + "}";

std::string Reason(std::string_view token) { return RejectionReason(Hs256Verifier().Verify(Bearer(token), kNow)); }

}  // namespace

TEST_CASE("the hand-signing helper agrees with the verifier") {
    CHECK(Reason(HandSignHs256(kHs256Header, kPayload, kSecret)).empty());
}

TEST_CASE("tokens without exactly three segments are malformed") {
    const std::string good = HandSignHs256(kHs256Header, kPayload, kSecret);
    const std::string header = good.substr(0, good.find('.'));
    const std::string two = good.substr(0, good.rfind('.'));
    CHECK(Reason(header) == "Malformed token");
    CHECK(Reason(two) == "Malformed token");
    CHECK(Reason(good + ".AAAA") == "Malformed token");
    CHECK(Reason(good + ".") == "Malformed token");
    CHECK(Reason("..") == "Malformed token");
    CHECK(Reason("." + good) == "Malformed token");
}

TEST_CASE("characters outside unpadded base64url are malformed") {
    // Debian's libjwt decodes with libb64, which skips such characters; we must not.
    const std::string good = HandSignHs256(kHs256Header, kPayload, kSecret);
    std::string with_dollar = good;
    with_dollar.insert(good.find('.') + 3, "$");
    CHECK(Reason(with_dollar) == "Malformed token");
    CHECK(Reason(good + "=") == "Malformed token");
    std::string standard_alphabet = good;
    standard_alphabet.insert(5, "+");
    CHECK(Reason(standard_alphabet) == "Malformed token");
    CHECK(Reason(B64Url(kHs256Header) + ".A." + B64Url("sig")) == "Malformed token");  // 1 char: not base64
}

TEST_CASE("a header or payload that is not a JSON object is malformed, even when validly signed") {
    CHECK(Reason(HandSignHs256("not json", kPayload, kSecret)) == "Malformed token");
    CHECK(Reason(HandSignHs256("[]", kPayload, kSecret)) == "Malformed token");
    CHECK(Reason(HandSignHs256(kHs256Header, "not json", kSecret)) == "Malformed token");
    CHECK(Reason(HandSignHs256(kHs256Header, "[1,2]", kSecret)) == "Malformed token");
    CHECK(Reason(HandSignHs256(kHs256Header, "\"text\"", kSecret)) == "Malformed token");
    CHECK(Reason(HandSignHs256(kHs256Header, std::string(kPayload) + " trailing", kSecret)) == "Malformed token");
}

TEST_CASE("alg none is rejected, with or without a signature") {
    const std::string unsigned_token = B64Url(R"({"alg":"none","typ":"JWT"})") + "." + B64Url(kPayload) + ".";
    CHECK(Reason(unsigned_token) == "Malformed token");  // empty signature segment
    const std::string with_sig = HandSignHs256(R"({"alg":"none","typ":"JWT"})", kPayload, kSecret);
    CHECK(Reason(with_sig) == "Unsupported token algorithm");
}

TEST_CASE("any algorithm but the configured one is rejected") {
    for (const char* header : {R"({"alg":"HS512","typ":"JWT"})", R"({"alg":"hs256","typ":"JWT"})",
                               R"({"alg":"RS256","typ":"JWT"})", R"({"alg":"ES256"})", R"({"alg":"None"})"}) {
        CHECK(Reason(HandSignHs256(header, kPayload, kSecret)) == "Unsupported token algorithm");
    }
    CHECK(Reason(HandSignHs256(R"({"typ":"JWT"})", kPayload, kSecret)) == "Malformed token");
    CHECK(Reason(HandSignHs256(R"({"alg":256})", kPayload, kSecret)) == "Malformed token");
}

TEST_CASE("a header with crit extensions is rejected") {
    const std::string token = HandSignHs256(R"({"alg":"HS256","typ":"JWT","crit":["exp"]})", kPayload, kSecret);
    CHECK(Reason(token) == "Unsupported token header");
}

TEST_CASE("an oversized token is refused before any parsing") {
    const std::string huge_payload = R"({"sub":"u","company_id":"c","exp":)" + std::to_string(kNow + 3600) +
                                     R"(,"pad":")" + std::string(10000, 'x') + "\"}";
    CHECK(Reason(HandSignHs256(kHs256Header, huge_payload, kSecret)) == "Malformed token");
}

TEST_CASE("a header or payload with a duplicate key is an invalid token") {
    CHECK(Reason(HandSignHs256(R"({"alg":"HS256","alg":"none"})", kPayload, kSecret)) == "Malformed token");
    CHECK(Reason(HandSignHs256(R"({"alg":"none","typ":"JWT","alg":"HS256"})", kPayload, kSecret)) == "Malformed token");
    const std::string payload =
        R"({"sub":"u","company_id":"c","company_id":"other","exp":)" + std::to_string(kNow + 3600) + "}";
    CHECK(Reason(HandSignHs256(kHs256Header, payload, kSecret)) == "Malformed token");
}
