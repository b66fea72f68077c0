// SPEC §9 API keys: created with a subset of the creator's permissions, shown once, listed without secrets,
// revoked on every gateway within 5 s; `x-api-key` acts as the company with the key's permissions only.
#include "e2e.hpp"

#include <ctime>
#include <fstream>
#include <iterator>

#include "mt/testing/tokens.hpp"
#include "mt/testing/wait.hpp"

namespace e2e {
namespace {

using mt::testing::Headers;

const std::vector<std::string> kManager = {"ConnectionManager"};

Headers KeyHeader(const std::string& key, Headers extra = {}) {
    extra.emplace_back("x-api-key", key);
    return extra;
}

/// A provisioned company whose token is a ConnectionManager's (data permissions and api-keys), with table "k"
/// (x text) holding one row.
struct KeyFixture : Tenant {
    std::string table;
    std::string manager;
    KeyFixture() : manager(stack.Token(company, kManager)) {
        Provision();
        table = CreateTable("k", Columns({{"x", "text"}}));
        Insert(table, R"([{"x":"one"}])");
    }
    Response Create(std::string_view body, const std::string& as_token = "") {
        return http.Post(Api("/api-keys"), as_token.empty() ? manager : as_token, body);
    }
    /// POST /api-keys with these permissions; REQUIREs 201 and returns the parsed answer.
    rapidjson::Document CreateKey(const std::vector<std::string>& permissions, std::string_view name = "ci") {
        std::string list;
        for (const auto& p : permissions) list += (list.empty() ? "" : ",") + JsonString(p);
        auto r = Create(R"({"name":)" + JsonString(name) + R"(,"permissions":[)" + list + "]}");
        REQUIRE_STATUS(r, 201);
        return r.Json();
    }
    Response WithKey(std::string_view method, std::string_view path, const std::string& key,
                     std::string_view body = {}) {
        return http.Request(method, Api(path), body, KeyHeader(key));
    }
};

TEST_CASE("an API key is created shown once listed without its secret and revoked", "[api-keys]") {
    KeyFixture f;
    auto created =
        f.Create(R"({"name":"nightly import","permissions":["managed-tables:list","managed-tables:data-read"]})");
    REQUIRE_STATUS(created, 201);
    auto k = created.Json();
    CHECK(Keys(k) == std::set<std::string>{"id", "name", "prefix", "key", "permissions", "created_at", "expires_at"});
    const std::string id = Str(k["id"]), key = Str(k["key"]), prefix = Str(k["prefix"]);
    CHECK(IsObjectIdText(id));
    CHECK(Str(k["name"]) == "nightly import");
    CHECK(key.rfind("mtk_" + prefix + "_", 0) == 0);
    CHECK(key.size() == 4 + 12 + 1 + 48);
    CHECK(k["permissions"].Size() == 2);
    CHECK(IsIsoMillisUtc(Str(k["created_at"])));
    CHECK(k["expires_at"].IsNull());

    auto list = f.http.Get(Api("/api-keys"), f.manager);
    REQUIRE_STATUS(list, 200);
    CHECK(list.body.find(key.substr(4 + 12 + 1)) == std::string::npos);  // the secret appears nowhere
    auto records = list.Json();
    REQUIRE(records["records"].Size() == 1);
    const auto& listed = records["records"][0];
    CHECK(Keys(listed) ==
          std::set<std::string>{"id", "name", "prefix", "permissions", "created_at", "expires_at", "created_by"});
    CHECK(Str(listed["id"]) == id);
    CHECK(Str(listed["prefix"]) == prefix);
    CHECK(Str(listed["created_by"]) == "e2e-user");
    // Only the hash is stored.
    auto stored = f.stack.ControlQuery("SELECT secret_hash FROM mt_api_keys WHERE id = $1", {id});
    REQUIRE(stored.size() == 1);
    CHECK(stored[0][0]->size() == 64);
    CHECK(key.find(*stored[0][0]) == std::string::npos);

    auto status = f.WithKey("GET", "/status", key);
    REQUIRE_STATUS(status, 200);
    CHECK(status.Json()["provisioned"].IsTrue());

    CHECK_STATUS(f.http.Delete(Api("/api-keys/" + id), f.manager), 204);
    CHECK(f.http.Get(Api("/api-keys"), f.manager).Json()["records"].Size() == 0);
    CHECK_ERROR(f.WithKey("GET", "/status", key), 401, "UNAUTHORIZED");
    CHECK_ERROR(f.http.Delete(Api("/api-keys/" + id), f.manager), 404, "API_KEY_NOT_FOUND", "API key not found");
    CHECK_ERROR(f.http.Delete(Api("/api-keys/not-an-id"), f.manager), 404, "API_KEY_NOT_FOUND");
    // The gateway never logs a key, accepted or refused.
    std::ifstream log(f.stack.gateway().log_path());
    const std::string logged((std::istreambuf_iterator<char>(log)), std::istreambuf_iterator<char>());
    CHECK_FALSE(logged.empty());
    CHECK(logged.find(key.substr(4 + 12 + 1)) == std::string::npos);
}

TEST_CASE("another company cannot see or revoke a key and the key acts for its own company only", "[api-keys]") {
    KeyFixture f;
    auto k = f.CreateKey({"managed-tables:list", "managed-tables:data-read"});
    const std::string id = Str(k["id"]), key = Str(k["key"]);
    KeyFixture other;
    CHECK(other.http.Get(Api("/api-keys"), other.manager).Json()["records"].Size() == 0);
    CHECK_ERROR(other.http.Delete(Api("/api-keys/" + id), other.manager), 404, "API_KEY_NOT_FOUND");
    CHECK_STATUS(f.WithKey("GET", "/status", key), 200);  // still valid
    CHECK_ERROR(f.WithKey("GET", "/" + other.table + "/data", key), 404, "TABLE_NOT_FOUND");
    auto rows = f.WithKey("GET", "/" + f.table + "/data", key);
    REQUIRE_STATUS(rows, 200);
    CHECK(rows.Json()["total"].GetInt64() == 1);
}

TEST_CASE("a key's permissions are enforced route by route", "[api-keys]") {
    KeyFixture f;
    const std::string read_key = Str(f.CreateKey({"managed-tables:data-read"})["key"]);
    const std::string t = "/" + f.table;
    CHECK_STATUS(f.WithKey("GET", t + "/data", read_key), 200);
    CHECK_STATUS(f.WithKey("POST", t + "/query", read_key, "{}"), 200);
    CHECK_ERROR(f.WithKey("POST", t + "/data", read_key, R"({"rows":[{"x":"two"}]})"), 403, "FORBIDDEN");
    CHECK_ERROR(f.WithKey("PATCH", t + "/data", read_key, R"({"filter":{},"all":true,"update":{"$set":{"x":"y"}}})"),
                403, "FORBIDDEN");
    CHECK_ERROR(f.WithKey("DELETE", t + "/data", read_key, R"({"filter":{},"all":true})"), 403, "FORBIDDEN");
    CHECK_ERROR(f.WithKey("POST", "", read_key, R"({"display_name":"nope","columns":[{"name":"a","type":"text"}]})"),
                403, "FORBIDDEN");
    CHECK_ERROR(f.WithKey("GET", "", read_key), 403, "FORBIDDEN");
    CHECK_ERROR(f.WithKey("GET", t, read_key), 403, "FORBIDDEN");
    CHECK_ERROR(f.WithKey("PATCH", t, read_key, R"({"description":"x"})"), 403, "FORBIDDEN");
    CHECK_ERROR(f.WithKey("DELETE", t, read_key), 403, "FORBIDDEN");
    CHECK_ERROR(f.WithKey("POST", "/upload", read_key, "a\n1\n"), 403, "FORBIDDEN");
    CHECK_ERROR(f.WithKey("POST", t + "/upload", read_key, "a\n1\n"), 403, "FORBIDDEN");
    CHECK_ERROR(f.WithKey("POST", "/provision", read_key), 403, "FORBIDDEN");
    CHECK_ERROR(f.WithKey("GET", "/api-keys", read_key), 403, "FORBIDDEN");
    CHECK_ERROR(f.WithKey("POST", "/api-keys", read_key, R"({"name":"x","permissions":["managed-tables:data-read"]})"),
                403, "FORBIDDEN");
    CHECK(f.RowCount(f.table) == 1);  // nothing was written

    // A writing key writes, and what it creates names the key's creator.
    const std::string write_key = Str(f.CreateKey({"managed-tables:create", "managed-tables:data-write"})["key"]);
    CHECK_STATUS(f.WithKey("POST", t + "/data", write_key, R"({"rows":[{"x":"two"}]})"), 201);
    auto made = f.WithKey("POST", "", write_key, R"({"display_name":"by_key","columns":[{"name":"a","type":"text"}]})");
    REQUIRE_STATUS(made, 201);
    CHECK(Str(made.Json()["created_by_user_id"]) == "e2e-user");
    CHECK(f.RowCount(f.table) == 2);
}

TEST_CASE("a key manages keys only when it carries managed-tables:api-keys and within its own permissions",
          "[api-keys]") {
    KeyFixture f;
    const std::string admin_key = Str(f.CreateKey({"managed-tables:api-keys", "managed-tables:list"})["key"]);
    auto child = f.http.Request("POST", Api("/api-keys"), R"({"name":"child","permissions":["managed-tables:list"]})",
                                KeyHeader(admin_key));
    REQUIRE_STATUS(child, 201);
    CHECK_STATUS(f.WithKey("GET", "/status", Str(child.Json()["key"])), 200);
    auto listed = f.WithKey("GET", "/api-keys", admin_key);
    REQUIRE_STATUS(listed, 200);
    bool by_key = false;
    const auto keys = listed.Json();  // the document must outlive the loop over its records
    for (const auto& r : keys["records"].GetArray()) by_key |= Str(r["created_by"]).rfind("apikey:", 0) == 0;
    CHECK(by_key);  // the child names the key that made it
    CHECK_ERROR(f.WithKey("POST", "/api-keys", admin_key, R"({"name":"up","permissions":["managed-tables:delete"]})"),
                403, "FORBIDDEN");
}

TEST_CASE("permissions beyond the caller's are refused with 403", "[api-keys]") {
    KeyFixture f;
    const std::string limited = f.stack.Token(f.company, {"managed-tables:api-keys", "managed-tables:list"});
    auto r = f.Create(R"({"name":"x","permissions":["managed-tables:list","managed-tables:data-write"]})", limited);
    CHECK_ERROR(r, 403, "FORBIDDEN");
    CHECK(r.body.find("managed-tables:data-write") != std::string::npos);
    CHECK_STATUS(f.Create(R"({"name":"x","permissions":["managed-tables:list"]})", limited), 201);
}

TEST_CASE("creating and revoking a key record their audit events and a key acts as apikey id", "[api-keys][audit]") {
    KeyFixture f;
    auto created = f.http.Post(Api("/api-keys"), f.manager,
                               R"({"name":"etl","permissions":["managed-tables:list","managed-tables:create"]})",
                               {{"X-Request-Id", "rid-key-create"}});
    REQUIRE_STATUS(created, 201);
    const std::string id = Str(created.Json()["id"]), key = Str(created.Json()["key"]);
    auto events = [&](std::string_view action) {
        auto r = f.http.Get(Api("/audit-logs?action=" + std::string(action)), f.manager);
        REQUIRE_STATUS(r, 200);
        return r.Json();
    };
    auto made = events("api_key.created");
    REQUIRE(made["records"].Size() == 1);
    const auto& e = made["records"][0];
    CHECK(Str(e["resource_type"]) == "api_key");
    CHECK(Str(e["resource_id"]) == id);
    CHECK(Str(e["request_id"]) == "rid-key-create");
    CHECK(Str(e["details"]["name"]) == "etl");
    CHECK(e["details"]["permissions"].Size() == 2);
    CHECK(created.body.find(Str(e["details"]["prefix"])) != std::string::npos);
    // Neither the key nor its secret part is ever in an event.
    auto all = f.http.Get(Api("/audit-logs?limit=200"), f.manager);
    CHECK(all.body.find(key.substr(key.rfind('_') + 1)) == std::string::npos);

    // What the key creates names it as the actor.
    auto table = f.http.Request(
        "POST", Api(), R"({"display_name":"by_key","columns":)" + Columns({{"x", "text"}}) + "}", KeyHeader(key));
    REQUIRE_STATUS(table, 201);
    auto table_event =
        f.http.Get(Api("/audit-logs?action=table.created&resource_id=" + Str(table.Json()["_id"])), f.manager);
    REQUIRE(table_event.Json()["records"].Size() == 1);
    CHECK(Str(table_event.Json()["records"][0]["actor"]) == "apikey:" + id);

    CHECK(events("api_key.revoked")["records"].Size() == 0);
    REQUIRE_STATUS(f.http.Delete(Api("/api-keys/" + id), f.manager), 204);
    CHECK(events("api_key.revoked")["records"].Size() == 1);
    // A second revoke is a 404 and records nothing more.
    CHECK_ERROR(f.http.Delete(Api("/api-keys/" + id), f.manager), 404, "API_KEY_NOT_FOUND");
    CHECK(events("api_key.revoked")["records"].Size() == 1);
}

TEST_CASE("a DataEngineer token cannot manage keys and a ConnectionManager token can", "[api-keys]") {
    KeyFixture f;
    const std::string engineer = f.stack.Token(f.company, {"DataEngineer"});
    const std::string id = Str(f.CreateKey({"managed-tables:list"})["id"]);
    CHECK_ERROR(f.Create(R"({"name":"x","permissions":["managed-tables:list"]})", engineer), 403, "FORBIDDEN");
    CHECK_ERROR(f.http.Get(Api("/api-keys"), engineer), 403, "FORBIDDEN");
    CHECK_ERROR(f.http.Delete(Api("/api-keys/" + id), engineer), 403, "FORBIDDEN");
    CHECK_ERROR(f.http.Get(Api("/api-keys"), f.token), 403, "FORBIDDEN");  // the seven data permissions only
    CHECK_STATUS(f.http.Get(Api("/api-keys"), f.manager), 200);
}

TEST_CASE("a key request is validated field by field", "[api-keys]") {
    KeyFixture f;
    const std::string list = R"("permissions":["managed-tables:list"])";
    struct Case {
        std::string body;
        std::string field;
    };
    const std::vector<Case> cases = {
        {"{" + list + "}", "name"},
        {R"({"name":"",)" + list + "}", "name"},
        {R"({"name":)" + JsonString(std::string(101, 'n')) + "," + list + "}", "name"},
        {R"({"name":7,)" + list + "}", "name"},
        {R"({"name":"x"})", "permissions"},
        {R"({"name":"x","permissions":[]})", "permissions"},
        {R"({"name":"x","permissions":"managed-tables:list"})", "permissions"},
        {R"({"name":"x","permissions":["managed-tables:admin"]})", "permissions[0]"},
        {R"({"name":"x","permissions":["managed-tables:list",3]})", "permissions[1]"},
        {R"({"name":"x",)" + list + R"(,"expires_at":"2001-01-01T00:00:00Z"})", "expires_at"},
        {R"({"name":"x",)" + list + R"(,"expires_at":"tomorrow"})", "expires_at"},
        {R"({"name":"x",)" + list + R"(,"expires_at":1900000000})", "expires_at"},
    };
    for (const auto& c : cases) {
        INFO(c.body);
        auto r = f.Create(c.body);
        CHECK_ERROR(r, 422, "VALIDATION_ERROR");
        CHECK(DetailFields(r) == std::vector<std::string>{c.field});
    }
    std::string seventeen;
    for (int i = 0; i < 17; ++i) seventeen += std::string(i ? "," : "") + "\"managed-tables:list\"";
    auto too_many = f.Create(R"({"name":"x","permissions":[)" + seventeen + "]}");
    CHECK_ERROR(too_many, 422, "VALIDATION_ERROR");
    CHECK(DetailFields(too_many) == std::vector<std::string>{"permissions"});
    // 100 characters (not bytes) is within the bound; duplicates count once.
    std::string hundred;
    for (int i = 0; i < 100; ++i) hundred += "é";
    auto ok = f.Create(R"({"name":)" + JsonString(hundred) +
                       R"(,"permissions":["managed-tables:list","managed-tables:list"],"expires_at":null})");
    REQUIRE_STATUS(ok, 201);
    CHECK(ok.Json()["permissions"].Size() == 1);
    CHECK(f.http.Get(Api("/api-keys"), f.manager).Json()["records"].Size() == 1);  // nothing else was stored
}

TEST_CASE("a key past its expires_at is refused with 401", "[api-keys]") {
    KeyFixture f;
    const std::string expires = [] {
        std::time_t t = static_cast<std::time_t>(mt::testing::UnixNow(std::chrono::seconds(3)));
        char buf[32];
        std::strftime(buf, sizeof buf, "%Y-%m-%dT%H:%M:%SZ", std::gmtime(&t));
        return std::string(buf);
    }();
    auto r = f.Create(R"({"name":"short","permissions":["managed-tables:list"],"expires_at":")" + expires + "\"}");
    REQUIRE_STATUS(r, 201);
    CHECK(Str(r.Json()["expires_at"]) == expires.substr(0, 19) + ".000Z");
    const std::string key = Str(r.Json()["key"]);
    auto first = f.WithKey("GET", "/status", key);
    if (first.status == 200) {  // normally; a very slow machine may already be past the expiry
        mt::testing::WaitUntil([&] { return f.WithKey("GET", "/status", key).status == 401; }, std::chrono::seconds(10),
                               "the key to expire");
    }
    auto expired = f.WithKey("GET", "/status", key);
    CHECK_ERROR(expired, 401, "UNAUTHORIZED", "API key expired");
}

TEST_CASE("malformed unknown or doubled credentials are refused", "[api-keys]") {
    KeyFixture f;
    const std::string key = Str(f.CreateKey({"managed-tables:list"})["key"]);
    std::string wrong = key;
    wrong.back() = wrong.back() == '0' ? '1' : '0';
    CHECK_ERROR(f.WithKey("GET", "/status", wrong), 401, "UNAUTHORIZED", "Invalid API key");
    CHECK_ERROR(f.WithKey("GET", "/status", "mtk_garbage"), 401, "UNAUTHORIZED", "Invalid API key");
    CHECK_ERROR(f.WithKey("GET", "/status", key.substr(0, key.size() - 1)), 401, "UNAUTHORIZED", "Invalid API key");
    CHECK_ERROR(f.WithKey("GET", "/status", "Bearer " + key), 401, "UNAUTHORIZED", "Invalid API key");
    CHECK_ERROR(f.http.Get(Api("/status"), f.token, KeyHeader(key)), 400, "BAD_REQUEST");
    CHECK_STATUS(f.WithKey("GET", "/status", key), 200);
}

TEST_CASE("a company holds at most 100 active keys", "[api-keys]") {
    KeyFixture f;
    std::string last;
    for (int i = 0; i < 100; ++i) last = Str(f.CreateKey({"managed-tables:list"}, "k" + std::to_string(i))["id"]);
    auto over = f.Create(R"({"name":"one too many","permissions":["managed-tables:list"]})");
    CHECK_ERROR(over, 400, "API_KEY_LIMIT");
    CHECK(f.http.Get(Api("/api-keys"), f.manager).Json()["records"].Size() == 100);
    CHECK_STATUS(f.http.Delete(Api("/api-keys/" + last), f.manager), 204);
    CHECK_STATUS(f.Create(R"({"name":"again","permissions":["managed-tables:list"]})"), 201);
}

TEST_CASE("a key revoked on one gateway is refused by a second gateway within 5 s", "[api-keys]") {
    KeyFixture f;
    const std::string key = Str(f.CreateKey({"managed-tables:list"})["key"]);
    const std::string id = Str(f.http.Get(Api("/api-keys"), f.manager).Json()["records"][0]["id"]);
    // Gateway B: the same control database, its own process and cache.
    const std::uint16_t port = mt::testing::FreePort();
    auto& b = f.stack.StartProcess("mt-gateway-b", Stack::Binary("services/gateway/mt-gateway"), {},
                                   {{"MT_HTTP_PORT", std::to_string(port)}, {"MT_HTTP_ADDRESS", "127.0.0.1"}});
    HttpClient on_b("http://127.0.0.1:" + std::to_string(port));
    mt::testing::WaitUntil([&] { return !b.Running() || on_b.Get(Api("/status"), "").status != 0; },
                           std::chrono::seconds(30), "gateway B to answer");
    REQUIRE(b.Running());
    // B verifies the key and caches it.
    CHECK_STATUS(on_b.Request("GET", Api("/status"), "", KeyHeader(key)), 200);
    CHECK_STATUS(on_b.Request("GET", Api("/status"), "", KeyHeader(key)), 200);
    CHECK_STATUS(f.http.Delete(Api("/api-keys/" + id), f.manager), 204);
    const auto revoked = std::chrono::steady_clock::now();
    CHECK_ERROR(f.WithKey("GET", "/status", key), 401, "UNAUTHORIZED");  // gateway A: at once
    mt::testing::WaitUntil([&] { return on_b.Request("GET", Api("/status"), "", KeyHeader(key)).status == 401; },
                           std::chrono::seconds(5), "gateway B to refuse the revoked key");
    INFO("refused after "
         << std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::steady_clock::now() - revoked).count()
         << " ms");
    CHECK_ERROR(on_b.Request("GET", Api("/status"), "", KeyHeader(key)), 401, "UNAUTHORIZED", "API key revoked");
    f.stack.StopProcess("mt-gateway-b");
}

}  // namespace
}  // namespace e2e
