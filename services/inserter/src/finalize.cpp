// Making a fully loaded job visible, atomically, exactly once.
#include <algorithm>

#include "inserter.hpp"
#include "mt/core/log.hpp"
#include "mt/jobs/lifecycle.hpp"
#include "mt/store/rows.hpp"
#include "mt/store/schema_update.hpp"
#include "mt/store/tables.hpp"
#include "mt/types/identifier.hpp"
#include "mt/worker/lease.hpp"
#include "target.hpp"

namespace mt::inserter {
namespace {

/// The table columns an upsert sets on a matching row: those the files give (a source in the confirmed schema)
/// that are not key columns; the others keep their values.
Result<std::vector<std::string>> UpsertedColumns(const jobs::JobRecord& job) {
    if (!job.confirmed_schema) return Internal("job without confirmed schema");
    MT_ASSIGN_OR_RETURN(auto confirmed, json::ParseJson(*job.confirmed_schema));
    const auto* columns = json::Find(confirmed, "columns");
    if (!columns || !columns->IsArray()) return Internal("confirmed schema without columns");
    std::vector<std::string> out;
    for (const auto& c : columns->GetArray()) {
        const auto* name = json::Find(c, "name");
        const auto* source = json::Find(c, "source");
        if (!name || !source || json::Text(*source).empty()) continue;
        std::string n(json::Text(*name));
        if (std::find(job.key_columns.begin(), job.key_columns.end(), n) == job.key_columns.end()) out.push_back(n);
    }
    return out;
}

/// mode=upsert, inside the finalize transaction: the key must still be a unique index's, and no key may repeat
/// within the job's rows (the job fails naming it); then one INSERT … ON CONFLICT DO UPDATE.
Status MergeLoad(pg::Connection& company, const Target& t) {
    const std::string table = store::QualifiedName(t.physical_name);
    const auto& keys = t.job.key_columns;
    std::string key_list;
    for (const auto& k : keys) key_list += (key_list.empty() ? "" : ", ") + k;
    MT_ASSIGN_OR_RETURN(bool indexed, store::HasUniqueIndexOn(company, table, keys));
    if (!indexed) {
        return Validation("key_columns (" + key_list + ") are no longer the columns of a unique index of the table");
    }
    MT_ASSIGN_OR_RETURN(auto repeated, store::RepeatedKeys(company, LoadTable(t.job.id), keys));
    if (!repeated.empty()) {
        std::string list;
        for (const auto& k : repeated) list += (list.empty() ? "(" : "; (") + k + ")";
        return Validation("The upload has more than one row with the same key_columns value: " + list);
    }
    MT_ASSIGN_OR_RETURN(auto updated, UpsertedColumns(t.job));
    store::OnConflict on_conflict{keys, store::ConflictAction::kUpdate};
    MT_TRY(company.Exec(store::MergeSql(table, LoadTable(t.job.id), ColumnList(t.columns), on_conflict, updated)));
    return company.Run("DROP TABLE " + LoadTable(t.job.id));
}

/// The company-database side of finalizing; returns the number of rows the job added.
Result<std::int64_t> ApplyLoad(pg::Connection& company, const Target& t) {
    const std::string& job_id = t.job.id;
    std::int64_t total = 0;
    MT_TRY(pg::InTransaction(company, [&]() -> Status {
        MT_TRY(TakeFence(company, job_id, kFinalizeSlot));
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
        if (t.job.if_match) {  // the upload's If-Match, checked under the counter row's lock before any write
            store::TableRecord record;
            record.id = t.table_id;
            record.physical_name = t.physical_name;
            MT_TRY(store::CheckVersion(company, record, store::VersionCondition{false, *t.job.if_match}));
        }
        const bool in_place = t.job.mode == jobs::JobMode::kAppend || t.job.mode == jobs::JobMode::kUpsert;
        if (in_place && t.job.on_schema_error == "update_schema") {
            // The new columns and widened types commit with the rows, or not at all (a replace brings its own).
            MT_TRY(store::AlterForUpload(company, table, t.table_columns, t.columns));
            MT_TRY(store::RaiseVersion(company, table));  // a schema change, whatever rows follow
        }
        if (t.job.mode == jobs::JobMode::kUpsert) {
            MT_TRY(MergeLoad(company, t));
        } else if (t.job.mode == jobs::JobMode::kAppend) {
            std::string cols = ColumnList(t.columns);
            MT_TRY(company.Run("INSERT INTO " + table + " (" + cols + ") SELECT " + cols + " FROM " +
                               LoadTable(job_id) + " ORDER BY id"));
            MT_TRY(company.Run("DROP TABLE " + LoadTable(job_id)));
        } else {
            store::CounterState counters;  // a new table: version 1, no cap
            if (t.job.mode == jobs::JobMode::kReplace) {
                // The table keeps its identity across the swap: its cap, and a version above the old one.
                MT_ASSIGN_OR_RETURN(counters, store::ReadCounters(company, table));
                ++counters.version;
                // Readers of the old table finish first (the rename waits for their locks); new readers see the
                // new content after COMMIT. The old rows go with the old table.
                std::string old = "mt_replaced_" + job_id;
                MT_TRY(company.Run("ALTER TABLE " + table + " RENAME TO " + types::QuoteIdentifier(old)));
                MT_TRY(company.Exec("DELETE FROM mt_internal.row_counts WHERE table_oid = $1::regclass",
                                    {store::QualifiedName(old)}));
                MT_TRY(company.Run("DROP TABLE " + store::QualifiedName(old)));
            } else {
                // We hold the name; a table of that name is owned by no metadata: moved aside with its rows.
                MT_TRY(store::MoveStrayTableAside(company, t.physical_name));
            }
            MT_TRY(company.Run("ALTER TABLE " + LoadTable(job_id) + " SET SCHEMA public"));
            MT_TRY(company.Run("ALTER TABLE " + store::QualifiedName("load_" + job_id) + " RENAME TO " + name));
            MT_TRY(store::AttachCounters(company, table, total, counters));  // over the cap: nothing is applied
            if (t.job.mode == jobs::JobMode::kReplace)
                MT_TRY(store::CreateIndexes(company, t.table_id, table, t.indexes));
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
    const jobs::LeaseTerms terms{owner_, config_.lease};
    MT_ASSIGN_OR_RETURN(bool claimed, jobs::ClaimFinalize(*control, job_id, terms));
    if (!claimed) return Ok();  // parts still loading, or another inserter finalizes, or it is done
    MT_ASSIGN_OR_RETURN(auto target, LoadTarget(databases_, *control, job_id));
    worker::LeaseKeeper lease(
        databases_.control(), [&](pg::Connection& c) { return jobs::ExtendFinalizeLease(c, job_id, terms); },
        config_.lease / 3);
    MT_ASSIGN_OR_RETURN(auto company, pg::Connection::Open(target.company_url, databases_.session()));
    auto applied = ApplyLoad(company, target);
    if (!applied) return store::MapDdlError(std::move(applied).error());
    const std::int64_t total = *applied;
    std::optional<std::string> columns;  // the metadata follows the physical table in the same step as the job
    if (target.job.on_schema_error == "update_schema") columns = store::ColumnsToJson(target.columns);
    MT_ASSIGN_OR_RETURN(bool done, jobs::MarkDone(*control, job_id, total, columns));
    if (done) metrics_.JobTransition(jobs::Name(jobs::JobStatus::kDone));
    log::Info("job done", {{"job_id", job_id},
                           {"request_id", target.job.request_id},
                           {"rows", std::to_string(total)},
                           {"mode", jobs::Name(target.job.mode)}});
    return Ok();
}

}  // namespace mt::inserter
