#include <catch2/catch.hpp>

#include <set>

#include "mt/core/ids.hpp"

TEST_CASE("object ids are 24 lowercase hex digits and unique") {
    std::set<std::string> seen;
    for (int i = 0; i < 1000; ++i) {
        auto id = mt::NewObjectId();
        REQUIRE(mt::IsObjectId(id));
        seen.insert(id);
    }
    CHECK(seen.size() == 1000);
    CHECK_FALSE(mt::IsObjectId("507f1f77bcf86cd79943901"));
    CHECK_FALSE(mt::IsObjectId("507f1f77bcf86cd79943901g"));
    CHECK_FALSE(mt::IsObjectId("507F1F77BCF86CD799439011"));
    CHECK(mt::IsObjectId("507f1f77bcf86cd799439011"));
}

TEST_CASE("uuids are version 4 and validated") {
    auto u = mt::NewUuid();
    REQUIRE(mt::IsUuid(u));
    CHECK(u[14] == '4');
    CHECK_FALSE(mt::IsUuid("not-a-uuid"));
    CHECK_FALSE(mt::IsUuid("123e4567-e89b-12d3-a456-42661417400"));
    CHECK_FALSE(mt::IsUuid("123e4567-e89b-12d3-a456-4266141740000"));
    CHECK(mt::IsUuid("123e4567-e89b-12d3-a456-426614174000"));
}

TEST_CASE("version 7 uuids are valid and strictly increasing") {
    std::string prev = mt::NewUuidV7();
    for (int i = 0; i < 20000; ++i) {
        auto u = mt::NewUuidV7();
        REQUIRE(mt::IsUuid(u));
        REQUIRE(u[14] == '7');
        REQUIRE(prev < u);
        prev = u;
    }
}

TEST_CASE("bulk-load uuids sort by sequence and carry the version and variant") {
    std::string prev = mt::UuidV7At(1700000000000ull, 0);
    for (std::uint64_t seq = 1; seq < 100000; seq += 7) {
        auto u = mt::UuidV7At(1700000000000ull, seq);
        REQUIRE(mt::IsUuid(u));
        REQUIRE(u[14] == '7');
        REQUIRE((u[19] == '8' || u[19] == '9' || u[19] == 'a' || u[19] == 'b'));
        REQUIRE(prev < u);
        prev = u;
    }
    CHECK(mt::UuidV7At(1700000000001ull, 0) > mt::UuidV7At(1700000000000ull, (1ull << 34) - 1));
}
