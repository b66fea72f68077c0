// Changes of existing tables across the two databases: the intent recorded before the DDL, the DDL under the
// change's lock, and the reconciler that finishes or undoes an intent a crash left behind.
#include <optional>

#include "mt/core/ids.hpp"
#include "mt/core/json.hpp"
#include "mt/core/log.hpp"
#include "mt/jobs/lifecycle.hpp"
#include "mt/store/provisioning.hpp"
#include "mt/types/identifier.hpp"
#include "table_change.hpp"

namespace mt::store {
namespace {

enum class Outcome { kBusy, kGone, kFinished, kUndone, kStuck };

std::string LockTimeoutSql(std::chrono::milliseconds timeout) {
    return "SET LOCAL lock_timeout = '" + std::to_string(timeout.count()) + "ms'";
}

Error MapLockTimeout(Error e) {
    if (e.code == "55P03") {
        return TableBusy(
            "The table is in use by other requests; its change was not applied. Try again in a few "
            "seconds");
    }
    return e;
}

constexpr const char* kIntentColumns =
    "table_id, company_id, kind, display_before, display_after, schema_before, physical_before, schema_after, "
    "physical_after, columns_before::text, columns_after::text, indexes_before::text, indexes_after::text, "
    "audit::text";

Result<std::optional<Intent>> LoadIntent(pg::Connection& control, const std::string& table_id) {
    MT_ASSIGN_OR_RETURN(
        auto rows, control.Exec(std::string("SELECT ") + kIntentColumns + " FROM mt_table_intents WHERE table_id = $1",
                                {table_id}));
    if (rows.empty()) return std::optional<Intent>();
    Intent i;
    i.table_id = rows.Get(0, 0);
    i.company_id = rows.Get(0, 1);
    i.kind = rows.Get(0, 2);
    i.display_before = rows.Get(0, 3);
    i.display_after = rows.Get(0, 4);
    i.schema_before = rows.Get(0, 5);
    i.physical_before = rows.Get(0, 6);
    i.schema_after = rows.Get(0, 7);
    i.physical_after = rows.Get(0, 8);
    MT_ASSIGN_OR_RETURN(i.columns_before, ColumnsFromJson(rows.Get(0, 9)));
    MT_ASSIGN_OR_RETURN(i.columns_after, ColumnsFromJson(rows.Get(0, 10)));
    MT_ASSIGN_OR_RETURN(i.indexes_before, IndexesFromJson(rows.Get(0, 11)));
    MT_ASSIGN_OR_RETURN(i.indexes_after, IndexesFromJson(rows.Get(0, 12)));
    if (!rows.IsNull(0, 13)) {
        MT_ASSIGN_OR_RETURN(i.audit, AuditFromJson(rows.Get(0, 13)));
    }
    return std::optional<Intent>(std::move(i));
}

Result<bool> Exists(pg::Connection& company, const std::string& schema, const std::string& physical_name) {
    MT_ASSIGN_OR_RETURN(auto rows,
                        company.Exec("SELECT to_regclass($1) IS NOT NULL", {QualifiedName(physical_name, schema)}));
    return rows.Get(0, 0) == "t";
}

/// Whether the table exists with exactly these user columns (name, type, NOT NULL), besides the row id.
Result<bool> HasColumns(pg::Connection& company, const std::string& schema, const std::string& physical_name,
                        const std::vector<types::Column>& columns) {
    rapidjson::StringBuffer sb;
    json::Writer w(sb);
    w.StartArray();
    for (const auto& c : columns) {
        w.StartObject();
        w.Key("name");
        json::WriteString(w, c.name);
        w.Key("type");
        json::WriteString(w, types::PgType(c.type));
        w.Key("not_null");
        w.Bool(!c.nullable);
        w.EndObject();
    }
    w.EndArray();
    MT_ASSIGN_OR_RETURN(
        auto rows,
        company.Exec("WITH t AS (SELECT to_regclass($1)::oid AS oid), "
                     "actual AS (SELECT a.attname::text AS name, a.atttypid, a.attnotnull FROM pg_attribute a, t "
                     "WHERE a.attrelid = t.oid AND a.attnum > 0 AND NOT a.attisdropped AND a.attname <> 'id'), "
                     "expected AS (SELECT * FROM jsonb_to_recordset($2::jsonb) AS e(name text, type text, "
                     "not_null bool)) "
                     "SELECT (SELECT oid FROM t) IS NOT NULL "
                     "AND (SELECT count(*) FROM actual) = (SELECT count(*) FROM expected) "
                     "AND NOT EXISTS (SELECT 1 FROM expected e WHERE NOT EXISTS (SELECT 1 FROM actual a WHERE "
                     "a.name = e.name AND a.atttypid = e.type::regtype::oid AND a.attnotnull = e.not_null))",
                     {QualifiedName(physical_name, schema), std::string(sb.GetString(), sb.GetSize())}));
    return rows.Get(0, 0) == "t";
}

/// Decides one intent from the physical table and applies the decision to the metadata, while holding the
/// change's advisory lock (waiting for it up to `timeout`, or skipping a busy change when `wait` is false).
/// `ddl_failed`: the caller's DDL reported an error. A finished change whose physical table shows nothing of it
/// (only the row cap or the version changed: same name, same columns) then records no event — its DDL rolled back.
Result<Outcome> ReconcileOne(pg::Connection& control, pg::Connection& company, const std::string& table_id, bool wait,
                             std::chrono::milliseconds timeout, bool ddl_failed = false) {
    Outcome outcome = Outcome::kGone;
    MT_TRY(pg::InTransaction(company, [&]() -> Status {
        MT_TRY(company.Run(LockTimeoutSql(timeout)));
        MT_ASSIGN_OR_RETURN(auto got, company.Exec(std::string("SELECT pg_") + (wait ? "" : "try_") +
                                                       "advisory_xact_lock(" + kChangeLockClass + ", hashtext($1))",
                                                   {table_id}));
        if (!wait && got.Get(0, 0) != "t") {
            outcome = Outcome::kBusy;
            return Ok();
        }
        MT_ASSIGN_OR_RETURN(auto intent, LoadIntent(control, table_id));
        if (!intent) return Ok();
        const Intent& i = *intent;
        if (i.kind == "indexes") {
            // pg_index is the truth: INVALID leftovers of a build go, the metadata lists what is in place.
            const std::string table = QualifiedName(i.physical_before, i.schema_before);
            MT_TRY(DropInvalidIndexes(company, i.table_id, table));
            std::vector<IndexSpec> candidates = i.indexes_after;
            candidates.insert(candidates.end(), i.indexes_before.begin(), i.indexes_before.end());
            MT_ASSIGN_OR_RETURN(auto in_place, IndexesInPlace(company, i.table_id, table, candidates));
            return pg::InTransaction(control, [&]() -> Status {
                MT_TRY(control.Exec("UPDATE mt_tables SET indexes = $2::jsonb, updated_at = now() WHERE id = $1",
                                    {table_id, IndexesToJson(in_place)}));
                // A build that failed and was undone changed nothing: no event.
                if (i.audit && IndexesToJson(in_place) != IndexesToJson(i.indexes_before)) {
                    MT_TRY(AppendAuditEvent(control, *i.audit));
                }
                MT_TRY(control.Exec("DELETE FROM mt_table_intents WHERE table_id = $1", {table_id}));
                outcome = Outcome::kFinished;
                return Ok();
            });
        }
        MT_ASSIGN_OR_RETURN(bool before_exists, Exists(company, i.schema_before, i.physical_before));
        bool finish = false;
        if (i.kind == "archive") {
            finish = !before_exists;  // the table left public (or was already gone): the delete is done
        } else {
            bool same_place = i.schema_before == i.schema_after && i.physical_before == i.physical_after;
            MT_ASSIGN_OR_RETURN(bool after_matches,
                                HasColumns(company, i.schema_after, i.physical_after, i.columns_after));
            finish = after_matches && (same_place || !before_exists);
            if (!finish && !before_exists) {
                outcome = Outcome::kStuck;
                log::Error("table change cannot be finished or undone: its physical table is missing",
                           {{"table_id", table_id},
                            {"physical_before", i.physical_before},
                            {"physical_after", i.physical_after}});
                return Ok();
            }
        }
        return pg::InTransaction(control, [&]() -> Status {
            if (!finish) {
                // Only the reserved name changed in the metadata before the DDL.
                MT_TRY(control.Exec("UPDATE mt_tables SET display_name = $2 WHERE id = $1 AND status = 'active'",
                                    {table_id, i.display_before}));
            } else if (i.kind == "archive") {
                MT_TRY(
                    control.Exec("UPDATE mt_tables SET status = 'archived', physical_name = $2, updated_at = now() "
                                 "WHERE id = $1",
                                 {table_id, i.physical_after}));
            } else {
                // A dropped column took its indexes with it (PostgreSQL drops them): the list follows.
                MT_TRY(control.Exec(
                    "UPDATE mt_tables SET display_name = $2, physical_name = $3, columns = $4::jsonb, indexes = "
                    "(SELECT coalesce(jsonb_agg(ix), '[]'::jsonb) FROM jsonb_array_elements(indexes) ix WHERE NOT "
                    "EXISTS (SELECT 1 FROM jsonb_array_elements_text(ix->'columns') col WHERE col <> 'id' AND NOT "
                    "EXISTS (SELECT 1 FROM jsonb_array_elements($4::jsonb) c WHERE c->>'name' = col))), "
                    "updated_at = now() WHERE id = $1",
                    {table_id, i.display_after, i.physical_after, ColumnsToJson(i.columns_after)}));
            }
            // The event commits with the change it records; an undone change takes its event with it.
            const bool visible = i.kind == "archive" || i.physical_before != i.physical_after ||
                                 ColumnsToJson(i.columns_before) != ColumnsToJson(i.columns_after);
            if (finish && i.audit && (visible || !ddl_failed)) MT_TRY(AppendAuditEvent(control, *i.audit));
            MT_TRY(control.Exec("DELETE FROM mt_table_intents WHERE table_id = $1", {table_id}));
            outcome = finish ? Outcome::kFinished : Outcome::kUndone;
            return Ok();
        });
    }));
    return outcome;
}

}  // namespace

std::string AuditToJson(const AuditEvent& e) {
    rapidjson::StringBuffer sb;
    json::Writer w(sb);
    w.StartObject();
    for (const auto& [key, value] : {std::pair<const char*, const std::string*>{"company_id", &e.company_id},
                                     {"action", &e.action},
                                     {"actor", &e.actor},
                                     {"resource_type", &e.resource_type},
                                     {"resource_id", &e.resource_id},
                                     {"request_id", &e.request_id}}) {
        w.Key(key);
        json::WriteString(w, *value);
    }
    w.EndObject();
    // details is JSON text already: spliced in as the last member.
    std::string out(sb.GetString(), sb.GetSize() - 1);
    return out + ",\"details\":" + (e.details.empty() ? std::string("{}") : e.details) + "}";
}

Result<AuditEvent> AuditFromJson(std::string_view text) {
    MT_ASSIGN_OR_RETURN(auto doc, json::ParseJson(text));
    AuditEvent e;
    auto get = [&](const char* key, std::string& out) {
        const rapidjson::Value* v = json::Find(doc, key);
        if (v && json::KindOf(*v) == json::Kind::kString) out = std::string(json::Text(*v));
    };
    get("company_id", e.company_id);
    get("action", e.action);
    get("actor", e.actor);
    get("resource_type", e.resource_type);
    get("resource_id", e.resource_id);
    get("request_id", e.request_id);
    if (const rapidjson::Value* d = json::Find(doc, "details")) e.details = json::Serialize(*d);
    return e;
}

Error TableBusy(std::string message) { return Conflict("TABLE_BUSY", std::move(message)); }

Status ReconcileIntent(pg::Connection& control, pg::Connection& company, const std::string& table_id,
                       std::chrono::milliseconds timeout) {
    MT_ASSIGN_OR_RETURN(auto outcome, ReconcileOne(control, company, table_id, true, timeout));
    if (outcome == Outcome::kStuck) return Internal("table change of " + table_id + " could not be resolved");
    return Ok();
}

Status PrecheckVersion(Databases& dbs, const ConnectionRecord& connection, const TableRecord& table,
                       const VersionCondition& condition) {
    if (condition.any) return Ok();
    MT_ASSIGN_OR_RETURN(auto company, dbs.Company(connection));
    return CheckVersion(*company, table, condition);
}

Result<Intent> BeginChange(Databases& dbs, pg::Connection& control, const std::string& company_id,
                           const std::string& table_id, const std::string& kind, const PlanChange& plan) {
    Intent intent;
    Status began = pg::InTransaction(control, [&]() -> Status {
        MT_TRY(control.Run(LockTimeoutSql(dbs.settings().ddl_lock_timeout)));
        MT_ASSIGN_OR_RETURN(auto current, LoadActive(control, company_id, table_id, true));
        MT_ASSIGN_OR_RETURN(auto pending,
                            control.Exec("SELECT 1 FROM mt_table_intents WHERE table_id = $1", {table_id}));
        if (!pending.empty()) {
            return TableBusy("Another change to this table is still being applied; try again in a few seconds");
        }
        MT_ASSIGN_OR_RETURN(bool loading, jobs::TableHasActiveJob(control, company_id, table_id));
        if (loading) {
            return TableBusy(
                "An upload is being loaded into this table; change or delete the table when its job "
                "has ended");
        }
        intent = Intent{table_id,
                        company_id,
                        kind,
                        current.display_name,
                        current.display_name,
                        "public",
                        current.physical_name,
                        "public",
                        current.physical_name,
                        current.columns,
                        current.columns,
                        current.indexes,
                        current.indexes};
        MT_TRY(plan(current, intent, control));
        MT_TRY(
            control.Exec("INSERT INTO mt_table_intents (table_id, company_id, kind, display_before, display_after, "
                         "schema_before, physical_before, schema_after, physical_after, columns_before, columns_after, "
                         "indexes_before, indexes_after, audit) "
                         "VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10::jsonb, $11::jsonb, $12::jsonb, $13::jsonb, "
                         "$14::jsonb)",
                         {intent.table_id, intent.company_id, intent.kind, intent.display_before, intent.display_after,
                          intent.schema_before, intent.physical_before, intent.schema_after, intent.physical_after,
                          ColumnsToJson(intent.columns_before), ColumnsToJson(intent.columns_after),
                          IndexesToJson(intent.indexes_before), IndexesToJson(intent.indexes_after),
                          intent.audit ? pg::Param(AuditToJson(*intent.audit)) : pg::Param()}));
        return Ok();
    });
    if (!began) return MapLockTimeout(std::move(began).error());
    return intent;
}

Status ApplyChange(Databases& dbs, pg::Connection& control, const ConnectionRecord& connection, const Intent& intent,
                   const std::function<Status(pg::Connection& company)>& ddl) {
    const auto timeout = dbs.settings().ddl_lock_timeout;
    MT_ASSIGN_OR_RETURN(auto company, dbs.Company(connection));
    dbs.ForgetTable(intent.table_id);
    Status ran = pg::InTransaction(*company, [&]() -> Status {
        MT_TRY(company->Run(LockTimeoutSql(timeout)));
        MT_TRY(company->Exec(std::string("SELECT pg_advisory_xact_lock(") + kChangeLockClass + ", hashtext($1))",
                             {intent.table_id}));
        MT_ASSIGN_OR_RETURN(auto still,
                            control.Exec("SELECT 1 FROM mt_table_intents WHERE table_id = $1", {intent.table_id}));
        if (still.empty()) return TableBusy("The change was abandoned meanwhile; try again");
        return ddl(*company);
    });
    // Whatever happened (even a lost COMMIT), the physical table now tells whether the change is in.
    auto resolved = ReconcileOne(control, *company, intent.table_id, true, timeout, !ran.ok());
    dbs.ForgetTable(intent.table_id);  // again: a concurrent read may have cached the old metadata meanwhile
    if (!ran) return MapLockTimeout(std::move(ran).error());
    if (!resolved) {
        log::Warn("table change applied; its metadata is updated by the reconciler",
                  {{"table_id", intent.table_id}, {"error", resolved.error().message}});
        return std::move(resolved).error();
    }
    if (*resolved == Outcome::kFinished || *resolved == Outcome::kGone) return Ok();
    return Internal("table change of " + intent.table_id + " did not apply");
}

Result<int> ReconcileTableIntents(Databases& dbs, std::chrono::seconds min_age) {
    std::vector<std::pair<std::string, std::string>> pending;  // table id, company id
    {
        MT_ASSIGN_OR_RETURN(auto control, dbs.control().Acquire());
        MT_ASSIGN_OR_RETURN(
            auto rows, control->Exec("SELECT table_id, company_id FROM mt_table_intents WHERE created_at < now() - "
                                     "make_interval(secs => $1::int) ORDER BY created_at LIMIT 1000",
                                     {std::to_string(min_age.count())}));
        for (int r = 0; r < rows.size(); ++r) pending.emplace_back(rows.Get(r, 0), rows.Get(r, 1));
    }
    int resolved = 0;
    for (const auto& [table_id, company_id] : pending) {
        auto outcome = [&]() -> Result<Outcome> {
            MT_ASSIGN_OR_RETURN(auto connection, RequireConnection(dbs, company_id));
            MT_ASSIGN_OR_RETURN(auto control, dbs.control().Acquire());
            MT_ASSIGN_OR_RETURN(auto company, dbs.Company(connection));
            return ReconcileOne(*control, *company, table_id, false, dbs.settings().ddl_lock_timeout);
        }();
        dbs.ForgetTable(table_id);
        if (!outcome) {
            log::Warn("table change left for the next reconciliation",
                      {{"table_id", table_id}, {"error", outcome.error().message}});
            continue;
        }
        if (*outcome == Outcome::kFinished || *outcome == Outcome::kUndone) {
            ++resolved;
            log::Warn(*outcome == Outcome::kFinished ? "interrupted table change finished"
                                                     : "interrupted table change undone",
                      {{"table_id", table_id}, {"company_id", company_id}});
        }
    }
    return resolved;
}

Status MoveStrayTableAside(pg::Connection& company, const std::string& physical_name) {
    MT_ASSIGN_OR_RETURN(bool exists, Exists(company, "public", physical_name));
    if (!exists) return Ok();
    const std::string aside = "orphan_" + NewObjectId();
    MT_TRY(company.Run("ALTER TABLE " + QualifiedName(physical_name) + " RENAME TO " + types::QuoteIdentifier(aside)));
    MT_TRY(company.Run("ALTER TABLE " + QualifiedName(aside) + " SET SCHEMA mt_archive"));
    log::Warn("a table of that name existed that no metadata owns; moved aside with its rows",
              {{"table", physical_name}, {"moved_to", "mt_archive." + aside}});
    return Ok();
}

Status CheckNameFree(pg::Connection& control, const std::string& company_id, const std::string& name) {
    MT_ASSIGN_OR_RETURN(auto rows, control.Exec("SELECT 1 FROM mt_table_intents WHERE company_id = $1 AND "
                                                "((schema_before = 'public' AND physical_before = $2) OR "
                                                "(schema_after = 'public' AND physical_after = $2))",
                                                {company_id, name}));
    if (!rows.empty()) {
        return TableBusy(
            "A change to the table that had or takes this name is still being applied; try again in a "
            "few seconds");
    }
    return Ok();
}

Status LockTableForLoad(pg::Connection& control, const std::string& company_id, const std::string& table_id,
                        const std::vector<types::Column>& columns) {
    MT_ASSIGN_OR_RETURN(auto rows, control.Exec("SELECT columns::text, EXISTS (SELECT 1 FROM mt_table_intents i "
                                                "WHERE i.table_id = t.id) FROM mt_tables t WHERE id = $1 AND "
                                                "company_id = $2 AND status = 'active' FOR SHARE OF t",
                                                {table_id, company_id}));
    if (rows.empty()) return NotFound("TABLE_NOT_FOUND", "Tabela não encontrada");
    if (rows.Get(0, 1) == "t") {
        return TableBusy("The table's schema is being changed; confirm again in a few seconds");
    }
    MT_ASSIGN_OR_RETURN(auto current, ColumnsFromJson(rows.Get(0, 0)));
    if (ColumnsToJson(current) != ColumnsToJson(columns)) {
        return TableBusy("The table's columns changed since this upload was matched against them; confirm again");
    }
    return Ok();
}

}  // namespace mt::store
