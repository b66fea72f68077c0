#pragma once
/// API keys (SPEC §9): their text form, generation and the secret's hash. Pure functions, thread-safe.
///
/// A key reads `mtk_<prefix>_<secret>`: `prefix` is 12 lowercase hex digits, not secret, unique, and names the
/// key's record (the lookup); `secret` is 48 lowercase hex digits (192 bits from the kernel CSPRNG). Only the
/// SHA-256 of the secret is stored; a presented key is checked by comparing hashes in constant time.
#include <optional>
#include <string>
#include <string_view>

namespace mt::auth {

inline constexpr std::string_view kApiKeyTag = "mtk_";
inline constexpr std::size_t kApiKeyPrefixLength = 12;
inline constexpr std::size_t kApiKeySecretLength = 48;
/// The whole key: tag, prefix, '_', secret.
inline constexpr std::size_t kApiKeyLength = kApiKeyTag.size() + kApiKeyPrefixLength + 1 + kApiKeySecretLength;

struct ApiKeyParts {
    std::string prefix;
    std::string secret;
};

/// A new key: its prefix, its secret and the full text shown once to its creator.
struct NewApiKeyText {
    std::string prefix;
    std::string secret;
    std::string key;  // mtk_<prefix>_<secret>
};
NewApiKeyText GenerateApiKey();

/// The prefix and secret of a key in the exact format above; nullopt for anything else (wrong length, tag,
/// separator, upper case or non-hex digits), so a malformed key costs no database lookup.
std::optional<ApiKeyParts> ParseApiKey(std::string_view key);

/// SHA-256 of the secret as 64 lowercase hex digits: what the control database stores.
std::string HashApiKeySecret(std::string_view secret);

/// Whether `secret` hashes to `stored_hash_hex`, compared in constant time (CRYPTO_memcmp) so the time taken
/// says nothing about how much of the hash matched. False for a stored hash of the wrong length.
bool ApiKeySecretMatches(std::string_view secret, std::string_view stored_hash_hex);

}  // namespace mt::auth
