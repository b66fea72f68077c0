#include "inserter.hpp"

#include "mt/core/log.hpp"
#include "mt/jobs/lifecycle.hpp"
#include "mt/store/provisioning.hpp"
#include "mt/store/tables.hpp"
#include "target.hpp"

namespace mt::inserter {

Inserter::Inserter(store::Databases& databases, worker::WorkerConfig config, std::string owner, ops::Metrics& metrics)
    : databases_(databases), config_(std::move(config)), owner_(std::move(owner)), metrics_(metrics) {}

Result<std::vector<jobs::JobMessage>> Inserter::Sweep() {
    MT_ASSIGN_OR_RETURN(auto control, databases_.control().Acquire());
    // Failed jobs whose parts outlived them (an inserter died while holding one): clean up after them here.
    MT_ASSIGN_OR_RETURN(auto leftovers, jobs::FindFailedWithParts(*control));
    for (const auto& job_id : leftovers) CleanUpFailed(job_id);
    return jobs::FindInsertWork(*control, config_.queued_grace);
}

void Inserter::Handle(const jobs::JobMessage& message, const std::atomic<bool>& stop) {
    Status status = message.part ? LoadPart(message.job_id, *message.part, stop) : Ok();
    if (status) status = Finalize(message.job_id);
    if (status) return;
    const Error& e = status.error();
    if (e.Retryable()) {
        // Give the part back at once; a sweep (here or elsewhere) picks it up again.
        if (auto control = databases_.control().Acquire()) {
            (void)jobs::HandBackPart(**control, message.job_id, message.part, owner_);
        }
        log::Warn("insert interrupted; work handed back", {{"job_id", message.job_id}, {"error", e.message}});
        // The job may have failed on another part while this one worked, after that part's clean-up: whatever
        // this attempt created (the load table) is then ours to remove.
        CleanUpFailed(message.job_id);
        return;
    }
    FailJob(message.job_id, e);
}

void Inserter::Poisoned(const jobs::JobMessage& message, const Error& error) { FailJob(message.job_id, error); }

Result<std::optional<std::int64_t>> Inserter::AppliedRows(const std::string& job_id) {
    MT_ASSIGN_OR_RETURN(auto control, databases_.control().Acquire());
    MT_ASSIGN_OR_RETURN(auto job, jobs::LoadJob(*control, job_id));
    if (!job) return std::optional<std::int64_t>();
    MT_ASSIGN_OR_RETURN(auto connection, store::RequireConnection(databases_, job->company_id));
    MT_ASSIGN_OR_RETURN(auto url, databases_.CompanyUrl(connection));
    MT_ASSIGN_OR_RETURN(auto company, pg::Connection::Open(url, databases_.session()));
    MT_ASSIGN_OR_RETURN(auto rows,
                        company.Exec("SELECT rows_applied FROM mt_internal.applied_jobs WHERE job_id = $1", {job_id}));
    if (rows.empty()) return std::optional<std::int64_t>();
    return std::optional<std::int64_t>(std::stoll(std::string(rows.Get(0, 0))));
}

void Inserter::FailJob(const std::string& job_id, const Error& e) {
    // Never fail a job whose rows are committed: a retry of it would load them twice.
    if (auto applied = AppliedRows(job_id); !applied) {
        log::Warn("cannot check whether the job was applied; it stays inserting and is retried",
                  {{"job_id", job_id}, {"error", applied.error().message}});
        return;
    } else if (*applied) {
        if (auto control = databases_.control().Acquire()) {
            auto done = jobs::MarkDone(**control, job_id, **applied);
            if (done && *done) metrics_.JobTransition(jobs::Name(jobs::JobStatus::kDone));
        }
        log::Warn("an error came after the job's rows were committed; the job is done",
                  {{"job_id", job_id}, {"error", e.message}});
        return;
    }
    // Over the table's row cap (SQLSTATE MT001 from any load path: a direct COPY, finalize): the cap's message.
    if (e.code == "MT001") {
        FailJob(job_id, store::MapDdlError(e));
        return;
    }
    std::string code =
        e.location ? "VALUE_CONVERSION_FAILED" : (e.kind == ErrorKind::kValidation ? "INVALID_DATA" : "INSERT_FAILED");
    if (e.code == "MANAGED_TABLE_ROW_LIMIT" || e.kind == ErrorKind::kPrecondition) code = e.code;
    std::string text = e.kind == ErrorKind::kInternal ? "Internal error while inserting: " + e.message : e.message;
    std::optional<std::string> details;
    if (e.location) details = jobs::LocationJson(*e.location);
    {
        auto control = databases_.control().Acquire();
        if (!control) return;  // the job stays inserting; the part's lease runs out and it is retried
        auto failed = jobs::FailJob(**control, job_id, jobs::ErrorJson(text, code, details));
        if (!failed) {
            log::Error("could not record the job's failure", {{"job_id", job_id}, {"error", failed.error().message}});
            return;
        }
        if (*failed) {
            metrics_.JobTransition(jobs::Name(jobs::JobStatus::kFailed));
            log::Warn("insert failed", {{"job_id", job_id}, {"error", e.message}});
        }
    }
    CleanUpFailed(job_id);
}

void Inserter::CleanUpFailed(const std::string& job_id) {
    auto control = databases_.control().Acquire();
    if (!control) return;
    auto job = jobs::LoadJob(**control, job_id);
    if (!job || !*job || (*job)->status != jobs::JobStatus::kFailed) return;
    auto connection = store::RequireConnection(databases_, (*job)->company_id);
    if (!connection) return;
    auto url = databases_.CompanyUrl(*connection);
    if (!url) return;
    auto company = pg::Connection::Open(*url, databases_.session());
    if (!company) return;
    // The DROP waits for any part still copying into the table; that part then sees the job failed and rolls back.
    if (auto dropped = company->Run("DROP TABLE IF EXISTS " + LoadTable(job_id)); !dropped) {
        log::Warn("could not drop a failed job's load table", {{"job_id", job_id}, {"error", dropped.error().message}});
        return;  // the parts stay, so a later sweep tries again
    }
    (void)company->Exec("DELETE FROM mt_internal.applied_parts WHERE job_id = $1", {job_id});
    // Parts another live inserter still holds stay: that inserter cleans up after itself, or its lease runs out
    // and a sweep does.
    (void)jobs::DeleteFailedParts(**control, job_id, owner_);
}

}  // namespace mt::inserter
