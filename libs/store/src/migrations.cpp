#include "mt/store/migrations.hpp"

#include <array>
#include <string>

#include "mt/types/identifier.hpp"

namespace mt::store {
namespace {

// Append-only: never edit a released migration, add a new one.
constexpr std::array<std::string_view, 8> kMigrations = {
    R"SQL(
CREATE TABLE mt_connections (
    id              text PRIMARY KEY,
    company_id      text NOT NULL UNIQUE,
    database_name   text NOT NULL,
    role_name       text NOT NULL,
    role_password   text NOT NULL,
    status          text NOT NULL CHECK (status IN ('provisioning', 'ready')),
    created_at      timestamptz NOT NULL DEFAULT now(),
    updated_at      timestamptz NOT NULL DEFAULT now()
);
CREATE TABLE mt_tables (
    id                  text PRIMARY KEY,
    company_id          text NOT NULL,
    connection_id       text NOT NULL REFERENCES mt_connections (id),
    display_name        text NOT NULL,
    physical_name       text NOT NULL,
    columns             jsonb NOT NULL,
    source              text NOT NULL CHECK (source IN ('manual', 'upload')),
    -- 'creating': reserved by a confirmed upload that has not finished; invisible to the API but holding its name.
    status              text NOT NULL CHECK (status IN ('active', 'archived', 'creating')),
    created_by_user_id  text NOT NULL,
    created_at          timestamptz NOT NULL DEFAULT now(),
    updated_at          timestamptz NOT NULL DEFAULT now()
);
-- display_name is unique per company among active tables; archiving frees it.
CREATE UNIQUE INDEX mt_tables_active_name ON mt_tables (company_id, display_name) WHERE status <> 'archived';
CREATE INDEX mt_tables_company_newest ON mt_tables (company_id, created_at DESC, id DESC) WHERE status = 'active';
)SQL",
    // 2 and 3 created the upload-job tables; they moved to libs/jobs (jobs::Migrate, idempotent over them).
    "SELECT 1",
    "SELECT 1",
    // 4: role passwords are derived from MT_DB_ROLE_KEY_FILE, never stored; mt-provisioner erases the old ones
    // (after giving each role its derived password). The column stays, empty, for older readers.
    "ALTER TABLE mt_connections ALTER COLUMN role_password SET DEFAULT ''",
    // 5: intents of cross-database table changes.
    R"SQL(
-- A change to a table that spans both databases (rename, columns, archive), committed before its company-side DDL
-- and deleted with the metadata update: after a crash, store::ReconcileTableIntents finishes or undoes it by
-- looking at the physical table. While it exists the table takes no other change, confirm or create of its names.
CREATE TABLE mt_table_intents (
    table_id        text PRIMARY KEY REFERENCES mt_tables (id),
    company_id      text NOT NULL,
    kind            text NOT NULL CHECK (kind IN ('update', 'archive')),
    display_before  text NOT NULL,
    display_after   text NOT NULL,
    schema_before   text NOT NULL,
    physical_before text NOT NULL,
    schema_after    text NOT NULL,
    physical_after  text NOT NULL,
    columns_before  jsonb NOT NULL,
    columns_after   jsonb NOT NULL,
    created_at      timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX mt_table_intents_company ON mt_table_intents (company_id);
)SQL",
    // 6: indexes of managed tables (the list the API shows; store::IndexesInPlace keeps it equal to pg_index), and
    // intents of index changes (built outside transactions, CONCURRENTLY).
    R"SQL(
ALTER TABLE mt_tables ADD COLUMN indexes jsonb NOT NULL DEFAULT '[]';
ALTER TABLE mt_table_intents DROP CONSTRAINT mt_table_intents_kind_check;
ALTER TABLE mt_table_intents ADD CONSTRAINT mt_table_intents_kind_check
    CHECK (kind IN ('update', 'archive', 'indexes'));
ALTER TABLE mt_table_intents ADD COLUMN indexes_before jsonb NOT NULL DEFAULT '[]';
ALTER TABLE mt_table_intents ADD COLUMN indexes_after jsonb NOT NULL DEFAULT '[]';
)SQL",
    // 7: API keys (SPEC §9; store/api_keys.hpp), and tables' description and metadata.
    R"SQL(
-- One row per key. Only the SHA-256 of the secret is kept; `prefix` (not secret) finds the row. A revoked key keeps
-- its row (revoked_at set) so that its id stays meaningful in logs and audit records.
CREATE TABLE mt_api_keys (
    id          text PRIMARY KEY,
    company_id  text NOT NULL,
    name        text NOT NULL,
    prefix      text NOT NULL UNIQUE,
    secret_hash text NOT NULL,
    permissions text[] NOT NULL,
    created_by  text NOT NULL,
    created_at  timestamptz NOT NULL DEFAULT now(),
    expires_at  timestamptz,
    revoked_at  timestamptz
);
CREATE INDEX mt_api_keys_company_active ON mt_api_keys (company_id, created_at DESC, id DESC) WHERE revoked_at IS NULL;
ALTER TABLE mt_tables ADD COLUMN description text;
ALTER TABLE mt_tables ADD COLUMN metadata jsonb NOT NULL DEFAULT '{}';
)SQL",
    // 8: the audit log (SPEC §9, mt/store/audit.hpp) of changes the control database records.
    R"SQL(
CREATE TABLE mt_audit_log (
    id              text PRIMARY KEY,
    company_id      text NOT NULL,
    action          text NOT NULL,
    actor           text NOT NULL,
    resource_type   text NOT NULL,
    resource_id     text NOT NULL,
    request_id      text NOT NULL,
    at              timestamptz NOT NULL DEFAULT now(),
    details         jsonb NOT NULL DEFAULT '{}'
);
CREATE INDEX mt_audit_log_company_newest ON mt_audit_log (company_id, at DESC, id DESC);
CREATE INDEX mt_audit_log_company_action ON mt_audit_log (company_id, action, at DESC, id DESC);
CREATE INDEX mt_audit_log_company_resource ON mt_audit_log (company_id, resource_id, at DESC, id DESC);
CREATE INDEX mt_audit_log_at ON mt_audit_log (at);  -- the retention purge
-- The event of a two-database change travels with its intent and is inserted by the transaction that finishes it.
ALTER TABLE mt_table_intents ADD COLUMN audit jsonb;
-- Who asked for the company database: the `provisioned` event names them when the provisioner marks it ready.
ALTER TABLE mt_connections ADD COLUMN requested_by text NOT NULL DEFAULT '';
ALTER TABLE mt_connections ADD COLUMN request_id text NOT NULL DEFAULT '';
)SQL",
};

}  // namespace

Status Migrate(pg::Connection& control) {
    return pg::InTransaction(control, [&]() -> Status {
        // Serializes concurrent starters; released at COMMIT/ROLLBACK.
        MT_TRY(control.Exec("SELECT pg_advisory_xact_lock(7301001)"));
        MT_TRY(
            control.Run("CREATE TABLE IF NOT EXISTS mt_schema_migrations ("
                        " version integer PRIMARY KEY, applied_at timestamptz NOT NULL DEFAULT now())"));
        MT_ASSIGN_OR_RETURN(auto rows, control.Exec("SELECT coalesce(max(version), 0) FROM mt_schema_migrations"));
        int applied = std::stoi(std::string(rows.Get(0, 0)));
        for (int v = applied + 1; v <= static_cast<int>(kMigrations.size()); ++v) {
            MT_TRY(control.Run(kMigrations[static_cast<std::size_t>(v - 1)]));
            MT_TRY(control.Exec("INSERT INTO mt_schema_migrations (version) VALUES ($1)", {std::to_string(v)}));
        }
        return Ok();
    });
}

Status PrepareCompanyDatabase(pg::Connection& db, std::string_view owner_role) {
    std::string owner = types::QuoteIdentifier(owner_role);
    std::string sql = R"SQL(
CREATE SCHEMA IF NOT EXISTS mt_internal AUTHORIZATION )SQL" +
                      owner + R"SQL(;
CREATE SCHEMA IF NOT EXISTS mt_archive AUTHORIZATION )SQL" +
                      owner + R"SQL(;
CREATE TABLE IF NOT EXISTS mt_internal.row_counts (table_oid oid PRIMARY KEY, row_count bigint NOT NULL DEFAULT 0);
CREATE TABLE IF NOT EXISTS mt_internal.applied_jobs (
    job_id text PRIMARY KEY, rows_applied bigint NOT NULL, applied_at timestamptz NOT NULL DEFAULT now());
-- Parts of a parallel load committed so far; written in the same transaction as the part's rows (exactly-once).
CREATE TABLE IF NOT EXISTS mt_internal.applied_parts (
    job_id text NOT NULL, part integer NOT NULL, rows_applied bigint NOT NULL, PRIMARY KEY (job_id, part));
-- The audit events of changes that live in this database alone (rows written by filter), written in the change's
-- transaction (store::AppendCompanyAuditEvent); the others are in the control database's mt_audit_log.
CREATE TABLE IF NOT EXISTS mt_internal.audit_log (
    id text PRIMARY KEY, action text NOT NULL, actor text NOT NULL, resource_type text NOT NULL,
    resource_id text NOT NULL, request_id text NOT NULL, at timestamptz NOT NULL DEFAULT now(),
    details jsonb NOT NULL DEFAULT '{}');
CREATE INDEX IF NOT EXISTS audit_log_newest ON mt_internal.audit_log (at DESC, id DESC);
-- Per managed table: the exact row count, the version (raised by every data change, whoever makes it, and by our
-- schema changes) and the row cap. The statement-level triggers below keep them; their UPDATE of this row also
-- serializes the writers of one table, so the cap check sees the latest committed count (READ COMMITTED re-reads
-- the row it waited for).
ALTER TABLE mt_internal.row_counts ADD COLUMN IF NOT EXISTS version bigint NOT NULL DEFAULT 1;
ALTER TABLE mt_internal.row_counts ADD COLUMN IF NOT EXISTS max_rows bigint;
-- SQLSTATE MT001 (store::MapDdlError: 400 MANAGED_TABLE_ROW_LIMIT) when `total` rows would exceed `cap`.
CREATE OR REPLACE FUNCTION mt_internal.check_row_cap(total bigint, cap bigint) RETURNS void LANGUAGE plpgsql AS $$
BEGIN
    IF cap IS NOT NULL AND total > cap THEN
        RAISE EXCEPTION USING ERRCODE = 'MT001',
            MESSAGE = format('Table has reached its maximum row limit of %s', cap);
    END IF;
END $$;
-- Exact row counts without count(*): statement-level triggers add the size of each statement's transition table.
CREATE OR REPLACE FUNCTION mt_internal.count_inserted() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
    added bigint := (SELECT count(*) FROM mt_new_rows);
    total bigint;
    cap bigint;
BEGIN
    IF added = 0 THEN RETURN NULL; END IF;
    UPDATE mt_internal.row_counts SET row_count = row_count + added, version = version + 1
     WHERE table_oid = TG_RELID RETURNING row_count, max_rows INTO total, cap;
    PERFORM mt_internal.check_row_cap(total, cap);
    RETURN NULL;
END $$;
CREATE OR REPLACE FUNCTION mt_internal.count_deleted() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
    removed bigint := (SELECT count(*) FROM mt_old_rows);
BEGIN
    IF removed = 0 THEN RETURN NULL; END IF;
    UPDATE mt_internal.row_counts SET row_count = row_count - removed, version = version + 1
     WHERE table_oid = TG_RELID;
    RETURN NULL;
END $$;
CREATE OR REPLACE FUNCTION mt_internal.count_updated() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF EXISTS (SELECT 1 FROM mt_new_rows) THEN
        UPDATE mt_internal.row_counts SET version = version + 1 WHERE table_oid = TG_RELID;
    END IF;
    RETURN NULL;
END $$;
CREATE OR REPLACE FUNCTION mt_internal.count_truncated() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    UPDATE mt_internal.row_counts SET row_count = 0, version = version + 1 WHERE table_oid = TG_RELID;
    RETURN NULL;
END $$;
-- Time-ordered UUIDs (version 7) so that ORDER BY id is insertion order, also for rows other SQL clients add.
CREATE OR REPLACE FUNCTION mt_internal.uuid_v7() RETURNS uuid LANGUAGE plpgsql VOLATILE AS $$
DECLARE
    ms bigint := floor(extract(epoch FROM clock_timestamp()) * 1000);
    b bytea := uuid_send(gen_random_uuid());
BEGIN
    b := overlay(b PLACING substring(int8send(ms) FROM 3) FROM 1 FOR 6);
    b := set_byte(b, 6, (get_byte(b, 6) & 15) | 112);
    b := set_byte(b, 8, (get_byte(b, 8) & 63) | 128);
    RETURN encode(b, 'hex')::uuid;
END $$;
ALTER TABLE mt_internal.row_counts OWNER TO )SQL" +
                      owner + R"SQL(;
ALTER TABLE mt_internal.applied_jobs OWNER TO )SQL" +
                      owner + R"SQL(;
ALTER TABLE mt_internal.applied_parts OWNER TO )SQL" +
                      owner + R"SQL(;
ALTER TABLE mt_internal.audit_log OWNER TO )SQL" +
                      owner + R"SQL(;
ALTER FUNCTION mt_internal.count_inserted() OWNER TO )SQL" +
                      owner + R"SQL(;
ALTER FUNCTION mt_internal.count_deleted() OWNER TO )SQL" +
                      owner + R"SQL(;
ALTER FUNCTION mt_internal.count_truncated() OWNER TO )SQL" +
                      owner + R"SQL(;
ALTER FUNCTION mt_internal.count_updated() OWNER TO )SQL" +
                      owner + R"SQL(;
ALTER FUNCTION mt_internal.check_row_cap(bigint, bigint) OWNER TO )SQL" +
                      owner + R"SQL(;
ALTER FUNCTION mt_internal.uuid_v7() OWNER TO )SQL" +
                      owner + R"SQL(;
-- Tables made before versions existed lack the update trigger; created as their owner, like the others.
SET ROLE )SQL" + owner +
                      R"SQL(;
DO $$
DECLARE
    t regclass;
BEGIN
    FOR t IN SELECT c.oid::regclass FROM mt_internal.row_counts r JOIN pg_class c ON c.oid = r.table_oid
              WHERE NOT EXISTS (SELECT 1 FROM pg_trigger g WHERE g.tgrelid = c.oid AND g.tgname = 'mt_count_updated')
    LOOP
        EXECUTE format('CREATE TRIGGER mt_count_updated AFTER UPDATE ON %s REFERENCING NEW TABLE AS mt_new_rows '
                       'FOR EACH STATEMENT EXECUTE FUNCTION mt_internal.count_updated()', t);
    END LOOP;
END $$;
RESET ROLE;
)SQL";
    return db.Run(sql);
}

}  // namespace mt::store
