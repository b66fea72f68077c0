// The audit log at the store level: the event of a two-database change travels in its intent and commits when
// the reconciler finishes the intent after a crash (never when it undoes it); the workers' job events are written
// once; the retention purge deletes old events in both databases.
#include <chrono>

#include "mt/core/ids.hpp"
#include "mt/jobs/job.hpp"
#include "mt/jobs/lifecycle.hpp"
#include "mt/jobs/migrations.hpp"
#include "mt/store/audit.hpp"
#include "mt/store/migrations.hpp"
#include "mt/store/role_secrets.hpp"
#include "mt/store/tables.hpp"
#include "table_change.hpp"
#include "test_env.hpp"

using mt::pg::testing::AdminUrl;
using mt::pg::testing::ScratchDatabase;
namespace store = mt::store;

namespace {

constexpr const char* kRoleKey = "0123456789abcdef0123456789abcdef-test-key";

/// A control database (migrated) and one ready company database owned by a role of its own.
struct Fixture {
    ScratchDatabase control_db, company_db;
    std::string role = "mt_test_role_" + mt::RandomHex(4);
    std::string company_id = "audit-" + mt::RandomHex(4);
    store::ConnectionRecord connection;
    std::unique_ptr<store::Databases> dbs;

    Fixture() {
        auto admin = mt::pg::Connection::Open(AdminUrl());
        REQUIRE(admin.ok());
        REQUIRE(admin
                    ->Run("CREATE ROLE " + role + " LOGIN PASSWORD " +
                          mt::pg::QuoteLiteral(store::DeriveRolePassword(kRoleKey, role)))
                    .ok());
        REQUIRE(admin->Run("ALTER DATABASE " + company_db.name() + " OWNER TO " + role).ok());
        auto company_admin = mt::pg::Connection::Open(company_db.url());
        REQUIRE(company_admin.ok());
        REQUIRE(company_admin->Run("ALTER SCHEMA public OWNER TO " + role).ok());
        REQUIRE(store::PrepareCompanyDatabase(*company_admin, role).ok());
        auto control = Control();
        REQUIRE(store::Migrate(control).ok());
        REQUIRE(mt::jobs::Migrate(control).ok());
        connection = {mt::NewObjectId(), company_id, company_db.name(), role, "ready"};
        REQUIRE(control
                    .Exec("INSERT INTO mt_connections (id, company_id, database_name, role_name, role_password, "
                          "status) VALUES ($1, $2, $3, $4, '', 'ready')",
                          {connection.id, company_id, company_db.name(), role})
                    .ok());
        store::DatabaseSettings s;
        s.control_url = control_db.url();
        s.company_server_url = AdminUrl();
        s.role_key = kRoleKey;
        s.session.application_name = "mt-test-audit";
        dbs = std::make_unique<store::Databases>(s);
    }
    ~Fixture() {
        dbs.reset();
        auto admin = mt::pg::Connection::Open(AdminUrl());
        if (admin.ok()) {
            (void)admin->Run("DROP DATABASE IF EXISTS " + company_db.name() + " WITH (FORCE)");
            (void)admin->Run("DROP ROLE IF EXISTS " + role);
        }
    }
    mt::pg::Connection Control() {
        auto c = mt::pg::Connection::Open(control_db.url());
        REQUIRE(c.ok());
        return std::move(*c);
    }
    mt::pg::Connection CompanyAdmin() {
        auto c = mt::pg::Connection::Open(company_db.url());
        REQUIRE(c.ok());
        return std::move(*c);
    }
    /// One value of `sql` in the control database.
    std::string ControlValue(const std::string& sql, const mt::pg::Params& params = {}) {
        auto c = Control();
        auto rows = c.Exec(sql, params);
        REQUIRE(rows.ok());
        return std::string(rows->Get(0, 0));
    }
    std::string CreateItems() {
        store::NewTable t{"items", {{"name", "name", mt::types::ColumnType::kText, true}}, "manual", "u1", {}, {}};
        auto created = store::CreateTable(*dbs, connection, t, {"u1", "rid-create"});
        REQUIRE(created.ok());
        return created->id;
    }
    /// What UpdateTable records before the DDL of a rename to "goods": the intent with its event, the name
    /// reserved. A crash right after leaves exactly this.
    void BeginRename(const std::string& table_id) {
        auto control = Control();
        auto began = store::BeginChange(
            *dbs, control, company_id, table_id, "update",
            [&](const store::TableRecord&, store::Intent& i, mt::pg::Connection& locked) -> mt::Status {
                i.display_after = i.physical_after = "goods";
                i.audit = store::AuditEvent{company_id,
                                            "table.updated",
                                            "apikey:k1",
                                            "table",
                                            table_id,
                                            "rid-rename",
                                            R"({"fields":["display_name"]})"};
                MT_TRY(locked.Exec("UPDATE mt_tables SET display_name = 'goods' WHERE id = $1", {table_id}));
                return mt::Ok();
            });
        REQUIRE(began.ok());
    }
    std::string Events(const std::string& action) {
        return ControlValue("SELECT count(*) FROM mt_audit_log WHERE company_id = $1 AND action = $2",
                            {company_id, action});
    }
};

}  // namespace

TEST_CASE("a crash after the company DDL: the reconciler finishes the change and commits its event", "[audit]") {
    Fixture f;
    std::string id = f.CreateItems();
    CHECK(f.Events("table.created") == "1");
    f.BeginRename(id);
    CHECK(f.Events("table.updated") == "0");                                         // the event waits in the intent
    REQUIRE(f.CompanyAdmin().Run("ALTER TABLE public.items RENAME TO goods").ok());  // the DDL committed; then a crash
    auto resolved = store::ReconcileTableIntents(*f.dbs, std::chrono::seconds(0));
    REQUIRE(resolved.ok());
    CHECK(*resolved == 1);
    CHECK(f.ControlValue("SELECT physical_name FROM mt_tables WHERE id = $1", {id}) == "goods");
    CHECK(f.Events("table.updated") == "1");
    CHECK(f.ControlValue("SELECT actor || ' ' || request_id || ' ' || resource_id || ' ' || (details->>'fields') "
                         "FROM mt_audit_log WHERE action = 'table.updated'") ==
          "apikey:k1 rid-rename " + id + " [\"display_name\"]");
    // Reconciling again finds nothing to do and writes nothing.
    REQUIRE(store::ReconcileTableIntents(*f.dbs, std::chrono::seconds(0)).ok());
    CHECK(f.Events("table.updated") == "1");
}

TEST_CASE("a crash before the company DDL: the reconciler undoes the change and its event goes with it", "[audit]") {
    Fixture f;
    std::string id = f.CreateItems();
    f.BeginRename(id);
    auto resolved = store::ReconcileTableIntents(*f.dbs, std::chrono::seconds(0));
    REQUIRE(resolved.ok());
    CHECK(*resolved == 1);
    CHECK(f.ControlValue("SELECT display_name FROM mt_tables WHERE id = $1", {id}) == "items");
    CHECK(f.ControlValue("SELECT count(*) FROM mt_table_intents") == "0");
    CHECK(f.Events("table.updated") == "0");
}

TEST_CASE("a job's done and failed events are written once whatever the number of deliveries", "[audit]") {
    Fixture f;
    std::string table_id = f.CreateItems();
    auto control = f.Control();
    mt::jobs::NewJob job;
    job.company_id = f.company_id;
    job.user_table_id = table_id;
    job.mode = mt::jobs::JobMode::kAppend;
    job.files = {{"a.csv", "blob:x", 3, "text/csv"}};
    job.request_id = "rid-upload";
    job.created_by_user_id = "u1";
    job.actor = "apikey:k9";
    const std::string done_id = mt::NewObjectId(), failed_id = mt::NewObjectId();
    REQUIRE(mt::jobs::InsertJob(control, done_id, job).ok());
    REQUIRE(mt::jobs::InsertJob(control, failed_id, job).ok());
    REQUIRE(control.Exec("UPDATE mt_jobs SET status = 'inserting' WHERE id = $1", {done_id}).ok());
    for (int delivery = 0; delivery < 2; ++delivery) {
        auto done = mt::jobs::MarkDone(control, done_id, 3, std::nullopt);
        REQUIRE(done.ok());
        CHECK(*done == (delivery == 0));
        auto failed = mt::jobs::FailJob(control, failed_id, mt::jobs::ErrorJson("bad", "PARSE_ERROR", std::nullopt));
        REQUIRE(failed.ok());
        CHECK(*failed == (delivery == 0));
        REQUIRE(mt::jobs::FailJob(control, done_id, mt::jobs::ErrorJson("late", "X", std::nullopt)).ok());
    }
    CHECK(f.Events("upload.done") == "1");
    CHECK(f.Events("upload.failed") == "1");
    CHECK(f.ControlValue("SELECT actor || ' ' || request_id || ' ' || (details->>'total_rows') || ' ' || "
                         "(details->'files'->>0) FROM mt_audit_log WHERE action = 'upload.done'") ==
          "apikey:k9 rid-upload 3 a.csv");
    CHECK(f.ControlValue("SELECT resource_id || ' ' || (details->>'error_code') FROM mt_audit_log WHERE action = "
                         "'upload.failed'") == failed_id + " PARSE_ERROR");
}

TEST_CASE("the retention purge deletes events older than the retention in both databases", "[audit]") {
    Fixture f;
    std::string id = f.CreateItems();  // a recent control event
    auto control = f.Control();
    for (int i = 0; i < 7; ++i) {
        REQUIRE(store::AppendAuditEvent(control, {f.company_id, "table.updated", "u1", "table", id, "r", "{}"}).ok());
    }
    REQUIRE(
        control.Exec("UPDATE mt_audit_log SET at = now() - interval '400 days' WHERE action = 'table.updated'").ok());
    auto company = f.CompanyAdmin();
    for (int i = 0; i < 3; ++i) {
        REQUIRE(store::AppendCompanyAuditEvent(company,
                                               {f.company_id, "rows.deleted_by_filter", "u1", "table", id, "r", "{}"})
                    .ok());
    }
    REQUIRE(company
                .Exec("UPDATE mt_internal.audit_log SET at = now() - interval '400 days' WHERE id IN (SELECT id "
                      "FROM mt_internal.audit_log LIMIT 2)")
                .ok());
    // Batches of 2: the purge goes on until a short batch, within its bound of batches.
    auto purged = store::PurgeAuditEvents(*f.dbs, std::chrono::hours(24 * 365), 2, 100);
    REQUIRE(purged.ok());
    CHECK(*purged == 9);
    CHECK(f.ControlValue("SELECT count(*) FROM mt_audit_log") == "1");
    auto left = company.Exec("SELECT count(*) FROM mt_internal.audit_log");
    REQUIRE(left.ok());
    CHECK(left->Get(0, 0) == "1");
    // The bound: one batch per database per call.
    REQUIRE(control.Exec("UPDATE mt_audit_log SET at = now() - interval '400 days'").ok());
    for (int i = 0; i < 4; ++i) {
        REQUIRE(store::AppendAuditEvent(control, {f.company_id, "table.updated", "u1", "table", id, "r", "{}"}).ok());
    }
    REQUIRE(control.Exec("UPDATE mt_audit_log SET at = now() - interval '400 days'").ok());
    auto bounded = store::PurgeAuditEvents(*f.dbs, std::chrono::hours(24 * 365), 2, 1);
    REQUIRE(bounded.ok());
    CHECK(*bounded == 2);
    CHECK(f.ControlValue("SELECT count(*) FROM mt_audit_log") == "3");
}

TEST_CASE("listing merges both databases newest first and rejects unknown actions and bad instants", "[audit]") {
    Fixture f;
    std::string id = f.CreateItems();
    auto company = f.CompanyAdmin();
    REQUIRE(store::AppendCompanyAuditEvent(
                company, {f.company_id, "rows.deleted_by_filter", "u1", "table", id, "r2", R"({"deleted_count":1})"})
                .ok());
    auto q = store::ParseAuditQuery(std::nullopt, std::nullopt, std::nullopt, std::nullopt, std::nullopt, "1");
    REQUIRE(q.ok());
    auto page = store::ListAuditEvents(*f.dbs, f.company_id, *q);
    REQUIRE(page.ok());
    REQUIRE(page->records.size() == 1);
    CHECK(page->records[0].action == "rows.deleted_by_filter");
    REQUIRE(page->next_cursor);
    q->cursor = page->next_cursor;
    auto second = store::ListAuditEvents(*f.dbs, f.company_id, *q);
    REQUIRE(second.ok());
    REQUIRE(second->records.size() == 1);
    CHECK(second->records[0].action == "table.created");
    CHECK(!second->next_cursor);
    CHECK(!store::ParseAuditQuery("table.exploded", {}, {}, {}, {}, {}).ok());
    CHECK(!store::ParseAuditQuery({}, {}, "2026-02-30T00:00:00Z", {}, {}, {}).ok());
    CHECK(!store::ParseAuditQuery({}, {}, {}, {}, "bm90IGEgY3Vyc29y", {}).ok());
    CHECK(!store::AppendAuditEvent(company, {f.company_id, "table.exploded", "u1", "table", id, "r", "{}"}).ok());
}
