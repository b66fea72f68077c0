// The audit log (SPEC §9): each change records one event with its actor, resource and request id; a refused or
// failed change records none; GET /audit-logs filters, pages with its cursor, and shows only the caller's company.
#include "e2e.hpp"
#include "mt/pg/connection.hpp"

namespace e2e {
namespace {

/// GET /audit-logs?<query>; REQUIREs 200 and returns the body.
rapidjson::Document Audit(Tenant& t, std::string_view query = "") {
    auto r = t.http.Get(Api("/audit-logs" + (query.empty() ? "" : "?" + std::string(query))), t.token);
    REQUIRE_STATUS(r, 200);
    auto j = r.Json();
    REQUIRE(j["records"].IsArray());
    return j;
}

/// The actions of the company's events, newest first.
std::vector<std::string> Actions(Tenant& t, std::string_view query = "limit=200") {
    auto j = Audit(t, query);
    std::vector<std::string> out;
    for (const auto& r : j["records"].GetArray()) out.push_back(Str(r["action"]));
    return out;
}

/// The newest event with `action` (REQUIREs one).
rapidjson::Document Newest(Tenant& t, std::string_view action) {
    auto j = Audit(t, "action=" + std::string(action) + "&limit=1");
    REQUIRE(j["records"].Size() == 1);
    rapidjson::Document one;
    one.CopyFrom(j["records"][0], one.GetAllocator());
    return one;
}

void CheckEvent(const rapidjson::Value& e, std::string_view action, std::string_view resource_type,
                std::string_view resource_id, std::string_view request_id) {
    CHECK(Keys(e) == std::set<std::string>{"id", "action", "actor", "resource_type", "resource_id", "request_id", "at",
                                           "details"});
    CHECK(IsObjectIdText(Str(e["id"])));
    CHECK(Str(e["action"]) == action);
    CHECK(Str(e["actor"]) == "e2e-user");
    CHECK(Str(e["resource_type"]) == resource_type);
    CHECK(Str(e["resource_id"]) == resource_id);
    CHECK(Str(e["request_id"]) == request_id);
    CHECK(IsIsoMillisUtc(Str(e["at"])));
    CHECK(e["details"].IsObject());
}

mt::testing::Headers Rid(const std::string& id) { return {{"X-Request-Id", id}}; }

/// A provisioned tenant with table "items" (name text NOT NULL, qty integer) and three rows.
struct Items : Tenant {
    std::string id;
    Items() {
        Provision();
        id = CreateTable("items", Columns({{"name", "text", false}, {"qty", "integer"}}));
        Insert(id, R"([{"name":"a","qty":1},{"name":"b","qty":2},{"name":"c","qty":3}])");
    }
    std::int64_t Count() { return static_cast<std::int64_t>(Actions(*this).size()); }
};

TEST_CASE("provisioning and every table action record their event with actor resource and request id", "[audit]") {
    Tenant t;
    auto provisioned = t.http.Post(Api("/provision"), t.token, "", Rid("rid-provision"));
    REQUIRE_STATUS(provisioned, 200);
    std::string connection = Str(provisioned.Json()["connection_id"]);
    CheckEvent(Newest(t, "provisioned"), "provisioned", "connection", connection, "rid-provision");
    // A second provision changes nothing and records nothing.
    REQUIRE_STATUS(t.http.Post(Api("/provision"), t.token), 200);
    CHECK(Actions(t) == std::vector<std::string>{"provisioned"});

    auto created = t.http.Post(
        Api(), t.token,
        R"({"display_name":"items","columns":)" + Columns({{"name", "text", false}, {"qty", "integer"}}) + "}",
        Rid("rid-create"));
    REQUIRE_STATUS(created, 201);
    std::string id = Str(created.Json()["_id"]);
    auto create_event = Newest(t, "table.created");
    CheckEvent(create_event, "table.created", "table", id, "rid-create");
    CHECK(Str(create_event["details"]["display_name"]) == "items");

    REQUIRE_STATUS(t.http.Patch(Api("/" + id), t.token, R"({"display_name":"goods","max_rows":100})", Rid("rid-up")),
                   200);
    auto updated = Newest(t, "table.updated");
    CheckEvent(updated, "table.updated", "table", id, "rid-up");
    const auto& fields = updated["details"]["fields"];
    REQUIRE(fields.IsArray());
    std::set<std::string> names;
    for (const auto& f : fields.GetArray()) names.insert(Str(f));
    CHECK(names == std::set<std::string>{"display_name", "max_rows"});
    CHECK(Str(updated["details"]["display_name_before"]) == "items");
    CHECK(Str(updated["details"]["display_name_after"]) == "goods");

    REQUIRE_STATUS(t.http.Patch(Api("/" + id), t.token,
                                R"({"indexes":[{"name":"by_qty","columns":["qty"],"unique":false}]})", Rid("rid-ix")),
                   200);
    auto indexed = Newest(t, "table.updated");
    CheckEvent(indexed, "table.updated", "table", id, "rid-ix");
    CHECK(Str(indexed["details"]["fields"][0]) == "indexes");

    t.Insert(id, R"([{"name":"a","qty":1},{"name":"b","qty":2},{"name":"c","qty":3}])");
    auto patched = t.http.Patch(Api("/" + id + "/data"), t.token,
                                R"({"filter":{"qty":{"$gte":2}},"update":{"$set":{"name":"z"}}})", Rid("rid-rows-up"));
    REQUIRE_STATUS(patched, 200);
    auto rows_up = Newest(t, "rows.updated_by_filter");
    CheckEvent(rows_up, "rows.updated_by_filter", "table", id, "rid-rows-up");
    CHECK(rows_up["details"]["filter"]["qty"]["$gte"].GetInt64() == 2);
    CHECK(rows_up["details"]["matched_count"].GetInt64() == 2);
    CHECK(rows_up["details"]["modified_count"].GetInt64() == 2);
    CHECK(Str(rows_up["details"]["columns"][0]) == "name");

    auto deleted = t.http.Delete(Api("/" + id + "/data"), t.token, Rid("rid-rows-del"));
    CHECK_STATUS(deleted, 400);  // no body: nothing deleted, nothing recorded
    auto del = t.http.Request("DELETE", Api("/" + id + "/data"), R"({"filter":{"name":"a"}})",
                              mt::testing::WithBearer(t.token, Rid("rid-rows-del")));
    REQUIRE_STATUS(del, 200);
    auto rows_del = Newest(t, "rows.deleted_by_filter");
    CheckEvent(rows_del, "rows.deleted_by_filter", "table", id, "rid-rows-del");
    CHECK(rows_del["details"]["deleted_count"].GetInt64() == 1);
    CHECK(Str(rows_del["details"]["filter"]["name"]) == "a");

    REQUIRE_STATUS(t.http.Delete(Api("/" + id), t.token, Rid("rid-delete")), 204);
    CheckEvent(Newest(t, "table.deleted"), "table.deleted", "table", id, "rid-delete");

    // Newest first, across both databases (the row events live in the company database).
    CHECK(Actions(t) == std::vector<std::string>{"table.deleted", "rows.deleted_by_filter", "rows.updated_by_filter",
                                                 "table.updated", "table.updated", "table.created", "provisioned"});
}

TEST_CASE("a refused or failed change records no event", "[audit]") {
    Items t;
    const std::int64_t before = t.Count();
    SECTION("412 on a stale If-Match (table update and delete by filter)") {
        CHECK_ERROR(t.http.Patch(Api("/" + t.id), t.token, R"({"display_name":"x"})", {{"If-Match", "\"999\""}}), 412,
                    "PRECONDITION_FAILED");
        CHECK_ERROR(t.http.Request("DELETE", Api("/" + t.id + "/data"), R"({"filter":{"name":"a"}})",
                                   mt::testing::WithBearer(t.token, {{"If-Match", "\"999\""}})),
                    412, "PRECONDITION_FAILED");
    }
    SECTION("422 on a column change the data does not allow") {
        t.Insert(t.id, R"([{"name":"d","qty":null}])");
        CHECK_STATUS(t.http.Patch(Api("/" + t.id), t.token,
                                  R"({"columns":[{"name":"name","type":"text","nullable":false},)"
                                  R"({"name":"qty","type":"integer","nullable":false}]})"),
                     422);
    }
    SECTION("409 while another change of the table is pending") {
        std::string columns = *t.stack.ControlQuery("SELECT columns::text FROM mt_tables WHERE id = $1", {t.id})[0][0];
        t.stack.ControlQuery(
            "INSERT INTO mt_table_intents (table_id, company_id, kind, display_before, display_after, schema_before, "
            "physical_before, schema_after, physical_after, columns_before, columns_after) VALUES "
            "($1, $2, 'update', 'items', 'items', 'public', 'items', 'public', 'items', $3::jsonb, $3::jsonb)",
            {t.id, t.company, columns});
        CHECK_ERROR(t.http.Patch(Api("/" + t.id), t.token, R"({"display_name":"x"})"), 409, "TABLE_BUSY");
        CHECK_ERROR(t.http.Delete(Api("/" + t.id), t.token), 409, "TABLE_BUSY");
        t.stack.ControlQuery("DELETE FROM mt_table_intents WHERE table_id = $1", {t.id});
    }
    SECTION("409 when a row-cap change cannot take its locks in time (nothing physical shows it)") {
        auto holder = mt::pg::Connection::Open(mt::testing::UrlWithDatabase(t.stack.admin_url(), t.Database()));
        REQUIRE(holder);
        REQUIRE(holder->Run("BEGIN"));
        REQUIRE(holder->Exec("SELECT * FROM mt_internal.row_counts FOR UPDATE"));  // the change's UPDATE waits
        CHECK_ERROR(t.http.Patch(Api("/" + t.id), t.token, R"({"max_rows":5})"), 409, "TABLE_BUSY");
        REQUIRE(holder->Run("ROLLBACK"));
        CHECK(t.http.Get(Api("/" + t.id), t.token).Json()["max_rows"].IsNull());
    }
    SECTION("an update by filter the database refuses ($unset of a NOT NULL column)") {
        CHECK_STATUS(t.http.Patch(Api("/" + t.id + "/data"), t.token,
                                  R"({"filter":{"name":"a"},"update":{"$unset":{"name":""}}})"),
                     422);
    }
    SECTION("a duplicate name on create and rename") {
        t.CreateTable("other", Columns({{"x", "text"}}));
        const std::int64_t with_other = t.Count();
        CHECK_ERROR(
            t.http.Post(Api(), t.token, R"({"display_name":"items","columns":)" + Columns({{"x", "text"}}) + "}"), 400,
            "MANAGED_TABLE_DUPLICATE_NAME");
        CHECK_ERROR(t.http.Patch(Api("/" + t.id), t.token, R"({"display_name":"other"})"), 400,
                    "MANAGED_TABLE_DUPLICATE_NAME");
        CHECK(t.Count() == with_other);
        return;
    }
    CHECK(t.Count() == before);
}

TEST_CASE("an update by filter records its filter cut at 4 KiB", "[audit]") {
    Items t;
    std::string values = "\"a\"";
    for (int i = 0; i < 10; ++i) values += "," + JsonString(std::string(1000, 'a' + i));
    auto r = t.http.Patch(Api("/" + t.id + "/data"), t.token,
                          R"({"filter":{"name":{"$in":[)" + values + R"(]}},"update":{"$inc":{"qty":1}}})");
    REQUIRE_STATUS(r, 200);
    auto e = Newest(t, "rows.updated_by_filter");
    REQUIRE(e["details"]["filter"].IsString());
    CHECK(std::string_view(e["details"]["filter"].GetString()).size() == 4096);
    CHECK(e["details"]["filter_truncated"].IsTrue());
    CHECK(e["details"]["matched_count"].GetInt64() == 1);
}

TEST_CASE("audit-logs filters by action resource and time and pages with its cursor", "[audit]") {
    Tenant t;
    t.Provision();
    std::vector<std::string> ids;
    for (int i = 0; i < 5; ++i) ids.push_back(t.CreateTable("t" + std::to_string(i), Columns({{"x", "text"}})));
    t.Insert(ids[0], R"([{"x":"a"},{"x":"b"}])");
    auto del = t.http.Request("DELETE", Api("/" + ids[0] + "/data"), R"({"filter":{"x":"a"}})",
                              mt::testing::WithBearer(t.token));
    REQUIRE_STATUS(del, 200);

    SECTION("default page and shape") {
        auto j = Audit(t);
        CHECK(Keys(j) == std::set<std::string>{"records", "next_cursor"});
        CHECK(j["records"].Size() == 7);
        CHECK(j["next_cursor"].IsNull());
    }
    SECTION("pages of 2 through both databases, newest first, every event once") {
        std::vector<std::string> seen;
        std::string query = "limit=2";
        for (int page = 0; page < 10; ++page) {
            auto j = Audit(t, query);
            CHECK(j["records"].Size() <= 2);
            for (const auto& r : j["records"].GetArray()) seen.push_back(Str(r["id"]));
            if (j["next_cursor"].IsNull()) break;
            query = "limit=2&cursor=" + Str(j["next_cursor"]);
        }
        std::vector<std::string> all;
        const auto whole = Audit(t);  // the document must outlive the loop over its records
        for (const auto& r : whole["records"].GetArray()) all.push_back(Str(r["id"]));
        CHECK(seen == all);
        CHECK(seen.size() == 7);
    }
    SECTION("action and resource_id") {
        CHECK(Actions(t, "action=table.created").size() == 5);
        CHECK(Actions(t, "action=rows.deleted_by_filter") == std::vector<std::string>{"rows.deleted_by_filter"});
        CHECK(Actions(t, "resource_id=" + ids[0]) ==
              std::vector<std::string>{"rows.deleted_by_filter", "table.created"});
        CHECK(Actions(t, "action=table.created&resource_id=" + ids[3]).size() == 1);
        CHECK(Actions(t, "action=upload.done").empty());
    }
    SECTION("from and to") {
        CHECK(Actions(t, "from=2000-01-01T00:00:00Z").size() == 7);
        CHECK(Actions(t, "to=2000-01-01T00:00:00Z").empty());
        CHECK(Actions(t, "from=2999-01-01T00:00:00.000Z").empty());
        const std::string newest = Str(Audit(t, "limit=1")["records"][0]["at"]);  // a copy: the document goes
        CHECK(!Actions(t, "from=" + newest).empty());
    }
    SECTION("bad parameters are 400 BAD_REQUEST") {
        for (const std::string& q :
             std::vector<std::string>{"action=table.exploded", "action=", "from=yesterday", "to=2026-13-01T00:00:00Z",
                                      "cursor=not-a-cursor", "cursor=YTF8MjAyNi0wMS0wMXx4", "limit=0", "limit=-1",
                                      "limit=abc", "resource_id=" + std::string(201, 'r')}) {
            INFO(q);
            CHECK_ERROR(t.http.Get(Api("/audit-logs?" + q), t.token), 400, "BAD_REQUEST");
        }
    }
    SECTION("limit is capped at 200") { CHECK(Audit(t, "limit=100000")["records"].Size() == 7); }
}

TEST_CASE("another company never sees the events and an unprovisioned one sees its own only", "[audit]") {
    Items a;
    Tenant b;
    auto j = Audit(b);
    CHECK(j["records"].Size() == 0);
    CHECK(Audit(b, "resource_id=" + a.id)["records"].Size() == 0);
    // a's cursor does not open a's events to b.
    auto page = Audit(a, "limit=1");
    REQUIRE(page["next_cursor"].IsString());
    CHECK(Audit(b, "cursor=" + Str(page["next_cursor"]))["records"].Size() == 0);
}

TEST_CASE("audit-logs needs managed-tables:list", "[audit]") {
    Tenant t;
    std::string token = t.stack.Token(t.company, {"managed-tables:create"});
    CHECK_ERROR(t.http.Get(Api("/audit-logs"), token), 403, "FORBIDDEN");
    CHECK_ERROR(t.http.Get(Api("/audit-logs"), ""), 401, "UNAUTHORIZED");
}

/// What a gateway records before the DDL of a rename to "goods" (the intent with its event, the new name
/// reserved), as one that crashed right after would leave it.
void RecordRenameIntent(Items& t) {
    std::string columns = *t.stack.ControlQuery("SELECT columns::text FROM mt_tables WHERE id = $1", {t.id})[0][0];
    t.stack.ControlQuery(
        "INSERT INTO mt_table_intents (table_id, company_id, kind, display_before, display_after, schema_before, "
        "physical_before, schema_after, physical_after, columns_before, columns_after, audit, created_at) VALUES "
        "($1, $2, 'update', 'items', 'goods', 'public', 'items', 'public', 'goods', $3::jsonb, $3::jsonb, "
        "jsonb_build_object('company_id', $2::text, 'action', 'table.updated', 'actor', 'e2e-user', 'resource_type', "
        "'table', 'resource_id', $1::text, 'request_id', 'rid-crash', 'details', '{\"fields\":[\"display_name\"]}'"
        "::jsonb), now() - interval '1 hour')",
        {t.id, t.company, columns});
    t.stack.ControlQuery("UPDATE mt_tables SET display_name = 'goods' WHERE id = $1", {t.id});
}

TEST_CASE("a crash between the company DDL and the metadata: the reconciled change and its event both exist",
          "[audit][schema_safety]") {
    Items t;
    RecordRenameIntent(t);
    CHECK(Actions(t, "action=table.updated").empty());
    t.stack.CompanyQuery(t.company, "ALTER TABLE public.items RENAME TO goods");  // the DDL committed
    t.stack.RestartGateway();
    t.http = t.stack.Client();
    auto table = t.http.Get(Api("/" + t.id), t.token);
    REQUIRE_STATUS(table, 200);
    CHECK(Str(table.Json()["display_name"]) == "goods");
    auto e = Newest(t, "table.updated");
    CheckEvent(e, "table.updated", "table", t.id, "rid-crash");
    CHECK(Str(e["details"]["fields"][0]) == "display_name");
    CHECK(Actions(t, "action=table.updated").size() == 1);
}

TEST_CASE("a crash before the company DDL: the undone change leaves no event", "[audit][schema_safety]") {
    Items t;
    RecordRenameIntent(t);
    t.stack.RestartGateway();
    t.http = t.stack.Client();
    auto table = t.http.Get(Api("/" + t.id), t.token);
    REQUIRE_STATUS(table, 200);
    CHECK(Str(table.Json()["display_name"]) == "items");
    CHECK(*t.stack.ControlQuery("SELECT count(*) FROM mt_table_intents WHERE table_id = $1", {t.id})[0][0] == "0");
    CHECK(Actions(t, "action=table.updated").empty());
}

}  // namespace
}  // namespace e2e
