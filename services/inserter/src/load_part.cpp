// Loading one part of a job into its load table, exactly once.
#include "inserter.hpp"
#include "mt/core/log.hpp"
#include "mt/jobs/lease.hpp"
#include "mt/jobs/sources.hpp"
#include "mt/store/provisioning.hpp"
#include "mt/store/tables.hpp"
#include "mt/types/identifier.hpp"
#include "part_stream.hpp"
#include "target.hpp"

namespace mt::inserter {

Status Inserter::LoadPart(const std::string& job_id, int part, const std::atomic<bool>& stop) {
    MT_ASSIGN_OR_RETURN(auto control, databases_.control().Acquire());
    std::string part_str = std::to_string(part);
    std::string lease_secs = std::to_string(config_.lease.count());
    MT_ASSIGN_OR_RETURN(
        auto claimed,
        control->Exec(
            "UPDATE mt_job_parts SET status = 'loading', lease_owner = $3, lease_expires_at = now() + "
            "make_interval(secs => $4::int), attempts = attempts + 1 WHERE job_id = $1 AND part = $2 AND (status = "
            "'pending' OR "
            "(status = 'loading' AND lease_expires_at < now())) AND EXISTS (SELECT 1 FROM mt_jobs WHERE id = $1 AND "
            "status = 'inserting') RETURNING spec::text, attempts",
            {job_id, part_str, owner_, lease_secs}));
    if (claimed.empty()) return Ok();  // loaded, or leased by a live inserter, or the job ended
    if (std::stoi(std::string(claimed.Get(0, 1))) > config_.max_attempts) {
        return Validation("The rows could not be inserted: loading stopped unexpectedly " +
                          std::to_string(config_.max_attempts) + " times");
    }
    MT_ASSIGN_OR_RETURN(auto range, ParseRange(claimed.Get(0, 0)));
    MT_ASSIGN_OR_RETURN(auto target, LoadTarget(databases_, *control, job_id));
    MT_ASSIGN_OR_RETURN(auto plan, BuildLoadPlan(target.job, target.columns));
    log::Info("part started", {{"job_id", job_id}, {"request_id", target.job.request_id}, {"part", part_str}});

    jobs::LeaseKeeper lease(databases_.control(),
                            "UPDATE mt_job_parts SET lease_expires_at = now() + make_interval(secs => $4::int) "
                            "WHERE job_id = $1 AND part = $2 AND lease_owner = $3 AND status = 'loading'",
                            {job_id, part_str, owner_, lease_secs}, config_.lease / 3);
    MT_ASSIGN_OR_RETURN(auto scratch, jobs::ScratchDir::Create(config_.scratch_dir, "insert-" + job_id));
    MT_ASSIGN_OR_RETURN(auto files, jobs::MaterializeFiles(*control, target.job, scratch.path()));
    MT_ASSIGN_OR_RETURN(auto company, pg::Connection::Open(target.company_url));
    MT_TRY(EnsureLoadTable(company, job_id, target.columns));

    auto progress = [&](std::int64_t rows) -> Status {
        if (stop.load()) return Unavailable("worker stopping");
        if (lease.lost()) return Unavailable("part lease lost");
        MT_TRY(control->Exec("UPDATE mt_job_parts SET rows_loaded = $3 WHERE job_id = $1 AND part = $2",
                             {job_id, part_str, std::to_string(rows)}));
        return UpdateProgress(*control, job_id);
    };
    std::int64_t loaded = 0;
    auto copy_started = std::chrono::steady_clock::now();
    MT_TRY(pg::InTransaction(company, [&]() -> Status {
        MT_ASSIGN_OR_RETURN(auto applied, company.Exec("SELECT rows_applied FROM mt_internal.applied_parts WHERE "
                                                       "job_id = $1 AND part = $2",
                                                       {job_id, part_str}));
        if (!applied.empty()) {  // an earlier attempt committed this part; only the control update was lost
            loaded = std::stoll(std::string(applied.Get(0, 0)));
            return Ok();
        }
        PartStream stream(plan, files, range, progress);
        std::string copy = "COPY " + LoadTable(job_id) + " (" + ColumnList(target.columns) + ") FROM STDIN";
        MT_ASSIGN_OR_RETURN(loaded, company.CopyIn(copy, [&](std::string& out) { return stream.Fill(out); }));
        MT_TRY(company.Exec("INSERT INTO mt_internal.applied_parts (job_id, part, rows_applied) VALUES ($1, $2, $3)",
                            {job_id, part_str, std::to_string(loaded)}));
        // Do not commit rows for a job that failed meanwhile (another part hit a bad value).
        MT_ASSIGN_OR_RETURN(auto still,
                            control->Exec("SELECT 1 FROM mt_jobs WHERE id = $1 AND status = 'inserting'", {job_id}));
        if (still.empty()) return Unavailable("job is no longer inserting");
        if (lease.lost()) return Unavailable("part lease lost");
        return Ok();
    }));
    metrics_.inserter_copy_seconds().Observe(
        std::chrono::duration<double>(std::chrono::steady_clock::now() - copy_started).count());
    metrics_.inserter_rows().Increment(static_cast<double>(loaded));
    MT_TRY(
        control->Exec("UPDATE mt_job_parts SET status = 'loaded', rows_loaded = $3, lease_owner = NULL, "
                      "lease_expires_at = NULL WHERE job_id = $1 AND part = $2",
                      {job_id, part_str, std::to_string(loaded)}));
    MT_TRY(UpdateProgress(*control, job_id));
    log::Info("part loaded", {{"job_id", job_id}, {"part", part_str}, {"rows", std::to_string(loaded)}});
    return Ok();
}

}  // namespace mt::inserter
