#include "mt/store/role_secrets.hpp"

#include <libpq-fe.h>
#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>

#include <fstream>
#include <iterator>

namespace mt::store {

Result<std::string> ReadRoleKeyFile(const std::string& path) {
    if (path.empty()) return Internal("MT_DB_ROLE_KEY_FILE is not set");
    std::ifstream in(path, std::ios::binary);
    if (!in) return Internal("cannot read the role key file " + path);
    std::string key{std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
    while (!key.empty() && (key.back() == '\n' || key.back() == '\r')) key.pop_back();
    if (key.size() < kMinRoleKeyBytes) {
        OPENSSL_cleanse(key.data(), key.size());
        return Internal("the role key file " + path + " holds fewer than " + std::to_string(kMinRoleKeyBytes) +
                        " bytes");
    }
    return key;
}

std::string DeriveRolePassword(std::string_view key, std::string_view role) {
    unsigned char mac[EVP_MAX_MD_SIZE];
    unsigned int mac_len = 0;
    HMAC(EVP_sha256(), key.data(), static_cast<int>(key.size()), reinterpret_cast<const unsigned char*>(role.data()),
         role.size(), mac, &mac_len);
    static constexpr char kHex[] = "0123456789abcdef";
    std::string out;
    out.reserve(mac_len * 2);
    for (unsigned int i = 0; i < mac_len; ++i) {
        out.push_back(kHex[mac[i] >> 4]);
        out.push_back(kHex[mac[i] & 0xF]);
    }
    OPENSSL_cleanse(mac, sizeof mac);
    return out;
}

Result<std::string> ScramVerifier(pg::Connection& conn, const std::string& role, const std::string& password) {
    char* verifier = PQencryptPasswordConn(conn.raw(), password.c_str(), role.c_str(), "scram-sha-256");
    if (!verifier) return Internal("cannot compute a SCRAM verifier: " + std::string(PQerrorMessage(conn.raw())));
    std::string out(verifier);
    PQfreemem(verifier);
    return out;
}

}  // namespace mt::store
