#include "target.hpp"

#include "mt/core/log.hpp"
#include "mt/store/provisioning.hpp"
#include "mt/store/records.hpp"
#include "mt/store/schema_update.hpp"
#include "mt/store/tables.hpp"
#include "mt/types/identifier.hpp"

namespace mt::inserter {
namespace {

constexpr const char* kFenceClass = "7301005";

}  // namespace

std::string LoadTable(const std::string& job_id) { return store::QualifiedName("load_" + job_id, "mt_internal"); }

std::string ColumnList(const std::vector<types::Column>& columns) {
    std::string out = "id";
    for (const auto& c : columns) out += ", " + types::QuoteIdentifier(c.name);
    return out;
}

Result<std::vector<types::Column>> TargetColumns(const jobs::JobRecord& job, const std::vector<types::Column>& table) {
    const bool update_schema = job.on_schema_error == "update_schema";
    if (job.mode != jobs::JobMode::kCreate && !update_schema) return table;
    if (!job.confirmed_schema) return Internal("job without confirmed schema");
    MT_ASSIGN_OR_RETURN(auto confirmed, json::ParseJson(*job.confirmed_schema));
    const auto* columns = json::Find(confirmed, "columns");
    if (!columns) return Internal("confirmed schema without columns");
    MT_ASSIGN_OR_RETURN(auto confirmed_columns, store::ColumnsFromJson(json::Serialize(*columns)));
    if (job.mode == jobs::JobMode::kCreate) return confirmed_columns;
    return store::UpdatedSchema(table, confirmed_columns);
}

Result<Target> LoadTarget(store::Databases& dbs, pg::Connection& control, const std::string& job_id) {
    MT_ASSIGN_OR_RETURN(auto job, jobs::LoadJob(control, job_id));
    if (!job || !job->target_table_id) return Internal("job " + job_id + " has no target table");
    MT_ASSIGN_OR_RETURN(
        auto rows,
        control.Exec("SELECT physical_name, status, columns::text, indexes::text FROM mt_tables WHERE id = $1",
                     {*job->target_table_id}));
    if (rows.empty() || rows.Get(0, 1) == "archived") {
        return Validation("The table this upload was loading into was deleted");
    }
    Target t;
    t.table_id = *job->target_table_id;
    t.physical_name = rows.Get(0, 0);
    t.table_status = rows.Get(0, 1);
    MT_ASSIGN_OR_RETURN(auto table_columns, store::ColumnsFromJson(rows.Get(0, 2)));
    MT_ASSIGN_OR_RETURN(t.columns, TargetColumns(*job, table_columns));
    MT_ASSIGN_OR_RETURN(t.indexes, store::IndexesFromJson(rows.Get(0, 3)));
    t.table_columns = std::move(table_columns);
    MT_ASSIGN_OR_RETURN(auto connection, store::RequireConnection(dbs, job->company_id));
    MT_ASSIGN_OR_RETURN(t.company_url, dbs.CompanyUrl(connection));
    t.job = std::move(*job);
    return t;
}

Status EnsureLoadTable(pg::Connection& company, const std::string& job_id, const std::vector<types::Column>& columns) {
    return pg::InTransaction(company, [&]() -> Status {
        MT_TRY(company.Exec("SELECT pg_advisory_xact_lock(7301003, hashtext($1))", {job_id}));
        MT_ASSIGN_OR_RETURN(auto exists, company.Exec("SELECT to_regclass($1) IS NOT NULL", {LoadTable(job_id)}));
        if (exists.Get(0, 0) == "t") return Ok();
        return store::CreateBareTable(company, LoadTable(job_id), columns);
    });
}

Status TakeFence(pg::Connection& company, const std::string& job_id, int slot) {
    const std::string key = job_id + ":" + std::to_string(slot);
    MT_ASSIGN_OR_RETURN(
        auto got,
        company.Exec(std::string("SELECT pg_try_advisory_xact_lock(") + kFenceClass + ", hashtext($1))", {key}));
    if (got.Get(0, 0) == "t") return Ok();
    // The holder's lease is gone (we hold it now): end its session so that it can commit nothing.
    MT_ASSIGN_OR_RETURN(
        auto holders,
        company.Exec(std::string("SELECT pid, pg_terminate_backend(pid) FROM pg_locks WHERE locktype = 'advisory' AND "
                                 "classid = ") +
                         kFenceClass + " AND objid = hashtext($1)::oid AND granted AND pid <> pg_backend_pid()",
                     {key}));
    for (int r = 0; r < holders.size(); ++r) {
        log::Warn("fenced off a worker whose lease ran out",
                  {{"job_id", job_id}, {"slot", std::to_string(slot)}, {"pid", std::string(holders.Get(r, 0))}});
    }
    MT_TRY(company.Run("SET LOCAL lock_timeout = '30s'"));
    MT_TRY(company.Exec(std::string("SELECT pg_advisory_xact_lock(") + kFenceClass + ", hashtext($1))", {key}));
    // Back to the session's own bound (MT_DB_LOCK_TIMEOUT_MS) for the rest of the transaction, not to none.
    MT_TRY(company.Run("SET LOCAL lock_timeout = DEFAULT"));
    return Ok();
}

}  // namespace mt::inserter
