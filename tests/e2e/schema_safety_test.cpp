// Schema changes are safe: one change at a time per table, none while an upload loads into it, a short lock wait,
// recoverable across a crash between the two databases, and no physical table dropped that metadata does not own.
#include "e2e.hpp"

#include <chrono>
#include <future>
#include <latch>
#include <thread>

#include "mt/pg/connection.hpp"

namespace e2e {
namespace {

using mt::testing::UrlWithDatabase;

/// A provisioned tenant with table "items" (name text NOT NULL, qty text, price decimal) and three rows.
struct Items : Tenant {
    std::string id;
    Items() {
        Provision();
        id = CreateTable("items", Columns({{"name", "text", false}, {"qty", "text"}, {"price", "decimal"}}));
        Insert(id, R"([{"name":"a","qty":"12","price":1.50},{"name":"b","qty":"-3","price":2},
                       {"name":"c","qty":null,"price":null}])");
    }
    /// The metadata's columns as "name:type:nullable" lines, in order.
    std::string MetadataColumns() {
        auto rows = stack.ControlQuery(
            "SELECT string_agg((c->>'name') || ':' || (c->>'type') || ':' || (c->>'nullable'), ',' ORDER BY n) "
            "FROM mt_tables, jsonb_array_elements(columns) WITH ORDINALITY AS x(c, n) WHERE id = $1",
            {id});
        return rows.empty() || !rows[0][0] ? "" : *rows[0][0];
    }
    std::string PhysicalName() {
        return *stack.ControlQuery("SELECT physical_name FROM mt_tables WHERE id = $1", {id})[0][0];
    }
    /// The physical table's user columns the same way (types mapped back to the API's names).
    std::string PhysicalColumns(const std::string& table) {
        auto rows = stack.CompanyQuery(
            company,
            "SELECT string_agg(column_name || ':' || CASE data_type WHEN 'bigint' THEN 'integer' WHEN 'numeric' "
            "THEN 'decimal' WHEN 'timestamp with time zone' THEN 'datetime' ELSE data_type END || ':' || "
            "CASE is_nullable WHEN 'YES' THEN 'true' ELSE 'false' END, ',' ORDER BY ordinal_position) "
            "FROM information_schema.columns WHERE table_schema = 'public' AND table_name = $1 AND column_name <> 'id'",
            {table});
        return rows.empty() || !rows[0][0] ? "" : *rows[0][0];
    }
    std::string Intents() {
        return *stack.ControlQuery("SELECT count(*) FROM mt_table_intents WHERE table_id = $1", {id})[0][0];
    }
};

/// Sets the ordering of columns aside: compares as sets of "name:type:nullable".
std::set<std::string> Split(const std::string& s) {
    std::set<std::string> out;
    std::size_t start = 0;
    while (start <= s.size() && !s.empty()) {
        auto comma = s.find(',', start);
        out.insert(s.substr(start, comma == std::string::npos ? std::string::npos : comma - start));
        if (comma == std::string::npos) break;
        start = comma + 1;
    }
    return out;
}

TEST_CASE("concurrent PATCHes of one table leave its metadata and its physical table in agreement",
          "[tables][update][schema_safety]") {
    Items t;
    for (int round = 0; round < 3; ++round) {
        constexpr int kClients = 6;
        std::latch start(kClients);
        std::vector<Response> responses(kClients);
        std::vector<std::thread> threads;
        for (int i = 0; i < kClients; ++i) {
            threads.emplace_back([&, i] {
                HttpClient client = t.stack.Client(std::chrono::seconds(60));
                std::string extra = "c" + std::to_string(round) + "_" + std::to_string(i);
                std::string body = R"({"columns":)" +
                                   Columns({{"name", "text", false},
                                            {"qty", i % 2 ? "text" : "integer"},
                                            {"price", "decimal"},
                                            {extra, "boolean"}}) +
                                   "}";
                start.arrive_and_wait();
                responses[static_cast<std::size_t>(i)] = client.Patch(Api("/" + t.id), t.token, body);
            });
        }
        for (auto& th : threads) th.join();
        int ok = 0;
        for (const auto& r : responses) {
            INFO(r.Describe());
            CHECK((r.status == 200 || r.status == 409));
            if (r.status == 409) ExpectError(r, 409, "TABLE_BUSY");
            ok += r.status == 200;
        }
        CHECK(ok >= 1);
        INFO("round " << round);
        REQUIRE(Split(t.MetadataColumns()) == Split(t.PhysicalColumns(t.PhysicalName())));
        CHECK(t.Intents() == "0");
        CHECK_STATUS(t.http.Get(Api("/" + t.id + "/data"), t.token), 200);
    }
    CHECK(t.RowCount(t.id) == 3);
}

TEST_CASE("a PATCH that starts while another PATCH's DDL waits for a reader does not apply stale DDL",
          "[tables][update][schema_safety]") {
    Items t;
    auto reader = mt::pg::Connection::Open(UrlWithDatabase(t.stack.admin_url(), t.Database()));
    REQUIRE(reader);
    REQUIRE(reader->Run("BEGIN"));
    REQUIRE(reader->Exec("SELECT count(*) FROM public.items"));  // the first PATCH's ALTER waits for this
    auto patch = [&](std::string body) {
        return std::async(std::launch::async, [&t, body] {
            HttpClient client = t.stack.Client(std::chrono::seconds(60));
            return client.Patch(Api("/" + t.id), t.token, body);
        });
    };
    auto retype =
        patch(R"({"columns":)" + Columns({{"name", "text", false}, {"qty", "integer"}, {"price", "decimal"}}) + "}");
    std::this_thread::sleep_for(std::chrono::milliseconds(500));
    auto widen =
        patch(R"({"columns":)" +
              Columns({{"name", "text", false}, {"qty", "text"}, {"price", "decimal"}, {"extra", "text"}}) + "}");
    std::this_thread::sleep_for(std::chrono::milliseconds(500));
    REQUIRE(reader->Run("ROLLBACK"));  // within the lock timeout: the first PATCH goes through
    auto first = retype.get();
    auto second = widen.get();
    INFO(first.Describe() << "\n" << second.Describe());
    CHECK((first.status == 200 || first.status == 409));
    CHECK((second.status == 200 || second.status == 409));
    CHECK(Split(t.MetadataColumns()) == Split(t.PhysicalColumns("items")));
    CHECK_STATUS(t.http.Get(Api("/" + t.id + "/data"), t.token), 200);
}

TEST_CASE("PATCH, PUT and DELETE while an upload loads into the table answer 409 TABLE_BUSY",
          "[tables][update][schema_safety]") {
    Items t;
    std::string job = t.company + "-job";
    t.stack.ControlQuery(
        "INSERT INTO mt_jobs (id, company_id, user_table_id, target_table_id, mode, status, files, "
        "created_by_user_id) VALUES ($1, $2, $3, $3, 'append', 'inserting', '[]', 'e2e-user')",
        {job, t.company, t.id});
    std::string before = t.MetadataColumns();
    auto widened = R"({"columns":)" +
                   Columns({{"name", "text", false}, {"qty", "text"}, {"price", "decimal"}, {"extra", "text"}}) + "}";
    CHECK_ERROR(t.http.Patch(Api("/" + t.id), t.token, widened), 409, "TABLE_BUSY");
    CHECK_ERROR(t.http.Put(Api("/" + t.id), t.token, R"({"display_name":"goods"})"), 409, "TABLE_BUSY");
    CHECK_ERROR(t.http.Delete(Api("/" + t.id), t.token), 409, "TABLE_BUSY");
    CHECK(t.MetadataColumns() == before);
    CHECK(t.PhysicalColumns("items") == before);
    CHECK(t.RowCount(t.id) == 3);
    SECTION("a job still waiting for its confirm does not hold the table (the confirm checks it again)") {
        t.stack.ControlQuery("UPDATE mt_jobs SET status = 'waiting_confirm' WHERE id = $1", {job});
        CHECK_STATUS(t.http.Patch(Api("/" + t.id), t.token, widened), 200);
    }
    SECTION("once the job ended the change goes through") {
        t.stack.ControlQuery("UPDATE mt_jobs SET status = 'done' WHERE id = $1", {job});
        CHECK_STATUS(t.http.Patch(Api("/" + t.id), t.token, widened), 200);
        CHECK(Split(t.MetadataColumns()) == Split(t.PhysicalColumns("items")));
    }
}

TEST_CASE("a schema change behind a long reader answers 409 TABLE_BUSY within seconds, other tables unaffected",
          "[tables][update][schema_safety]") {
    Items t;
    std::string other = t.CreateTable("other", Columns({{"x", "text"}}));
    t.Insert(other, R"([{"x":"1"}])");
    auto reader = mt::pg::Connection::Open(UrlWithDatabase(t.stack.admin_url(), t.Database()));
    REQUIRE(reader);
    REQUIRE(reader->Run("BEGIN"));
    REQUIRE(reader->Exec("SELECT count(*) FROM public.items"));  // holds ACCESS SHARE until ROLLBACK
    auto started = std::chrono::steady_clock::now();
    auto patch = std::async(std::launch::async, [&] {
        HttpClient client = t.stack.Client(std::chrono::seconds(30));
        return client.Patch(
            Api("/" + t.id), t.token,
            R"({"columns":)" + Columns({{"name", "text", false}, {"qty", "text"}, {"price", "text"}}) + "}");
    });
    std::this_thread::sleep_for(std::chrono::milliseconds(300));
    auto other_started = std::chrono::steady_clock::now();
    CHECK_STATUS(t.http.Get(Api("/" + other + "/data"), t.token), 200);
    CHECK(std::chrono::steady_clock::now() - other_started < std::chrono::seconds(2));
    auto r = patch.get();
    auto took = std::chrono::steady_clock::now() - started;
    CHECK_ERROR(r, 409, "TABLE_BUSY");
    CHECK(took < std::chrono::seconds(10));  // the old behaviour waited for the reader (here: the client's 30 s)
    REQUIRE(reader->Run("ROLLBACK"));
    CHECK(t.PhysicalColumns("items") == "name:text:false,qty:text:true,price:decimal:true");
    CHECK(t.MetadataColumns() == "name:text:false,qty:text:true,price:decimal:true");
    CHECK(t.Intents() == "0");
    CHECK_STATUS(t.http.Get(Api("/" + t.id + "/data"), t.token), 200);
}

/// Records what a rename to "goods" would record before its DDL (intent committed, new name reserved), as a
/// gateway that crashed right after would leave it.
void RecordRenameIntent(Items& t) {
    std::string columns = *t.stack.ControlQuery("SELECT columns::text FROM mt_tables WHERE id = $1", {t.id})[0][0];
    t.stack.ControlQuery(
        "INSERT INTO mt_table_intents (table_id, company_id, kind, display_before, display_after, schema_before, "
        "physical_before, schema_after, physical_after, columns_before, columns_after, created_at) VALUES "
        "($1, $2, 'update', 'items', 'goods', 'public', 'items', 'public', 'goods', $3::jsonb, $3::jsonb, "
        "now() - interval '1 hour')",
        {t.id, t.company, columns});
    t.stack.ControlQuery("UPDATE mt_tables SET display_name = 'goods' WHERE id = $1", {t.id});
}

TEST_CASE("a rename interrupted after its company-side DDL is finished at the next gateway start",
          "[tables][update][schema_safety]") {
    Items t;
    RecordRenameIntent(t);
    t.stack.CompanyQuery(t.company, "ALTER TABLE public.items RENAME TO goods");
    t.stack.RestartGateway();
    t.http = t.stack.Client();
    auto table = t.http.Get(Api("/" + t.id), t.token);
    REQUIRE_STATUS(table, 200);
    CHECK(Str(table.Json()["display_name"]) == "goods");
    CHECK(table.Json()["row_count"].GetInt64() == 3);
    CHECK(t.PhysicalName() == "goods");
    CHECK(t.Intents() == "0");
    CHECK(t.Rows(t.id)["total"].GetInt64() == 3);
    // The old name is free again, and creating it leaves the renamed table's rows alone.
    t.CreateTable("items", Columns({{"x", "text"}}));
    CHECK(t.RowCount(t.id) == 3);
}

TEST_CASE("a rename interrupted before its company-side DDL is undone at the next gateway start",
          "[tables][update][schema_safety]") {
    Items t;
    RecordRenameIntent(t);
    SECTION("while the change is pending, neither of its names can be created") {
        CHECK_ERROR(
            t.http.Post(Api("/"), t.token, R"({"display_name":"items","columns":)" + Columns({{"x", "text"}}) + "}"),
            409, "TABLE_BUSY");
        CHECK_ERROR(
            t.http.Post(Api("/"), t.token, R"({"display_name":"goods","columns":)" + Columns({{"x", "text"}}) + "}"),
            400, "MANAGED_TABLE_DUPLICATE_NAME");
        CHECK_ERROR(t.http.Patch(Api("/" + t.id), t.token, R"({"display_name":"other"})"), 409, "TABLE_BUSY");
    }
    t.stack.RestartGateway();
    t.http = t.stack.Client();
    auto table = t.http.Get(Api("/" + t.id), t.token);
    REQUIRE_STATUS(table, 200);
    CHECK(Str(table.Json()["display_name"]) == "items");
    CHECK(t.PhysicalName() == "items");
    CHECK(t.Intents() == "0");
    CHECK(t.Rows(t.id)["total"].GetInt64() == 3);
    t.CreateTable("goods", Columns({{"x", "text"}}));  // the name it was going to take is free
    CHECK(t.RowCount(t.id) == 3);
}

TEST_CASE("a table name held by a stray physical table: create and rename keep the stray's rows",
          "[tables][update][schema_safety]") {
    Items t;
    std::string stray = GENERATE(std::string("fresh"), std::string("goods"));
    t.stack.CompanyQuery(t.company, "CREATE TABLE public." + stray + " (x text)");
    t.stack.CompanyQuery(t.company, "INSERT INTO public." + stray + " VALUES ('kept'), ('too')");
    // Owned by the company role, as a table its SQL clients (or a crashed change) leave is.
    std::string role =
        *t.stack.ControlQuery("SELECT role_name FROM mt_connections WHERE company_id = $1", {t.company})[0][0];
    t.stack.CompanyQuery(t.company, "ALTER TABLE public." + stray + " OWNER TO " + mt::testing::QuoteIdent(role));
    if (stray == "fresh") {
        std::string id = t.CreateTable("fresh", Columns({{"y", "integer"}}));
        CHECK(t.RowCount(id) == 0);
    } else {
        CHECK_STATUS(t.http.Patch(Api("/" + t.id), t.token, R"({"display_name":"goods"})"), 200);
        CHECK(t.RowCount(t.id) == 3);
    }
    auto aside = t.stack.CompanyQuery(
        t.company, "SELECT tablename FROM pg_tables WHERE schemaname = 'mt_archive' AND tablename LIKE 'orphan_%'");
    REQUIRE(aside.size() == 1);
    CHECK(t.stack.CompanyQuery(
              t.company, "SELECT string_agg(x, ',' ORDER BY x) FROM mt_archive." + *aside[0][0])[0][0] == "kept,too");
}

}  // namespace
}  // namespace e2e
