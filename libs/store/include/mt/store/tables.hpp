#pragma once
/// Managed tables: metadata in the control database, the physical table in the company database.
///
/// Consistency across the two databases. A create takes its row in the control database inside an open
/// transaction (the unique index on active names serializes concurrent creators of one name), then commits the
/// company-database table, then the control transaction; a physical table of that name that no metadata owns
/// (the orphan of a crash, or one a SQL client made) is never dropped: it is moved aside into
/// mt_archive."orphan_<id>" (MoveStrayTableAside).
/// A change of an existing table (rename, columns, archive) locks the table's metadata row (FOR UPDATE), refuses
/// while a confirmed upload loads into the table (409 TABLE_BUSY), and commits an intent (mt_table_intents: the
/// physical name and columns before and after) before its company-side DDL; the DDL takes its locks with
/// DatabaseSettings::ddl_lock_timeout (409 TABLE_BUSY when it runs out); the metadata update and the deletion of
/// the intent then commit together. ReconcileTableIntents finishes or undoes an intent left by a crash from what
/// the physical table looks like, so metadata and table never disagree for longer than a gateway restart.
#include <chrono>
#include <optional>
#include <string>
#include <vector>

#include "mt/store/audit.hpp"
#include "mt/store/databases.hpp"
#include "mt/store/quotas.hpp"
#include "mt/store/records.hpp"

namespace mt::store {

/// Physical row-id column: a time-ordered UUID, so ORDER BY id is insertion order.
inline constexpr const char* kRowId = "id";
/// PostgreSQL allows 1600 columns per table; the row id takes one.
inline constexpr std::size_t kMaxUserColumns = 1599;
/// Bounds of `indexes` (SPEC §8): per table, and columns per index.
inline constexpr std::size_t kMaxIndexesPerTable = 20;
inline constexpr std::size_t kMaxColumnsPerIndex = 8;

struct NewTable {
    std::string display_name;
    std::vector<types::Column> columns;
    std::string source = "manual";
    std::string created_by_user_id;
    std::optional<std::int64_t> max_rows;
    std::vector<IndexSpec> indexes;  // built with the table (it is empty)
    std::optional<std::string> description;
    std::string metadata = "{}";   // a JSON object's text (the gateway checks kind and size)
    std::optional<Quotas> quotas;  // when set, the company's table quota is checked in the insert's transaction
};

/// An If-Match as the store checks it (the gateway's ParseIfMatch builds it from the header).
struct VersionCondition {
    bool any = true;                     // no If-Match, or `*`: any version of an existing table
    std::vector<std::int64_t> versions;  // when !any: the table's version must be one of these (none: never)
};

struct TableChanges {
    std::optional<std::string> display_name;
    std::optional<std::vector<types::Column>> columns;
    std::optional<std::string> status;
    /// Present: set the row cap (inner nullopt: remove it). A cap below the current row count is accepted; it
    /// refuses inserts until deletes bring the table under it.
    std::optional<std::optional<std::int64_t>> max_rows;
    /// Present: the full list of indexes. New ones are built without blocking writes (CREATE INDEX CONCURRENTLY),
    /// missing ones dropped (DROP INDEX CONCURRENTLY), after the other changes of the request. A unique index over
    /// duplicates → 422 with up to 5 duplicate keys and nothing of the index change applied. A column change may
    /// not drop a column an index keeps using (422): leave the index out of this list in the same request.
    std::optional<std::vector<IndexSpec>> indexes;
    /// Present: the new description (inner nullopt: none) / metadata object. Control-database metadata only: set
    /// in one statement, neither raises the table's version.
    std::optional<std::optional<std::string>> description;
    std::optional<std::string> metadata;
    VersionCondition condition;  // checked in the company transaction of the change
};

/// Checks an `indexes` list against the table's columns (or `id`): identifier names unique in the list, 1 to
/// kMaxColumnsPerIndex known columns without repeats, at most kMaxIndexesPerTable. 422 with `indexes[i]…` details.
Status ValidateIndexes(const std::vector<IndexSpec>& indexes, const std::vector<types::Column>& columns);
/// The index's name in the company schema: `mtix_<table id>_<name, 16 bytes at most>_<hash of the definition>` —
/// unique across tables, unchanged by renames, new when the definition changes.
std::string PhysicalIndexName(const std::string& table_id, const IndexSpec& spec);
/// Builds `indexes` on a table nobody sees yet (a create; a replace upload's new table, which must get the
/// table's indexes back), in the caller's transaction. Duplicates for a unique index → 422.
Status CreateIndexes(pg::Connection& company, const std::string& table_id, const std::string& qualified_table,
                     const std::vector<IndexSpec>& indexes);
/// Applies a new `indexes` list (see TableChanges::indexes) under an intent of kind "indexes": If-Match checked and
/// the version raised before the builds, raised again after; the metadata is then set from pg_index.
/// `who` is recorded in a table.updated event when the indexes in place end up other than before.
Status ChangeIndexes(Databases& dbs, const ConnectionRecord& connection, const std::string& company_id,
                     const std::string& table_id, const std::vector<IndexSpec>& indexes,
                     const VersionCondition& condition, const AuditContext& who);

/// Checks a schema a client sent: display_name (regex unless `legacy_name`), 1..1600 columns, valid unique names,
/// `id` reserved. Returns kValidation with one detail per problem, fields like `columns[2].name`.
Status ValidateSchema(std::string_view display_name, const std::vector<types::Column>& columns, bool legacy_name);

/// Records table.created (actor and request of `who`) in the transaction that commits the metadata.
Result<TableRecord> CreateTable(Databases& dbs, const ConnectionRecord& connection, const NewTable& table,
                                const AuditContext& who);
/// An active table of the company, with its exact row count; 404 TABLE_NOT_FOUND otherwise (also for other
/// companies' ids, which are indistinguishable from missing ones).
Result<TableRecord> GetTable(Databases& dbs, const std::string& company_id, const std::string& table_id);
/// Metadata only (no row count); for the workers.
Result<TableRecord> GetTableMetadata(Databases& dbs, const std::string& company_id, const std::string& table_id);
Result<Page<TableRecord>> ListTables(Databases& dbs, const std::string& company_id, const std::string& search, int page,
                                     int per_page);
/// Each part of the change that commits (fields; indexes; an archive) records its event with it: table.updated
/// `{fields: [...]}` naming the changed fields, table.deleted for `status: "archived"`. A refused change records
/// nothing.
Result<TableRecord> UpdateTable(Databases& dbs, const std::string& company_id, const std::string& table_id,
                                const TableChanges& changes, const AuditContext& who);
/// Soft delete: status archived, name freed, physical table moved to the mt_archive schema (kept for support).
/// table.deleted is recorded with the metadata change (its intent carries it); `details` its details.
Status ArchiveTable(Databases& dbs, const std::string& company_id, const std::string& table_id, const AuditContext& who,
                    const VersionCondition& condition = {}, const std::string& details = "{}");

/// Inside the caller's company transaction, before its write: locks the table's counter row (FOR UPDATE, so a
/// concurrent writer of the table waits until this transaction ends and then sees its version) and answers 412
/// PRECONDITION_FAILED when the version is not one `expected` allows. Every write path that takes an If-Match
/// calls it in the transaction of its write, so two writers with the same If-Match cannot both succeed.
/// No-op (no lock) when `expected.any`.
Status CheckVersion(pg::Connection& company, const TableRecord& table, const VersionCondition& expected);
Status CheckVersion(pg::Connection& company, const TableRecord& table, std::int64_t expected);
/// The table's version (for an ETag) as the caller's transaction or snapshot sees it: call it in the same
/// REPEATABLE READ transaction as the read it describes, or embed VersionSql in the read's own statement.
Result<std::int64_t> ReadVersion(pg::Connection& company, const TableRecord& table);
/// Raises the version of `qualified_name` (a schema or settings change; data changes raise it by trigger).
Status RaiseVersion(pg::Connection& company, const std::string& qualified_name);
/// A scalar SQL subquery giving the version of the table whose quoted qualified name is parameter `$param`.
std::string VersionSql(int param);

/// DDL creating the physical table with its row-id column, counters and triggers (for the inserter too).
Status CreatePhysicalTable(pg::Connection& company, const std::string& physical_name,
                           const std::vector<types::Column>& columns, const std::string& schema = "public",
                           std::optional<std::int64_t> max_rows = std::nullopt);
/// The table alone, without row counters (bulk loads COPY into it without trigger overhead).
Status CreateBareTable(pg::Connection& company, const std::string& qualified_name,
                       const std::vector<types::Column>& columns);
/// What a table's counter row holds besides the count; carried over when a replace swaps the physical table.
struct CounterState {
    std::int64_t version = 1;
    std::optional<std::int64_t> max_rows;
};
/// The counter row of a table (by its quoted qualified name).
Result<CounterState> ReadCounters(pg::Connection& company, const std::string& qualified_name);
/// Register the table's exact row counter at `initial_count` (with `state`'s version and cap) and the triggers
/// that keep it exact and raise the version. Fails like an insert over the cap (SQLSTATE MT001, MapDdlError: 400
/// MANAGED_TABLE_ROW_LIMIT) when `initial_count` exceeds `state.max_rows`.
Status AttachCounters(pg::Connection& company, const std::string& qualified_name, std::int64_t initial_count,
                      const CounterState& state = {});
/// `public."name"` quoted (or another schema).
std::string QualifiedName(const std::string& physical_name, const std::string& schema = "public");

/// Finishes (the DDL committed) or undoes (it did not) every intent older than `min_age` that no live change
/// holds, under the change's advisory lock in the company database. Returns how many it resolved; an intent
/// whose company database is unreachable stays for the next pass.
Result<int> ReconcileTableIntents(Databases& dbs, std::chrono::seconds min_age);
/// Moves `public.<physical_name>`, if it exists, to mt_archive."orphan_<new id>" (rows kept, logged) so that the
/// name can be created: for names the metadata holds but whose physical table nobody owns.
Status MoveStrayTableAside(pg::Connection& company, const std::string& physical_name);
/// Inside the caller's control transaction: 409 TABLE_BUSY when a change in progress (an intent) names
/// `name` as a physical table before or after it (a create or upload of that name must wait for it).
Status CheckNameFree(pg::Connection& control, const std::string& company_id, const std::string& name);
/// Inside the caller's control transaction, before a confirm starts loading into an existing table: locks the
/// table's metadata row FOR SHARE (a concurrent schema change waits, or this waits for it), and answers 409
/// TABLE_BUSY when a change of the table is in progress or its columns are no longer `columns` (it changed since
/// the upload was matched against it), 404 when it is no longer active.
Status LockTableForLoad(pg::Connection& control, const std::string& company_id, const std::string& table_id,
                        const std::vector<types::Column>& columns);

/// Map a company-database error to a client error where the client caused it (bad conversion, NULLs, a row
/// cap: 400 MANAGED_TABLE_ROW_LIMIT "Table has reached its maximum row limit of N" …).
Error MapDdlError(Error error);

}  // namespace mt::store
