// SPEC §3: 401 for bad tokens, 403 for a missing permission, roles granting everything — over every endpoint.
#include "e2e.hpp"

#include <functional>

#include "mt/testing/tokens.hpp"

namespace e2e {
namespace {

using mt::testing::AllPermissions;
using mt::testing::Headers;

/// One row of the permission matrix. Paths and bodies may hold {table}, {row}, {job} and {name}, replaced by the
/// fixture's table id, row id, a job id nobody has, and a fresh table name.
struct Endpoint {
    std::string method;
    std::string path;        // below kApi
    std::string permission;  // the one SPEC §3 requires
    std::string body;
    int granted_status;  // what a token holding the permission gets on a fresh fixture
    Headers headers = {};
};

// Upload bodies are deliberately not multipart: the permission check comes first, and with the permission the
// request is refused as 400 before anything is stored or published.
const std::vector<Endpoint>& Endpoints() {
    static const std::vector<Endpoint> all = {
        {"GET", "/status", "managed-tables:list", "", 200},
        {"POST", "/provision", "managed-tables:create", "", 200},
        {"GET", "", "managed-tables:list", "", 200},
        {"POST", "", "managed-tables:create", R"({"display_name":"{name}","columns":[{"name":"a","type":"text"}]})",
         201},
        {"GET", "/{table}", "managed-tables:list", "", 200},
        {"PUT", "/{table}", "managed-tables:update", R"({"display_name":"{name}"})", 200},
        {"PATCH", "/{table}", "managed-tables:update", "{}", 200},
        {"DELETE", "/{table}", "managed-tables:delete", "", 204},
        {"GET", "/{table}/data", "managed-tables:data-read", "", 200},
        {"POST", "/{table}/data", "managed-tables:data-write", R"({"rows":[{"x":"new"}]})", 201},
        {"PUT", "/{table}/data/{row}", "managed-tables:data-write", R"({"x":"changed"})", 200},
        {"PATCH", "/{table}/data/{row}", "managed-tables:data-write", R"({"x":"changed"})", 200},
        {"DELETE", "/{table}/data/{row}", "managed-tables:data-write", "", 204},
        {"POST", "/upload", "managed-tables:upload", "a,b\n1,2\n", 400, {{"Content-Type", "text/plain"}}},
        {"POST", "/{table}/upload", "managed-tables:upload", "a,b\n1,2\n", 400, {{"Content-Type", "text/plain"}}},
        {"GET", "/upload-jobs/active", "managed-tables:list", "", 200},
        {"GET", "/upload-jobs/{job}", "managed-tables:list", "", 404},
        {"POST", "/upload-jobs/{job}/confirm", "managed-tables:upload", R"({"display_name":"x","columns":[]})", 404},
    };
    return all;
}

/// A provisioned company with table "perm" (x text) holding one row.
struct Fixture : Tenant {
    std::string table, row;
    Fixture() {
        Provision();
        table = CreateTable("perm", Columns({{"x", "text"}}));
        Insert(table, R"([{"x":"original"}])");
        row = Str(Rows(table)["records"][0]["id"]);
    }
    std::string Fill(std::string s) const {
        auto replace = [&s](const std::string& key, const std::string& value) {
            for (auto at = s.find(key); at != std::string::npos; at = s.find(key, at + value.size()))
                s.replace(at, key.size(), value);
        };
        replace("{table}", table);
        replace("{row}", row);
        replace("{job}", "0123456789abcdef01234567");
        replace("{name}", "t_" + mt::testing::RandomSuffix(10));
        return s;
    }
    Response Call(const Endpoint& e, const std::string& authorization) {
        Headers headers = e.headers;
        if (!authorization.empty()) headers.emplace_back("Authorization", authorization);
        return http.Request(e.method, Api(Fill(e.path)), Fill(e.body), headers);
    }
    /// Nothing changed: the table, its one row and its name are as the fixture made them.
    void CheckUntouched() {
        auto t = http.Get(Api("/" + table), token);
        REQUIRE_STATUS(t, 200);
        CHECK(Str(t.Json()["display_name"]) == "perm");
        CHECK(t.Json()["row_count"].GetInt64() == 1);
        CHECK(Str(Rows(table)["records"][0]["x"]) == "original");
        CHECK(http.Get(Api(), token).Json()["total"].GetInt64() == 1);
    }
};

std::string Describe(const Endpoint& e) { return e.method + " " + std::string(kApi) + e.path; }

std::vector<std::string> AllBut(const std::string& permission) {
    std::vector<std::string> out;
    for (const auto& p : AllPermissions())
        if (p != permission) out.push_back(p);
    return out;
}

TEST_CASE("every endpoint: all permissions but the one it needs → 403 FORBIDDEN", "[auth]") {
    Fixture f;
    for (const auto& e : Endpoints()) {
        INFO(Describe(e));
        auto token = f.stack.Token(f.company, AllBut(e.permission));
        CHECK_ERROR(f.Call(e, "Bearer " + token), 403, "FORBIDDEN");
        // Unknown roles, wrongly cased permissions and no grants at all give nothing.
        auto nothing = f.stack.Token(f.company, {});
        CHECK_ERROR(f.Call(e, "Bearer " + nothing), 403, "FORBIDDEN");
        auto wrong = f.stack.Token(
            f.company, {"Viewer", "connectionmanager", "MANAGED-TABLES:LIST", "managed-tables:*", e.permission + " "});
        CHECK_ERROR(f.Call(e, "Bearer " + wrong), 403, "FORBIDDEN");
    }
    f.CheckUntouched();
}

TEST_CASE("every endpoint: its permission alone is enough", "[auth]") {
    for (const auto& e : Endpoints()) {
        Fixture f;  // fresh, since some calls delete or rename
        INFO(Describe(e));
        CHECK_STATUS(f.Call(e, "Bearer " + f.stack.Token(f.company, {e.permission})), e.granted_status);
    }
}

TEST_CASE("roles ConnectionManager and DataEngineer grant every endpoint", "[auth]") {
    for (std::string role : {"ConnectionManager", "DataEngineer"}) {
        for (const auto& e : Endpoints()) {
            Fixture f;
            INFO(role << ": " << Describe(e));
            CHECK_STATUS(f.Call(e, "Bearer " + f.stack.Token(f.company, {role})), e.granted_status);
        }
    }
}

TEST_CASE("every endpoint: missing, malformed, forged or expired tokens → 401 UNAUTHORIZED", "[auth]") {
    Fixture f;
    const std::string secret = f.stack.jwt_secret();
    auto claims = [&](std::int64_t exp) {
        return R"({"sub":"e2e-user","company_id":")" + f.company + R"(","roles":["DataEngineer"],"exp":)" +
               std::to_string(exp) + "}";
    };
    std::string valid_claims = claims(mt::testing::UnixNow(std::chrono::hours(1)));
    std::string good = f.stack.Token(f.company, {"DataEngineer"});
    std::string tampered = good;  // flip one character of the payload; the signature no longer matches
    tampered[tampered.find('.') + 5] = tampered[tampered.find('.') + 5] == 'A' ? 'B' : 'A';

    const std::vector<std::pair<std::string, std::string>> bad_headers = {
        {"missing header", ""},
        {"empty bearer", "Bearer "},
        {"garbage", "Bearer garbage"},
        {"three garbage parts", "Bearer a.b.c"},
        {"basic auth", "Basic ZTJlOnBhc3N3b3Jk"},
        {"token without scheme", good},
        {"wrong signature", "Bearer " + mt::testing::SignHs256("another-secret", f.company, {"DataEngineer"},
                                                               std::chrono::hours(1), "e2e-user")},
        {"expired", "Bearer " + f.stack.Token(f.company, AllPermissions(), -std::chrono::hours(1))},
        {"tampered payload", "Bearer " + tampered},
        {"alg none", "Bearer " + mt::testing::HandBuiltToken(R"({"alg":"none","typ":"JWT"})", valid_claims)},
        {"alg None, signed", "Bearer " + mt::testing::HandSignedToken(R"({"alg":"None"})", valid_claims, secret)},
        {"alg RS256 with an HMAC signature",
         "Bearer " + mt::testing::HandSignedToken(R"({"alg":"RS256","typ":"JWT"})", valid_claims, secret)},
        {"alg HS512 header", "Bearer " + mt::testing::HandSignedToken(R"({"alg":"HS512"})", valid_claims, secret)},
        {"no exp",
         "Bearer " + mt::testing::HandSignedToken(
                         R"({"alg":"HS256","typ":"JWT"})",
                         R"({"sub":"u","company_id":")" + f.company + R"(","roles":["DataEngineer"]})", secret)},
        {"exp as a string",
         "Bearer " + mt::testing::HandSignedToken(R"({"alg":"HS256"})",
                                                  R"({"sub":"u","company_id":")" + f.company +
                                                      R"(","roles":["DataEngineer"],"exp":"9999999999"})",
                                                  secret)},
    };
    // The hand-signing itself is right: the same construction with a valid header and claims is accepted.
    CHECK_STATUS(f.http.Get(Api("/status"),
                            mt::testing::HandSignedToken(R"({"alg":"HS256","typ":"JWT"})", valid_claims, secret)),
                 200);
    for (const auto& e : Endpoints()) {
        for (const auto& [what, header] : bad_headers) {
            INFO(Describe(e) << " with " << what);
            CHECK_ERROR(f.Call(e, header), 401, "UNAUTHORIZED");
        }
    }
    f.CheckUntouched();
}

TEST_CASE("a token of another company acts on that company only", "[auth]") {
    Fixture f;
    std::string other = f.stack.Token(Stack::NewCompanyId());
    CHECK_ERROR(f.http.Get(Api("/" + f.table), other), 404, "TABLE_NOT_FOUND");
    auto status = f.http.Get(Api("/status"), other);
    REQUIRE_STATUS(status, 200);
    CHECK(status.Json()["provisioned"].IsFalse());
}

}  // namespace
}  // namespace e2e
