#pragma once
/// Shared pieces of part loading and finalizing: the job's target table, the load table and the fence in the
/// company database.
#include "mt/jobs/job.hpp"
#include "mt/pg/connection.hpp"
#include "mt/store/databases.hpp"

namespace mt::inserter {

struct Target {
    jobs::JobRecord job;
    std::string table_id;
    std::string physical_name;
    std::string table_status;                  // creating | active | archived
    std::vector<types::Column> columns;        // of the load table (the table's after an update_schema)
    std::vector<types::Column> table_columns;  // the table's, as the metadata has them
    std::vector<store::IndexSpec> indexes;     // of the table (a replace builds them on the new one)
    std::string company_url;                   // as the company role, so everything loaded is owned by it
};

Result<Target> LoadTarget(store::Databases& dbs, pg::Connection& control, const std::string& job_id);
/// Columns the load table gets: the confirmed ones for a create, the table's own for append/replace/upsert — with
/// the confirmed columns applied (store::UpdatedSchema) under on_schema_error=update_schema.
Result<std::vector<types::Column>> TargetColumns(const jobs::JobRecord& job, const std::vector<types::Column>& table);
/// `mt_internal."load_<job>"`, created once (concurrent parts serialize on an advisory lock).
Status EnsureLoadTable(pg::Connection& company, const std::string& job_id, const std::vector<types::Column>& columns);
std::string LoadTable(const std::string& job_id);
/// `id, "a", "b"` quoted.
std::string ColumnList(const std::vector<types::Column>& columns);

/// The slot of a job's finalize in TakeFence (parts use their number).
inline constexpr int kFinalizeSlot = -1;

/// Exactly once without trusting the clock: called first in a company-database transaction that writes a part
/// (or finalizes), it takes a transaction lock on (job, slot). The caller has just taken the work's lease, so a
/// session still holding that lock belongs to a worker whose lease ran out (paused, stalled, cut off): it is
/// terminated, its transaction rolls back, and only then does the caller go on — the ledger it reads next is final.
Status TakeFence(pg::Connection& company, const std::string& job_id, int slot);

}  // namespace mt::inserter
