// Workflow 5 (row CRUD): listing, pagination, sort_by, update, delete, exact row counts.
#include "e2e.hpp"

namespace e2e {
namespace {

/// A provisioned tenant with the guide's monthly_sales table.
struct Sales : Tenant {
    std::string id;
    Sales() {
        Provision();
        id = CreateTable("monthly_sales",
                         Columns({{"product", "text", false}, {"amount", "decimal"}, {"sale_date", "date", false}}));
    }
    std::string Data(const std::string& query = "") { return Api("/" + id + "/data" + query); }
    std::string Row(const std::string& row_id) { return Api("/" + id + "/data/" + row_id); }
};

std::vector<std::string> Column(const rapidjson::Value& j, const char* name) {
    std::vector<std::string> out;
    for (const auto& r : j["records"].GetArray()) {
        const auto& v = r[name];
        out.push_back(v.IsString() ? v.GetString() : v.IsNull() ? "null" : std::to_string(v.GetInt64()));
    }
    return out;
}

TEST_CASE("insert and list: 201 {inserted}, records with uuid ids in insertion order", "[rows]") {
    Sales t;
    auto r = t.http.Post(t.Data(), t.token, R"({
      "rows": [
        { "product": "Shirt", "amount": 89.90, "sale_date": "2026-01-15" },
        { "product": "Pants", "amount": 159.90, "sale_date": "2026-01-15" }
      ]})");
    REQUIRE_STATUS(r, 201);
    CHECK(r.body == R"({"inserted":2})");
    t.Insert(t.id, R"([{"product":"Z","amount":50,"sale_date":"2026-01-16"}])");

    auto list = t.http.Get(t.Data(), t.token);
    REQUIRE_STATUS(list, 200);
    auto j = list.Json();
    CHECK(Keys(j) == std::set<std::string>{"total", "quantity", "records", "next_cursor"});
    CHECK(j["total"].GetInt64() == 3);
    CHECK(j["quantity"].GetInt64() == 3);
    CHECK(Column(j, "product") == std::vector<std::string>{"Shirt", "Pants", "Z"});
    for (const auto& row : j["records"].GetArray()) {
        CHECK(Keys(row) == std::set<std::string>{"id", "product", "amount", "sale_date"});
        CHECK(IsUuidText(Str(row["id"])));
    }
    // Exact digits: 89.90 is not 89.9 (SPEC §6).
    CHECK(list.body.find(R"("amount":89.90,)") != std::string::npos);
    CHECK(list.body.find(R"("amount":159.90,)") != std::string::npos);
    CHECK(list.body.find(R"("amount":50,)") != std::string::npos);
    CHECK(t.RowCount(t.id) == 3);
}

TEST_CASE("row pagination: per_page default 50, max 1000, pages, totals", "[rows]") {
    Sales t;
    std::string rows = "[";
    for (int i = 0; i < 1100; ++i) {
        rows += (i ? "," : "") + std::string(R"({"product":"p)") + std::to_string(i) + R"(","amount":)" +
                std::to_string(i) + R"(,"sale_date":"2026-01-01"})";
    }
    t.Insert(t.id, rows + "]");
    auto page = [&](const std::string& q) {
        auto r = t.http.Get(t.Data(q), t.token);
        REQUIRE_STATUS(r, 200);
        return r.Json();
    };
    auto first = page("");
    CHECK(first["total"].GetInt64() == 1100);
    CHECK(first["quantity"].GetInt64() == 50);
    CHECK(Str(first["records"][0]["product"]) == "p0");
    auto third = page("?page=3&per_page=20");
    CHECK(third["quantity"].GetInt64() == 20);
    CHECK(Str(third["records"][0]["product"]) == "p40");
    auto last = page("?page=22");  // 1100 rows = 22 full pages of 50
    CHECK(last["quantity"].GetInt64() == 50);
    CHECK(Str(last["records"][49]["product"]) == "p1099");
    auto beyond = page("?page=23");
    CHECK(beyond["quantity"].GetInt64() == 0);
    CHECK(beyond["total"].GetInt64() == 1100);
    auto partial = page("?page=4&per_page=300");
    CHECK(partial["quantity"].GetInt64() == 200);
    CHECK(page("?per_page=5000")["quantity"].GetInt64() == 1000);
    CHECK(page("?per_page=1000&page=2")["quantity"].GetInt64() == 100);
    for (std::string q : {"?page=0", "?per_page=0", "?page=x", "?per_page=-1", "?page=1.0"}) {
        INFO("query: " << q);
        CHECK_ERROR(t.http.Get(t.Data(q), t.token), 400, "BAD_REQUEST");
    }
}

TEST_CASE("sort_by: asc, desc, several keys, unknown columns", "[rows]") {
    Sales t;
    t.Insert(t.id, R"([{"product":"b","amount":2,"sale_date":"2026-01-02"},
                       {"product":"a","amount":3,"sale_date":"2026-01-01"},
                       {"product":"c","amount":1,"sale_date":"2026-01-02"},
                       {"product":"a","amount":1,"sale_date":"2026-01-03"},
                       {"product":"d","amount":null,"sale_date":"2026-01-01"}])");
    auto sorted = [&](const std::string& sort_by, const char* column) {
        return Column(t.Rows(t.id, "sort_by=" + sort_by), column);
    };
    CHECK(sorted("product", "product") == std::vector<std::string>{"a", "a", "b", "c", "d"});
    CHECK(sorted("-product", "product") == std::vector<std::string>{"d", "c", "b", "a", "a"});
    CHECK(sorted("-sale_date,product", "product") == std::vector<std::string>{"a", "b", "c", "a", "d"});
    CHECK(sorted("product,-sale_date", "sale_date") ==
          std::vector<std::string>{"2026-01-03", "2026-01-01", "2026-01-02", "2026-01-02", "2026-01-01"});
    // Ties keep insertion order (a stable, total order over pages).
    CHECK(sorted("sale_date", "product") == std::vector<std::string>{"a", "d", "b", "c", "a"});
    CHECK(sorted("id", "product") == std::vector<std::string>{"b", "a", "c", "a", "d"});
    CHECK(sorted("-id", "product") == std::vector<std::string>{"d", "a", "c", "a", "b"});
    for (std::string bad : {"nope", "-nope", "product,nope", "-", "Product", "product,,amount"}) {
        INFO("sort_by: " << bad);
        CHECK_ERROR(t.http.Get(t.Data("?sort_by=" + bad), t.token), 400, "BAD_REQUEST");
    }
}

TEST_CASE("sort_by orders by the column's type, not its text", "[rows]") {
    Tenant t;
    t.Provision();
    std::string id = t.CreateTable(
        "typed_sort", Columns({{"d", "decimal"}, {"i", "integer"}, {"ts", "datetime"}, {"label", "text"}}));
    t.Insert(id, R"([{"label":"ten","d":10,"i":10,"ts":"2026-01-01T10:00:00+05:00"},
                     {"label":"two","d":2,"i":2,"ts":"2026-01-01T04:00:00Z"},
                     {"label":"nine_half","d":9.5,"i":-1,"ts":"2026-01-01T02:00:00-03:00"}])");
    CHECK(Column(t.Rows(id, "sort_by=d"), "label") == std::vector<std::string>{"two", "nine_half", "ten"});
    CHECK(Column(t.Rows(id, "sort_by=-i"), "label") == std::vector<std::string>{"ten", "two", "nine_half"});
    // 05:00Z, 04:00Z, 05:00Z: instants, not the texts sent.
    CHECK(Column(t.Rows(id, "sort_by=ts,-label"), "label") == std::vector<std::string>{"two", "ten", "nine_half"});
}

TEST_CASE("update row: partial PUT/PATCH returns the whole updated row", "[rows]") {
    Sales t;
    t.Insert(t.id, R"([{"product":"Shirt","amount":89.90,"sale_date":"2026-01-15"},
                       {"product":"Pants","amount":159.90,"sale_date":"2026-01-15"}])");
    auto rows = t.Rows(t.id);
    std::string row_id = Str(rows["records"][0]["id"]);
    std::string other_before = t.http.Get(t.Data("?page=2&per_page=1"), t.token).body;

    auto r = t.http.Put(t.Row(row_id), t.token, R"({ "amount": 99.90 })");
    REQUIRE_STATUS(r, 200);
    CHECK(r.body == R"({"id":")" + row_id + R"(","product":"Shirt","amount":99.90,"sale_date":"2026-01-15"})");
    auto p = t.http.Patch(t.Row(row_id), t.token, R"({"product":"Shirt XL","amount":null})");
    REQUIRE_STATUS(p, 200);
    CHECK(p.body == R"({"id":")" + row_id + R"(","product":"Shirt XL","amount":null,"sale_date":"2026-01-15"})");
    auto same = t.http.Put(t.Row(row_id), t.token, "{}");
    REQUIRE_STATUS(same, 200);
    CHECK(same.body == p.body);
    CHECK(t.http.Get(t.Data("?page=2&per_page=1"), t.token).body == other_before);
    CHECK(t.RowCount(t.id) == 2);

    SECTION("bad fields → 422 naming the field, row unchanged") {
        auto check_field = [&](const std::string& body, const std::string& field) {
            auto bad = t.http.Put(t.Row(row_id), t.token, body);
            CHECK_ERROR(bad, 422, "VALIDATION_ERROR");
            CHECK(DetailFields(bad) == std::vector<std::string>{field});
        };
        check_field(R"({"amount":"lots"})", "amount");
        check_field(R"({"sale_date":"2026-13-01"})", "sale_date");
        check_field(R"({"product":null})", "product");
        check_field(R"({"nope":1})", "nope");
        check_field(R"({"id":"00000000-0000-0000-0000-000000000000"})", "id");
        CHECK(t.http.Put(t.Row(row_id), t.token, "{}").body == p.body);
        CHECK_ERROR(t.http.Put(t.Row(row_id), t.token, "[1]"), 400, "BAD_REQUEST");
    }
}

TEST_CASE("missing rows → 404 ROW_NOT_FOUND", "[rows]") {
    Sales t;
    t.Insert(t.id, R"([{"product":"a","sale_date":"2026-01-01"}])");
    for (std::string row :
         {"00000000-0000-7000-8000-000000000000", "not-a-uuid", "1", "00000000000000000000000000000000"}) {
        INFO("row id: " << row);
        CHECK_ERROR(t.http.Put(t.Row(row), t.token, R"({"amount":1})"), 404, "ROW_NOT_FOUND", "Linha não encontrada");
        CHECK_ERROR(t.http.Delete(t.Row(row), t.token), 404, "ROW_NOT_FOUND", "Linha não encontrada");
    }
    CHECK(t.RowCount(t.id) == 1);
}

TEST_CASE("delete row: 204, gone, second delete 404, row_count exact", "[rows]") {
    Sales t;
    t.Insert(t.id, R"([{"product":"a","sale_date":"2026-01-01"},{"product":"b","sale_date":"2026-01-01"},
                       {"product":"c","sale_date":"2026-01-01"}])");
    auto rows = t.Rows(t.id);
    std::string middle = Str(rows["records"][1]["id"]);
    auto del = t.http.Delete(t.Row(middle), t.token);
    REQUIRE_STATUS(del, 204);
    CHECK(del.body.empty());
    CHECK(Column(t.Rows(t.id), "product") == std::vector<std::string>{"a", "c"});
    CHECK(t.RowCount(t.id) == 2);
    CHECK(t.Rows(t.id)["total"].GetInt64() == 2);
    CHECK_ERROR(t.http.Delete(t.Row(middle), t.token), 404, "ROW_NOT_FOUND");
    CHECK_ERROR(t.http.Put(t.Row(middle), t.token, R"({"product":"x"})"), 404, "ROW_NOT_FOUND");
    t.Insert(t.id, R"([{"product":"d","sale_date":"2026-01-01"}])");
    CHECK(t.RowCount(t.id) == 3);
    CHECK(t.stack.CompanyQuery(t.company, "SELECT count(*) FROM public.monthly_sales")[0][0] == "3");
}

TEST_CASE("rows of missing tables → 404 TABLE_NOT_FOUND", "[rows]") {
    Sales t;
    std::string missing = Api("/0123456789abcdef01234567/data");
    CHECK_ERROR(t.http.Get(missing, t.token), 404, "TABLE_NOT_FOUND", "Tabela não encontrada");
    CHECK_ERROR(t.http.Post(missing, t.token, R"({"rows":[{"product":"a"}]})"), 404, "TABLE_NOT_FOUND");
    CHECK_ERROR(t.http.Put(missing + "/00000000-0000-7000-8000-000000000000", t.token, "{}"), 404, "TABLE_NOT_FOUND");
    CHECK_ERROR(t.http.Delete(missing + "/00000000-0000-7000-8000-000000000000", t.token), 404, "TABLE_NOT_FOUND");
}

}  // namespace
}  // namespace e2e
