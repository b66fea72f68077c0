#include "test_tokens.hpp"

#include <memory>
#include <stdexcept>

#include <openssl/bio.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <openssl/pem.h>

namespace mt::auth::test {
namespace {

using BioPtr = std::unique_ptr<BIO, decltype(&BIO_free)>;
using PkeyPtr = std::unique_ptr<EVP_PKEY, decltype(&EVP_PKEY_free)>;
using PkeyCtxPtr = std::unique_ptr<EVP_PKEY_CTX, decltype(&EVP_PKEY_CTX_free)>;

std::string BioContents(BIO* bio) {
    char* data = nullptr;
    const long len = BIO_get_mem_data(bio, &data);
    return std::string(data, static_cast<std::size_t>(len));
}

}  // namespace

std::string B64Url(std::string_view bytes) {
    static constexpr char kAlphabet[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
    std::string out;
    std::uint32_t buffer = 0;
    int bits = 0;
    for (unsigned char c : bytes) {
        buffer = (buffer << 8) | c;
        bits += 8;
        while (bits >= 6) {
            bits -= 6;
            out.push_back(kAlphabet[(buffer >> bits) & 0x3F]);
        }
    }
    if (bits > 0) out.push_back(kAlphabet[(buffer << (6 - bits)) & 0x3F]);
    return out;
}

std::string HandSignHs256(std::string_view header_json, std::string_view payload, std::string_view secret) {
    const std::string signing_input = B64Url(header_json) + "." + B64Url(payload);
    unsigned char mac[EVP_MAX_MD_SIZE];
    unsigned int mac_len = 0;
    // The one-shot HMAC() is not deprecated in OpenSSL 3 (only the HMAC_CTX API is).
    HMAC(EVP_sha256(), secret.data(), static_cast<int>(secret.size()),
         reinterpret_cast<const unsigned char*>(signing_input.data()), signing_input.size(), mac, &mac_len);
    return signing_input + "." + B64Url(std::string_view(reinterpret_cast<const char*>(mac), mac_len));
}

Claims ValidClaims() {
    Claims c;
    c.sub = "user-1";
    c.company_id = "company-1";
    c.permissions = {"managed-tables:list"};
    c.exp = kNow + 3600;
    return c;
}

RsaKeyPair GenerateRsaKeyPair(int bits) {
    PkeyCtxPtr ctx(EVP_PKEY_CTX_new_from_name(nullptr, "RSA", nullptr), &EVP_PKEY_CTX_free);
    if (!ctx || EVP_PKEY_keygen_init(ctx.get()) <= 0 || EVP_PKEY_CTX_set_rsa_keygen_bits(ctx.get(), bits) <= 0) {
        throw std::runtime_error("RSA keygen setup failed");
    }
    EVP_PKEY* raw = nullptr;
    if (EVP_PKEY_generate(ctx.get(), &raw) <= 0) throw std::runtime_error("RSA keygen failed");
    PkeyPtr key(raw, &EVP_PKEY_free);

    BioPtr priv(BIO_new(BIO_s_mem()), &BIO_free);
    BioPtr pub(BIO_new(BIO_s_mem()), &BIO_free);
    if (PEM_write_bio_PrivateKey(priv.get(), key.get(), nullptr, nullptr, 0, nullptr, nullptr) != 1 ||
        PEM_write_bio_PUBKEY(pub.get(), key.get()) != 1) {
        throw std::runtime_error("PEM encoding failed");
    }
    return {BioContents(priv.get()), BioContents(pub.get())};
}

Verifier Hs256Verifier(std::int64_t leeway_seconds) {
    auto v = Verifier::Create({Algorithm::kHS256, std::string(kSecret), leeway_seconds, {}, {}});
    if (!v) throw std::runtime_error("Hs256Verifier: " + v.error().message);
    return std::move(v).value();
}

Verifier Rs256Verifier() {
    auto v = Verifier::Create({Algorithm::kRS256, TestRsaKeys().public_pem, 30, {}, {}});
    if (!v) throw std::runtime_error("Rs256Verifier: " + v.error().message);
    return std::move(v).value();
}

std::string SignOrThrow(const Claims& claims, Algorithm alg, std::string_view key) {
    auto token = Sign(claims, alg, key);
    if (!token) throw std::runtime_error("Sign: " + token.error().message);
    return std::move(token).value();
}

std::string RejectionReason(const Result<Principal>& r) {
    if (r.ok()) return "";
    if (r.error().kind != ErrorKind::kUnauthorized || r.error().code != "UNAUTHORIZED") {
        return "<not a 401: " + r.error().code + " " + r.error().message + ">";
    }
    return r.error().message;
}

const RsaKeyPair& TestRsaKeys() {
    static const RsaKeyPair keys = GenerateRsaKeyPair(2048);
    return keys;
}

}  // namespace mt::auth::test
