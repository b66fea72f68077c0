// GET / (list tables): pagination, clamps, newest first, case-insensitive search.
#include "e2e.hpp"

namespace e2e {
namespace {

std::vector<std::string> Names(const rapidjson::Document& j) {
    std::vector<std::string> out;
    for (const auto& t : j["records"].GetArray()) out.push_back(Str(t["display_name"]));
    return out;
}

rapidjson::Document List(Tenant& t, const std::string& query) {
    auto r = t.http.Get(Api("?" + query), t.token);
    REQUIRE_STATUS(r, 200);
    auto j = r.Json();
    CHECK(Keys(j) == std::set<std::string>{"total", "quantity", "records"});
    CHECK(j["quantity"].GetInt64() == static_cast<std::int64_t>(j["records"].Size()));
    return j;
}

TEST_CASE("list pagination: defaults, pages, clamps, newest first", "[tables][list]") {
    Tenant t;
    t.Provision();
    std::vector<std::string> created;  // in creation order
    for (int i = 0; i < 25; ++i) {
        std::string name = "t_" + std::to_string(100 + i);
        t.CreateTable(name, Columns({{"x", "text"}}));
        created.push_back(name);
    }
    std::vector<std::string> newest_first(created.rbegin(), created.rend());

    auto first = List(t, "");
    CHECK(first["total"].GetInt64() == 25);
    CHECK(first["quantity"].GetInt64() == 20);  // per_page defaults to 20
    CHECK(Names(first) == std::vector<std::string>(newest_first.begin(), newest_first.begin() + 20));

    auto second = List(t, "page=2");
    CHECK(second["total"].GetInt64() == 25);
    CHECK(Names(second) == std::vector<std::string>(newest_first.begin() + 20, newest_first.end()));

    auto beyond = List(t, "page=3");
    CHECK(beyond["total"].GetInt64() == 25);
    CHECK(beyond["quantity"].GetInt64() == 0);

    auto small = List(t, "page=3&per_page=7");
    CHECK(Names(small) == std::vector<std::string>(newest_first.begin() + 14, newest_first.begin() + 21));

    auto clamped = List(t, "per_page=1000");  // max 100
    CHECK(clamped["quantity"].GetInt64() == 25);
    auto huge = List(t, "per_page=99999999999999999999");
    CHECK(huge["quantity"].GetInt64() == 25);

    SECTION("bad query parameters → 400 BAD_REQUEST") {
        for (std::string q :
             {"page=0", "page=-1", "page=abc", "per_page=0", "per_page=1.5", "page=1e3", "per_page=-5"}) {
            INFO("query: " << q);
            CHECK_ERROR(t.http.Get(Api("?" + q), t.token), 400, "BAD_REQUEST");
        }
    }
    SECTION("row_count in the list is exact") {
        auto one = List(t, "search=t_107");
        REQUIRE(one["records"].Size() == 1);
        std::string id = Str(one["records"][0]["_id"]);
        t.Insert(id, R"([{"x":"a"},{"x":"b"},{"x":null}])");
        CHECK(List(t, "search=t_107")["records"][0]["row_count"].GetInt64() == 3);
    }
}

TEST_CASE("list search: case-insensitive substring of display_name", "[tables][list]") {
    Tenant t;
    t.Provision();
    for (std::string name : {"monthly_sales", "sales_2026", "inventory", "wholesale_prices", "customers"}) {
        t.CreateTable(name, Columns({{"x", "text"}}));
    }
    auto sales = List(t, "search=sale");
    CHECK(sales["total"].GetInt64() == 3);
    CHECK(Names(sales) == std::vector<std::string>{"wholesale_prices", "sales_2026", "monthly_sales"});
    CHECK(List(t, "search=SALE")["total"].GetInt64() == 3);
    CHECK(List(t, "search=SaLeS_2")["total"].GetInt64() == 1);
    CHECK(List(t, "search=ly_sa")["total"].GetInt64() == 1);
    CHECK(List(t, "search=nothing_like_this")["total"].GetInt64() == 0);
    CHECK(List(t, "search=")["total"].GetInt64() == 5);
    auto paged = List(t, "search=s&per_page=2&page=2");  // every name but "inventory" has an 's'
    CHECK(paged["total"].GetInt64() == 4);
    CHECK(paged["quantity"].GetInt64() == 2);
    SECTION("wildcard characters are literal") {
        CHECK(List(t, "search=%25")["total"].GetInt64() == 0);  // '%'
        CHECK(List(t, "search=s_2")["total"].GetInt64() == 1);  // '_' is not "any character"
    }
}

// A percent-encoded query value must be decoded before matching ("sales%5F2026" is "sales_2026").
TEST_CASE("list search: percent-encoded query values are decoded", "[tables][list]") {
    Tenant t;
    t.Provision();
    t.CreateTable("sales_2026", Columns({{"x", "text"}}));
    CHECK(List(t, "search=sales%5F2026")["total"].GetInt64() == 1);
    CHECK(List(t, "search=%73ales")["total"].GetInt64() == 1);
}

}  // namespace
}  // namespace e2e
