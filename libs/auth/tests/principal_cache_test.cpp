#include <catch2/catch.hpp>

#include "mt/auth/principal_cache.hpp"

using mt::auth::Principal;
using mt::auth::PrincipalCache;

namespace {

Principal ValidBetween(std::string user, std::int64_t from, std::int64_t until) {
    Principal p;
    p.user_id = std::move(user);
    p.company_id = "c";
    p.valid_from = from;
    p.valid_until = until;
    return p;
}

}  // namespace

// Issue 8: the gateway keyed its cache by the raw header, so padding made a new entry per request.
TEST_CASE("spacing and scheme case variants of one token share one cache key") {
    const auto key = PrincipalCache::KeyOf("Bearer abc.def.ghi");
    REQUIRE(key.has_value());
    CHECK(key->size() == 32);
    for (const char* header :
         {"Bearer  abc.def.ghi", "bearer abc.def.ghi", "  BEARER\tabc.def.ghi  ", "Bearer abc.def.ghi \t"}) {
        INFO(header);
        CHECK(PrincipalCache::KeyOf(header) == key);
    }
    CHECK(PrincipalCache::KeyOf("Bearer abc.def.ghj") != key);
    CHECK_FALSE(PrincipalCache::KeyOf("Basic abc").has_value());
    CHECK_FALSE(PrincipalCache::KeyOf("Bearer   ").has_value());
}

TEST_CASE("the cache keeps at most its capacity, dropping the least recently used") {
    PrincipalCache cache(3);
    for (const char* k : {"a", "b", "c"}) cache.Insert(k, ValidBetween(k, 0, 100));
    REQUIRE(cache.Find("a", 10).has_value());  // "a" is now the most recent; "b" the least
    cache.Insert("d", ValidBetween("d", 0, 100));
    CHECK(cache.size() == 3);
    CHECK_FALSE(cache.Find("b", 10).has_value());
    CHECK(cache.Find("a", 10).has_value());
    CHECK(cache.Find("c", 10).has_value());
    CHECK(cache.Find("d", 10)->user_id == "d");
    for (int i = 0; i < 1000; ++i) cache.Insert("k" + std::to_string(i), ValidBetween("x", 0, 100));
    CHECK(cache.size() == 3);
}

TEST_CASE("an entry is served only inside its validity window and dropped once expired") {
    PrincipalCache cache(10);
    cache.Insert("t", ValidBetween("u", 50, 100));
    CHECK_FALSE(cache.Find("t", 49).has_value());
    CHECK(cache.size() == 1);  // not yet valid is kept
    CHECK(cache.Find("t", 50).has_value());
    CHECK(cache.Find("t", 99).has_value());
    CHECK_FALSE(cache.Find("t", 100).has_value());
    CHECK(cache.size() == 0);
}
