// Workflow 1 (provisioning) and what every response carries: request ids, the API alias.
#include "e2e.hpp"

namespace e2e {
namespace {

const std::string kNotProvisioned = "Base de dados não provisionada. Ative \"Meus Dados\" primeiro.";

TEST_CASE("status before provisioning is {provisioned: false, connection_id: null}", "[provisioning]") {
    Tenant t;
    auto r = t.http.Get(Api("/status"), t.token);
    REQUIRE_STATUS(r, 200);
    auto j = r.Json();
    CHECK(Keys(j) == std::set<std::string>{"provisioned", "connection_id"});
    CHECK(j["provisioned"].IsFalse());
    CHECK(j["connection_id"].IsNull());
    CHECK_FALSE(t.stack.CompanyDatabase(t.company).has_value());
}

TEST_CASE("provision creates one database and role, is idempotent, and status agrees", "[provisioning]") {
    Tenant t;
    auto first = t.http.Post(Api("/provision"), t.token);
    REQUIRE_STATUS(first, 200);
    auto j = first.Json();
    CHECK(Keys(j) == std::set<std::string>{"provisioned", "connection_id"});
    CHECK(j["provisioned"].IsTrue());
    std::string id = Str(j["connection_id"]);
    CHECK(IsObjectIdText(id));

    auto again = t.http.Post(Api("/provision"), t.token);
    REQUIRE_STATUS(again, 200);
    CHECK(Str(again.Json()["connection_id"]) == id);

    auto status = t.http.Get(Api("/status"), t.token);
    REQUIRE_STATUS(status, 200);
    CHECK(status.Json()["provisioned"].IsTrue());
    CHECK(Str(status.Json()["connection_id"]) == id);

    std::string database = t.Database();
    CHECK(t.stack.AdminQuery("SELECT 1 FROM pg_database WHERE datname = $1", {database}).size() == 1);
    auto connections =
        t.stack.ControlQuery("SELECT id, status, role_name FROM mt_connections WHERE company_id = $1", {t.company});
    REQUIRE(connections.size() == 1);
    CHECK(connections[0][0] == id);
    CHECK(connections[0][1] == "ready");
    CHECK(t.stack.AdminQuery("SELECT 1 FROM pg_roles WHERE rolname = $1", {*connections[0][2]}).size() == 1);
}

TEST_CASE("table endpoints before provisioning", "[provisioning]") {
    Tenant t;
    SECTION("create → 400 DATABASE_NOT_PROVISIONED with the documented message") {
        auto r = t.http.Post(Api(), t.token, R"({"display_name":"sales","columns":[{"name":"a","type":"text"}]})");
        CHECK_ERROR(r, 400, "DATABASE_NOT_PROVISIONED", kNotProvisioned);
    }
    SECTION("list → 200 and empty") {
        auto r = t.http.Get(Api(), t.token);
        REQUIRE_STATUS(r, 200);
        auto j = r.Json();
        CHECK(j["total"].GetInt64() == 0);
        CHECK(j["quantity"].GetInt64() == 0);
        CHECK(j["records"].Size() == 0);
    }
    SECTION("a table id → 404 TABLE_NOT_FOUND") {
        auto r = t.http.Get(Api("/0123456789abcdef01234567/data"), t.token);
        CHECK_ERROR(r, 404, "TABLE_NOT_FOUND", "Tabela não encontrada");
    }
}

TEST_CASE("the /v1/managed-tables alias serves the same API", "[provisioning]") {
    Tenant t;
    auto r = t.http.Post("/v1/managed-tables/provision", t.token);
    REQUIRE_STATUS(r, 200);
    std::string id = Str(r.Json()["connection_id"]);
    auto status = t.http.Get("/v1/managed-tables/status", t.token);
    REQUIRE_STATUS(status, 200);
    CHECK(Str(status.Json()["connection_id"]) == id);
    auto created = t.http.Post("/v1/managed-tables", t.token,
                               R"({"display_name":"via_alias","columns":[{"name":"a","type":"text"}]})");
    REQUIRE_STATUS(created, 201);
    std::string table = Str(created.Json()["_id"]);
    CHECK_STATUS(t.http.Get("/v1/managed-tables/" + table, t.token), 200);
    CHECK_STATUS(t.http.Get(Api("/" + table), t.token), 200);
    auto list = t.http.Get("/v1/managed-tables?search=via_alias", t.token);
    REQUIRE_STATUS(list, 200);
    CHECK(list.Json()["total"].GetInt64() == 1);
    CHECK_STATUS(t.http.Post("/v1/managed-tables/" + table + "/data", t.token, R"({"rows":[{"a":"x"}]})"), 201);
    CHECK_STATUS(t.http.Get("/v1/managed-tables/" + table + "/data", t.token), 200);
    CHECK_STATUS(t.http.Delete("/v1/managed-tables/" + table, t.token), 204);
}

TEST_CASE("request ids: a sent X-Request-Id is the error body's request_id", "[provisioning]") {
    Tenant t;
    SECTION("sent") {
        std::string rid = "e2e-req-" + mt::testing::RandomSuffix(8);
        auto r = t.http.Post(Api(), t.token, "{not json", {{"X-Request-Id", rid}});
        CHECK_ERROR(r, 400, "BAD_REQUEST", "", rid);
        CHECK_ERROR(t.http.Get(Api("/status"), "", {{"X-Request-Id", rid}}), 401, "UNAUTHORIZED", "", rid);
    }
    SECTION("generated when absent, distinct per request") {
        auto a = t.http.Get(Api("/0123456789abcdef01234567"), t.token);
        auto b = t.http.Get(Api("/0123456789abcdef01234567"), t.token);
        CHECK_ERROR(a, 404, "TABLE_NOT_FOUND");
        CHECK_ERROR(b, 404, "TABLE_NOT_FOUND");
        CHECK(Str(a.Json()["request_id"]) != Str(b.Json()["request_id"]));
    }
    SECTION("unsafe ids (control characters, over 128 bytes) are replaced, not echoed") {
        std::string long_id(200, 'x');
        auto r = t.http.Get(Api("/0123456789abcdef01234567"), t.token, {{"X-Request-Id", long_id}});
        CHECK_ERROR(r, 404, "TABLE_NOT_FOUND");
        CHECK(Str(r.Json()["request_id"]) != long_id);
    }
}

// server.hpp promises the id in the X-Request-Id response header too (for clients correlating successes).
TEST_CASE("request ids: X-Request-Id response header", "[provisioning]") {
    Tenant t;
    std::string rid = "e2e-hdr-" + mt::testing::RandomSuffix(8);
    auto ok = t.http.Get(Api("/status"), t.token, {{"X-Request-Id", rid}});
    REQUIRE_STATUS(ok, 200);
    CHECK(ok.Header("X-Request-Id") == rid);
    auto err = t.http.Get(Api("/0123456789abcdef01234567"), t.token);
    CHECK(err.Header("X-Request-Id") == Str(err.Json()["request_id"]));
}

}  // namespace
}  // namespace e2e
