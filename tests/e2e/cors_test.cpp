// SPEC §9 CORS: preflights answered without a token for the configured origins, actual responses (errors and
// refusals from the head included) carrying Allow-Origin and Expose-Headers, nothing for other origins.
#include "e2e.hpp"

namespace e2e {
namespace {

using mt::testing::Headers;

constexpr const char* kConsole = "http://localhost:5173";
constexpr const char* kOther = "http://evil.example";

Stack& CorsStack() {
    StackOptions options;
    options.name = "cors";
    options.gateway_env = {{"MT_CORS_ALLOWED_ORIGINS", "http://localhost:3000, http://localhost:5173"}};
    return SharedStack(options);
}

Headers Preflight(const std::string& origin, const std::string& method = "POST") {
    return {{"Origin", origin},
            {"Access-Control-Request-Method", method},
            {"Access-Control-Request-Headers", "authorization, content-type, if-match, x-api-key"}};
}

void CheckNoCors(const Response& r) {
    for (const auto& [name, value] : r.headers) {
        INFO(name << ": " << value);
        CHECK(name.rfind("access-control-", 0) != 0);
    }
}

void CheckActualCors(const Response& r, const std::string& origin) {
    INFO(r.Describe());
    CHECK(r.Header("Access-Control-Allow-Origin") == origin);
    CHECK(r.Header("Access-Control-Expose-Headers") ==
          "ETag, X-Request-Id, RateLimit-Limit, RateLimit-Remaining, RateLimit-Reset, Retry-After");
    CHECK(r.Header("Vary") == "Origin");
}

TEST_CASE("a preflight from an allowed origin is answered 204 without a token", "[cors]") {
    Tenant t(CorsStack());
    for (std::string path : {"/status", "", "/0123456789abcdef01234567/data", "/api-keys", "/no/such/route"}) {
        INFO(path);
        auto r = t.http.Request("OPTIONS", Api(path), "", Preflight(kConsole));
        CHECK_STATUS(r, 204);
        CHECK(r.body.empty());
        CHECK(r.Header("Access-Control-Allow-Origin") == kConsole);
        CHECK(r.Header("Access-Control-Allow-Methods") == "GET, POST, PUT, PATCH, DELETE");
        CHECK(r.Header("Access-Control-Allow-Headers") == "Authorization, Content-Type, If-Match, x-api-key");
        CHECK(r.Header("Access-Control-Max-Age") == "600");
        CHECK(r.Header("Vary") == "Origin");
    }
    // The alias prefix too, and the other configured origin.
    auto alias = t.http.Request("OPTIONS", "/v1/managed-tables/status", "", Preflight("http://localhost:3000"));
    CHECK_STATUS(alias, 204);
    CHECK(alias.Header("Access-Control-Allow-Origin") == "http://localhost:3000");
}

TEST_CASE("a preflight from another origin gets 403 and no CORS headers", "[cors]") {
    Tenant t(CorsStack());
    for (std::string origin : {kOther, "http://localhost:5173/", "HTTP://LOCALHOST:5173", "null"}) {
        INFO(origin);
        auto r = t.http.Request("OPTIONS", Api("/status"), "", Preflight(origin));
        CHECK_ERROR(r, 403, "FORBIDDEN");
        CheckNoCors(r);
    }
}

TEST_CASE("OPTIONS without Origin keeps its answers: 405 on a known path and 404 elsewhere", "[cors]") {
    Tenant t(CorsStack());
    auto known = t.http.Request("OPTIONS", Api("/status"), "", {{"Access-Control-Request-Method", "GET"}});
    CHECK_ERROR(known, 405, "METHOD_NOT_ALLOWED");
    CheckNoCors(known);
    CHECK_ERROR(t.http.Request("OPTIONS", "/elsewhere", "", Preflight(kConsole)), 404, "NOT_FOUND");
}

TEST_CASE("actual responses to an allowed origin carry CORS headers also on errors and head refusals", "[cors]") {
    Tenant t(CorsStack());
    t.Provision();
    const std::string table = t.CreateTable("cors_t", Columns({{"a", "text"}}));
    const Headers from_console = {{"Origin", kConsole}};
    auto ok = t.http.Get(Api("/" + table), t.token, from_console);
    REQUIRE_STATUS(ok, 200);
    CheckActualCors(ok, kConsole);
    CHECK_FALSE(ok.Header("ETag").empty());
    CheckActualCors(t.http.Get(Api("/status"), "", from_console), kConsole);  // 401 from the head
    CheckActualCors(t.http.Get(Api("/0123456789abcdef01234567"), t.token, from_console), kConsole);  // 404
    CheckActualCors(t.http.Post(Api(), t.token, "{", from_console), kConsole);                       // 400
    CheckActualCors(t.http.Request("PATCH", Api("/status"), "{}", mt::testing::WithBearer(t.token, from_console)),
                    kConsole);  // 405
    auto forbidden = t.http.Get(Api("/status"), t.stack.Token(t.company, {}), from_console);
    CHECK_ERROR(forbidden, 403, "FORBIDDEN");
    CheckActualCors(forbidden, kConsole);
}

TEST_CASE("actual responses to another origin or without one carry no CORS headers", "[cors]") {
    Tenant t(CorsStack());
    auto other = t.http.Get(Api("/status"), t.token, {{"Origin", kOther}});
    REQUIRE_STATUS(other, 200);
    CheckNoCors(other);
    CHECK(other.Header("Vary").empty());
    auto none = t.http.Get(Api("/status"), t.token);
    REQUIRE_STATUS(none, 200);
    CheckNoCors(none);
    CheckNoCors(t.http.Get(Api("/status"), "", {{"Origin", kOther}}));
}

}  // namespace
}  // namespace e2e
