#include <catch2/catch.hpp>

#include "mt/auth/algorithm.hpp"
#include "mt/auth/permission.hpp"

using mt::auth::Permission;

TEST_CASE("every permission round-trips through its SPEC name") {
    CHECK(mt::auth::Name(Permission::kList) == "managed-tables:list");
    CHECK(mt::auth::Name(Permission::kDataWrite) == "managed-tables:data-write");
    CHECK(mt::auth::Name(Permission::kApiKeys) == "managed-tables:api-keys");
    for (int i = 0; i < mt::auth::kPermissionCount; ++i) {
        const auto p = static_cast<Permission>(i);
        CHECK(mt::auth::ParsePermission(mt::auth::Name(p)) == p);
    }
}

TEST_CASE("unknown or differently cased permission strings do not parse") {
    CHECK_FALSE(mt::auth::ParsePermission("managed-tables:admin"));
    CHECK_FALSE(mt::auth::ParsePermission("Managed-Tables:list"));
    CHECK_FALSE(mt::auth::ParsePermission(""));
}

TEST_CASE("Principal::Has reads the permission bits") {
    mt::auth::Principal p;
    CHECK_FALSE(p.Has(Permission::kList));
    p.permissions = mt::auth::Bit(Permission::kUpload) | mt::auth::Bit(Permission::kDataRead);
    CHECK(p.Has(Permission::kUpload));
    CHECK(p.Has(Permission::kDataRead));
    CHECK_FALSE(p.Has(Permission::kDelete));
    p.permissions = mt::auth::kAllPermissions;
    for (int i = 0; i < mt::auth::kDataPermissionCount; ++i) CHECK(p.Has(static_cast<Permission>(i)));
    CHECK_FALSE(p.Has(Permission::kApiKeys));  // the data permissions only
    p.permissions = mt::auth::kConnectionManagerPermissions;
    for (int i = 0; i < mt::auth::kPermissionCount; ++i) CHECK(p.Has(static_cast<Permission>(i)));
}

TEST_CASE("algorithm names are exact JOSE names") {
    CHECK(mt::auth::ParseAlgorithm("HS256") == mt::auth::Algorithm::kHS256);
    CHECK(mt::auth::ParseAlgorithm("RS256") == mt::auth::Algorithm::kRS256);
    CHECK_FALSE(mt::auth::ParseAlgorithm("hs256"));
    CHECK_FALSE(mt::auth::ParseAlgorithm("none"));
    CHECK(mt::auth::Name(mt::auth::Algorithm::kRS256) == "RS256");
}
