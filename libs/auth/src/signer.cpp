#include "mt/auth/signer.hpp"

#include <climits>

#include "libjwt_handle.hpp"
#include "mt/core/json.hpp"

namespace mt::auth {
namespace {

std::string ClaimsJson(const Claims& claims) {
    rapidjson::StringBuffer buffer;
    json::Writer w(buffer);
    w.StartObject();
    json::WriteKey(w, "sub");
    json::WriteString(w, claims.sub);
    json::WriteKey(w, "company_id");
    json::WriteString(w, claims.company_id);
    json::WriteKey(w, "exp");
    w.Int64(claims.exp);
    for (const auto& [name, values] : {std::pair{"permissions", &claims.permissions}, {"roles", &claims.roles}}) {
        if (values->empty()) continue;
        json::WriteKey(w, name);
        w.StartArray();
        for (const auto& v : *values) json::WriteString(w, v);
        w.EndArray();
    }
    w.EndObject();
    return {buffer.GetString(), buffer.GetSize()};
}

}  // namespace

Result<std::string> Sign(const Claims& claims, Algorithm alg, std::string_view key) {
    if (key.empty() || key.size() > static_cast<std::size_t>(INT_MAX)) return Internal("Signing key is empty");
    jwt_t* raw = nullptr;
    if (jwt_new(&raw) != 0) return Internal("jwt_new failed");
    detail::JwtPtr jwt(raw);

    // One JSON object rather than jwt_add_grant* per claim: arrays can only be added this way anyway.
    if (jwt_add_grants_json(jwt.get(), ClaimsJson(claims).c_str()) != 0) return Internal("Cannot encode claims");
    const jwt_alg_t jwt_alg = alg == Algorithm::kRS256 ? JWT_ALG_RS256 : JWT_ALG_HS256;
    // jwt_set_alg copies the key into the jwt_t; jwt_free scrubs that copy.
    if (jwt_set_alg(jwt.get(), jwt_alg, reinterpret_cast<const unsigned char*>(key.data()),
                    static_cast<int>(key.size())) != 0) {
        return Internal("Cannot use signing key");
    }
    // The key is only parsed here (RS256: PEM_read_bio_PrivateKey), so a bad PEM surfaces as a NULL token.
    detail::MallocString token(jwt_encode_str(jwt.get()));
    if (!token) return Internal("Cannot sign token (is the key a PEM private key for RS256?)");
    return std::string(token.get());
}

}  // namespace mt::auth
