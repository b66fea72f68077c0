#pragma once
/// Row CRUD on a managed table (Workflow 5). Values are validated by the type library and travel as parameters
/// or COPY data; column names come from the table's metadata and are always quoted.
#include <string>
#include <vector>

#include <rapidjson/document.h>

#include "mt/core/json.hpp"
#include "mt/store/databases.hpp"
#include "mt/store/tables.hpp"

namespace mt::store {

struct SortKey {
    std::string column;  // a column of the table, or "id"
    bool descending = false;
};

inline constexpr std::size_t kMaxRowsPerInsert = 10'000;

/// `sort_by`: comma list of `col` (ascending) or `-col` (descending). Unknown columns → 400 BAD_REQUEST.
Result<std::vector<SortKey>> ParseSort(std::string_view sort_by, const TableRecord& table);

/// Writes `{"total", "quantity", "records"}` for one page; default order is insertion order. `version` (when
/// given) gets the table's version read in the same statement as the page (the ETag of what was written).
Status ListRows(Databases& dbs, const ConnectionRecord& connection, const TableRecord& table, int page, int per_page,
                const std::vector<SortKey>& sort, json::Writer& out, std::int64_t* version = nullptr);

/// Validate every row (422 with one detail per bad field) and insert all of them or none. Returns the count.
/// `condition` (If-Match) is checked in the insert's transaction (CheckVersion); a row cap → 400
/// MANAGED_TABLE_ROW_LIMIT with nothing written.
Result<std::int64_t> InsertRows(Databases& dbs, const ConnectionRecord& connection, const TableRecord& table,
                                const rapidjson::Value& rows, const VersionCondition& condition = {});

/// Apply the given fields to one row; writes the updated row. 404 ROW_NOT_FOUND when absent.
Status UpdateRow(Databases& dbs, const ConnectionRecord& connection, const TableRecord& table,
                 const std::string& row_id, const rapidjson::Value& fields, json::Writer& out,
                 const VersionCondition& condition = {});

Status DeleteRow(Databases& dbs, const ConnectionRecord& connection, const TableRecord& table,
                 const std::string& row_id, const VersionCondition& condition = {});

}  // namespace mt::store
