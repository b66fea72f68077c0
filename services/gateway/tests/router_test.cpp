#include <catch2/catch.hpp>

#include "api.hpp"
#include "router.hpp"
#include "server.hpp"

using mt::gateway::Router;

namespace {
mt::gateway::Handler Named(std::string name) {
    return [name](mt::gateway::RequestContext&) -> mt::Result<mt::gateway::HttpResponse> {
        return mt::gateway::HttpResponse{200, name, "text/plain"};
    };
}
}  // namespace

TEST_CASE("literal segments win over parameters, methods are told apart") {
    Router r;
    r.Add("GET", "/:id", std::nullopt, Named("get-table"));
    r.Add("GET", "/upload-jobs/active", std::nullopt, Named("active"));
    r.Add("GET", "/upload-jobs/:jobId", std::nullopt, Named("job"));
    r.Add("POST", "/upload", std::nullopt, Named("upload"));
    r.Add("GET", "/", std::nullopt, Named("list"));

    auto m = r.Find("GET", "/upload-jobs/active");
    REQUIRE(m.route);
    CHECK(m.route->pattern == "/upload-jobs/active");
    m = r.Find("GET", "/upload-jobs/abc");
    REQUIRE(m.route);
    CHECK(m.params == std::vector<std::string>{"abc"});
    m = r.Find("GET", "/507f1f77bcf86cd799439011");
    REQUIRE(m.route);
    CHECK(m.route->pattern == "/:id");
    CHECK(r.Find("GET", "/").route->pattern == "/");
    CHECK(r.Find("GET", "").route->pattern == "/");
    // GET /upload must not be served by GET /:id: the path belongs to POST /upload → 405.
    m = r.Find("GET", "/upload");
    CHECK_FALSE(m.route);
    CHECK(m.path_known);
    CHECK_FALSE(r.Find("DELETE", "/a/b/c").route);
    CHECK_FALSE(r.Find("DELETE", "/a/b/c").path_known);
}

TEST_CASE("the API prefix and its alias are stripped") {
    CHECK(mt::gateway::StripApiPrefix("/api/v1/managed-tables") == "/");
    CHECK(mt::gateway::StripApiPrefix("/api/v1/managed-tables/") == "/");
    CHECK(mt::gateway::StripApiPrefix("/v1/managed-tables/x/data") == "/x/data");
    CHECK_FALSE(mt::gateway::StripApiPrefix("/api/v1/managed-tablesX"));
    CHECK_FALSE(mt::gateway::StripApiPrefix("/other"));
}

TEST_CASE("percent-decoding and query parsing") {
    CHECK(mt::gateway::PercentDecode("a%20b+c", true) == "a b c");
    CHECK(mt::gateway::PercentDecode("a%20b+c", false) == "a b+c");
    CHECK(mt::gateway::PercentDecode("100%", true) == "100%");
    CHECK(mt::gateway::PercentDecode("%zz", true) == "%zz");
    auto q = mt::gateway::ParseQuery("page=2&search=caf%C3%A9&sort_by=-a,b&empty=");
    CHECK(q["page"] == "2");
    CHECK(q["search"] == "caf\xC3\xA9");
    CHECK(q["sort_by"] == "-a,b");
    CHECK(q["empty"].empty());
}
