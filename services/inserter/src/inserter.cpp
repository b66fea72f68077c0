#include "inserter.hpp"

#include "mt/core/log.hpp"
#include "mt/jobs/blob_store.hpp"
#include "mt/jobs/lease.hpp"
#include "mt/jobs/sources.hpp"
#include "mt/store/provisioning.hpp"
#include "mt/store/tables.hpp"
#include "mt/types/identifier.hpp"
#include "part_stream.hpp"
#include "target.hpp"

namespace mt::inserter {
Result<std::vector<types::Column>> TargetColumns(const jobs::JobRecord& job, const store::TableRecord& table) {
    if (job.mode != "create") return table.columns;
    MT_ASSIGN_OR_RETURN(auto confirmed, json::ParseJson(*job.confirmed_schema));
    return store::ColumnsFromJson(json::Serialize(*json::Find(confirmed, "columns")));
}

Inserter::Inserter(store::Databases& databases, jobs::WorkerConfig config, std::string owner, ops::Metrics& metrics)
    : databases_(databases), config_(std::move(config)), owner_(std::move(owner)), metrics_(metrics) {}

Result<std::vector<jobs::JobMessage>> Inserter::Sweep() {
    MT_ASSIGN_OR_RETURN(auto control, databases_.control().Acquire());
    // Failed jobs whose parts outlived them (an inserter died while holding one): clean up after them here.
    MT_ASSIGN_OR_RETURN(
        auto leftovers,
        control->Exec(
            "SELECT DISTINCT p.job_id FROM mt_job_parts p JOIN mt_jobs j ON j.id = p.job_id WHERE j.status = 'failed' "
            "AND NOT EXISTS (SELECT 1 FROM mt_job_parts l WHERE l.job_id = p.job_id AND l.status = 'loading' AND "
            "l.lease_expires_at > now()) LIMIT 20"));
    for (int r = 0; r < leftovers.size(); ++r) CleanUpFailed(std::string(leftovers.Get(r, 0)));
    MT_ASSIGN_OR_RETURN(
        auto rows,
        control->Exec(
            "SELECT j.id, j.company_id, coalesce(j.request_id, ''), p.part FROM mt_job_parts p JOIN mt_jobs j "
            "ON j.id = p.job_id WHERE j.status = 'inserting' AND ((p.status = 'pending' AND j.updated_at < now() - "
            "make_interval(secs => $1::int)) OR (p.status = 'loading' AND p.lease_expires_at < now())) "
            "UNION ALL SELECT j.id, j.company_id, coalesce(j.request_id, ''), NULL FROM mt_jobs j "
            "WHERE j.status = 'inserting' AND (j.lease_owner IS NULL OR j.lease_expires_at < now()) AND j.updated_at < "
            "now() - make_interval(secs => $1::int) AND NOT EXISTS (SELECT 1 FROM mt_job_parts p WHERE p.job_id = j.id "
            "AND p.status <> 'loaded') LIMIT 20",
            {std::to_string(config_.queued_grace.count())}));
    std::vector<jobs::JobMessage> out;
    for (int r = 0; r < rows.size(); ++r) {
        jobs::JobMessage m{std::string(rows.Get(r, 0)), std::string(rows.Get(r, 1)), std::string(rows.Get(r, 2)), {}};
        if (!rows.IsNull(r, 3)) m.part = std::stoi(std::string(rows.Get(r, 3)));
        out.push_back(std::move(m));
    }
    return out;
}

void Inserter::Handle(const jobs::JobMessage& message, const std::atomic<bool>& stop) {
    Status status = message.part ? LoadPart(message.job_id, *message.part, stop) : Ok();
    if (status) status = Finalize(message.job_id);
    if (status) return;
    const Error& e = status.error();
    if (e.Retryable()) {
        // Give the part back at once; a sweep (here or elsewhere) picks it up again.
        if (auto control = databases_.control().Acquire()) {
            (void)(*control)->Exec(
                "UPDATE mt_job_parts SET lease_expires_at = now() WHERE job_id = $1 AND "
                "lease_owner = $2 AND status = 'loading'",
                {message.job_id, owner_});
            (void)(*control)->Exec("UPDATE mt_jobs SET lease_expires_at = now() WHERE id = $1 AND lease_owner = $2",
                                   {message.job_id, owner_});
        }
        log::Warn("insert interrupted; work handed back", {{"job_id", message.job_id}, {"error", e.message}});
        // The job may have failed on another part while this one worked, after that part's clean-up: whatever
        // this attempt created (the load table) is then ours to remove.
        CleanUpFailed(message.job_id);
        return;
    }
    FailJob(message.job_id, e);
}

void Inserter::FailJob(const std::string& job_id, const Error& e) {
    std::string code =
        e.location ? "VALUE_CONVERSION_FAILED" : (e.kind == ErrorKind::kValidation ? "INVALID_DATA" : "INSERT_FAILED");
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
            metrics_.JobTransition(jobs::kFailed);
            log::Warn("insert failed", {{"job_id", job_id}, {"error", e.message}});
        }
    }
    CleanUpFailed(job_id);
}

void Inserter::CleanUpFailed(const std::string& job_id) {
    auto control = databases_.control().Acquire();
    if (!control) return;
    auto job = jobs::LoadJob(**control, job_id);
    if (!job || !*job || (*job)->status != jobs::kFailed) return;
    auto connection = store::RequireConnection(databases_, (*job)->company_id);
    if (!connection) return;
    auto url = databases_.CompanyUrl(*connection);
    if (!url) return;
    auto company = pg::Connection::Open(*url);
    if (!company) return;
    // The DROP waits for any part still copying into the table; that part then sees the job failed and rolls back.
    if (auto dropped = company->Run("DROP TABLE IF EXISTS " + LoadTable(job_id)); !dropped) {
        log::Warn("could not drop a failed job's load table", {{"job_id", job_id}, {"error", dropped.error().message}});
        return;  // the parts stay, so a later sweep tries again
    }
    (void)company->Exec("DELETE FROM mt_internal.applied_parts WHERE job_id = $1", {job_id});
    // Parts another live inserter still holds stay: that inserter cleans up after itself, or its lease runs out
    // and a sweep does.
    (void)(*control)->Exec(
        "DELETE FROM mt_job_parts WHERE job_id = $1 AND NOT (status = 'loading' AND "
        "lease_owner <> $2 AND lease_expires_at > now())",
        {job_id, owner_});
}

}  // namespace mt::inserter
