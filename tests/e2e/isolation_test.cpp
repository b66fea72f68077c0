// SPEC §3 tenant isolation: another company's resources are indistinguishable from missing ones, and stay intact.
#include "e2e.hpp"

namespace e2e {
namespace {

/// Company A's state as seen through its API and in PostgreSQL, to compare before and after B's attempts.
struct Snapshot {
    std::string table, rows, list, control_row, sql_rows;
    bool operator==(const Snapshot&) const = default;
};

Snapshot Take(Tenant& a, const std::string& table_id) {
    Snapshot s;
    s.table = a.http.Get(Api("/" + table_id), a.token).body;
    s.rows = a.http.Get(Api("/" + table_id + "/data"), a.token).body;
    s.list = a.http.Get(Api(), a.token).body;
    auto control = a.stack.ControlQuery(
        "SELECT display_name, status, columns::text, updated_at::text FROM mt_tables "
        "WHERE id = $1",
        {table_id});
    for (const auto& c : control[0]) s.control_row += c.value_or("NULL") + "|";
    for (const auto& r : a.stack.CompanyQuery(a.company, "SELECT id::text, secret FROM public.ledger ORDER BY id"))
        s.sql_rows += *r[0] + "=" + *r[1] + ";";
    return s;
}

TEST_CASE("company B cannot see, change or delete company A's tables and rows", "[isolation]") {
    Tenant a;
    a.Provision();
    std::string table = a.CreateTable("ledger", Columns({{"secret", "text"}}));
    a.Insert(table, R"([{"secret":"a-1"},{"secret":"a-2"}])");
    std::string row = Str(a.Rows(table)["records"][0]["id"]);
    Snapshot before = Take(a, table);

    Tenant b;  // provisioned, with a table of the same name
    b.Provision();
    std::string b_table = b.CreateTable("ledger", Columns({{"secret", "text"}}));
    Tenant c;  // never provisioned

    for (Tenant* other : {&b, &c}) {
        INFO((other == &b ? "provisioned company B" : "unprovisioned company C"));
        auto& h = other->http;
        const std::string& tok = other->token;
        std::string t = Api("/" + table);
        CHECK_ERROR(h.Get(t, tok), 404, "TABLE_NOT_FOUND", "Tabela não encontrada");
        CHECK_ERROR(h.Put(t, tok, R"({"display_name":"stolen"})"), 404, "TABLE_NOT_FOUND");
        CHECK_ERROR(h.Patch(t, tok, R"({"columns":[{"name":"secret","type":"integer"}]})"), 404, "TABLE_NOT_FOUND");
        CHECK_ERROR(h.Put(t, tok, R"({"status":"archived"})"), 404, "TABLE_NOT_FOUND");
        CHECK_ERROR(h.Delete(t, tok), 404, "TABLE_NOT_FOUND");
        CHECK_ERROR(h.Get(t + "/data", tok), 404, "TABLE_NOT_FOUND");
        CHECK_ERROR(h.Post(t + "/data", tok, R"({"rows":[{"secret":"b"}]})"), 404, "TABLE_NOT_FOUND");
        CHECK_ERROR(h.Put(t + "/data/" + row, tok, R"({"secret":"b"})"), 404, "TABLE_NOT_FOUND");
        CHECK_ERROR(h.Delete(t + "/data/" + row, tok), 404, "TABLE_NOT_FOUND");
        auto list = h.Get(Api("?search=ledger"), tok);
        REQUIRE_STATUS(list, 200);
        // The document must outlive the loop: a range-for keeps only its last temporary (the array view) alive.
        const rapidjson::Document listed = list.Json();
        for (const auto& rec : listed["records"].GetArray()) CHECK(Str(rec["_id"]) != table);
    }
    // B's own table of the same name is B's: its rows are not A's.
    CHECK(b.Rows(b_table)["total"].GetInt64() == 0);
    // B's row id on A's table (and A's row id on B's table) finds nothing.
    CHECK_ERROR(b.http.Put(Api("/" + b_table + "/data/" + row), b.token, R"({"secret":"b"})"), 404, "ROW_NOT_FOUND");
    CHECK_ERROR(b.http.Delete(Api("/" + b_table + "/data/" + row), b.token), 404, "ROW_NOT_FOUND");

    CHECK(Take(a, table) == before);
    CHECK(a.RowCount(table) == 2);
}

TEST_CASE("company databases: one per company, reachable only by its own role", "[isolation]") {
    Tenant a, b;
    a.Provision();
    b.Provision();
    auto creds = [&](const std::string& company) {
        auto r = a.stack.ControlQuery(
            "SELECT role_name, role_name, database_name FROM mt_connections "
            "WHERE company_id = $1",
            {company});
        REQUIRE(r.size() == 1);
        r[0][1] = a.stack.CompanyRolePassword(*r[0][0]);  // derived from the role key, stored nowhere
        return r[0];
    };
    auto ca = creds(a.company), cb = creds(b.company);
    CHECK(ca[2] != cb[2]);
    auto url_as = [&](const mt::testing::SqlRow& who, const std::string& database) {
        // The admin URL with another user, password and database (libpq keyword overrides).
        std::string admin = a.stack.admin_url();
        auto rest = admin.substr(admin.find('@'));
        return "postgresql://" + *who[0] + ":" + *who[1] + rest.substr(0, rest.rfind('/')) + "/" + database;
    };
    // A's role works on A's database …
    CHECK(mt::testing::QueryAt(url_as(ca, *ca[2]), "SELECT 1")[0][0] == "1");
    // … and is refused on B's database and on the control database.
    CHECK_THROWS(mt::testing::QueryAt(url_as(ca, *cb[2]), "SELECT 1"));
    CHECK_THROWS(mt::testing::QueryAt(url_as(ca, a.stack.control_database()), "SELECT count(*) FROM mt_tables"));
}

}  // namespace
}  // namespace e2e
