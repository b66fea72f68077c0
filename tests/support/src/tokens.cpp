#include "mt/testing/tokens.hpp"

#include <openssl/evp.h>
#include <openssl/hmac.h>

#include <stdexcept>

#include "mt/auth/signer.hpp"

namespace mt::testing {

const std::vector<std::string>& AllPermissions() {
    static const std::vector<std::string> all = {
        "managed-tables:list",   "managed-tables:create",    "managed-tables:update",    "managed-tables:delete",
        "managed-tables:upload", "managed-tables:data-read", "managed-tables:data-write"};
    return all;
}

std::string SignHs256(std::string_view secret, std::string_view company, const std::vector<std::string>& grants,
                      std::chrono::seconds ttl, std::string_view user) {
    auth::Claims claims;
    claims.sub = user;
    claims.company_id = company;
    for (const auto& g : grants) (g.find(':') != std::string::npos ? claims.permissions : claims.roles).push_back(g);
    claims.exp = UnixNow(ttl);
    auto token = auth::Sign(claims, auth::Algorithm::kHS256, secret);
    if (!token) throw std::runtime_error("signing a test token failed: " + token.error().message);
    return *token;
}

std::string Base64Url(std::string_view bytes) {
    static constexpr char kAlphabet[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
    std::string out;
    std::size_t i = 0;
    auto byte = [&](std::size_t k) { return static_cast<unsigned char>(bytes[k]); };
    for (; i + 2 < bytes.size(); i += 3) {
        unsigned v = byte(i) << 16 | byte(i + 1) << 8 | byte(i + 2);
        for (int s = 18; s >= 0; s -= 6) out += kAlphabet[(v >> s) & 63];
    }
    if (bytes.size() - i == 1) {
        unsigned v = byte(i) << 16;
        out += kAlphabet[(v >> 18) & 63];
        out += kAlphabet[(v >> 12) & 63];
    } else if (bytes.size() - i == 2) {
        unsigned v = byte(i) << 16 | byte(i + 1) << 8;
        for (int s = 18; s >= 6; s -= 6) out += kAlphabet[(v >> s) & 63];
    }
    return out;
}

std::string HandBuiltToken(std::string_view header_json, std::string_view payload_json, std::string_view signature) {
    return Base64Url(header_json) + "." + Base64Url(payload_json) + "." + std::string(signature);
}

std::string HandSignedToken(std::string_view header_json, std::string_view payload_json, std::string_view secret) {
    std::string signing_input = Base64Url(header_json) + "." + Base64Url(payload_json);
    unsigned char mac[EVP_MAX_MD_SIZE];
    unsigned int mac_len = 0;
    if (!HMAC(EVP_sha256(), secret.data(), static_cast<int>(secret.size()),
              reinterpret_cast<const unsigned char*>(signing_input.data()), signing_input.size(), mac, &mac_len)) {
        throw std::runtime_error("HMAC-SHA256 failed");
    }
    return signing_input + "." + Base64Url(std::string_view(reinterpret_cast<const char*>(mac), mac_len));
}

std::int64_t UnixNow(std::chrono::seconds offset) {
    auto now = std::chrono::duration_cast<std::chrono::seconds>(std::chrono::system_clock::now().time_since_epoch());
    return (now + offset).count();
}

}  // namespace mt::testing
