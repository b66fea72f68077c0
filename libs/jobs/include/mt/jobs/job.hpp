#pragma once
/// Upload jobs (SPEC §4 job record, §7): the record, its states, and its JSON form.
///
/// The job's state of record is the control database; Kafka messages only say "look at job X". Every state change
/// is a conditional UPDATE (expected state and, for workers, the lease owner), so a stale or duplicated message can
/// never move a job backwards or apply its effect twice. Every statement on the job tables lives in this module
/// (`job.cpp`, `lifecycle.cpp`, `blob_store.cpp`, `migrations.cpp`); services call the transitions.
#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "mt/core/json.hpp"
#include "mt/core/result.hpp"
#include "mt/pg/connection.hpp"

namespace mt::jobs {

/// SPEC §4: queued → analisando → waiting_confirm → inserting → done; any state → failed.
enum class JobStatus { kQueued, kAnalyzing, kWaitingConfirm, kInserting, kDone, kFailed };
/// The contract's literal ("analisando" for kAnalyzing).
const char* Name(JobStatus status);
std::optional<JobStatus> ParseJobStatus(std::string_view text);

/// kUpsert (SPEC §8): rows whose `key_columns` match an existing row update it, the others are inserted.
enum class JobMode { kCreate, kAppend, kReplace, kUpsert };
const char* Name(JobMode mode);
std::optional<JobMode> ParseJobMode(std::string_view text);

inline constexpr const char* kTopicAnalyze = "mt.jobs.analyze";
inline constexpr const char* kTopicInsert = "mt.jobs.insert";

struct FileRef {
    std::string original_name;
    std::string storage_path;  // "blob:<id>": chunks in the control database's mt_blobs
    std::int64_t size_bytes = 0;
    std::string mime_type;
};

/// Something the analysis of an upload read past instead of failing (SPEC §7): a ragged row, an unbalanced quote,
/// a closing total row, notes or a second table after the table. Shown with the job so the user can decide at
/// confirm. `line` is the 1-based line (CSV) or row (spreadsheets) in `file`.
struct ImportWarning {
    std::string file;
    std::int64_t line = 0;
    std::string message;
};

/// A job keeps at most this many warnings (in file and line order) and counts the rest in `warning_count`.
inline constexpr std::size_t kMaxJobWarnings = 100;

/// `[{"file","line","message"}, ...]`.
std::string WarningsJson(const std::vector<ImportWarning>& warnings);

struct JobRecord {
    std::string id;
    std::string company_id;
    std::optional<std::string> user_table_id;
    std::optional<std::string> target_table_id;
    JobMode mode = JobMode::kCreate;
    JobStatus status = JobStatus::kQueued;
    std::vector<FileRef> files;
    std::optional<std::string> inferred_schema;   // JSON text (the API's)
    std::optional<std::string> confirmed_schema;  // JSON text (the API's)
    std::optional<std::string> progress;          // JSON text
    std::optional<std::string> error;             // JSON text
    std::string warnings = "[]";                  // JSON text: WarningsJson of the analysis, capped
    std::int64_t warning_count = 0;               // all the analysis' warnings, those left out of `warnings` too
    std::string request_id;
    std::string created_by_user_id;
    std::string created_at;
    std::string updated_at;
    int attempts = 0;
    std::uint64_t id_base_ms = 0;              // set at confirm: every part numbers its row ids from this instant
    std::vector<std::string> key_columns;      // kUpsert: the key (the columns of a unique index of the table)
    std::string on_schema_error = "abort";     // abort | drop_columns | update_schema (into an existing table)
    std::vector<std::string> dropped_columns;  // drop_columns: file columns the table lacks, set at confirm
    /// If-Match of an upload into a table: its load commits only while the table is at one of these versions.
    std::optional<std::vector<std::int64_t>> if_match;
};

/// The job as the API shows it (internal fields left out).
void WriteJob(json::Writer& w, const JobRecord& job);

/// `{"file","line"[,"column","value"]}`: where a job's input went wrong, for `error.details`.
std::string LocationJson(const ValueLocation& location);

/// `{"message","code","details"}` for the job's `error` field; details may be null.
std::string ErrorJson(std::string_view message, std::string_view code, const std::optional<std::string>& details_json);

struct NewJob {
    std::string company_id;
    std::optional<std::string> user_table_id;  // uploads into an existing table
    JobMode mode = JobMode::kCreate;
    std::vector<FileRef> files;
    std::string request_id;
    std::string created_by_user_id;
    std::vector<std::string> key_columns;
    std::string on_schema_error = "abort";
    std::optional<std::vector<std::int64_t>> if_match;  // see JobRecord::if_match
    std::string actor;  // who uploads, as the audit log names them (`sub` or `apikey:<id>`); the workers' events
};

/// Inside the caller's transaction (together with the blobs).
Result<JobRecord> InsertJob(pg::Connection& control, const std::string& id, const NewJob& job);
/// Inside the caller's confirm transaction: the file columns a drop_columns upload leaves out (shown in the job).
Status RecordDroppedColumns(pg::Connection& control, const std::string& job_id, const std::vector<std::string>& names);
/// 404 JOB_NOT_FOUND for missing ids and other companies' jobs alike.
Result<JobRecord> GetJob(pg::Connection& control, const std::string& company_id, const std::string& job_id);
/// Any company (workers).
Result<std::optional<JobRecord>> LoadJob(pg::Connection& control, const std::string& job_id);
/// The company's unfinished jobs, newest first (at most 100). The inferred schemas come without their
/// `sample_rows` and `sample_rows_raw` (empty): a listing never copies every job's samples; GET of one job shows them.
Result<std::vector<JobRecord>> ListActiveJobs(pg::Connection& control, const std::string& company_id);

/// What a company's unfinished jobs (not done, not failed) hold: the quotas of SPEC §9 count them.
struct ActiveUsage {
    std::int64_t jobs = 0;
    std::int64_t upload_bytes = 0;  // size_bytes of their files (a finished job's files are deleted)
    std::int64_t creates = 0;       // of them, uploads that will create a table (mode create)
};
Result<ActiveUsage> LoadActiveUsage(pg::Connection& control, const std::string& company_id);

/// The trigger message both topics carry: {"job_id","company_id","request_id"[,"part"]}.
std::string MessageJson(const JobRecord& job, std::optional<int> part = std::nullopt);
struct JobMessage {
    std::string job_id;
    std::string company_id;
    std::string request_id;
    std::optional<int> part;
};
Result<JobMessage> ParseMessage(std::string_view payload);

}  // namespace mt::jobs
