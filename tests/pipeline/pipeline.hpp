#pragma once
/// What the upload-pipeline suites share: the executable's Stack with the dev broker, one analyzer and two
/// inserters tuned for fast recovery; upload / poll / confirm helpers for one company; and snapshots of what a
/// company has in PostgreSQL, to prove that a failed upload wrote nothing.
#include <chrono>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "e2e.hpp"

namespace pipeline {

using e2e::Api;
using e2e::Response;
using e2e::Stack;
using e2e::StackOptions;
using mt::testing::MultipartField;
using mt::testing::MultipartFile;
using mt::testing::Process;
using namespace std::chrono_literals;

inline const std::vector<std::string> kWorkers = {"mt-analyzer", "mt-inserter-1", "mt-inserter-2"};

struct PipelineOptions {
    std::string name = "pipeline";
    std::int64_t part_rows = 2000;  // MT_INSERT_PART_ROWS of the analyzer: small, so small files still have parts
    std::map<std::string, std::string> worker_env{};  // more settings of every worker (e.g. a small job budget)
};

/// The executable's stack (the first call's options win) with every worker of kWorkers running: a worker an
/// earlier test killed is started again.
Stack& PipelineStack(const PipelineOptions& options = {});
/// The worker environment that makes recovery quick: 3 s leases, 300 ms sweeps, 1 s grace for lost messages.
std::map<std::string, std::string> WorkerEnv();
/// Starts `name` (mt-analyzer or mt-inserter-N) and waits until it logged that it started.
Process& StartWorker(Stack& stack, const std::string& name);
/// SIGKILLs the process of that name (if it runs), reaps and forgets it.
void KillAndForget(Stack& stack, const std::string& name);
/// The tails of every worker's log, for failure messages.
std::string WorkerLogs(Stack& stack, std::size_t lines = 15);

/// The job statuses a poll stops at.
inline const std::vector<std::string> kAnalyzed = {"waiting_confirm", "failed"};
inline const std::vector<std::string> kFinished = {"done", "failed"};

/// A provisioned company of its own, with the upload flow as one-liners. Helpers REQUIRE success.
struct Uploader : e2e::Tenant {
    explicit Uploader(Stack& stack);

    Response Upload(const std::vector<MultipartFile>& files, const std::vector<MultipartField>& fields = {},
                    std::string_view table_id = {});
    /// POST /upload (or /:id/upload): REQUIREs 201 {job_id, status: "queued"}; returns the job id.
    std::string Start(const std::vector<MultipartFile>& files, const std::vector<MultipartField>& fields = {},
                      std::string_view table_id = {});
    rapidjson::Document Job(std::string_view job_id);
    /// Polls GET /upload-jobs/:id until its status is one of `statuses`; REQUIREs it within `timeout`.
    rapidjson::Document WaitJob(std::string_view job_id, const std::vector<std::string>& statuses,
                                std::chrono::milliseconds timeout = 60s);
    /// Start + wait for waiting_confirm (REQUIREd; the job is printed otherwise).
    rapidjson::Document Analyzed(const std::vector<MultipartFile>& files, std::string* job_id,
                                 const std::vector<MultipartField>& fields = {}, std::string_view table_id = {});
    Response Confirm(std::string_view job_id, std::string_view body = "{}");
    /// Confirm (200 {"status":"inserting"} REQUIREd) + wait for done (REQUIREd); returns the job.
    rapidjson::Document ConfirmDone(std::string_view job_id, std::string_view body = "{}",
                                    std::chrono::milliseconds timeout = 120s);
    /// Every row of the table (pages of 1000) in insertion order, each serialized with exact numbers and
    /// without its `id`, e.g. {"produto":"Camisa","preco":89.90}.
    std::vector<std::string> RowTexts(std::string_view table_id);
    /// The table record (GET /:id), REQUIREd 200.
    rapidjson::Document Table(std::string_view table_id);
};

/// Everything a company has in PostgreSQL: its mt_tables rows, and every table of its database (public,
/// mt_internal, mt_archive) with a checksum of its content. Equal snapshots: nothing was written.
std::vector<std::string> Snapshot(Stack& stack, std::string_view company);

/// Tables of the company database's mt_internal schema named load_* (leftovers of a load).
std::vector<std::string> LoadTables(Stack& stack, std::string_view company);

/// A file part of an upload with inline content.
MultipartFile File(std::string filename, std::string content, std::string content_type = {});

/// Serialize any rapidjson value (Json() or ExactJson()) to compact JSON.
std::string ToJson(const rapidjson::Value& v);

/// `utf8` re-encoded as Windows-1252 (only the characters the tests use; throws on others).
std::string ToCp1252(std::string_view utf8);

}  // namespace pipeline

/// REQUIRE a job status, printing the job and the workers' logs otherwise.
#define REQUIRE_JOB_STATUS(stack, job, expected)                         \
    do {                                                                 \
        INFO("job: " << ::pipeline::ToJson(job));                        \
        INFO("workers:\n" << ::pipeline::WorkerLogs(stack));             \
        REQUIRE(std::string((job)["status"].GetString()) == (expected)); \
    } while (0)
