#include "analyzer.hpp"

#include <filesystem>

#include "analysis.hpp"
#include "mt/core/log.hpp"
#include "mt/jobs/lease.hpp"
#include "mt/jobs/sources.hpp"

namespace mt::analyzer {
Analyzer::Analyzer(store::Databases& databases, jobs::WorkerConfig config, std::string owner, ops::Metrics& metrics)
    : databases_(databases), config_(std::move(config)), owner_(std::move(owner)), metrics_(metrics) {}

void Analyzer::ExpireUnconfirmed(pg::Connection& control) {
    std::string hours = std::to_string(config_.unconfirmed_ttl.count());
    auto expired = jobs::ExpireUnconfirmedJobs(control, config_.unconfirmed_ttl,
                                               jobs::ErrorJson("The upload was not confirmed within " + hours +
                                                                   " hours; its files were discarded. "
                                                                   "Upload them again.",
                                                               "UPLOAD_EXPIRED", std::nullopt));
    if (!expired) {
        log::Warn("expiring unconfirmed uploads failed", {{"error", expired.error().message}});
        return;
    }
    for (const auto& id : *expired) {
        metrics_.JobTransition(jobs::kFailed);
        log::Info("unconfirmed upload expired", {{"job_id", id}, {"hours", hours}});
    }
}

Result<std::vector<jobs::JobMessage>> Analyzer::Sweep() {
    MT_ASSIGN_OR_RETURN(auto control, databases_.control().Acquire());
    ExpireUnconfirmed(*control);
    MT_ASSIGN_OR_RETURN(
        auto rows, control->Exec("SELECT id, company_id, coalesce(request_id, '') FROM mt_jobs WHERE "
                                 "(status = 'queued' AND updated_at < now() - make_interval(secs => $1::int)) OR "
                                 "(status = 'analisando' AND lease_expires_at < now()) ORDER BY created_at LIMIT 20",
                                 {std::to_string(config_.queued_grace.count())}));
    std::vector<jobs::JobMessage> out;
    for (int r = 0; r < rows.size(); ++r)
        out.push_back({std::string(rows.Get(r, 0)), std::string(rows.Get(r, 1)), std::string(rows.Get(r, 2)), {}});
    return out;
}

void Analyzer::Handle(const jobs::JobMessage& message, const std::atomic<bool>& stop) {
    auto status = Analyze(message.job_id, stop);
    if (status) return;
    const Error& e = status.error();
    auto control = databases_.control().Acquire();
    if (!control) return;  // the lease expires and a sweep retries
    if (e.Retryable()) {
        // Hand the job back at once: the next sweep (here or in another analyzer) takes it again.
        (void)(*control)->Exec("UPDATE mt_jobs SET lease_expires_at = now() WHERE id = $1 AND lease_owner = $2",
                               {message.job_id, owner_});
        log::Warn("analysis interrupted; job handed back",
                  {{"job_id", message.job_id}, {"request_id", message.request_id}, {"error", e.message}});
        return;
    }
    std::string code = e.kind == ErrorKind::kValidation ? "INVALID_FILE" : "ANALYSIS_FAILED";
    std::string text = e.kind == ErrorKind::kInternal ? "Internal error while analyzing the files" : e.message;
    std::optional<std::string> details;
    if (e.location) details = jobs::LocationJson(*e.location);
    auto failed = jobs::FailJob(**control, message.job_id, jobs::ErrorJson(text, code, details));
    if (!failed) {
        log::Error("could not record the job's failure",
                   {{"job_id", message.job_id}, {"error", failed.error().message}});
    } else if (*failed) {
        metrics_.JobTransition(jobs::kFailed);
    }
    log::Warn("analysis failed",
              {{"job_id", message.job_id}, {"request_id", message.request_id}, {"error", e.message}});
}

Status Analyzer::Analyze(const std::string& job_id, const std::atomic<bool>& stop) {
    MT_ASSIGN_OR_RETURN(auto control, databases_.control().Acquire());
    MT_ASSIGN_OR_RETURN(
        auto claimed,
        control->Exec(
            "UPDATE mt_jobs SET status = 'analisando', lease_owner = $2, "
            "lease_expires_at = now() + make_interval(secs => $3::int), attempts = attempts + 1, updated_at = now() "
            "WHERE id = $1 AND (status = 'queued' OR (status = 'analisando' AND lease_expires_at < now())) "
            "RETURNING attempts",
            {job_id, owner_, std::to_string(config_.lease.count())}));
    if (claimed.empty()) return Ok();  // done, taken by a live worker, or gone: nothing to do
    if (std::stoi(std::string(claimed.Get(0, 0))) > config_.max_attempts) {
        return Validation("The files could not be analyzed: the analysis stopped unexpectedly " +
                          std::to_string(config_.max_attempts) + " times");
    }
    metrics_.JobTransition(jobs::kAnalyzing);
    MT_ASSIGN_OR_RETURN(auto job, jobs::LoadJob(*control, job_id));
    if (!job) return Ok();
    log::Info("analysis started", {{"job_id", job_id}, {"request_id", job->request_id}});
    jobs::LeaseKeeper lease(databases_.control(),
                            "UPDATE mt_jobs SET lease_expires_at = now() + make_interval(secs => $3::int) "
                            "WHERE id = $1 AND lease_owner = $2 AND status = 'analisando'",
                            {job_id, owner_, std::to_string(config_.lease.count())}, config_.lease / 3);
    MT_ASSIGN_OR_RETURN(auto scratch, jobs::ScratchDir::Create(config_.scratch_dir, "analyze-" + job_id));
    MT_ASSIGN_OR_RETURN(auto files, jobs::MaterializeFiles(*control, *job, scratch.path()));
    std::vector<FileAnalysis> analyses;
    for (const auto& f : files) {
        MT_ASSIGN_OR_RETURN(auto fa, AnalyzeFile(f, stop));
        metrics_.analyzer_rows().Increment(static_cast<double>(fa.rows));
        std::error_code ec;
        auto size = std::filesystem::file_size(f.local_path, ec);
        if (!ec) metrics_.analyzer_bytes().Increment(static_cast<double>(size));
        analyses.push_back(std::move(fa));
        if (lease.lost()) return Unavailable("lease lost");
    }
    std::string base = job->files.front().original_name;
    base = std::filesystem::path(base).stem().string();
    MT_ASSIGN_OR_RETURN(auto combined, CombineFiles(analyses, base));
    MT_ASSIGN_OR_RETURN(
        auto done,
        control->Exec("UPDATE mt_jobs SET status = 'waiting_confirm', inferred_schema = $3::json, analysis = $4::json, "
                      "lease_owner = NULL, lease_expires_at = NULL, updated_at = now() "
                      "WHERE id = $1 AND lease_owner = $2 AND status = 'analisando'",
                      {job_id, owner_, combined.inferred_schema_json, combined.analysis_json}));
    if (done.affected() == 1) metrics_.JobTransition(jobs::kWaitingConfirm);
    log::Info("analysis done", {{"job_id", job_id},
                                {"request_id", job->request_id},
                                {"rows", std::to_string(combined.total_rows)},
                                {"applied", done.affected() == 1 ? "true" : "false"}});
    return Ok();
}

}  // namespace mt::analyzer
