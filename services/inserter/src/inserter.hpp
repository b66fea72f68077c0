#pragma once
/// The inserter worker's job handling (SPEC §7 insert; issue "never stranded").
///
/// A confirmed job has parts, planned by its analysis (byte ranges of the stored files). Any inserter may load any
/// part: it leases the part, reads only that part's bytes, COPYs its rows into the job's load table
/// `mt_internal."load_<job>"` and records the part in the company database's `applied_parts` ledger in the same
/// transaction — so a part is applied exactly once however often it is retried. Whoever sees every part loaded
/// finalizes, in one company-database transaction: create → the load table becomes the table; replace → the old
/// table is swapped out; append → rows are copied over; `applied_jobs` records it. An append of a single part
/// skips the load table: its rows go straight into the table in the transaction that records the job applied.
/// Readers see the old content until that commit and the new content after it, never a mix.
///
/// Leases decide who works; fences decide who commits: every company-side transaction first takes the work's
/// fence (TakeFence), so a worker whose lease ran out while it was paused commits nothing.
#include <atomic>

#include "load_plan.hpp"
#include "mt/jobs/job.hpp"
#include "mt/ops/metrics.hpp"
#include "mt/store/databases.hpp"
#include "mt/worker/worker_config.hpp"

namespace mt::inserter {

class Inserter {
public:
    Inserter(store::Databases& databases, worker::WorkerConfig config, std::string owner, ops::Metrics& metrics);
    void Handle(const jobs::JobMessage& message, const std::atomic<bool>& stop);
    Result<std::vector<jobs::JobMessage>> Sweep();
    /// A handler threw on this message: the job fails (once) and its leftovers are removed.
    void Poisoned(const jobs::JobMessage& message, const Error& error);

private:
    Status LoadPart(const std::string& job_id, int part, const std::atomic<bool>& stop);
    Status Finalize(const std::string& job_id);
    /// Fail the job — unless its rows were committed already (then it is done) — and remove whatever its parts
    /// left in the company database.
    void FailJob(const std::string& job_id, const Error& error);
    /// The company database's ledger says the job was applied: `rows_applied`, or nullopt.
    Result<std::optional<std::int64_t>> AppliedRows(const std::string& job_id);
    /// For a failed job only: drop its load table and ledger rows, then the parts no live inserter holds.
    /// Idempotent; whoever last touched the job's company-database state runs it.
    void CleanUpFailed(const std::string& job_id);

    store::Databases& databases_;
    worker::WorkerConfig config_;
    std::string owner_;
    ops::Metrics& metrics_;
};

}  // namespace mt::inserter
