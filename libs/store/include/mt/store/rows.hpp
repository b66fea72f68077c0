#pragma once
/// Row CRUD on a managed table (Workflow 5). Values are validated by the type library and travel as parameters
/// or COPY data; column names come from the table's metadata and are always quoted.
#include <string>
#include <vector>

#include <rapidjson/document.h>

#include "mt/core/json.hpp"
#include "mt/store/databases.hpp"
#include "mt/store/filter.hpp"

namespace mt::store {

inline constexpr std::size_t kMaxRowsPerInsert = 10'000;

/// `sort_by` of GET /:id/data: comma list of `col` (ascending) or `-col` (descending). Unknown columns → 400
/// BAD_REQUEST. Pages are read by QueryRows (mt/store/query.hpp).
Result<std::vector<SortKey>> ParseSort(std::string_view sort_by, const TableRecord& table);

/// Validate every row (422 with one detail per bad field) and insert all of them or none. Returns the count.
Result<std::int64_t> InsertRows(Databases& dbs, const ConnectionRecord& connection, const TableRecord& table,
                                const rapidjson::Value& rows);

/// Apply the given fields to one row; writes the updated row. 404 ROW_NOT_FOUND when absent.
Status UpdateRow(Databases& dbs, const ConnectionRecord& connection, const TableRecord& table,
                 const std::string& row_id, const rapidjson::Value& fields, json::Writer& out);

Status DeleteRow(Databases& dbs, const ConnectionRecord& connection, const TableRecord& table,
                 const std::string& row_id);

}  // namespace mt::store
