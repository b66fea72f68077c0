// If-Match as every table write reads it (handlers.hpp ParseIfMatch).
#include <catch2/catch.hpp>

#include "handlers.hpp"

namespace mt::gateway {
namespace {

Result<store::VersionCondition> Parse(std::optional<std::string> header) {
    HttpRequest request;
    request.if_match = std::move(header);
    return ParseIfMatch(request);
}

std::vector<std::int64_t> Versions(std::optional<std::string> header) {
    auto c = Parse(std::move(header));
    REQUIRE(c);
    CHECK_FALSE(c->any);
    return c->versions;
}

TEST_CASE("If-Match: absent and * match any version", "[gateway][if-match]") {
    CHECK(Parse(std::nullopt)->any);
    CHECK(Parse("*")->any);
    CHECK(Parse(" * ")->any);
}

TEST_CASE("If-Match: strong tags are versions and weak or other tags match nothing", "[gateway][if-match]") {
    CHECK(Versions("\"7\"") == std::vector<std::int64_t>{7});
    CHECK(Versions("\"7\", \"9\" ,\"0\"") == std::vector<std::int64_t>{7, 9, 0});
    CHECK(Versions("W/\"7\"").empty());
    CHECK(Versions("\"abc\", W/\"3\", \"4\"") == std::vector<std::int64_t>{4});
    CHECK(Versions("\"1234567890123456789\"").empty());  // 19 digits: no version of ours
    CHECK(Versions("\"123456789012345678\"") == std::vector<std::int64_t>{123456789012345678});
}

TEST_CASE("If-Match: malformed values are 400", "[gateway][if-match]") {
    for (const char* bad : {"", ",", "7", "\"7", "W/7", "*, \"7\"", "\"7\" \"8\"", "\"7\";"}) {
        INFO(bad);
        auto c = Parse(bad);
        REQUIRE_FALSE(c);
        CHECK(c.error().code == "BAD_REQUEST");
    }
    std::string many;
    for (std::size_t i = 0; i <= kMaxIfMatchTags; ++i) many += (i ? ", \"" : "\"") + std::to_string(i) + "\"";
    CHECK_FALSE(Parse(many));
    CHECK(Parse(many.substr(0, many.rfind(','))));  // exactly kMaxIfMatchTags
}

}  // namespace
}  // namespace mt::gateway
