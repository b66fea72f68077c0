// SPEC §6/§7a: names, sort keys, search texts and values built to inject SQL are refused or stored literally.
#include "e2e.hpp"

namespace e2e {
namespace {

/// A tenant with two tables ("victim" with rows, "target") whose survival is checked at the end.
struct Targets : Tenant {
    std::string victim, target;
    Targets() {
        Provision();
        victim = CreateTable("victim", Columns({{"name", "text"}, {"n", "integer"}}));
        target = CreateTable("target", Columns({{"v", "text"}}));
        Insert(victim, R"([{"name":"a","n":1},{"name":"b","n":2}])");
    }
    /// Every table still exists, in the API and in PostgreSQL, with its rows.
    void CheckIntact() {
        CHECK(RowCount(victim) == 2);
        CHECK(RowCount(target) >= 0);
        auto tables = stack.CompanyQuery(company,
                                         "SELECT string_agg(table_name, ',' ORDER BY table_name) FROM "
                                         "information_schema.tables WHERE table_schema = 'public'");
        CHECK(tables[0][0].value_or("").find("target") != std::string::npos);
        CHECK(tables[0][0].value_or("").find("victim") != std::string::npos);
        CHECK(stack.CompanyQuery(company, "SELECT count(*) FROM public.victim")[0][0] == "2");
        CHECK(stack.ControlQuery("SELECT count(*) FROM mt_tables WHERE id IN ($1, $2) AND status = 'active'",
                                 {victim, target})[0][0] == "2");
    }
};

/// Percent-encodes everything but unreserved characters, for query strings.
std::string Encode(std::string_view s) {
    std::string out;
    for (unsigned char c : s) {
        if (std::isalnum(c) || c == '-' || c == '_' || c == '.' || c == '~') {
            out += static_cast<char>(c);
        } else {
            char buf[4];
            std::snprintf(buf, sizeof buf, "%%%02X", c);
            out += buf;
        }
    }
    return out;
}

const std::vector<std::string> kEvilNames = {
    "x\"; DROP TABLE target; --",
    "target\"; --",
    "a'; DELETE FROM victim; --",
    "victim; DROP TABLE target",
    "x\" text); DROP TABLE target; --",
    "\"target\"",
    "public.target",
    "x\\",
    "x\ny",
    "ü",
    "",
};

TEST_CASE("table and column names built to inject SQL → 422, nothing touched", "[injection]") {
    Targets t;
    for (const auto& evil : kEvilNames) {
        INFO("name: " << evil);
        auto as_table = t.http.Post(
            Api(), t.token, R"({"display_name":)" + JsonString(evil) + R"(,"columns":[{"name":"a","type":"text"}]})");
        CHECK_ERROR(as_table, 422, "VALIDATION_ERROR");
        auto as_column =
            t.http.Post(Api(), t.token,
                        R"({"display_name":"fine","columns":[{"name":)" + JsonString(evil) + R"(,"type":"text"}]})");
        CHECK_ERROR(as_column, 422, "VALIDATION_ERROR");
        auto as_type = t.http.Post(
            Api(), t.token, R"({"display_name":"fine","columns":[{"name":"a","type":)" + JsonString(evil) + "}]}");
        CHECK_ERROR(as_type, 422, "VALIDATION_ERROR");
        CHECK_ERROR(t.http.Put(Api("/" + t.victim), t.token, R"({"display_name":)" + JsonString(evil) + "}"), 422,
                    "VALIDATION_ERROR");
        CHECK_ERROR(
            t.http.Post(Api("/" + t.victim + "/data"), t.token, R"({"rows":[{)" + JsonString(evil) + R"(:"x"}]})"), 422,
            "VALIDATION_ERROR");
    }
    t.CheckIntact();
}

TEST_CASE("PostgreSQL reserved words work as table and column names (always quoted)", "[injection]") {
    Tenant t;
    t.Provision();
    std::string id = t.CreateTable(
        "order",
        Columns(
            {{"select", "text"}, {"from", "integer"}, {"user", "boolean"}, {"group", "date"}, {"table", "decimal"}}));
    t.Insert(id, R"([{"select":"b","from":2,"user":true,"group":"2026-01-01","table":1.5},
                     {"select":"a","from":1,"user":false,"group":"2026-01-02","table":null}])");
    auto rows = t.Rows(id, "sort_by=-from,select");
    REQUIRE(rows["records"].Size() == 2);
    CHECK(Str(rows["records"][0]["select"]) == "b");
    std::string row = Str(rows["records"][1]["id"]);
    auto u = t.http.Put(Api("/" + id + "/data/" + row), t.token, R"({"user":true,"from":"7"})");
    REQUIRE_STATUS(u, 200);
    CHECK(u.Json()["from"].GetInt64() == 7);
    auto renamed = t.http.Put(Api("/" + id), t.token,
                              R"({"display_name":"where","columns":[{"name":"select","type":"text"},)"
                              R"({"name":"from","type":"text"},{"name":"user","type":"boolean"},)"
                              R"({"name":"group","type":"date"},{"name":"limit","type":"integer"}]})");
    REQUIRE_STATUS(renamed, 200);
    CHECK(Str(renamed.Json()["display_name"]) == "where");
    CHECK(t.RowCount(id) == 2);
    CHECK(t.stack.CompanyQuery(t.company, "SELECT count(*) FROM public.\"where\"")[0][0] == "2");
    CHECK_STATUS(t.http.Delete(Api("/" + id + "/data/" + row), t.token), 204);
    CHECK_STATUS(t.http.Delete(Api("/" + id), t.token), 204);
}

TEST_CASE("sort_by built to inject SQL → 400", "[injection]") {
    Targets t;
    for (std::string evil : {"name;DROP TABLE target", "-\"a\"", "name desc", "name; --", "n)", "1", "(select 1)",
                             "name,-n;DELETE FROM victim", "\"name\"", "-name\"", "name asc nulls first"}) {
        INFO("sort_by: " << evil);
        CHECK_ERROR(t.http.Get(Api("/" + t.victim + "/data?sort_by=" + Encode(evil)), t.token), 400, "BAD_REQUEST");
    }
    t.CheckIntact();
}

TEST_CASE("search texts built to inject SQL match nothing", "[injection]") {
    Targets t;
    for (std::string evil :
         {"%' OR 1=1 --", "' OR ''='", "%", "_", "\\", "victim' --", "'; DROP TABLE mt_tables; --"}) {
        INFO("search: " << evil);
        auto r = t.http.Get(Api("?search=" + Encode(evil)), t.token);
        REQUIRE_STATUS(r, 200);
        CHECK(r.Json()["total"].GetInt64() == 0);
    }
    t.CheckIntact();
}

TEST_CASE("ids in paths built to inject SQL → 404", "[injection]") {
    Targets t;
    std::vector<std::string> ids = {"' OR '1'='1", "1 OR 1=1", t.victim + "' OR '1'='1", "%27%20OR%201=1"};
    for (const auto& evil : ids) {
        INFO("id: " << evil);
        CHECK_ERROR(t.http.Get(Api("/" + Encode(evil)), t.token), 404, "TABLE_NOT_FOUND");
        CHECK_ERROR(t.http.Delete(Api("/" + t.victim + "/data/" + Encode(evil)), t.token), 404, "ROW_NOT_FOUND");
        CHECK_ERROR(t.http.Put(Api("/" + t.victim + "/data/" + Encode(evil)), t.token, R"({"name":"x"})"), 404,
                    "ROW_NOT_FOUND");
    }
    t.CheckIntact();
}

TEST_CASE("hostile values are stored literally and read back byte-identical", "[injection]") {
    Targets t;
    const std::vector<std::string> values = {
        "'; DROP TABLE target; --",
        "Robert'); DROP TABLE victim;--",
        "\"double\" 'single' `back`",
        "back\\slash \\N \\x00 \\\\",
        "tab\there\nnew line\r\ncrlf",
        "unicode: ação, 日本語, emoji 👩‍💻, rtl \u202e, zero-width \u200b, \u2028 separator",
        "$1 $$ dollar $tag$ quoting $tag$",
        "%s %d {} ${x}",
        std::string(1, '\x01') + "\x1f control chars \x7f",
        "E'\\x41'",
        "",
        "   ",
    };
    std::string rows = "[";
    for (std::size_t i = 0; i < values.size(); ++i) {
        rows += std::string(i ? "," : "") + R"({"v":)" + JsonString(values[i]) + "}";
    }
    t.Insert(t.target, rows + "]");
    auto read = t.Rows(t.target);
    REQUIRE(read["records"].Size() == values.size());
    for (std::size_t i = 0; i < values.size(); ++i) {
        INFO("value " << i);
        CHECK(Str(read["records"][static_cast<rapidjson::SizeType>(i)]["v"]) == values[i]);
    }
    // In PostgreSQL too, byte for byte.
    auto sql = t.stack.CompanyQuery(t.company, "SELECT v FROM public.target ORDER BY id");
    REQUIRE(sql.size() == values.size());
    for (std::size_t i = 0; i < values.size(); ++i) CHECK(sql[i][0] == values[i]);

    SECTION("through an update too") {
        std::string row = Str(read["records"][0]["id"]);
        for (const auto& v : values) {
            auto r = t.http.Put(Api("/" + t.target + "/data/" + row), t.token, R"({"v":)" + JsonString(v) + "}");
            REQUIRE_STATUS(r, 200);
            CHECK(Str(r.Json()["v"]) == v);
        }
    }
    SECTION("NUL cannot be stored in text → 422, nothing inserted") {
        auto r = t.http.Post(Api("/" + t.target + "/data"), t.token, R"({"rows":[{"v":"a\u0000b"}]})");
        CHECK_ERROR(r, 422, "VALIDATION_ERROR");
        CHECK(DetailFields(r) == std::vector<std::string>{"rows[0].v"});
        CHECK(t.RowCount(t.target) == static_cast<std::int64_t>(values.size()));
    }
    SECTION("display names of columns keep any text") {
        std::string evil = "Nome\"); DROP TABLE victim; -- ação";
        auto r = t.http.Post(Api(), t.token,
                             R"({"display_name":"labels","columns":[{"name":"a","display_name":)" + JsonString(evil) +
                                 R"(,"type":"text"}]})");
        REQUIRE_STATUS(r, 201);
        CHECK(Str(r.Json()["columns"][0]["display_name"]) == evil);
    }
    t.CheckIntact();
}

}  // namespace
}  // namespace e2e
