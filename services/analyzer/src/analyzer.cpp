#include "analyzer.hpp"

#include <algorithm>
#include <chrono>
#include <filesystem>

#include "analysis.hpp"
#include "mt/core/log.hpp"
#include "mt/jobs/lifecycle.hpp"
#include "mt/worker/lease.hpp"
#include "mt/worker/scratch.hpp"
#include "sources.hpp"

namespace mt::analyzer {

Analyzer::Analyzer(store::Databases& databases, worker::WorkerConfig config, std::string owner, ops::Metrics& metrics)
    : databases_(databases), config_(std::move(config)), owner_(std::move(owner)), metrics_(metrics) {
    limits_.max_job_bytes = config_.max_job_bytes;
    limits_.max_job_rows = config_.max_job_rows;
    limits_.reader.max_row_bytes = config_.max_row_bytes;
    // Parts are cut at checkpoints: several per part, so parts come out close to their size.
    limits_.checkpoint_rows = std::clamp<std::int64_t>(config_.part_rows / 4, 1, limits_.checkpoint_rows);
}

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
        metrics_.JobTransition(jobs::Name(jobs::JobStatus::kFailed));
        log::Info("unconfirmed upload expired", {{"job_id", id}, {"hours", hours}});
    }
}

Result<std::vector<jobs::JobMessage>> Analyzer::Sweep() {
    MT_ASSIGN_OR_RETURN(auto control, databases_.control().Acquire());
    ExpireUnconfirmed(*control);
    return jobs::FindAnalysisWork(*control, config_.queued_grace);
}

void Analyzer::Handle(const jobs::JobMessage& message, const std::atomic<bool>& stop) {
    auto status = Analyze(message.job_id, stop);
    if (status) return;
    const Error& e = status.error();
    auto control = databases_.control().Acquire();
    if (!control) return;  // the lease expires and a sweep retries
    if (e.Retryable()) {
        // Hand the job back at once: the next sweep (here or in another analyzer) takes it again.
        (void)jobs::HandBackJob(**control, message.job_id, owner_);
        log::Warn("analysis interrupted; job handed back",
                  {{"job_id", message.job_id}, {"request_id", message.request_id}, {"error", e.message}});
        return;
    }
    Fail(**control, message, e);
}

void Analyzer::Poisoned(const jobs::JobMessage& message, const Error& error) {
    auto control = databases_.control().Acquire();
    if (!control) return;
    Fail(**control, message, error);
}

void Analyzer::Fail(pg::Connection& control, const jobs::JobMessage& message, const Error& e) {
    std::string code = e.kind == ErrorKind::kValidation ? "INVALID_FILE" : "ANALYSIS_FAILED";
    // An internal error's text is for the logs, except a full scratch disk, which the user should know of.
    std::string text = e.kind == ErrorKind::kInternal && e.code != "SCRATCH_FULL"
                           ? "Internal error while analyzing the files"
                           : e.message;
    std::optional<std::string> details;
    if (e.location) details = jobs::LocationJson(*e.location);
    auto failed = jobs::FailJob(control, message.job_id, jobs::ErrorJson(text, code, details));
    if (!failed) {
        log::Error("could not record the job's failure",
                   {{"job_id", message.job_id}, {"error", failed.error().message}});
    } else if (*failed) {
        metrics_.JobTransition(jobs::Name(jobs::JobStatus::kFailed));
    }
    log::Warn("analysis failed",
              {{"job_id", message.job_id}, {"request_id", message.request_id}, {"error", e.message}});
}

Status Analyzer::Analyze(const std::string& job_id, const std::atomic<bool>& stop) {
    MT_ASSIGN_OR_RETURN(auto control, databases_.control().Acquire());
    const jobs::LeaseTerms terms{owner_, config_.lease};
    MT_ASSIGN_OR_RETURN(auto attempt, jobs::ClaimForAnalysis(*control, job_id, terms));
    if (!attempt) return Ok();  // done, taken by a live worker, or gone: nothing to do
    if (*attempt > config_.max_attempts) {
        return Validation("The files could not be analyzed: the analysis stopped unexpectedly " +
                          std::to_string(config_.max_attempts) + " times");
    }
    metrics_.JobTransition(jobs::Name(jobs::JobStatus::kAnalyzing));
    MT_ASSIGN_OR_RETURN(auto job, jobs::LoadJob(*control, job_id));
    if (!job) return Ok();
    log::Info("analysis started", {{"job_id", job_id}, {"request_id", job->request_id}});
    worker::LeaseKeeper lease(
        databases_.control(), [&](pg::Connection& c) { return jobs::ExtendAnalysisLease(c, job_id, terms); },
        config_.lease / 3);
    const auto started = std::chrono::steady_clock::now();
    MT_ASSIGN_OR_RETURN(auto scratch, worker::ScratchDir::Create(config_.scratch_dir, "analyze"));
    MT_ASSIGN_OR_RETURN(auto files, MaterializeFiles(*control, *job, scratch.path(), limits_.max_job_bytes));
    const auto fetched = std::chrono::steady_clock::now();
    auto keep_going = [&] { return !stop.load() && !lease.lost(); };
    JobUsage usage;
    std::vector<FileAnalysis> analyses;
    for (std::size_t i = 0; i < files.size(); ++i) {
        const SourceFile& f = files[i];
        MT_ASSIGN_OR_RETURN(auto opened, OpenSource(f, limits_.reader));
        std::optional<jobs::BlobWriter> writer;
        Staging staging;
        if (NeedsStaging(f, opened)) {
            staging.blob_id = jobs::StagedBlobId(job_id, i);
            MT_ASSIGN_OR_RETURN(writer, jobs::BlobWriter::Create(*control, staging.blob_id));
            staging.writer = &*writer;
        }
        MT_ASSIGN_OR_RETURN(auto fa, AnalyzeFile(f, std::move(opened), staging, limits_, usage, keep_going));
        if (writer) MT_TRY(writer->Finish());
        metrics_.analyzer_rows().Increment(static_cast<double>(fa.rows));
        std::error_code ec;
        auto size = std::filesystem::file_size(f.local_path, ec);
        if (!ec) metrics_.analyzer_bytes().Increment(static_cast<double>(size));
        std::filesystem::remove(f.local_path, ec);  // read: its disk space goes back before the next file
        analyses.push_back(std::move(fa));
        if (!keep_going()) return Unavailable("analysis interrupted");
    }
    std::string base = job->files.front().original_name;
    base = std::filesystem::path(base).stem().string();
    MT_ASSIGN_OR_RETURN(auto combined, CombineFiles(std::move(analyses), base, limits_));
    // An append small enough loads as one part straight into its table (see the inserter): its rows are written
    // once instead of into a load table and then copied.
    const bool direct_append = job->mode == jobs::JobMode::kAppend && combined.total_rows <= config_.append_direct_rows;
    const auto parts = jobs::PlanParts(
        combined.record, direct_append ? std::max<std::int64_t>(1, combined.total_rows) : config_.part_rows);
    MT_ASSIGN_OR_RETURN(bool applied,
                        jobs::MarkAnalyzed(*control, job_id, owner_, combined.inferred_schema_json, combined.record,
                                           parts, combined.warnings, combined.warning_count));
    if (applied) metrics_.JobTransition(jobs::Name(jobs::JobStatus::kWaitingConfirm));
    auto ms = [](auto from, auto to) {
        return std::to_string(std::chrono::duration_cast<std::chrono::milliseconds>(to - from).count());
    };
    log::Info("analysis done", {{"job_id", job_id},
                                {"request_id", job->request_id},
                                {"rows", std::to_string(combined.total_rows)},
                                {"fetch_ms", ms(started, fetched)},
                                {"read_ms", ms(fetched, std::chrono::steady_clock::now())},
                                {"parts", std::to_string(parts.size())},
                                {"applied", applied ? "true" : "false"}});
    return Ok();
}

}  // namespace mt::analyzer
