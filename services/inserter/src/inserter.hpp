#pragma once
/// The inserter worker's job handling (SPEC §7 insert; issue "never stranded").
///
/// A confirmed job is split into parts (row ranges). Any inserter may load any part: it leases the part, COPYs
/// its rows into the job's load table `mt_internal."load_<job>"` and records the part in the company database's
/// `applied_parts` ledger in the same transaction — so a part is applied exactly once however often it is retried.
/// Whoever sees every part loaded finalizes, in one company-database transaction: create → the load table becomes
/// the table; replace → the old table is swapped out; append → rows are copied over; `applied_jobs` records it.
/// Readers see the old content until that commit and the new content after it, never a mix.
#include <atomic>

#include "load_plan.hpp"
#include "mt/jobs/worker.hpp"
#include "mt/jobs/worker_config.hpp"
#include "mt/ops/metrics.hpp"
#include "mt/store/databases.hpp"

namespace mt::inserter {

class Inserter {
public:
    Inserter(store::Databases& databases, jobs::WorkerConfig config, std::string owner, ops::Metrics& metrics);
    void Handle(const jobs::JobMessage& message, const std::atomic<bool>& stop);
    Result<std::vector<jobs::JobMessage>> Sweep();

private:
    Status LoadPart(const std::string& job_id, int part, const std::atomic<bool>& stop);
    Status Finalize(const std::string& job_id);
    /// Fail the job and remove whatever its parts left in the company database.
    void FailJob(const std::string& job_id, const Error& error);
    /// For a failed job only: drop its load table and ledger rows, then the parts no live inserter holds.
    /// Idempotent; whoever last touched the job's company-database state runs it.
    void CleanUpFailed(const std::string& job_id);

    store::Databases& databases_;
    jobs::WorkerConfig config_;
    std::string owner_;
    ops::Metrics& metrics_;
};

/// Columns the load table gets: the confirmed ones for a create, the table's own for append/replace.
Result<std::vector<types::Column>> TargetColumns(const jobs::JobRecord& job, const store::TableRecord& table);

}  // namespace mt::inserter
