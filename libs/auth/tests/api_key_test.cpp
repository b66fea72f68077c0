#include <catch2/catch.hpp>

#include <set>

#include "mt/auth/api_key.hpp"

using namespace mt::auth;

TEST_CASE("a generated API key parses back into its prefix and secret") {
    const NewApiKeyText k = GenerateApiKey();
    CHECK(k.key.size() == kApiKeyLength);
    CHECK(k.key.rfind("mtk_", 0) == 0);
    const auto parts = ParseApiKey(k.key);
    REQUIRE(parts);
    CHECK(parts->prefix == k.prefix);
    CHECK(parts->secret == k.secret);
    CHECK(k.prefix.size() == kApiKeyPrefixLength);
    CHECK(k.secret.size() == kApiKeySecretLength);
}

TEST_CASE("generated API keys differ in prefix and secret") {
    std::set<std::string> prefixes, secrets;
    for (int i = 0; i < 100; ++i) {
        const NewApiKeyText k = GenerateApiKey();
        prefixes.insert(k.prefix);
        secrets.insert(k.secret);
    }
    CHECK(prefixes.size() == 100);
    CHECK(secrets.size() == 100);
}

TEST_CASE("malformed API keys do not parse") {
    const std::string good = GenerateApiKey().key;
    CHECK_FALSE(ParseApiKey(""));
    CHECK_FALSE(ParseApiKey(good.substr(0, good.size() - 1)));  // one digit short
    CHECK_FALSE(ParseApiKey(good + "0"));                       // one digit more
    std::string tag = good;
    tag[0] = 'x';
    CHECK_FALSE(ParseApiKey(tag));
    std::string separator = good;
    separator[4 + kApiKeyPrefixLength] = '-';
    CHECK_FALSE(ParseApiKey(separator));
    std::string upper = good;
    upper.back() = 'A';
    CHECK_FALSE(ParseApiKey(upper));
    std::string nonhex = good;
    nonhex[5] = 'g';
    CHECK_FALSE(ParseApiKey(nonhex));
}

TEST_CASE("the secret's hash is SHA-256 in lowercase hex and compares exactly") {
    // SHA-256("abc"), FIPS 180-2 appendix B.1.
    CHECK(HashApiKeySecret("abc") == "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
    const std::string stored = HashApiKeySecret("s3cret");
    CHECK(ApiKeySecretMatches("s3cret", stored));
    CHECK_FALSE(ApiKeySecretMatches("s3cre", stored));
    CHECK_FALSE(ApiKeySecretMatches("s3cret", stored.substr(1)));  // a stored hash of the wrong length
    std::string flipped = stored;
    flipped.back() = flipped.back() == '0' ? '1' : '0';
    CHECK_FALSE(ApiKeySecretMatches("s3cret", flipped));
}
