#include "mt/auth/api_key.hpp"

#include <openssl/crypto.h>
#include <openssl/sha.h>

#include "mt/core/ids.hpp"

namespace mt::auth {
namespace {

bool IsLowerHex(std::string_view s) {
    for (char c : s) {
        if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'))) return false;
    }
    return true;
}

}  // namespace

NewApiKeyText GenerateApiKey() {
    NewApiKeyText out;
    out.prefix = RandomHex(kApiKeyPrefixLength / 2);
    out.secret = RandomHex(kApiKeySecretLength / 2);
    out.key = std::string(kApiKeyTag) + out.prefix + "_" + out.secret;
    return out;
}

std::optional<ApiKeyParts> ParseApiKey(std::string_view key) {
    if (key.size() != kApiKeyLength || key.substr(0, kApiKeyTag.size()) != kApiKeyTag) return std::nullopt;
    key.remove_prefix(kApiKeyTag.size());
    std::string_view prefix = key.substr(0, kApiKeyPrefixLength);
    if (key[kApiKeyPrefixLength] != '_') return std::nullopt;
    std::string_view secret = key.substr(kApiKeyPrefixLength + 1);
    if (!IsLowerHex(prefix) || !IsLowerHex(secret)) return std::nullopt;
    return ApiKeyParts{std::string(prefix), std::string(secret)};
}

std::string HashApiKeySecret(std::string_view secret) {
    unsigned char digest[SHA256_DIGEST_LENGTH];
    SHA256(reinterpret_cast<const unsigned char*>(secret.data()), secret.size(), digest);
    static constexpr char kHex[] = "0123456789abcdef";
    std::string out;
    out.reserve(2 * SHA256_DIGEST_LENGTH);
    for (unsigned char b : digest) {
        out += kHex[b >> 4];
        out += kHex[b & 15];
    }
    return out;
}

bool ApiKeySecretMatches(std::string_view secret, std::string_view stored_hash_hex) {
    const std::string computed = HashApiKeySecret(secret);
    if (stored_hash_hex.size() != computed.size()) return false;
    return CRYPTO_memcmp(computed.data(), stored_hash_hex.data(), computed.size()) == 0;
}

}  // namespace mt::auth
