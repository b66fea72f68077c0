#include <catch2/catch.hpp>

#include <map>

#include "cors.hpp"

using namespace mt::gateway;

namespace {

std::map<std::string, std::string> AsMap(const HeaderList& headers) { return {headers.begin(), headers.end()}; }

}  // namespace

TEST_CASE("CORS origins come from a comma list, blanks ignored") {
    auto p = CorsPolicy::FromList(" http://localhost:3000, https://console.example.com ,,");
    REQUIRE(p.ok());
    CHECK(p->enabled());
    CHECK(p->Allowed("http://localhost:3000"));
    CHECK(p->Allowed("https://console.example.com"));
    CHECK_FALSE(p->Allowed("http://localhost:5173"));
    CHECK_FALSE(p->Allowed("https://console.example.com/"));
    CHECK_FALSE(p->Allowed(""));
    auto off = CorsPolicy::FromList("");
    REQUIRE(off.ok());
    CHECK_FALSE(off->enabled());
    CHECK_FALSE(off->IsPreflight("OPTIONS", "http://localhost:3000"));
}

TEST_CASE("entries that are not origins are configuration errors") {
    for (const char* bad : {"*", "localhost:3000", "http://localhost:3000/", "https://a.example.com/console",
                            "http://User@host", "HTTP://host", "ftp://host", "http://", "http://:80"}) {
        INFO(bad);
        CHECK_FALSE(CorsPolicy::FromList(bad).ok());
    }
    CHECK(CorsPolicy::FromList("http://[::1]:3000,http://127.0.0.1:8080").ok());
}

TEST_CASE("preflight and response headers for an allowed origin, none for another") {
    auto p = CorsPolicy::FromList("http://localhost:3000");
    REQUIRE(p.ok());
    CHECK(p->IsPreflight("OPTIONS", "http://evil.example"));
    CHECK_FALSE(p->IsPreflight("OPTIONS", ""));
    CHECK_FALSE(p->IsPreflight("GET", "http://localhost:3000"));
    auto pre = AsMap(p->PreflightHeaders("http://localhost:3000"));
    CHECK(pre["Access-Control-Allow-Origin"] == "http://localhost:3000");
    CHECK(pre["Access-Control-Allow-Headers"] == "Authorization, Content-Type, If-Match, x-api-key");
    CHECK(pre["Access-Control-Allow-Methods"] == "GET, POST, PUT, PATCH, DELETE");
    CHECK(pre["Access-Control-Max-Age"] == "600");
    CHECK(pre["Vary"] == "Origin");
    auto actual = AsMap(p->ResponseHeaders("http://localhost:3000"));
    CHECK(actual["Access-Control-Expose-Headers"] ==
          "ETag, X-Request-Id, RateLimit-Limit, RateLimit-Remaining, RateLimit-Reset, Retry-After");
    CHECK(actual["Vary"] == "Origin");
    CHECK(p->PreflightHeaders("http://evil.example").empty());
    CHECK(p->ResponseHeaders("http://evil.example").empty());
    CHECK(p->ResponseHeaders("").empty());
}
