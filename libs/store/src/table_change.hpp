#pragma once
// Internal to the store: changes of existing tables across the two databases (see tables.hpp).
#include <functional>
#include <string>
#include <vector>

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
};

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
