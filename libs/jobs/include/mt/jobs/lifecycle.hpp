#pragma once
/// The job's life cycle as transitions, each one conditional UPDATE (or a few in one transaction) on the control
/// database. Workers hold leases (owner + expiry) on what they work on; a lease that ran out may be taken by
/// another worker, so every transition that ends work checks that the caller still owns it.
///
///   queued ──ClaimForAnalysis──▶ analisando ──MarkAnalyzed (plans the parts)──▶ waiting_confirm
///   waiting_confirm ──ConfirmJob──▶ inserting ──ClaimPart / RecordPartProgress / MarkPartLoaded──▶ …
///   … all parts loaded ──ClaimFinalize──▶ (finalizing) ──MarkDone──▶ done
///   any state ──FailJob──▶ failed;   HandBack* releases a lease at once so a sweep can retry.
#include <chrono>
#include <optional>
#include <string>
#include <vector>

#include "mt/jobs/analysis.hpp"
#include "mt/jobs/job.hpp"

namespace mt::jobs {

struct LeaseTerms {
    std::string owner;
    std::chrono::seconds duration{30};
};

/// queued (or analisando with an expired lease) → analisando, leased to `lease.owner`. Returns the attempt number
/// (1 for the first) or nullopt when the job is not there to take (done, taken by a live worker, or gone).
Result<std::optional<int>> ClaimForAnalysis(pg::Connection& control, const std::string& job_id,
                                            const LeaseTerms& lease);
/// analisando → waiting_confirm with the inferred schema (API JSON), the analysis record and the planned parts
/// (pending until the job is confirmed), and the analysis' warnings (at most kMaxJobWarnings of them, and the count
/// of all). False when the lease was lost meanwhile (nothing written).
Result<bool> MarkAnalyzed(pg::Connection& control, const std::string& job_id, const std::string& owner,
                          const std::string& inferred_schema_json, const AnalysisRecord& analysis,
                          const std::vector<PartSpec>& parts, const std::vector<ImportWarning>& warnings = {},
                          std::int64_t warning_count = 0);
/// Keeps the analysis lease; false once it is no longer ours.
Result<bool> ExtendAnalysisLease(pg::Connection& control, const std::string& job_id, const LeaseTerms& lease);
/// The analysis lease ends now (a stopping worker, a retryable error): the next sweep retries the job.
Status HandBackJob(pg::Connection& control, const std::string& job_id, const std::string& owner);

/// The analysis record of a job that has one.
Result<AnalysisRecord> LoadAnalysis(pg::Connection& control, const std::string& job_id);

/// waiting_confirm → inserting, inside the caller's transaction (which also reserves the table): stores the
/// confirmed schema (API JSON), the target table, the row-id base and progress {0, total}. Returns the part
/// numbers to trigger, or the job's current status when it is no longer waiting (a concurrent confirm won). A job
/// without planned parts (analyzed by a version that did not plan them) is refused with kValidation: nothing changes.
/// What ConfirmJob did: moved the job (and the parts to trigger), or found it no longer waiting.
struct ConfirmOutcome {
    bool confirmed = false;
    std::vector<int> parts;      // when confirmed
    std::string current_status;  // when not: the job's status as committed now (e.g. "inserting" after a rival)
};
Result<ConfirmOutcome> ConfirmJob(pg::Connection& control, const std::string& job_id,
                                  const std::string& confirmed_schema_json, const std::string& target_table_id,
                                  std::int64_t total_rows);

struct ClaimedPart {
    PartSpec spec;
    int attempts = 0;
    int parts = 0;  // parts of the job in all
};
/// pending (or loading with an expired lease) → loading, for a job that is inserting. nullopt: loaded already,
/// leased by a live inserter, or the job ended.
Result<std::optional<ClaimedPart>> ClaimPart(pg::Connection& control, const std::string& job_id, int part,
                                             const LeaseTerms& lease);
Result<bool> ExtendPartLease(pg::Connection& control, const std::string& job_id, int part, const LeaseTerms& lease);
/// The one progress writer: the part's rows so far, and the job's processed_rows as the sum over its parts.
/// kUnavailable once the job is no longer inserting (another part failed it: stop copying rows nobody will see).
Status RecordPartProgress(pg::Connection& control, const std::string& job_id, int part, std::int64_t rows);
/// loading → loaded with its row count; then progress as above.
Status MarkPartLoaded(pg::Connection& control, const std::string& job_id, int part, std::int64_t rows);
/// The part's lease (if `owner` holds it) ends now, as does the job's finalize lease.
Status HandBackPart(pg::Connection& control, const std::string& job_id, std::optional<int> part,
                    const std::string& owner);

/// Takes the job's finalize lease when every part is loaded and no live worker finalizes. False otherwise.
Result<bool> ClaimFinalize(pg::Connection& control, const std::string& job_id, const LeaseTerms& lease);
Result<bool> ExtendFinalizeLease(pg::Connection& control, const std::string& job_id, const LeaseTerms& lease);
/// inserting → done with `total_rows` (progress and user_table_id set), the table made active if it was being
/// created, and the uploaded and staged bytes deleted — one transaction. False when the job was not inserting.
/// `table_columns_json` (on_schema_error=update_schema): the table's columns after the load, set in the same
/// transaction.
Result<bool> MarkDone(pg::Connection& control, const std::string& job_id, std::int64_t total_rows,
                      const std::optional<std::string>& table_columns_json = std::nullopt);

/// Whether a confirmed job (inserting, finalizing included) loads into the company's table `table_id`: a schema
/// change or delete of the table waits for it. Jobs waiting for their confirm do not count (the confirm checks
/// the table again under its row lock).
Result<bool> TableHasActiveJob(pg::Connection& control, const std::string& company_id, const std::string& table_id);

/// Mark failed unless already terminal; true when this call made the transition. Deletes the job's blobs and
/// releases a table name reserved for it. `error_json` from ErrorJson.
Result<bool> FailJob(pg::Connection& control, const std::string& job_id, const std::string& error_json);

/// Fails jobs left in waiting_confirm longer than `ttl` (up to 100 per call) with `error_json`, and deletes their
/// uploaded files. A job confirmed meanwhile is not touched. Returns the ids it failed.
Result<std::vector<std::string>> ExpireUnconfirmedJobs(pg::Connection& control, std::chrono::seconds ttl,
                                                       const std::string& error_json);

/// Sweeps: work no message drives. Analysis: queued jobs older than `grace`, analyses whose lease ran out.
Result<std::vector<JobMessage>> FindAnalysisWork(pg::Connection& control, std::chrono::seconds grace);
/// Insertion: pending parts of jobs inserting for longer than `grace`, parts whose lease ran out, and jobs whose
/// parts are all loaded but nobody finalizes.
Result<std::vector<JobMessage>> FindInsertWork(pg::Connection& control, std::chrono::seconds grace);
/// Failed jobs that still have parts no live inserter holds (their company-side leftovers need removing).
Result<std::vector<std::string>> FindFailedWithParts(pg::Connection& control);
/// After the company-side clean-up of a failed job: its parts, except those another live worker still holds.
Status DeleteFailedParts(pg::Connection& control, const std::string& job_id, const std::string& owner);

}  // namespace mt::jobs
