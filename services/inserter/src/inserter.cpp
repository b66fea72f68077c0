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
    MT_ASSIGN_OR_RETURN(auto rows, control->Exec(
        "SELECT j.id, j.company_id, coalesce(j.request_id, ''), p.part FROM mt_job_parts p JOIN mt_jobs j "
        "ON j.id = p.job_id WHERE j.status = 'inserting' AND ((p.status = 'pending' AND j.updated_at < now() - "
        "make_interval(secs => $1::int)) OR (p.status = 'loading' AND p.lease_expires_at < now())) "
        "UNION ALL SELECT j.id, j.company_id, coalesce(j.request_id, ''), NULL FROM mt_jobs j "
        "WHERE j.status = 'inserting' AND (j.lease_owner IS NULL OR j.lease_expires_at < now()) AND j.updated_at < "
        "now() - make_interval(secs => $1::int) AND NOT EXISTS (SELECT 1 FROM mt_job_parts p WHERE p.job_id = j.id "
        "AND p.status <> 'loaded') LIMIT 20", {std::to_string(config_.queued_grace.count())}));
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
            (void)(*control)->Exec("UPDATE mt_job_parts SET lease_expires_at = now() WHERE job_id = $1 AND "
                                   "lease_owner = $2 AND status = 'loading'", {message.job_id, owner_});
            (void)(*control)->Exec("UPDATE mt_jobs SET lease_expires_at = now() WHERE id = $1 AND lease_owner = $2",
                                   {message.job_id, owner_});
        }
        log::Warn("insert interrupted; work handed back", {{"job_id", message.job_id}, {"error", e.message}});
        return;
    }
    FailJob(message.job_id, e);
}

void Inserter::FailJob(const std::string& job_id, const Error& e) {
    std::string code = e.location ? "VALUE_CONVERSION_FAILED" : (e.kind == ErrorKind::kValidation ? "INVALID_DATA"
                                                                                                  : "INSERT_FAILED");
    std::string text = e.kind == ErrorKind::kInternal ? "Internal error while inserting: " + e.message : e.message;
    std::optional<std::string> details;
    if (e.location) details = jobs::LocationJson(*e.location);
    auto control = databases_.control().Acquire();
    if (!control) return;
    metrics_.JobTransition(jobs::kFailed);
    if (auto failed = jobs::FailJob(**control, job_id, jobs::ErrorJson(text, code, details)); !failed) {
        log::Error("could not record the job's failure", {{"job_id", job_id}, {"error", failed.error().message}});
    }
    log::Warn("insert failed", {{"job_id", job_id}, {"error", e.message}});
    // Leave nothing behind in the company database.
    auto job = jobs::LoadJob(**control, job_id);
    if (!job || !*job) return;
    auto connection = store::RequireConnection(databases_, (*job)->company_id);
    if (!connection) return;
    auto url = databases_.CompanyUrl(*connection);
    if (!url) return;
    if (auto company = pg::Connection::Open(*url)) {
        (void)company->Run("DROP TABLE IF EXISTS " + LoadTable(job_id));
        (void)company->Exec("DELETE FROM mt_internal.applied_parts WHERE job_id = $1", {job_id});
    }
}

}  // namespace mt::inserter
