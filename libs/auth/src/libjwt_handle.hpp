#pragma once
// RAII over libjwt's C handles. Private to mt_auth: libjwt never appears in a public header.
#include <cstdlib>
#include <memory>

#include <jwt.h>

namespace mt::auth::detail {

struct JwtFree {
    void operator()(jwt_t* jwt) const { jwt_free(jwt); }
};
/// Owns a jwt_t from jwt_new or jwt_decode. jwt_free also scrubs the key copy libjwt keeps inside.
using JwtPtr = std::unique_ptr<jwt_t, JwtFree>;

struct MallocFree {
    void operator()(char* s) const { std::free(s); }
};
/// Owns a string libjwt returned with malloc (jwt_get_grants_json, jwt_encode_str). libjwt 1.10 has no
/// jwt_free_str, so plain free() is the documented release.
using MallocString = std::unique_ptr<char, MallocFree>;

}  // namespace mt::auth::detail
