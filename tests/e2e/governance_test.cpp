// Table governance (SPEC §8): versions raised by every change (API, SQL clients, schema), ETag on reads, If-Match on
// every write (412 when stale, one winner among concurrent writers), row caps (max_rows) also under concurrency,
// and the upgrade of company databases made before versions existed.
#include "e2e.hpp"

#include <algorithm>
#include <latch>
#include <map>
#include <thread>

#include "mt/pg/connection.hpp"
#include "mt/testing/wait.hpp"

namespace e2e {
namespace {

using mt::testing::Headers;

/// A provisioned tenant with table "items" (name text NOT NULL, qty integer) and two rows.
struct Items : Tenant {
    std::string id;
    explicit Items(std::string_view extra = "") {
        Provision();
        auto r = http.Post(Api(), token,
                           R"({"display_name":"items","columns":)" +
                               Columns({{"name", "text", false}, {"qty", "integer"}}) + std::string(extra) + "}");
        REQUIRE_STATUS(r, 201);
        id = Str(r.Json()["_id"]);
        Insert(id, R"([{"name":"a","qty":1},{"name":"b","qty":2}])");
    }
    std::int64_t Version() {
        auto r = http.Get(Api("/" + id), token);
        REQUIRE_STATUS(r, 200);
        auto v = r.Json()["version"].GetInt64();
        CHECK(r.headers["etag"] == "\"" + std::to_string(v) + "\"");
        return v;
    }
    std::string ETag() { return "\"" + std::to_string(Version()) + "\""; }
    std::string FirstRowId() { return Str(Rows(id)["records"][0]["id"]); }
    void Sql(const std::string& sql) { stack.CompanyQuery(company, sql); }
};

Headers IfMatch(const std::string& tag) { return {{"If-Match", tag}}; }

TEST_CASE("version: every API write raises it and reads answer it as ETag", "[governance][version]") {
    Items t;
    auto v = t.Version();
    CHECK(v >= 1);
    auto data = t.http.Get(Api("/" + t.id + "/data"), t.token);
    REQUIRE_STATUS(data, 200);
    CHECK(data.headers["etag"] == "\"" + std::to_string(v) + "\"");

    t.Insert(t.id, R"([{"name":"c"}])");
    CHECK(t.Version() == v + 1);
    std::string row = t.FirstRowId();
    CHECK_STATUS(t.http.Put(Api("/" + t.id + "/data/" + row), t.token, R"({"qty":5})"), 200);
    CHECK(t.Version() == v + 2);
    CHECK_STATUS(t.http.Patch(Api("/" + t.id + "/data/" + row), t.token, R"({"qty":6})"), 200);
    CHECK(t.Version() == v + 3);
    CHECK_STATUS(t.http.Delete(Api("/" + t.id + "/data/" + row), t.token), 204);
    CHECK(t.Version() == v + 4);
    // Schema changes: a new column, a rename, the row cap.
    auto changed =
        t.http.Patch(Api("/" + t.id), t.token,
                     R"({"columns":)" + Columns({{"name", "text", false}, {"qty", "integer"}, {"note", "text"}}) + "}");
    REQUIRE_STATUS(changed, 200);
    CHECK(changed.Json()["version"].GetInt64() == v + 5);
    CHECK(changed.headers["etag"] == "\"" + std::to_string(v + 5) + "\"");
    CHECK_STATUS(t.http.Patch(Api("/" + t.id), t.token, R"({"display_name":"goods"})"), 200);
    CHECK(t.Version() == v + 6);
    CHECK_STATUS(t.http.Patch(Api("/" + t.id), t.token, R"({"max_rows":100})"), 200);
    CHECK(t.Version() == v + 7);
    // A write that changes nothing leaves it: a row update of a missing row, an empty PATCH.
    CHECK_ERROR(t.http.Put(Api("/" + t.id + "/data/00000000-0000-7000-8000-000000000000"), t.token, R"({"qty":1})"),
                404, "ROW_NOT_FOUND");
    CHECK_STATUS(t.http.Patch(Api("/" + t.id), t.token, "{}"), 200);
    CHECK(t.Version() == v + 7);
    // Writes by filter raise it once per statement; one that touches no row leaves it.
    CHECK_STATUS(
        t.http.Patch(Api("/" + t.id + "/data"), t.token, R"({"filter":{},"all":true,"update":{"$inc":{"qty":1}}})"),
        200);
    CHECK(t.Version() == v + 8);
    CHECK_STATUS(t.http.Request("DELETE", Api("/" + t.id + "/data"), R"({"filter":{"name":"nobody"}})",
                                {{"Authorization", "Bearer " + t.token}, {"Content-Type", "application/json"}}),
                 200);
    CHECK(t.Version() == v + 8);
    // POST /:id/query answers the version it read with its page.
    auto queried = t.http.Post(Api("/" + t.id + "/query"), t.token, R"({"filter":{"name":"a"}})");
    REQUIRE_STATUS(queried, 200);
    CHECK(queried.headers["etag"] == "\"" + std::to_string(v + 8) + "\"");
}

TEST_CASE("version: SQL clients writing to the company database raise it", "[governance][version]") {
    Items t;
    auto v = t.Version();
    t.Sql(R"(INSERT INTO public."items" (name) VALUES ('sql'))");
    CHECK(t.Version() == v + 1);
    t.Sql(R"(UPDATE public."items" SET qty = 9 WHERE name = 'sql')");
    CHECK(t.Version() == v + 2);
    t.Sql(R"(UPDATE public."items" SET qty = 9 WHERE name = 'nobody')");  // no row changed: same version
    CHECK(t.Version() == v + 2);
    t.Sql(R"(DELETE FROM public."items" WHERE name = 'sql')");
    CHECK(t.Version() == v + 3);
    t.Sql(R"(TRUNCATE public."items")");
    CHECK(t.Version() == v + 4);
    CHECK(t.RowCount(t.id) == 0);
}

TEST_CASE("If-Match: a stale ETag is 412 on every write path and changes nothing and the current one succeeds",
          "[governance][if-match]") {
    Items t;
    REQUIRE_STATUS(
        t.http.Patch(Api("/" + t.id), t.token, R"({"indexes":[{"name":"by_name","columns":["name"],"unique":true}]})"),
        200);
    const std::string stale = t.ETag();
    t.Insert(t.id, R"([{"name":"c"}])");  // the table moves on
    const std::string row = t.FirstRowId();
    const std::string table_before = t.http.Get(Api("/" + t.id), t.token).body;
    const std::string data_before = t.http.Get(Api("/" + t.id + "/data"), t.token).body;
    struct Write {
        std::string method, path, body;
        int success;
    };
    const std::vector<Write> writes = {
        {"POST", "/data", R"({"rows":[{"name":"d"}]})", 201},
        {"PUT", "/data/" + row, R"({"qty":7})", 200},
        {"PATCH", "/data/" + row, R"({"qty":8})", 200},
        {"POST", "/data", R"({"rows":[{"name":"c","qty":3}],"on_conflict":["name"]})", 201},
        {"PATCH", "/data", R"({"filter":{"name":"c"},"update":{"$set":{"qty":4}}})", 200},
        {"DELETE", "/data", R"({"filter":{"name":"d"}})", 200},
        {"PUT", "", R"({"display_name":"renamed"})", 200},
        {"PATCH", "", R"({"max_rows":1000})", 200},
        {"DELETE", "/data/" + row, "", 204},
        {"DELETE", "", "", 204},
    };
    for (const auto& w : writes) {
        INFO(w.method << " " << w.path);
        auto refused = t.http.Request(
            w.method, Api("/" + t.id + w.path), w.body,
            {{"Authorization", "Bearer " + t.token}, {"Content-Type", "application/json"}, {"If-Match", stale}});
        CHECK_ERROR(refused, 412, "PRECONDITION_FAILED");
    }
    CHECK(t.http.Get(Api("/" + t.id), t.token).body == table_before);
    CHECK(t.http.Get(Api("/" + t.id + "/data"), t.token).body == data_before);
    for (const auto& w : writes) {
        INFO(w.method << " " << w.path);
        auto done = t.http.Request(
            w.method, Api("/" + t.id + w.path), w.body,
            {{"Authorization", "Bearer " + t.token}, {"Content-Type", "application/json"}, {"If-Match", t.ETag()}});
        CHECK_STATUS(done, w.success);
    }
    CHECK_ERROR(t.http.Get(Api("/" + t.id), t.token), 404, "TABLE_NOT_FOUND");
}

TEST_CASE("If-Match syntax: star and lists and weak tags and garbage", "[governance][if-match]") {
    Items t;
    auto insert = [&](const std::string& tag) {
        return t.http.Post(Api("/" + t.id + "/data"), t.token, R"({"rows":[{"name":"x"}]})", IfMatch(tag));
    };
    CHECK_STATUS(insert("*"), 201);
    CHECK_STATUS(insert("\"999\", " + t.ETag()), 201);                 // a list matches when one tag does
    CHECK_ERROR(insert("W/" + t.ETag()), 412, "PRECONDITION_FAILED");  // weak tags never match
    CHECK_ERROR(insert("\"abc\""), 412, "PRECONDITION_FAILED");        // not a version: matches nothing
    CHECK_ERROR(insert(t.ETag().substr(1, t.ETag().size() - 2)), 400, "BAD_REQUEST");  // unquoted
    CHECK_ERROR(insert("\"5"), 400, "BAD_REQUEST");
    CHECK_ERROR(insert("*, \"5\""), 400, "BAD_REQUEST");
    CHECK_ERROR(insert(","), 400, "BAD_REQUEST");  // a list without a tag
    std::string seventeen;
    for (int i = 0; i < 17; ++i) seventeen += (i ? ", \"" : "\"") + std::to_string(i) + "\"";
    CHECK_ERROR(insert(seventeen), 400, "BAD_REQUEST");
    std::string sixteen = t.ETag();
    for (int i = 0; i < 15; ++i) sixteen += ", \"" + std::to_string(1000 + i) + "\"";
    CHECK_STATUS(insert(sixteen), 201);
    CHECK(t.RowCount(t.id) == 5);
}

TEST_CASE("If-Match: of concurrent writers with the same ETag exactly one wins", "[governance][if-match]") {
    Items t;
    for (int round = 0; round < 5; ++round) {
        const std::string tag = t.ETag();
        const std::string row = t.FirstRowId();
        auto responses = Parallel(t.stack, 4, [&](HttpClient& c, int i) {
            if (i % 2 == 0) {
                return c.Post(Api("/" + t.id + "/data"), t.token, R"({"rows":[{"name":"w"}]})", IfMatch(tag));
            }
            return c.Patch(Api("/" + t.id + "/data/" + row), t.token, R"({"qty":)" + std::to_string(i) + "}",
                           IfMatch(tag));
        });
        auto counts = StatusCounts(responses);
        INFO("round " << round);
        CHECK(counts[412] == 3);
        CHECK(counts[201] + counts[200] == 1);
    }
}

TEST_CASE("max_rows: an insert over the cap is refused whole and the cap can be lowered or removed",
          "[governance][max-rows]") {
    Items t(R"(,"max_rows":3)");
    auto table = t.http.Get(Api("/" + t.id), t.token).Json();
    CHECK(table["max_rows"].GetInt64() == 3);
    const auto v = t.Version();
    auto over = t.http.Post(Api("/" + t.id + "/data"), t.token, R"({"rows":[{"name":"c"},{"name":"d"}]})");
    CHECK_ERROR(over, 400, "MANAGED_TABLE_ROW_LIMIT", "Table has reached its maximum row limit of 3");
    CHECK(t.RowCount(t.id) == 2);
    CHECK(t.Version() == v);
    t.Insert(t.id, R"([{"name":"c"}])");  // exactly at the cap
    CHECK_ERROR(t.http.Post(Api("/" + t.id + "/data"), t.token, R"({"rows":[{"name":"e"}]})"), 400,
                "MANAGED_TABLE_ROW_LIMIT", "Table has reached its maximum row limit of 3");
    // SQL clients meet the same cap.
    CHECK_THROWS(t.Sql(R"(INSERT INTO public."items" (name) VALUES ('sql'))"));
    CHECK(t.RowCount(t.id) == 3);
    // A cap below the row count is kept: inserts wait until deletes bring the table under it.
    auto lowered = t.http.Patch(Api("/" + t.id), t.token, R"({"max_rows":1})");
    REQUIRE_STATUS(lowered, 200);
    CHECK(lowered.Json()["max_rows"].GetInt64() == 1);
    CHECK_ERROR(t.http.Post(Api("/" + t.id + "/data"), t.token, R"({"rows":[{"name":"e"}]})"), 400,
                "MANAGED_TABLE_ROW_LIMIT", "Table has reached its maximum row limit of 1");
    CHECK_STATUS(t.http.Delete(Api("/" + t.id + "/data/" + t.FirstRowId()), t.token), 204);
    auto removed = t.http.Put(Api("/" + t.id), t.token, R"({"max_rows":null})");
    REQUIRE_STATUS(removed, 200);
    CHECK(removed.Json()["max_rows"].IsNull());
    t.Insert(t.id, R"([{"name":"e"},{"name":"f"}])");
    CHECK(t.RowCount(t.id) == 4);
    // Zero is a cap too.
    CHECK_STATUS(t.http.Patch(Api("/" + t.id), t.token, R"({"max_rows":0})"), 200);
}

TEST_CASE("max_rows: bad values are 422", "[governance][max-rows]") {
    Items t;
    for (const char* bad : {R"(-1)", R"("5")", R"(1.5)", R"(true)", R"(18446744073709551615)"}) {
        INFO(bad);
        CHECK_ERROR(t.http.Patch(Api("/" + t.id), t.token, std::string(R"({"max_rows":)") + bad + "}"), 422,
                    "VALIDATION_ERROR");
        CHECK_ERROR(t.http.Post(Api(), t.token,
                                R"({"display_name":"other","columns":[{"name":"a","type":"text"}],"max_rows":)" +
                                    std::string(bad) + "}"),
                    422, "VALIDATION_ERROR");
    }
    CHECK(t.http.Get(Api("/" + t.id), t.token).Json()["max_rows"].IsNull());
}

TEST_CASE("max_rows: concurrent inserts at the cap never exceed it", "[governance][max-rows]") {
    Items t(R"(,"max_rows":10)");
    // 2 rows in; 8 clients insert 3 rows each at once: exactly two fit (8 rows), the others are refused whole.
    auto responses = Parallel(t.stack, 8, [&](HttpClient& c, int) {
        return c.Post(Api("/" + t.id + "/data"), t.token, R"({"rows":[{"name":"p"},{"name":"q"},{"name":"r"}]})");
    });
    auto counts = StatusCounts(responses);
    CHECK(counts[201] == 2);
    CHECK(counts[400] == 6);
    for (const auto& r : responses)
        if (r.status == 400) CHECK_ERROR(r, 400, "MANAGED_TABLE_ROW_LIMIT");
    CHECK(t.RowCount(t.id) == 8);
    auto physical = t.stack.CompanyQuery(t.company, R"(SELECT count(*) FROM public."items")");
    CHECK(physical[0][0] == "8");
}

TEST_CASE("upgrade: a company database from before versions gets them at provisioner start", "[governance][upgrade]") {
    Items t;
    // The database as an older release left it: no version or cap columns, no update trigger, the old functions.
    for (const char* sql :
         {R"SQL(DROP TRIGGER mt_count_updated ON public."items")SQL",
          R"SQL(DROP FUNCTION mt_internal.count_updated())SQL",
          R"SQL(DROP FUNCTION mt_internal.check_row_cap(bigint, bigint))SQL",
          R"SQL(ALTER TABLE mt_internal.row_counts DROP COLUMN version, DROP COLUMN max_rows)SQL",
          R"SQL(CREATE OR REPLACE FUNCTION mt_internal.count_inserted() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    UPDATE mt_internal.row_counts SET row_count = row_count + (SELECT count(*) FROM mt_new_rows)
     WHERE table_oid = TG_RELID;
    RETURN NULL;
END $$)SQL",
          R"SQL(CREATE OR REPLACE FUNCTION mt_internal.count_deleted() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    UPDATE mt_internal.row_counts SET row_count = row_count - (SELECT count(*) FROM mt_old_rows)
     WHERE table_oid = TG_RELID;
    RETURN NULL;
END $$)SQL",
          R"SQL(CREATE OR REPLACE FUNCTION mt_internal.count_truncated() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    UPDATE mt_internal.row_counts SET row_count = 0 WHERE table_oid = TG_RELID;
    RETURN NULL;
END $$)SQL"}) {
        t.Sql(sql);
    }
    t.stack.StopProcess("mt-provisioner");
    t.stack.StartProcess("mt-provisioner", Stack::Binary("services/provisioner/mt-provisioner"), {},
                         {{"MT_COMPANY_DB_ADMIN_URL", t.stack.admin_url()}, {"MT_PROVISION_POLL_MS", "100"}});
    mt::testing::WaitUntil(
        [&] {
            return t.stack.CompanyQuery(t.company,
                                        "SELECT count(*) FROM pg_trigger WHERE tgname = 'mt_count_updated' AND "
                                        "tgrelid = 'public.items'::regclass")[0][0] == "1";
        },
        std::chrono::seconds(30), "the provisioner to upgrade the company database");
    auto v = t.Version();
    CHECK(v == 1);
    t.Sql(R"(UPDATE public."items" SET qty = 3)");
    CHECK(t.Version() == 2);
    t.Insert(t.id, R"([{"name":"c"}])");
    CHECK(t.Version() == 3);
    CHECK(t.RowCount(t.id) == 3);
    CHECK_STATUS(t.http.Patch(Api("/" + t.id), t.token, R"({"max_rows":3})"), 200);
    CHECK_ERROR(t.http.Post(Api("/" + t.id + "/data"), t.token, R"({"rows":[{"name":"d"}]})"), 400,
                "MANAGED_TABLE_ROW_LIMIT", "Table has reached its maximum row limit of 3");
}

/// The table's indexes as pg_index has them: "name valid unique (cols)" per index, ours (mtix_) only.
std::vector<std::string> PhysicalIndexes(Items& t) {
    auto rows = t.stack.CompanyQuery(
        t.company,
        "SELECT c.relname || ' ' || i.indisvalid || ' ' || i.indisunique || ' ' || pg_get_indexdef(i.indexrelid) "
        "FROM pg_index i JOIN pg_class c ON c.oid = i.indexrelid JOIN pg_class tc ON tc.oid = i.indrelid "
        "WHERE c.relname LIKE 'mtix%' ORDER BY c.relname");
    std::vector<std::string> out;
    for (const auto& r : rows) out.push_back(*r[0]);
    return out;
}

std::string IndexList(const rapidjson::Value& table) {
    std::string out;
    for (const auto& ix : table["indexes"].GetArray()) {
        out += Str(ix["name"]) + (ix["unique"].GetBool() ? " unique (" : " (");
        std::string cols;
        for (const auto& c : ix["columns"].GetArray()) cols += (cols.empty() ? "" : ",") + Str(c);
        out += cols + ");";
    }
    return out;
}

TEST_CASE("indexes: created with the table and changed as a full list", "[governance][indexes]") {
    Items t(R"(,"indexes":[{"name":"by_name","columns":["name"]}])");
    auto table = t.http.Get(Api("/" + t.id), t.token).Json();
    CHECK(IndexList(table) == "by_name (name);");
    auto physical = PhysicalIndexes(t);
    REQUIRE(physical.size() == 1);
    CHECK(physical[0].find(" true false ") != std::string::npos);
    CHECK(physical[0].find("(name)") != std::string::npos);
    const auto v = t.Version();

    auto changed = t.http.Patch(
        Api("/" + t.id), t.token,
        R"({"indexes":[{"name":"by_qty","columns":["qty","name"],"unique":true},{"name":"by_id","columns":["id"]}]})");
    REQUIRE_STATUS(changed, 200);
    CHECK(IndexList(changed.Json()) == "by_qty unique (qty,name);by_id (id);");
    CHECK(changed.Json()["version"].GetInt64() > v);
    physical = PhysicalIndexes(t);
    REQUIRE(physical.size() == 2);
    for (const auto& p : physical) CHECK(p.find(" true ") != std::string::npos);  // valid
    // The same list again changes nothing; an empty list drops them all.
    const auto v2 = t.Version();
    CHECK_STATUS(t.http.Put(Api("/" + t.id), t.token,
                            R"({"indexes":[{"name":"by_qty","columns":["qty","name"],"unique":true},)"
                            R"({"name":"by_id","columns":["id"],"unique":false}]})"),
                 200);
    CHECK(t.Version() == v2);
    CHECK(PhysicalIndexes(t).size() == 2);
    auto dropped = t.http.Patch(Api("/" + t.id), t.token, R"({"indexes":[]})");
    REQUIRE_STATUS(dropped, 200);
    CHECK(IndexList(dropped.Json()).empty());
    CHECK(PhysicalIndexes(t).empty());
    CHECK(t.Version() > v2);
    // A stale If-Match refuses an index change too.
    CHECK_ERROR(
        t.http.Patch(Api("/" + t.id), t.token, R"({"indexes":[{"name":"x","columns":["qty"]}]})", IfMatch("\"1\"")),
        412, "PRECONDITION_FAILED");
    CHECK(PhysicalIndexes(t).empty());
}

TEST_CASE("indexes: names columns and bounds are validated", "[governance][indexes]") {
    Items t;
    auto update = [&](const std::string& indexes) {
        return t.http.Patch(Api("/" + t.id), t.token, R"({"indexes":)" + indexes + "}");
    };
    auto expect = [&](const std::string& indexes, const std::string& field) {
        INFO(indexes);
        auto r = update(indexes);
        CHECK_ERROR(r, 422, "VALIDATION_ERROR");
        auto fields = DetailFields(r);
        CHECK(std::find(fields.begin(), fields.end(), field) != fields.end());
    };
    expect(R"({"name":"a"})", "indexes");
    expect(R"([{"name":"Bad!","columns":["name"]}])", "indexes[0].name");
    expect(R"([{"columns":["name"]}])", "indexes[0].name");
    expect(R"([{"name":"a","columns":["name"]},{"name":"a","columns":["qty"]}])", "indexes[1].name");
    expect(R"([{"name":"a","columns":["nope"]}])", "indexes[0].columns[0]");
    expect(R"([{"name":"a","columns":["name","name"]}])", "indexes[0].columns[1]");
    expect(R"([{"name":"a","columns":[]}])", "indexes[0].columns");
    expect(R"([{"name":"a","columns":[1]}])", "indexes[0].columns");
    expect(R"([{"name":"a","columns":["name"],"unique":"yes"}])", "indexes[0].unique");
    expect(R"([{"name":"a","columns":["name","qty","id","name","qty","id","name","qty","id"]}])", "indexes[0].columns");
    std::string many = "[";
    for (int i = 0; i < 21; ++i)
        many += std::string(i ? "," : "") + R"({"name":"i)" + std::to_string(i) + R"(","columns":["qty"]})";
    expect(many + "]", "indexes");
    CHECK_ERROR(t.http.Post(Api(), t.token,
                            R"({"display_name":"other","columns":[{"name":"a","type":"text"}],)"
                            R"("indexes":[{"name":"x","columns":["b"]}]})"),
                422, "VALIDATION_ERROR");
    // At the bounds: 20 indexes, 8 columns.
    std::string twenty = "[";
    for (int i = 0; i < 20; ++i)
        twenty += std::string(i ? "," : "") + R"({"name":"i)" + std::to_string(i) + R"(","columns":["qty"]})";
    CHECK_STATUS(update(twenty + "]"), 200);
    CHECK(PhysicalIndexes(t).size() == 20);
    CHECK_STATUS(update(R"([{"name":"wide","columns":["name","qty","id"]}])"), 200);
    CHECK(PhysicalIndexes(t).size() == 1);
}

TEST_CASE("indexes: a unique index over duplicates is 422 with sample keys and leaves no index",
          "[governance][indexes]") {
    Items t;
    t.Insert(t.id, R"([{"name":"a","qty":3},{"name":"a","qty":4},{"name":"c"},{"name":"c"}])");
    // name: a ×3 (with the fixture's) and c ×2; qty: no duplicates, only NULLs repeat (which never collide).
    auto r = t.http.Patch(Api("/" + t.id), t.token,
                          R"({"indexes":[{"name":"ok","columns":["qty"],"unique":true},)"
                          R"({"name":"uniq","columns":["name"],"unique":true}]})");
    CHECK_ERROR(r, 422, "VALIDATION_ERROR");
    auto j = r.Json();
    REQUIRE(j["details"].Size() == 2);
    CHECK(Str(j["details"][0]["field"]) == "indexes[1]");
    CHECK(Str(j["details"][0]["message"]) == "duplicate key (name)=\"(a)\" in 3 rows");
    CHECK(Str(j["details"][1]["message"]) == "duplicate key (name)=\"(c)\" in 2 rows");
    CHECK(PhysicalIndexes(t).empty());  // neither the invalid one nor the one built before it
    CHECK(IndexList(t.http.Get(Api("/" + t.id), t.token).Json()).empty());
    CHECK(t.stack.ControlQuery("SELECT count(*) FROM mt_table_intents")[0][0] == "0");
    // On a column without duplicates it builds.
    CHECK_STATUS(
        t.http.Patch(Api("/" + t.id), t.token, R"({"indexes":[{"name":"ok","columns":["qty"],"unique":true}]})"), 200);
    CHECK(PhysicalIndexes(t).size() == 1);
    CHECK_ERROR(t.http.Post(Api("/" + t.id + "/data"), t.token, R"({"rows":[{"name":"z","qty":1}]})"), 422,
                "VALIDATION_ERROR");
}

TEST_CASE("indexes: kept across renames and column changes and an indexed column drops only with its index",
          "[governance][indexes]") {
    Items t(R"(,"indexes":[{"name":"by_qty","columns":["qty"]}])");
    const auto before = PhysicalIndexes(t);
    REQUIRE(before.size() == 1);
    CHECK_STATUS(t.http.Patch(Api("/" + t.id), t.token, R"({"display_name":"renamed"})"), 200);
    auto after_rename = PhysicalIndexes(t);
    REQUIRE(after_rename.size() == 1);
    CHECK(after_rename[0].substr(0, after_rename[0].find(' ')) == before[0].substr(0, before[0].find(' ')));
    CHECK(after_rename[0].find("public.renamed") != std::string::npos);
    // Another table with an index of the same name does not clash.
    auto other = t.http.Post(Api(), t.token,
                             R"({"display_name":"items","columns":[{"name":"qty","type":"integer"}],)"
                             R"("indexes":[{"name":"by_qty","columns":["qty"]}]})");
    CHECK_STATUS(other, 201);
    CHECK(PhysicalIndexes(t).size() == 2);
    // Retyping the indexed column keeps the index.
    CHECK_STATUS(t.http.Patch(Api("/" + t.id), t.token,
                              R"({"columns":)" + Columns({{"name", "text", false}, {"qty", "decimal"}}) + "}"),
                 200);
    CHECK(IndexList(t.http.Get(Api("/" + t.id), t.token).Json()) == "by_qty (qty);");
    // Dropping it while the index stays: refused, nothing changed.
    auto refused = t.http.Patch(Api("/" + t.id), t.token, R"({"columns":)" + Columns({{"name", "text", false}}) + "}");
    CHECK_ERROR(refused, 422, "VALIDATION_ERROR");
    CHECK(DetailFields(refused) == std::vector<std::string>{"columns"});
    CHECK(t.http.Get(Api("/" + t.id), t.token).Json()["columns"].Size() == 2);
    // With the index left out in the same request: both go.
    auto dropped = t.http.Patch(Api("/" + t.id), t.token,
                                R"({"columns":)" + Columns({{"name", "text", false}}) + R"(,"indexes":[]})");
    REQUIRE_STATUS(dropped, 200);
    CHECK(dropped.Json()["columns"].Size() == 1);
    CHECK(IndexList(dropped.Json()).empty());
    CHECK(PhysicalIndexes(t).size() == 1);  // the other table's
    // A new column can be indexed in the request that adds it.
    auto added = t.http.Patch(Api("/" + t.id), t.token,
                              R"({"columns":)" + Columns({{"name", "text", false}, {"code", "text"}}) +
                                  R"(,"indexes":[{"name":"by_code","columns":["code"],"unique":true}]})");
    REQUIRE_STATUS(added, 200);
    CHECK(IndexList(added.Json()) == "by_code unique (code);");
}

TEST_CASE("indexes: a build interrupted by a crash is cleaned up at the next gateway start", "[governance][indexes]") {
    Items t(R"(,"indexes":[{"name":"by_qty","columns":["qty"]}])");
    t.Insert(t.id, R"([{"name":"a"}])");
    // What a gateway that died while building a unique index over duplicates leaves: an INVALID index of the table
    // in the company database, and the intent of the change (old enough for the reconciler).
    CHECK_THROWS(t.stack.CompanyQuery(
        t.company, "CREATE UNIQUE INDEX CONCURRENTLY \"mtix_" + t.id + "_uniq_00000000\" ON public.items (name)"));
    REQUIRE(PhysicalIndexes(t).size() == 2);
    t.stack.ControlQuery(
        "INSERT INTO mt_table_intents (table_id, company_id, kind, display_before, display_after, schema_before, "
        "physical_before, schema_after, physical_after, columns_before, columns_after, indexes_before, "
        "indexes_after, created_at) SELECT id, company_id, 'indexes', display_name, display_name, 'public', "
        "physical_name, 'public', physical_name, columns, columns, indexes, indexes || "
        "'[{\"name\":\"uniq\",\"columns\":[\"name\"],\"unique\":true}]'::jsonb, now() - interval '1 hour' "
        "FROM mt_tables WHERE id = $1",
        {t.id});
    t.stack.RestartGateway();
    t.http = t.stack.Client();
    auto physical = PhysicalIndexes(t);
    REQUIRE(physical.size() == 1);
    CHECK(physical[0].find(" true false ") != std::string::npos);
    CHECK(IndexList(t.http.Get(Api("/" + t.id), t.token).Json()) == "by_qty (qty);");
    CHECK(t.stack.ControlQuery("SELECT count(*) FROM mt_table_intents")[0][0] == "0");
    CHECK_STATUS(t.http.Patch(Api("/" + t.id), t.token, R"({"max_rows":10})"), 200);
}

TEST_CASE("indexes: writes go on while an index is being built", "[governance][indexes]") {
    Items t;
    // An open transaction holding a writer's lock on the table (no rows, so no counter-row lock): CREATE INDEX
    // CONCURRENTLY waits for it before it builds, and meanwhile other writers go on.
    auto url = mt::pg::WithOverrides(t.stack.admin_url(), {{"dbname", t.Database()}});
    REQUIRE(url);
    auto holder = mt::pg::Connection::Open(*url);
    REQUIRE(holder);
    REQUIRE(holder->Run("BEGIN"));
    REQUIRE(holder->Run(R"(LOCK TABLE public."items" IN ROW EXCLUSIVE MODE)"));
    Response built;
    std::thread change([&] {
        HttpClient c = t.stack.Client(std::chrono::seconds(60));
        built = c.Patch(Api("/" + t.id), t.token, R"({"indexes":[{"name":"by_name","columns":["name"]}]})");
    });
    mt::testing::WaitUntil(
        [&] {
            return t.stack.CompanyQuery(t.company,
                                        "SELECT count(*) FROM pg_stat_progress_create_index WHERE relid = "
                                        "'public.items'::regclass")[0][0] == "1";
        },
        std::chrono::seconds(30), "the index build to start");
    // The build is under way (waiting for the open transaction): an insert, an update and a read go through.
    t.Insert(t.id, R"([{"name":"during"}])");
    CHECK_STATUS(t.http.Patch(Api("/" + t.id + "/data/" + t.FirstRowId()), t.token, R"({"qty":9})"), 200);
    CHECK_STATUS(t.http.Get(Api("/" + t.id + "/data"), t.token), 200);
    REQUIRE(holder->Run("COMMIT"));
    change.join();
    CHECK_STATUS(built, 200);
    CHECK(IndexList(built.Json()) == "by_name (name);");
    CHECK(t.RowCount(t.id) == 3);
    auto physical = PhysicalIndexes(t);
    REQUIRE(physical.size() == 1);
    CHECK(physical[0].find(" true ") != std::string::npos);
}

}  // namespace
}  // namespace e2e
