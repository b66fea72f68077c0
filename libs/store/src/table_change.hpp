#pragma once
// Internal to the store: changes of existing tables across the two databases (see tables.hpp).
#include <chrono>
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "mt/store/audit.hpp"
#include "mt/store/tables.hpp"

namespace mt::store {

/// One row of mt_table_intents: what a change does to the physical table and the metadata.
struct Intent {
    std::string table_id;
    std::string company_id;
    std::string kind;  // "update" | "archive"
    std::string display_before, display_after;
    std::string schema_before = "public", physical_before;
    std::string schema_after = "public", physical_after;
    std::vector<types::Column> columns_before, columns_after;
    std::vector<IndexSpec> indexes_before, indexes_after;  // "indexes" changes; the table's own list otherwise
    /// The change's audit event, inserted by the transaction that finishes the intent (never when it is undone;
    /// an "indexes" change only when pg_index ends up other than before).
    std::optional<AuditEvent> audit;
};

/// An intent's audit event as stored in mt_table_intents.audit (JSON), and back.
std::string AuditToJson(const AuditEvent& event);
Result<AuditEvent> AuditFromJson(std::string_view text);

/// Advisory lock class (company database) held by a change while its DDL runs and by the reconciler while it
/// decides: the reconciler never judges a change whose DDL has not committed or rolled back yet.
inline constexpr const char* kChangeLockClass = "7301006";

/// Finishes or undoes the table's intent (if any) from what the physical table looks like, holding the change's
/// advisory lock (waiting up to `timeout`); an error when it could not.
Status ReconcileIntent(pg::Connection& control, pg::Connection& company, const std::string& table_id,
                       std::chrono::milliseconds timeout);

/// Indexes (table_indexes.cpp).
/// 422 when `columns` (a column change) lose a column that one of `indexes` uses.
Status CheckIndexedColumnsKept(const std::vector<IndexSpec>& indexes, const std::vector<types::Column>& columns);
/// Those of `candidates` (first of each name wins) whose physical index exists and is valid: pg_index is the truth.
Result<std::vector<IndexSpec>> IndexesInPlace(pg::Connection& company, const std::string& table_id,
                                              const std::string& qualified_table,
                                              const std::vector<IndexSpec>& candidates);
/// Drops the INVALID indexes a failed concurrent build of the table's indexes left behind.
Status DropInvalidIndexes(pg::Connection& company, const std::string& table_id, const std::string& qualified_table);

/// CheckVersion on a company connection of its own, outside any transaction: a change with a stale If-Match is
/// refused before it records an intent (its DDL transaction checks again, under the counter row's lock).
Status PrecheckVersion(Databases& dbs, const ConnectionRecord& connection, const TableRecord& table,
                       const VersionCondition& condition);
/// 409 TABLE_BUSY.
Error TableBusy(std::string message);
/// The table's active metadata row, locked FOR UPDATE when asked; 404 TABLE_NOT_FOUND otherwise.
Result<TableRecord> LoadActive(pg::Connection& control, const std::string& company_id, const std::string& id,
                               bool for_update);

/// Fills an intent from the locked metadata row (`intent` starts as "no change"); may write to the control
/// database in the same transaction (a rename reserves its new name).
using PlanChange = std::function<Status(const TableRecord& current, Intent& intent, pg::Connection& control)>;
/// One control transaction with the DDL lock timeout: locks the table's row, answers 409 TABLE_BUSY when a change
/// is in progress or a confirmed upload loads into it, lets `plan` fill the intent and commits it.
Result<Intent> BeginChange(Databases& dbs, pg::Connection& control, const std::string& company_id,
                           const std::string& table_id, const std::string& kind, const PlanChange& plan);
/// Runs `ddl` in a company transaction holding the change's advisory lock (with the DDL lock timeout), then
/// finishes or undoes the intent from what the physical table looks like. Returns `ddl`'s error when it failed
/// (a lock timeout as 409 TABLE_BUSY).
Status ApplyChange(Databases& dbs, pg::Connection& control, const ConnectionRecord& connection, const Intent& intent,
                   const std::function<Status(pg::Connection& company)>& ddl);

}  // namespace mt::store
