// Making a fully loaded job visible, atomically, exactly once.
#include "inserter.hpp"
#include "mt/core/log.hpp"
#include "mt/jobs/blob_store.hpp"
#include "mt/jobs/lease.hpp"
#include "mt/store/tables.hpp"
#include "mt/types/identifier.hpp"
#include "target.hpp"

namespace mt::inserter {
namespace {

/// The company-database side of finalizing; returns the number of rows the job added.
Result<std::int64_t> ApplyLoad(pg::Connection& company, const Target& t) {
    const std::string& job_id = t.job.id;
    std::int64_t total = 0;
    MT_TRY(pg::InTransaction(company, [&]() -> Status {
        MT_ASSIGN_OR_RETURN(
            auto done, company.Exec("SELECT rows_applied FROM mt_internal.applied_jobs WHERE job_id = $1", {job_id}));
        if (!done.empty()) {  // applied before; only the control-database update was lost
            total = std::stoll(std::string(done.Get(0, 0)));
            return Ok();
        }
        MT_ASSIGN_OR_RETURN(auto sum, company.Exec("SELECT coalesce(sum(rows_applied), 0) FROM "
                                                   "mt_internal.applied_parts WHERE job_id = $1",
                                                   {job_id}));
        total = std::stoll(std::string(sum.Get(0, 0)));
        MT_ASSIGN_OR_RETURN(auto exists, company.Exec("SELECT to_regclass($1) IS NOT NULL", {LoadTable(job_id)}));
        if (exists.Get(0, 0) != "t") MT_TRY(store::CreateBareTable(company, LoadTable(job_id), t.columns));
        std::string table = store::QualifiedName(t.physical_name);
        std::string name = types::QuoteIdentifier(t.physical_name);
        if (t.job.mode == "append") {
            std::string cols = ColumnList(t.columns);
            MT_TRY(company.Run("INSERT INTO " + table + " (" + cols + ") SELECT " + cols + " FROM " +
                               LoadTable(job_id) + " ORDER BY id"));
            MT_TRY(company.Run("DROP TABLE " + LoadTable(job_id)));
        } else {
            if (t.job.mode == "replace") {
                // Readers of the old table finish first (the rename waits for their locks); new readers see the
                // new content after COMMIT. The old rows go with the old table.
                std::string old = "mt_replaced_" + job_id;
                MT_TRY(company.Run("ALTER TABLE " + table + " RENAME TO " + types::QuoteIdentifier(old)));
                MT_TRY(company.Exec("DELETE FROM mt_internal.row_counts WHERE table_oid = $1::regclass",
                                    {store::QualifiedName(old)}));
                MT_TRY(company.Run("DROP TABLE " + store::QualifiedName(old)));
            } else {
                MT_TRY(company.Run("DROP TABLE IF EXISTS " + table));  // an orphan of a crash; we hold the name
            }
            MT_TRY(company.Run("ALTER TABLE " + LoadTable(job_id) + " SET SCHEMA public"));
            MT_TRY(company.Run("ALTER TABLE " + store::QualifiedName("load_" + job_id) + " RENAME TO " + name));
            MT_TRY(store::AttachCounters(company, table, total));
        }
        MT_TRY(company.Exec("INSERT INTO mt_internal.applied_jobs (job_id, rows_applied) VALUES ($1, $2)",
                            {job_id, std::to_string(total)}));
        MT_TRY(company.Exec("DELETE FROM mt_internal.applied_parts WHERE job_id = $1", {job_id}));
        return Ok();
    }));
    return total;
}

}  // namespace

Status Inserter::Finalize(const std::string& job_id) {
    MT_ASSIGN_OR_RETURN(auto control, databases_.control().Acquire());
    std::string lease_secs = std::to_string(config_.lease.count());
    MT_ASSIGN_OR_RETURN(
        auto claimed,
        control->Exec("UPDATE mt_jobs SET lease_owner = $2, lease_expires_at = now() + make_interval(secs => $3::int) "
                      "WHERE id = $1 AND status = 'inserting' AND (lease_owner IS NULL OR lease_owner = $2 OR "
                      "lease_expires_at < now()) AND NOT EXISTS (SELECT 1 FROM mt_job_parts WHERE job_id = $1 AND "
                      "status <> 'loaded') RETURNING 1",
                      {job_id, owner_, lease_secs}));
    if (claimed.empty()) return Ok();  // parts still loading, or another inserter finalizes, or it is done
    MT_ASSIGN_OR_RETURN(auto target, LoadTarget(databases_, *control, job_id));
    jobs::LeaseKeeper lease(databases_.control(),
                            "UPDATE mt_jobs SET lease_expires_at = now() + make_interval(secs => $3::int) "
                            "WHERE id = $1 AND lease_owner = $2 AND status = 'inserting'",
                            {job_id, owner_, lease_secs}, config_.lease / 3);
    MT_ASSIGN_OR_RETURN(auto company, pg::Connection::Open(target.company_url));
    auto applied = ApplyLoad(company, target);
    if (!applied) return store::MapDdlError(std::move(applied).error());
    std::int64_t total = *applied;
    MT_TRY(pg::InTransaction(*control, [&]() -> Status {
        MT_TRY(
            control->Exec("UPDATE mt_tables SET status = CASE WHEN status = 'creating' THEN 'active' ELSE status END,"
                          " updated_at = now() WHERE id = $1",
                          {target.table_id}));
        std::string progress =
            "{\"processed_rows\":" + std::to_string(total) + ",\"total_rows\":" + std::to_string(total) + "}";
        MT_TRY(
            control->Exec("UPDATE mt_jobs SET status = 'done', user_table_id = target_table_id, progress = "
                          "$2::json, lease_owner = NULL, lease_expires_at = NULL, updated_at = now() "
                          "WHERE id = $1 AND status = 'inserting'",
                          {job_id, progress}));
        return jobs::DeleteJobBlobs(*control, job_id);
    }));
    metrics_.JobTransition(jobs::kDone);
    log::Info("job done", {{"job_id", job_id},
                           {"request_id", target.job.request_id},
                           {"rows", std::to_string(total)},
                           {"mode", target.job.mode}});
    return Ok();
}

}  // namespace mt::inserter
