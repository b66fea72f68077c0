// Loading one part of a job into its load table (or, for a one-part append, straight into the table), exactly once.
#include "inserter.hpp"
#include "mt/core/log.hpp"
#include "mt/jobs/lifecycle.hpp"
#include "mt/store/tables.hpp"
#include "mt/worker/lease.hpp"
#include "part_stream.hpp"
#include "target.hpp"

namespace mt::inserter {

Status Inserter::LoadPart(const std::string& job_id, int part, const std::atomic<bool>& stop) {
    MT_ASSIGN_OR_RETURN(auto control, databases_.control().Acquire());
    const jobs::LeaseTerms terms{owner_, config_.lease};
    MT_ASSIGN_OR_RETURN(auto claimed, jobs::ClaimPart(*control, job_id, part, terms));
    if (!claimed) return Ok();  // loaded, or leased by a live inserter, or the job ended
    if (claimed->attempts > config_.max_attempts) {
        return Validation("The rows could not be inserted: loading stopped unexpectedly " +
                          std::to_string(config_.max_attempts) + " times");
    }
    MT_ASSIGN_OR_RETURN(auto target, LoadTarget(databases_, *control, job_id));
    MT_ASSIGN_OR_RETURN(auto analysis, jobs::LoadAnalysis(*control, job_id));
    MT_ASSIGN_OR_RETURN(auto plan, BuildLoadPlan(target.job, analysis, target.columns));
    const std::string part_str = std::to_string(part);
    // A one-part append writes its rows once, into the table itself, and commits the job with them.
    // Straight into the table only when its columns stay as they are (update_schema alters them at finalize) and
    // no If-Match waits for the finalize to check the table's version.
    const bool direct = target.job.mode == jobs::JobMode::kAppend && claimed->parts == 1 &&
                        target.job.on_schema_error != "update_schema" && !target.job.if_match;
    log::Info("part started", {{"job_id", job_id},
                               {"request_id", target.job.request_id},
                               {"part", part_str},
                               {"rows", std::to_string(claimed->spec.rows())},
                               {"direct", direct ? "true" : "false"}});

    worker::LeaseKeeper lease(
        databases_.control(), [&](pg::Connection& c) { return jobs::ExtendPartLease(c, job_id, part, terms); },
        config_.lease / 3);
    MT_ASSIGN_OR_RETURN(auto company, pg::Connection::Open(target.company_url, databases_.session()));
    if (!direct) MT_TRY(EnsureLoadTable(company, job_id, target.columns));

    auto progress = [&](std::int64_t rows) -> Status {
        if (stop.load()) return Unavailable("worker stopping");
        if (lease.lost()) return Unavailable("part lease lost");
        return jobs::RecordPartProgress(*control, job_id, part, rows);
    };
    std::int64_t loaded = 0;
    auto copy_started = std::chrono::steady_clock::now();
    MT_TRY(pg::InTransaction(company, [&]() -> Status {
        MT_TRY(TakeFence(company, job_id, part));
        MT_ASSIGN_OR_RETURN(auto applied, company.Exec(direct ? "SELECT rows_applied FROM mt_internal.applied_jobs "
                                                                "WHERE job_id = $1"
                                                              : "SELECT rows_applied FROM mt_internal.applied_parts "
                                                                "WHERE job_id = $1 AND part = $2::int",
                                                       direct ? pg::Params{job_id} : pg::Params{job_id, part_str}));
        if (!applied.empty()) {  // an earlier attempt committed this part; only the control update was lost
            loaded = std::stoll(std::string(applied.Get(0, 0)));
            return Ok();
        }
        PartStream stream(plan, claimed->spec, target.job.id_base_ms, *control, progress, stop);
        const std::string into = direct ? store::QualifiedName(target.physical_name) : LoadTable(job_id);
        const std::string copy = "COPY " + into + " (" + ColumnList(target.columns) + ") FROM STDIN";
        MT_ASSIGN_OR_RETURN(loaded, company.CopyIn(copy, [&](std::string& out) { return stream.Fill(out); }));
        if (direct) {
            MT_TRY(company.Exec("INSERT INTO mt_internal.applied_jobs (job_id, rows_applied) VALUES ($1, $2)",
                                {job_id, std::to_string(loaded)}));
        } else {
            MT_TRY(
                company.Exec("INSERT INTO mt_internal.applied_parts (job_id, part, rows_applied) VALUES ($1, $2, "
                             "$3) ON CONFLICT DO NOTHING",
                             {job_id, part_str, std::to_string(loaded)}));
        }
        // Do not commit rows for a job that failed meanwhile (another part hit a bad value).
        MT_ASSIGN_OR_RETURN(auto job, jobs::LoadJob(*control, job_id));
        if (!job || job->status != jobs::JobStatus::kInserting) return Unavailable("job is no longer inserting");
        if (lease.lost()) return Unavailable("part lease lost");
        return Ok();
    }));
    metrics_.inserter_copy_seconds().Observe(
        std::chrono::duration<double>(std::chrono::steady_clock::now() - copy_started).count());
    metrics_.inserter_rows().Increment(static_cast<double>(loaded));
    MT_TRY(jobs::MarkPartLoaded(*control, job_id, part, loaded));
    log::Info("part loaded", {{"job_id", job_id}, {"part", part_str}, {"rows", std::to_string(loaded)}});
    return Ok();
}

}  // namespace mt::inserter
