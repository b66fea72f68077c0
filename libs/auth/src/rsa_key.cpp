#include "rsa_key.hpp"

#include <climits>
#include <memory>
#include <string>

#include <openssl/bio.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/pem.h>

namespace mt::auth::detail {
namespace {

struct BioFree {
    void operator()(BIO* bio) const { BIO_free(bio); }
};
struct PkeyFree {
    void operator()(EVP_PKEY* key) const { EVP_PKEY_free(key); }
};

}  // namespace

Status CheckRsaPublicKey(std::string_view pem) {
    if (pem.empty() || pem.size() > static_cast<std::size_t>(INT_MAX)) {
        return Validation("RS256 verifier needs a PEM public key");
    }
    // BIO_new_mem_buf reads the caller's buffer in place (read-only BIO), no copy.
    std::unique_ptr<BIO, BioFree> bio(BIO_new_mem_buf(pem.data(), static_cast<int>(pem.size())));
    if (!bio) return Internal("BIO_new_mem_buf failed");
    std::unique_ptr<EVP_PKEY, PkeyFree> key(PEM_read_bio_PUBKEY(bio.get(), nullptr, nullptr, nullptr));
    // OpenSSL queues the parse failure on this thread's error stack; drop it so no later caller misreads it.
    ERR_clear_error();
    if (!key) return Validation("RS256 key is not a PEM public key (expected -----BEGIN PUBLIC KEY-----)");
    if (EVP_PKEY_base_id(key.get()) != EVP_PKEY_RSA) return Validation("RS256 key is not an RSA key");
    if (EVP_PKEY_get_bits(key.get()) < kMinRsaBits) {
        return Validation("RS256 key is shorter than " + std::to_string(kMinRsaBits) + " bits");
    }
    return Ok();
}

}  // namespace mt::auth::detail
