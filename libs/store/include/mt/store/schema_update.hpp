#pragma once
/// on_schema_error=update_schema of uploads into an existing table (SPEC §8): the table's columns after the upload
/// and the DDL that gets them, run by the inserter in the same company transaction as the rows.
///
/// No intent record is needed: the metadata follows in the job's MarkDone, and a crash in between is finished by
/// the job's own retry (its ledger says the company side was applied); while the job is inserting, no other change
/// of the table can start (LockTableForLoad, TABLE_BUSY).
#include <vector>

#include "mt/core/result.hpp"
#include "mt/pg/connection.hpp"
#include "mt/types/column_type.hpp"

namespace mt::store {

/// `table` with `incoming` applied: a column of both gets types::Widen(table's type, incoming type) (integer →
/// decimal → text, date → datetime → text; its name, display name and NOT NULL kept); an incoming column the table
/// lacks is appended, nullable. Pure; applying it twice changes nothing more.
std::vector<types::Column> UpdatedSchema(const std::vector<types::Column>& table,
                                         const std::vector<types::Column>& incoming);

/// In the caller's company transaction: ALTER `qualified_table` from `before` to `after` (as UpdatedSchema made
/// it: added nullable columns and widened types, converted through text as every column change is).
Status AlterForUpload(pg::Connection& company, const std::string& qualified_table,
                      const std::vector<types::Column>& before, const std::vector<types::Column>& after);

}  // namespace mt::store
