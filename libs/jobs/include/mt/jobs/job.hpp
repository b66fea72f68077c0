#pragma once
/// Upload jobs (SPEC §4 job record, §7): the record, its states, and its JSON form.
///
/// The job's state of record is the control database; Kafka messages only say "look at job X". Every state change
/// is a conditional UPDATE (expected state and, for workers, the lease owner), so a stale or duplicated message can
/// never move a job backwards or apply its effect twice.
#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "mt/core/json.hpp"
#include "mt/core/result.hpp"
#include "mt/pg/connection.hpp"

namespace mt::jobs {

inline constexpr const char* kQueued = "queued";
inline constexpr const char* kAnalyzing = "analisando";  // the literal is part of the contract
inline constexpr const char* kWaitingConfirm = "waiting_confirm";
inline constexpr const char* kInserting = "inserting";
inline constexpr const char* kDone = "done";
inline constexpr const char* kFailed = "failed";

inline constexpr const char* kTopicAnalyze = "mt.jobs.analyze";
inline constexpr const char* kTopicInsert = "mt.jobs.insert";

struct FileRef {
    std::string original_name;
    std::string storage_path;  // "blob:<id>": chunks in the control database's mt_blobs
    std::int64_t size_bytes = 0;
    std::string mime_type;
};

struct JobRecord {
    std::string id;
    std::string company_id;
    std::optional<std::string> user_table_id;
    std::optional<std::string> target_table_id;
    std::string mode;  // create | append | replace
    std::string status;
    std::vector<FileRef> files;
    std::optional<std::string> inferred_schema;   // JSON text
    std::optional<std::string> confirmed_schema;  // JSON text
    std::optional<std::string> analysis;          // JSON text (internal)
    std::optional<std::string> progress;          // JSON text
    std::optional<std::string> error;             // JSON text
    std::string request_id;
    std::string created_by_user_id;
    std::string created_at;
    std::string updated_at;
    int attempts = 0;
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
    std::string mode;
    std::vector<FileRef> files;
    std::string request_id;
    std::string created_by_user_id;
};

/// Inside the caller's transaction (together with the blobs).
Result<JobRecord> InsertJob(pg::Connection& control, const std::string& id, const NewJob& job);
/// 404 JOB_NOT_FOUND for missing ids and other companies' jobs alike.
Result<JobRecord> GetJob(pg::Connection& control, const std::string& company_id, const std::string& job_id);
/// Any company (workers).
Result<std::optional<JobRecord>> LoadJob(pg::Connection& control, const std::string& job_id);
Result<std::vector<JobRecord>> ListActiveJobs(pg::Connection& control, const std::string& company_id);

/// Mark failed unless already terminal; true when this call made the transition. `error_json` from ErrorJson.
Result<bool> FailJob(pg::Connection& control, const std::string& job_id, const std::string& error_json);

/// Fails jobs left in waiting_confirm longer than `ttl` (up to 100 per call) with `error_json`, and deletes their
/// uploaded files. A job confirmed meanwhile is not touched. Returns the ids it failed.
Result<std::vector<std::string>> ExpireUnconfirmedJobs(pg::Connection& control, std::chrono::seconds ttl,
                                                       const std::string& error_json);

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
