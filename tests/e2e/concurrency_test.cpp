// Concurrent requests: idempotent provisioning, unique names, exact counters, no pool starvation.
#include "e2e.hpp"

#include <latch>
#include <map>
#include <thread>

namespace e2e {
namespace {

/// Runs `request(i)` on `n` threads released together (each with its own client); returns the responses.
TEST_CASE("20 parallel provisions: all 200, one connection id, exactly one database", "[concurrency]") {
    Tenant t;
    auto responses = Parallel(t.stack, 20, [&](HttpClient& c, int) { return c.Post(Api("/provision"), t.token); });
    std::set<std::string> ids;
    for (const auto& r : responses) {
        CHECK_STATUS(r, 200);
        if (r.status == 200) ids.insert(Str(r.Json()["connection_id"]));
    }
    CHECK(ids.size() == 1);
    CHECK(t.stack.ControlQuery("SELECT count(*) FROM mt_connections WHERE company_id = $1", {t.company})[0][0] == "1");
    auto databases = t.stack.AdminQuery("SELECT count(*) FROM pg_database WHERE datname = $1", {t.Database()});
    CHECK(databases[0][0] == "1");
    t.CreateTable("works", Columns({{"a", "text"}}));
}

TEST_CASE("20 parallel creates of one name: exactly one 201, the rest duplicates", "[concurrency]") {
    Tenant t;
    t.Provision();
    auto responses = Parallel(t.stack, 20, [&](HttpClient& c, int i) {
        return c.Post(
            Api(), t.token,
            R"({"display_name":"contested","columns":[{"name":"c)" + std::to_string(i) + R"(","type":"text"}]})");
    });
    auto counts = StatusCounts(responses);
    CHECK(counts[201] == 1);
    CHECK(counts[400] == 19);
    for (const auto& r : responses) {
        if (r.status != 201) CHECK_ERROR(r, 400, "MANAGED_TABLE_DUPLICATE_NAME");
    }
    auto list = t.http.Get(Api(), t.token).Json();
    CHECK(list["total"].GetInt64() == 1);
    // The physical table is the winner's.
    std::string winner_column;
    for (const auto& r : responses)
        if (r.status == 201) winner_column = Str(r.Json()["columns"][0]["name"]);
    auto columns = t.stack.CompanyQuery(t.company,
                                        "SELECT column_name FROM information_schema.columns WHERE "
                                        "table_schema = 'public' AND table_name = 'contested' AND "
                                        "column_name <> 'id'");
    REQUIRE(columns.size() == 1);
    CHECK(columns[0][0] == winner_column);
}

// Each create holds a company-database connection while it asks for another one (to read row counts); enough
// simultaneous creates in one company must not exhaust the company pool (8 by default) and time out.
TEST_CASE("16 parallel creates of distinct names in one company all succeed", "[concurrency]") {
    Tenant t;
    t.Provision();
    auto started = std::chrono::steady_clock::now();
    auto responses = Parallel(t.stack, 16, [&](HttpClient& c, int i) {
        return c.Post(Api(), t.token,
                      R"({"display_name":"t)" + std::to_string(i) + R"(","columns":[{"name":"a","type":"text"}]})");
    });
    auto seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
    for (const auto& r : responses) CHECK_STATUS(r, 201);
    CHECK(seconds < 5);
    CHECK(t.http.Get(Api(), t.token).Json()["total"].GetInt64() == 16);
}

TEST_CASE("parallel inserts and deletes keep row_count exact", "[concurrency]") {
    Tenant t;
    t.Provision();
    std::string id = t.CreateTable("counted", Columns({{"n", "integer"}}));
    std::string batch = "[";
    for (int i = 0; i < 100; ++i) batch += std::string(i ? "," : "") + R"({"n":)" + std::to_string(i) + "}";
    batch += "]";
    auto inserts = Parallel(t.stack, 16, [&](HttpClient& c, int) {
        Response last;
        for (int k = 0; k < 5; ++k) {
            last = c.Post(Api("/" + id + "/data"), t.token, R"({"rows":)" + batch + "}");
            if (last.status != 201) break;
        }
        return last;
    });
    for (const auto& r : inserts) CHECK_STATUS(r, 201);
    CHECK(t.RowCount(id) == 8000);

    // 10 deleters race for the same row: one wins.
    std::string row = Str(t.Rows(id, "per_page=1")["records"][0]["id"]);
    auto deletes =
        Parallel(t.stack, 10, [&](HttpClient& c, int) { return c.Delete(Api("/" + id + "/data/" + row), t.token); });
    auto counts = StatusCounts(deletes);
    CHECK(counts[204] == 1);
    CHECK(counts[404] == 9);
    CHECK(t.RowCount(id) == 7999);
    CHECK(t.stack.CompanyQuery(t.company, "SELECT count(*) FROM public.counted")[0][0] == "7999");
}

TEST_CASE("parallel renames onto one name: one wins, no name is active twice", "[concurrency]") {
    Tenant t;
    t.Provision();
    std::vector<std::string> ids;
    for (int i = 0; i < 8; ++i) ids.push_back(t.CreateTable("r" + std::to_string(i), Columns({{"a", "text"}})));
    auto responses = Parallel(t.stack, 8, [&](HttpClient& c, int i) {
        return c.Put(Api("/" + ids[static_cast<std::size_t>(i)]), t.token, R"({"display_name":"final"})");
    });
    auto counts = StatusCounts(responses);
    CHECK(counts[200] == 1);
    CHECK(counts[400] == 7);
    auto named = t.http.Get(Api("?search=final"), t.token).Json();
    CHECK(named["total"].GetInt64() == 1);
    CHECK(t.http.Get(Api(), t.token).Json()["total"].GetInt64() == 8);
}

}  // namespace
}  // namespace e2e
