#include "mt/jobs/lifecycle.hpp"

#include "mt/core/ids.hpp"
#include "mt/jobs/blob_store.hpp"

namespace mt::jobs {
namespace {

std::string Secs(std::chrono::seconds s) { return std::to_string(s.count()); }

std::vector<JobMessage> Messages(const pg::Rows& rows) {
    std::vector<JobMessage> out;
    for (int r = 0; r < rows.size(); ++r) {
        JobMessage m{std::string(rows.Get(r, 0)), std::string(rows.Get(r, 1)), std::string(rows.Get(r, 2)), {}};
        if (rows.columns() > 3 && !rows.IsNull(r, 3)) m.part = std::stoi(std::string(rows.Get(r, 3)));
        out.push_back(std::move(m));
    }
    return out;
}

}  // namespace

Result<std::optional<int>> ClaimForAnalysis(pg::Connection& control, const std::string& job_id,
                                            const LeaseTerms& lease) {
    MT_ASSIGN_OR_RETURN(
        auto claimed,
        control.Exec(
            "UPDATE mt_jobs SET status = 'analisando', lease_owner = $2, "
            "lease_expires_at = now() + make_interval(secs => $3::int), attempts = attempts + 1, updated_at = now() "
            "WHERE id = $1 AND (status = 'queued' OR (status = 'analisando' AND lease_expires_at < now())) "
            "RETURNING attempts",
            {job_id, lease.owner, Secs(lease.duration)}));
    if (claimed.empty()) return std::optional<int>();
    return std::optional<int>(std::stoi(std::string(claimed.Get(0, 0))));
}

Result<bool> MarkAnalyzed(pg::Connection& control, const std::string& job_id, const std::string& owner,
                          const std::string& inferred_schema_json, const AnalysisRecord& analysis,
                          const std::vector<PartSpec>& parts, const std::vector<ImportWarning>& warnings,
                          std::int64_t warning_count) {
    bool applied = false;
    MT_TRY(pg::InTransaction(control, [&]() -> Status {
        MT_ASSIGN_OR_RETURN(
            auto done,
            control.Exec("UPDATE mt_jobs SET status = 'waiting_confirm', inferred_schema = $3::json, "
                         "analysis = $4::json, warnings = $5::json, warning_count = $6::bigint, lease_owner = NULL, "
                         "lease_expires_at = NULL, updated_at = now() "
                         "WHERE id = $1 AND lease_owner = $2 AND status = 'analisando'",
                         {job_id, owner, inferred_schema_json, AnalysisJson(analysis), WarningsJson(warnings),
                          std::to_string(warning_count)}));
        if (done.affected() != 1) return Ok();
        applied = true;
        MT_TRY(control.Exec("DELETE FROM mt_job_parts WHERE job_id = $1", {job_id}));
        for (std::size_t p = 0; p < parts.size(); ++p) {
            MT_TRY(control.Exec(
                "INSERT INTO mt_job_parts (job_id, part, spec, status) VALUES ($1, $2, $3::jsonb, 'pending')",
                {job_id, std::to_string(p), PartSpecJson(parts[p])}));
        }
        return Ok();
    }));
    return applied;
}

Result<bool> ExtendAnalysisLease(pg::Connection& control, const std::string& job_id, const LeaseTerms& lease) {
    MT_ASSIGN_OR_RETURN(auto rows,
                        control.Exec("UPDATE mt_jobs SET lease_expires_at = now() + make_interval(secs => $3::int) "
                                     "WHERE id = $1 AND lease_owner = $2 AND status = 'analisando'",
                                     {job_id, lease.owner, Secs(lease.duration)}));
    return rows.affected() == 1;
}

Status HandBackJob(pg::Connection& control, const std::string& job_id, const std::string& owner) {
    MT_TRY(control.Exec("UPDATE mt_jobs SET lease_expires_at = now() WHERE id = $1 AND lease_owner = $2",
                        {job_id, owner}));
    return Ok();
}

Result<AnalysisRecord> LoadAnalysis(pg::Connection& control, const std::string& job_id) {
    MT_ASSIGN_OR_RETURN(auto rows, control.Exec("SELECT analysis::text FROM mt_jobs WHERE id = $1", {job_id}));
    if (rows.empty() || rows.IsNull(0, 0)) return Internal("job " + job_id + " has no analysis");
    return ParseAnalysis(rows.Get(0, 0));
}

Result<ConfirmOutcome> ConfirmJob(pg::Connection& control, const std::string& job_id,
                                  const std::string& confirmed_schema_json, const std::string& target_table_id,
                                  std::int64_t total_rows) {
    // Every part numbers its rows from this instant, so the loaded ids sort in file order across parts.
    const std::string id_base_ms = std::to_string(
        std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::system_clock::now().time_since_epoch())
            .count());
    const std::string progress = "{\"processed_rows\":0,\"total_rows\":" + std::to_string(total_rows) + "}";
    MT_ASSIGN_OR_RETURN(
        auto moved,
        control.Exec("UPDATE mt_jobs SET status = 'inserting', confirmed_schema = $2::json, target_table_id = $3, "
                     "progress = $4::json, id_base_ms = $5, updated_at = now() "
                     "WHERE id = $1 AND status = 'waiting_confirm'",
                     {job_id, confirmed_schema_json, target_table_id, progress, id_base_ms}));
    ConfirmOutcome out;
    if (moved.affected() != 1) {
        // The UPDATE waited for a rival's row lock and re-read the row after its commit; this statement (a new
        // snapshot under READ COMMITTED) sees what that rival committed, not the waiting_confirm read earlier.
        MT_ASSIGN_OR_RETURN(auto now, control.Exec("SELECT status FROM mt_jobs WHERE id = $1", {job_id}));
        out.current_status = now.empty() ? "deleted" : std::string(now.Get(0, 0));
        return out;
    }
    MT_ASSIGN_OR_RETURN(auto parts,
                        control.Exec("SELECT part FROM mt_job_parts WHERE job_id = $1 ORDER BY part", {job_id}));
    // Every analysis plans at least one part; none means the job was analyzed before parts were planned by the
    // analysis (an upgrade): its record cannot be loaded, and finalizing it would commit an empty table.
    if (parts.empty()) {
        return Validation("This upload was analyzed by an earlier version of the service; upload the files again");
    }
    out.confirmed = true;
    for (int r = 0; r < parts.size(); ++r) out.parts.push_back(std::stoi(std::string(parts.Get(r, 0))));
    return out;
}

Result<std::optional<ClaimedPart>> ClaimPart(pg::Connection& control, const std::string& job_id, int part,
                                             const LeaseTerms& lease) {
    MT_ASSIGN_OR_RETURN(
        auto claimed,
        control.Exec("UPDATE mt_job_parts SET status = 'loading', lease_owner = $3, lease_expires_at = now() + "
                     "make_interval(secs => $4::int), attempts = attempts + 1 WHERE job_id = $1 AND part = $2 AND "
                     "(status = 'pending' OR (status = 'loading' AND lease_expires_at < now())) AND EXISTS (SELECT 1 "
                     "FROM mt_jobs WHERE id = $1 AND status = 'inserting') RETURNING spec::text, attempts, "
                     "(SELECT count(*) FROM mt_job_parts WHERE job_id = $1)",
                     {job_id, std::to_string(part), lease.owner, Secs(lease.duration)}));
    if (claimed.empty()) return std::optional<ClaimedPart>();
    ClaimedPart out;
    MT_ASSIGN_OR_RETURN(out.spec, ParsePartSpec(claimed.Get(0, 0)));
    out.attempts = std::stoi(std::string(claimed.Get(0, 1)));
    out.parts = std::stoi(std::string(claimed.Get(0, 2)));
    return std::optional<ClaimedPart>(std::move(out));
}

Result<bool> ExtendPartLease(pg::Connection& control, const std::string& job_id, int part, const LeaseTerms& lease) {
    MT_ASSIGN_OR_RETURN(auto rows,
                        control.Exec("UPDATE mt_job_parts SET lease_expires_at = now() + make_interval(secs => "
                                     "$4::int) WHERE job_id = $1 AND part = $2 AND lease_owner = $3 AND "
                                     "status = 'loading'",
                                     {job_id, std::to_string(part), lease.owner, Secs(lease.duration)}));
    return rows.affected() == 1;
}

namespace {

Status UpdateJobProgress(pg::Connection& control, const std::string& job_id) {
    MT_ASSIGN_OR_RETURN(
        auto updated,
        control.Exec(
            "UPDATE mt_jobs SET progress = json_build_object('processed_rows', (SELECT coalesce(sum(rows_loaded), 0) "
            "FROM mt_job_parts WHERE job_id = $1), 'total_rows', coalesce((progress->>'total_rows')::bigint, 0)), "
            "updated_at = now() WHERE id = $1 AND status = 'inserting' RETURNING 1",
            {job_id}));
    if (updated.empty()) return Unavailable("job is no longer inserting");
    return Ok();
}

}  // namespace

Status RecordPartProgress(pg::Connection& control, const std::string& job_id, int part, std::int64_t rows) {
    MT_TRY(control.Exec("UPDATE mt_job_parts SET rows_loaded = $3 WHERE job_id = $1 AND part = $2",
                        {job_id, std::to_string(part), std::to_string(rows)}));
    return UpdateJobProgress(control, job_id);
}

Status MarkPartLoaded(pg::Connection& control, const std::string& job_id, int part, std::int64_t rows) {
    MT_TRY(
        control.Exec("UPDATE mt_job_parts SET status = 'loaded', rows_loaded = $3, lease_owner = NULL, "
                     "lease_expires_at = NULL WHERE job_id = $1 AND part = $2",
                     {job_id, std::to_string(part), std::to_string(rows)}));
    return UpdateJobProgress(control, job_id);
}

Status HandBackPart(pg::Connection& control, const std::string& job_id, std::optional<int> part,
                    const std::string& owner) {
    if (part) {
        MT_TRY(
            control.Exec("UPDATE mt_job_parts SET lease_expires_at = now() WHERE job_id = $1 AND part = $2 AND "
                         "lease_owner = $3 AND status = 'loading'",
                         {job_id, std::to_string(*part), owner}));
    }
    return HandBackJob(control, job_id, owner);
}

Result<bool> ClaimFinalize(pg::Connection& control, const std::string& job_id, const LeaseTerms& lease) {
    MT_ASSIGN_OR_RETURN(
        auto claimed,
        control.Exec("UPDATE mt_jobs SET lease_owner = $2, lease_expires_at = now() + make_interval(secs => $3::int) "
                     "WHERE id = $1 AND status = 'inserting' AND (lease_owner IS NULL OR lease_owner = $2 OR "
                     "lease_expires_at < now()) AND NOT EXISTS (SELECT 1 FROM mt_job_parts WHERE job_id = $1 AND "
                     "status <> 'loaded') RETURNING 1",
                     {job_id, lease.owner, Secs(lease.duration)}));
    return !claimed.empty();
}

Result<bool> ExtendFinalizeLease(pg::Connection& control, const std::string& job_id, const LeaseTerms& lease) {
    MT_ASSIGN_OR_RETURN(auto rows,
                        control.Exec("UPDATE mt_jobs SET lease_expires_at = now() + make_interval(secs => $3::int) "
                                     "WHERE id = $1 AND lease_owner = $2 AND status = 'inserting'",
                                     {job_id, lease.owner, Secs(lease.duration)}));
    return rows.affected() == 1;
}

namespace {

/// The job's audit event (SPEC §9), in the caller's transaction, right after the transition it records.
/// mt_audit_log is the store's table (its migration 8; store::AppendAuditEvent writes the same rows for every other
/// change): this module cannot call the store, which depends on it, so the job's row is turned into the event here.
Status RecordJobEvent(pg::Connection& control, const std::string& job_id, const char* action,
                      const std::string& extra_json) {
    MT_TRY(control.Exec(
        "INSERT INTO mt_audit_log (id, company_id, action, actor, resource_type, resource_id, request_id, details) "
        "SELECT $2, company_id, $3, coalesce(actor, created_by_user_id), 'upload', id, coalesce(request_id, ''), "
        "jsonb_build_object('job_id', id, 'mode', mode, 'table_id', coalesce(user_table_id, target_table_id), "
        "'files', (SELECT coalesce(jsonb_agg(f->>'original_name'), '[]'::jsonb) FROM json_array_elements(files) f)) "
        "|| jsonb_strip_nulls(jsonb_build_object('error_code', error->>'code')) || $4::jsonb FROM mt_jobs WHERE id = "
        "$1",
        {job_id, NewObjectId(), action, extra_json}));
    return Ok();
}

}  // namespace

Result<bool> MarkDone(pg::Connection& control, const std::string& job_id, std::int64_t total_rows,
                      const std::optional<std::string>& table_columns_json) {
    bool done = false;
    MT_TRY(pg::InTransaction(control, [&]() -> Status {
        const std::string progress =
            "{\"processed_rows\":" + std::to_string(total_rows) + ",\"total_rows\":" + std::to_string(total_rows) + "}";
        MT_ASSIGN_OR_RETURN(
            auto moved,
            control.Exec("UPDATE mt_jobs SET status = 'done', user_table_id = target_table_id, progress = $2::json, "
                         "lease_owner = NULL, lease_expires_at = NULL, updated_at = now() "
                         "WHERE id = $1 AND status = 'inserting' RETURNING target_table_id",
                         {job_id, progress}));
        if (moved.empty()) return Ok();  // a repeated finalize: the job (and its event) are in already
        done = true;
        MT_TRY(RecordJobEvent(control, job_id, "upload.done", "{\"total_rows\":" + std::to_string(total_rows) + "}"));
        MT_TRY(
            control.Exec("UPDATE mt_tables SET status = CASE WHEN status = 'creating' THEN 'active' ELSE status "
                         "END, columns = coalesce($2::jsonb, columns), updated_at = now() WHERE id = $1",
                         {std::string(moved.Get(0, 0)), table_columns_json}));
        MT_TRY(control.Exec("DELETE FROM mt_job_parts WHERE job_id = $1", {job_id}));
        return DeleteJobBlobs(control, job_id);
    }));
    return done;
}

Result<bool> TableHasActiveJob(pg::Connection& control, const std::string& company_id, const std::string& table_id) {
    MT_ASSIGN_OR_RETURN(auto rows, control.Exec("SELECT EXISTS (SELECT 1 FROM mt_jobs WHERE company_id = $1 AND "
                                                "target_table_id = $2 AND status = 'inserting')",
                                                {company_id, table_id}));
    return rows.Get(0, 0) == "t";
}

Result<bool> FailJob(pg::Connection& control, const std::string& job_id, const std::string& error_json) {
    bool transitioned = false;
    MT_TRY(pg::InTransaction(control, [&]() -> Status {
        MT_ASSIGN_OR_RETURN(
            auto failed,
            control.Exec(
                "UPDATE mt_jobs SET status = 'failed', error = $2::json, lease_owner = NULL, lease_expires_at = NULL, "
                "updated_at = now() WHERE id = $1 AND status NOT IN ('done', 'failed') RETURNING target_table_id",
                {job_id, error_json}));
        if (failed.empty()) return Ok();
        transitioned = true;
        MT_TRY(RecordJobEvent(control, job_id, "upload.failed", "{}"));
        // The uploaded bytes are of no further use: a failed job is never retried from them.
        MT_TRY(DeleteJobBlobs(control, job_id));
        if (failed.IsNull(0, 0)) return Ok();
        // A name reserved for this job's create is released with it (the job stops pointing at it first: FK).
        std::string reserved(failed.Get(0, 0));
        MT_ASSIGN_OR_RETURN(auto table, control.Exec("SELECT status FROM mt_tables WHERE id = $1", {reserved}));
        if (table.empty() || table.Get(0, 0) != "creating") return Ok();
        MT_TRY(control.Exec("UPDATE mt_jobs SET target_table_id = NULL WHERE id = $1", {job_id}));
        MT_TRY(control.Exec("DELETE FROM mt_tables WHERE id = $1 AND status = 'creating'", {reserved}));
        return Ok();
    }));
    return transitioned;
}

Result<std::vector<std::string>> ExpireUnconfirmedJobs(pg::Connection& control, std::chrono::seconds ttl,
                                                       const std::string& error_json) {
    std::vector<std::string> expired;
    MT_TRY(pg::InTransaction(control, [&]() -> Status {
        // Row locks make a concurrent confirm either win (the job is then inserting and skipped) or wait for this.
        MT_ASSIGN_OR_RETURN(
            auto rows,
            control.Exec("UPDATE mt_jobs SET status = 'failed', error = $2::json, updated_at = now() WHERE id IN "
                         "(SELECT id FROM mt_jobs WHERE status = 'waiting_confirm' AND updated_at < now() - "
                         "make_interval(secs => $1::int) ORDER BY updated_at LIMIT 100 FOR UPDATE SKIP LOCKED) AND "
                         "status = 'waiting_confirm' RETURNING id",
                         {Secs(ttl), error_json}));
        for (int r = 0; r < rows.size(); ++r) {
            expired.emplace_back(rows.Get(r, 0));
            MT_TRY(RecordJobEvent(control, expired.back(), "upload.failed", "{}"));
            MT_TRY(DeleteJobBlobs(control, expired.back()));
            MT_TRY(control.Exec("DELETE FROM mt_job_parts WHERE job_id = $1", {expired.back()}));
        }
        return Ok();
    }));
    return expired;
}

Result<std::vector<JobMessage>> FindAnalysisWork(pg::Connection& control, std::chrono::seconds grace) {
    MT_ASSIGN_OR_RETURN(
        auto rows, control.Exec("SELECT id, company_id, coalesce(request_id, '') FROM mt_jobs WHERE "
                                "(status = 'queued' AND updated_at < now() - make_interval(secs => $1::int)) OR "
                                "(status = 'analisando' AND lease_expires_at < now()) ORDER BY created_at LIMIT 20",
                                {Secs(grace)}));
    return Messages(rows);
}

Result<std::vector<JobMessage>> FindInsertWork(pg::Connection& control, std::chrono::seconds grace) {
    MT_ASSIGN_OR_RETURN(
        auto rows,
        control.Exec(
            "SELECT j.id, j.company_id, coalesce(j.request_id, ''), p.part FROM mt_job_parts p JOIN mt_jobs j "
            "ON j.id = p.job_id WHERE j.status = 'inserting' AND ((p.status = 'pending' AND j.updated_at < now() - "
            "make_interval(secs => $1::int)) OR (p.status = 'loading' AND p.lease_expires_at < now())) "
            "UNION ALL SELECT j.id, j.company_id, coalesce(j.request_id, ''), NULL FROM mt_jobs j "
            "WHERE j.status = 'inserting' AND (j.lease_owner IS NULL OR j.lease_expires_at < now()) AND j.updated_at < "
            "now() - make_interval(secs => $1::int) AND NOT EXISTS (SELECT 1 FROM mt_job_parts p WHERE p.job_id = j.id "
            "AND p.status <> 'loaded') LIMIT 20",
            {Secs(grace)}));
    return Messages(rows);
}

Result<std::vector<std::string>> FindFailedWithParts(pg::Connection& control) {
    MT_ASSIGN_OR_RETURN(
        auto rows,
        control.Exec(
            "SELECT DISTINCT p.job_id FROM mt_job_parts p JOIN mt_jobs j ON j.id = p.job_id WHERE j.status = 'failed' "
            "AND NOT EXISTS (SELECT 1 FROM mt_job_parts l WHERE l.job_id = p.job_id AND l.status = 'loading' AND "
            "l.lease_expires_at > now()) LIMIT 20"));
    std::vector<std::string> out;
    for (int r = 0; r < rows.size(); ++r) out.emplace_back(rows.Get(r, 0));
    return out;
}

Status DeleteFailedParts(pg::Connection& control, const std::string& job_id, const std::string& owner) {
    MT_TRY(control.Exec(
        "DELETE FROM mt_job_parts WHERE job_id = $1 AND EXISTS (SELECT 1 FROM mt_jobs WHERE id = $1 AND status = "
        "'failed') AND NOT (status = 'loading' AND lease_owner <> $2 AND lease_expires_at > now())",
        {job_id, owner}));
    return Ok();
}

}  // namespace mt::jobs
