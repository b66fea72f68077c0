// PUT/PATCH /:id: rename, add/drop/retype columns, nullability; failures leave the table as it was.
#include "e2e.hpp"

namespace e2e {
namespace {

/// A provisioned tenant with table "items" (name text NOT NULL, qty text, price decimal) and three rows.
struct Items : Tenant {
    std::string id;
    Items() {
        Provision();
        id = CreateTable("items", Columns({{"name", "text", false}, {"qty", "text"}, {"price", "decimal"}}));
        Insert(id, R"([{"name":"a","qty":"12","price":1.50},{"name":"b","qty":"-3","price":2},
                       {"name":"c","qty":null,"price":null}])");
    }
    Response Update(const std::string& body, bool patch = false) {
        return patch ? http.Patch(Api("/" + id), token, body) : http.Put(Api("/" + id), token, body);
    }
    std::string Table() { return http.Get(Api("/" + id), token).body; }
    std::string Data() { return http.Get(Api("/" + id + "/data"), token).body; }
    std::string PhysicalType(const std::string& table, const std::string& column) {
        auto rows = stack.CompanyQuery(company,
                                       "SELECT data_type || ' ' || is_nullable FROM information_schema.columns "
                                       "WHERE table_schema = 'public' AND table_name = $1 AND column_name = $2",
                                       {table, column});
        return rows.empty() ? "(none)" : *rows[0][0];
    }
};

std::string WithColumns(const std::string& columns_json) { return R"({"columns":)" + columns_json + "}"; }

/// Expects a 422 and the table (metadata, rows, physical column) exactly as before.
void ExpectRejectedUnchanged(Items& t, const std::string& body) {
    std::string table_before = t.Table(), data_before = t.Data(), qty_before = t.PhysicalType("items", "qty");
    CHECK_ERROR(t.Update(body), 422, "VALIDATION_ERROR");
    CHECK(t.Table() == table_before);
    CHECK(t.Data() == data_before);
    CHECK(t.PhysicalType("items", "qty") == qty_before);
}

TEST_CASE("rename: new name everywhere, rows kept, old name free", "[tables][update]") {
    Items t;
    auto before = t.http.Get(Api("/" + t.id), t.token).Json();
    auto r = t.Update(R"({"display_name":"goods"})");
    REQUIRE_STATUS(r, 200);
    auto j = r.Json();
    CHECK(Str(j["display_name"]) == "goods");
    CHECK(Str(j["_id"]) == t.id);
    CHECK(j["row_count"].GetInt64() == 3);
    CHECK(Str(j["created_at"]) == Str(before["created_at"]));
    CHECK(Str(j["updated_at"]) >= Str(before["updated_at"]));
    CHECK(Str(t.http.Get(Api("/" + t.id), t.token).Json()["display_name"]) == "goods");
    CHECK(t.Rows(t.id)["total"].GetInt64() == 3);
    CHECK(t.PhysicalType("goods", "name") == "text NO");
    CHECK(t.PhysicalType("items", "name") == "(none)");
    t.CreateTable("items", Columns({{"x", "text"}}));  // the old name is free again
    SECTION("renaming onto an active name → 400 MANAGED_TABLE_DUPLICATE_NAME") {
        CHECK_ERROR(t.Update(R"({"display_name":"items"})"), 400, "MANAGED_TABLE_DUPLICATE_NAME");
        CHECK(Str(t.http.Get(Api("/" + t.id), t.token).Json()["display_name"]) == "goods");
    }
    SECTION("renaming to an invalid name → 422") {
        CHECK_ERROR(t.Update(R"({"display_name":"Goods!"})"), 422, "VALIDATION_ERROR");
        CHECK_ERROR(t.Update(R"({"display_name":5})"), 422, "VALIDATION_ERROR");
    }
}

TEST_CASE("PATCH adds a nullable column: old rows get null, new rows can set it", "[tables][update]") {
    Items t;
    auto r = t.Update(
        WithColumns(Columns({{"name", "text", false}, {"qty", "text"}, {"price", "decimal"}, {"in_stock", "boolean"}})),
        /*patch=*/true);
    REQUIRE_STATUS(r, 200);
    REQUIRE(r.Json()["columns"].Size() == 4);
    CHECK(t.PhysicalType("items", "in_stock") == "boolean YES");
    auto rows = t.Rows(t.id);
    for (const auto& row : rows["records"].GetArray()) CHECK(row["in_stock"].IsNull());
    t.Insert(t.id, R"([{"name":"d","in_stock":true}])");
    CHECK(t.RowCount(t.id) == 4);
}

TEST_CASE("adding a NOT NULL column to a table with rows → 422, unchanged", "[tables][update]") {
    Items t;
    ExpectRejectedUnchanged(
        t,
        WithColumns(Columns({{"name", "text", false}, {"qty", "text"}, {"price", "decimal"}, {"sku", "text", false}})));
    CHECK(t.PhysicalType("items", "sku") == "(none)");
}

TEST_CASE("dropping a column removes it and its data, keeps the rest", "[tables][update]") {
    Items t;
    auto r = t.Update(WithColumns(Columns({{"name", "text", false}, {"price", "decimal"}})));
    REQUIRE_STATUS(r, 200);
    CHECK(r.Json()["columns"].Size() == 2);
    CHECK(t.PhysicalType("items", "qty") == "(none)");
    auto rows = t.Rows(t.id);
    REQUIRE(rows["records"].Size() == 3);
    CHECK(Keys(rows["records"][0]) == std::set<std::string>{"id", "name", "price"});
    CHECK(Str(rows["records"][0]["name"]) == "a");
    CHECK_ERROR(t.http.Post(Api("/" + t.id + "/data"), t.token, R"({"rows":[{"name":"x","qty":"1"}]})"), 422,
                "VALIDATION_ERROR");
}

TEST_CASE("retype text → integer with convertible values", "[tables][update]") {
    Items t;
    auto r = t.Update(WithColumns(Columns({{"name", "text", false}, {"qty", "integer"}, {"price", "decimal"}})));
    REQUIRE_STATUS(r, 200);
    CHECK(Str(r.Json()["columns"][1]["type"]) == "integer");
    CHECK(t.PhysicalType("items", "qty") == "bigint YES");
    auto rows = t.Rows(t.id);
    CHECK(rows["records"][0]["qty"].GetInt64() == 12);
    CHECK(rows["records"][1]["qty"].GetInt64() == -3);
    CHECK(rows["records"][2]["qty"].IsNull());
    SECTION("and back to text") {
        REQUIRE_STATUS(t.Update(WithColumns(Columns({{"name", "text", false}, {"qty", "text"}, {"price", "decimal"}}))),
                       200);
        CHECK(Str(t.Rows(t.id)["records"][0]["qty"]) == "12");
    }
}

TEST_CASE("retype with values that do not convert → 422, table unchanged", "[tables][update]") {
    Items t;
    t.Insert(t.id, R"([{"name":"d","qty":"abc"}])");
    ExpectRejectedUnchanged(t,
                            WithColumns(Columns({{"name", "text", false}, {"qty", "integer"}, {"price", "decimal"}})));
    SECTION("decimal with fractions → integer") {
        ExpectRejectedUnchanged(t,
                                WithColumns(Columns({{"name", "text", false}, {"qty", "text"}, {"price", "integer"}})));
    }
    SECTION("text → date") {
        ExpectRejectedUnchanged(t,
                                WithColumns(Columns({{"name", "date", false}, {"qty", "text"}, {"price", "decimal"}})));
    }
}

// A client needs to know which column failed; the message alone is PostgreSQL's text.
TEST_CASE("failed conversions name the column in the 422 details", "[tables][update]") {
    Items t;
    t.Insert(t.id, R"([{"name":"d","qty":"abc"}])");
    auto retype = t.Update(WithColumns(Columns({{"name", "text", false}, {"qty", "integer"}, {"price", "decimal"}})));
    CHECK_ERROR(retype, 422, "VALIDATION_ERROR");
    auto fields = DetailFields(retype);
    CHECK(fields == std::vector<std::string>{"columns[1].type"});
    auto not_null =
        t.Update(WithColumns(Columns({{"name", "text", false}, {"qty", "text", false}, {"price", "decimal"}})));
    CHECK_ERROR(not_null, 422, "VALIDATION_ERROR");
    CHECK(DetailFields(not_null) == std::vector<std::string>{"columns[1].nullable"});
}

TEST_CASE("nullability changes", "[tables][update]") {
    Items t;
    SECTION("SET NOT NULL with nulls present → 422, unchanged") {
        ExpectRejectedUnchanged(
            t, WithColumns(Columns({{"name", "text", false}, {"qty", "text", false}, {"price", "decimal"}})));
        CHECK(t.PhysicalType("items", "qty") == "text YES");
    }
    SECTION("SET NOT NULL without nulls, then DROP NOT NULL") {
        auto r = t.Update(WithColumns(Columns({{"name", "text", false}, {"qty", "text"}, {"price", "decimal"}})));
        REQUIRE_STATUS(r, 200);
        REQUIRE_STATUS(t.Update(WithColumns(Columns({{"name", "text", true}, {"qty", "text"}, {"price", "decimal"}}))),
                       200);
        CHECK(t.PhysicalType("items", "name") == "text YES");
        t.Insert(t.id, R"([{"name":null}])");
    }
}

TEST_CASE("invalid updates → 422 and nothing changes", "[tables][update]") {
    Items t;
    ExpectRejectedUnchanged(t, WithColumns(Columns({{"id", "text"}})));
    ExpectRejectedUnchanged(t, WithColumns(Columns({{"name", "money"}})));
    ExpectRejectedUnchanged(t, WithColumns("[]"));
    ExpectRejectedUnchanged(t, R"({"status":"deleted"})");
    ExpectRejectedUnchanged(t, R"({"columns":"name"})");
    CHECK_ERROR(t.Update("{broken"), 400, "BAD_REQUEST");
}

TEST_CASE("an empty update changes nothing", "[tables][update]") {
    Items t;
    std::string data = t.Data();
    auto r = t.Update("{}");
    REQUIRE_STATUS(r, 200);
    CHECK(Str(r.Json()["display_name"]) == "items");
    CHECK(r.Json()["columns"].Size() == 3);
    CHECK(t.Data() == data);
}

}  // namespace
}  // namespace e2e

namespace e2e {
namespace {

// Issue 8: PostgreSQL's messages ("invalid input syntax for type bigint", "column ... contains null values")
// reached the 422 body; the body now says what is wrong in our words and the details name the column.
TEST_CASE("a refused retype or NOT NULL answers in our words, never the server's message", "[tables][update]") {
    Items t;
    t.Insert(t.id, R"([{"name":"d","qty":"abc"}])");
    auto retype = t.Update(WithColumns(Columns({{"name", "text", false}, {"qty", "integer"}, {"price", "decimal"}})));
    CHECK_ERROR(retype, 422, "VALIDATION_ERROR");
    INFO(retype.Describe());
    CHECK_THAT(Str(retype.Json()["error"]), Catch::Contains("not valid for the column's type"));
    CHECK_THAT(retype.body,
               !Catch::Contains("invalid input syntax") && !Catch::Contains("bigint") && !Catch::Contains("\"abc\""));
    auto not_null =
        t.Update(WithColumns(Columns({{"name", "text", false}, {"qty", "text", false}, {"price", "decimal"}})));
    CHECK_ERROR(not_null, 422, "VALIDATION_ERROR");
    INFO(not_null.Describe());
    CHECK_THAT(not_null.body, !Catch::Contains("contains null values") && !Catch::Contains("of relation"));
}

}  // namespace
}  // namespace e2e
