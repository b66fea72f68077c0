#include "mt/jobs/migrations.hpp"

#include <array>
#include <string>

namespace mt::jobs {
namespace {

// Append-only: never edit a released migration, add a new one. The first one is idempotent because databases made
// before the job tables had a module of their own already have them.
constexpr std::array<std::string_view, 7> kMigrations = {
    R"SQL(
CREATE TABLE IF NOT EXISTS mt_jobs (
    id                  text PRIMARY KEY,
    company_id          text NOT NULL,
    user_table_id       text REFERENCES mt_tables (id),
    target_table_id     text REFERENCES mt_tables (id),  -- the table being loaded (reserved at confirm for creates)
    mode                text NOT NULL CHECK (mode IN ('create', 'append', 'replace')),
    status              text NOT NULL CHECK (status IN ('queued', 'analisando', 'waiting_confirm', 'inserting',
                                                         'done', 'failed')),
    files               json NOT NULL,
    inferred_schema     json,  -- json, not jsonb: keeps the column order of keys
    confirmed_schema    json,
    analysis            json,           -- jobs::AnalysisRecord; internal
    progress            json,
    error               json,
    request_id          text,
    created_by_user_id  text NOT NULL,
    attempts            integer NOT NULL DEFAULT 0,
    lease_owner         text,
    lease_expires_at    timestamptz,
    created_at          timestamptz NOT NULL DEFAULT now(),
    updated_at          timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX IF NOT EXISTS mt_jobs_company_active ON mt_jobs (company_id, created_at DESC)
    WHERE status NOT IN ('done', 'failed');
CREATE INDEX IF NOT EXISTS mt_jobs_recoverable ON mt_jobs (status, lease_expires_at)
    WHERE status IN ('queued', 'analisando', 'inserting');
CREATE INDEX IF NOT EXISTS mt_jobs_waiting_confirm ON mt_jobs (updated_at) WHERE status = 'waiting_confirm';
CREATE TABLE IF NOT EXISTS mt_job_parts (
    job_id          text NOT NULL REFERENCES mt_jobs (id) ON DELETE CASCADE,
    part            integer NOT NULL,
    spec            jsonb NOT NULL,     -- jobs::PartSpec: which byte ranges of which files the part loads
    status          text NOT NULL CHECK (status IN ('pending', 'loading', 'loaded')),
    rows_loaded     bigint NOT NULL DEFAULT 0,
    attempts        integer NOT NULL DEFAULT 0,
    lease_owner     text,
    lease_expires_at timestamptz,
    PRIMARY KEY (job_id, part)
);
CREATE TABLE IF NOT EXISTS mt_blobs (
    blob_id     text NOT NULL,
    chunk       integer NOT NULL,
    data        bytea NOT NULL,
    PRIMARY KEY (blob_id, chunk)
);
)SQL",
    R"SQL(
-- Parts are planned by the analysis and number their row ids from the instant of the confirm.
ALTER TABLE mt_jobs ADD COLUMN IF NOT EXISTS id_base_ms bigint;
)SQL",
    R"SQL(
-- Uploads are stored and read back once or twice, then deleted: compressing each chunk (pglz) cost more CPU than
-- the bytes it saved, on the upload's path and on every read.
ALTER TABLE mt_blobs ALTER COLUMN data SET STORAGE EXTERNAL;
)SQL",
    R"SQL(
-- Upload modes of SPEC §8: upsert on key_columns, and what to do with file columns the table lacks.
ALTER TABLE mt_jobs DROP CONSTRAINT IF EXISTS mt_jobs_mode_check;
ALTER TABLE mt_jobs ADD CONSTRAINT mt_jobs_mode_check CHECK (mode IN ('create', 'append', 'replace', 'upsert'));
ALTER TABLE mt_jobs ADD COLUMN IF NOT EXISTS key_columns json;      -- upsert: ["a", "b"]
ALTER TABLE mt_jobs ADD COLUMN IF NOT EXISTS on_schema_error text NOT NULL DEFAULT 'abort'
    CHECK (on_schema_error IN ('abort', 'drop_columns', 'update_schema'));
ALTER TABLE mt_jobs ADD COLUMN IF NOT EXISTS dropped_columns json;  -- drop_columns: set at confirm
)SQL",
    R"SQL(
-- If-Match of an upload into a table (SPEC §8): the versions its load may commit on; NULL: any.
ALTER TABLE mt_jobs ADD COLUMN IF NOT EXISTS if_match bigint[];
)SQL",
    R"SQL(
-- Who uploaded, as the audit log names them (`sub` or `apikey:<id>`): the workers record upload.done/failed for
-- them. NULL for jobs of older releases (their events name created_by_user_id).
ALTER TABLE mt_jobs ADD COLUMN IF NOT EXISTS actor text;
)SQL",
    R"SQL(
-- What the analysis read past (ragged rows, unbalanced quotes, totals, notes, a second table): the first
-- jobs::kMaxJobWarnings as [{"file","line","message"}], and how many there were in all.
ALTER TABLE mt_jobs ADD COLUMN IF NOT EXISTS warnings json;
ALTER TABLE mt_jobs ADD COLUMN IF NOT EXISTS warning_count bigint NOT NULL DEFAULT 0;
)SQL",
};

}  // namespace

Status Migrate(pg::Connection& control) {
    return pg::InTransaction(control, [&]() -> Status {
        MT_TRY(control.Exec("SELECT pg_advisory_xact_lock(7301004)"));
        MT_TRY(
            control.Run("CREATE TABLE IF NOT EXISTS mt_jobs_schema_migrations ("
                        " version integer PRIMARY KEY, applied_at timestamptz NOT NULL DEFAULT now())"));
        MT_ASSIGN_OR_RETURN(auto rows, control.Exec("SELECT coalesce(max(version), 0) FROM mt_jobs_schema_migrations"));
        const int applied = std::stoi(std::string(rows.Get(0, 0)));
        for (int v = applied + 1; v <= static_cast<int>(kMigrations.size()); ++v) {
            MT_TRY(control.Run(kMigrations[static_cast<std::size_t>(v - 1)]));
            MT_TRY(control.Exec("INSERT INTO mt_jobs_schema_migrations (version) VALUES ($1)", {std::to_string(v)}));
        }
        return Ok();
    });
}

}  // namespace mt::jobs
