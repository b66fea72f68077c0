#pragma once
/// What the row writers of this library share (rows.cpp, upsert.cpp): request rows turned into COPY data.
#include <string>

#include <rapidjson/document.h>

#include "mt/core/result.hpp"
#include "mt/store/records.hpp"

namespace mt::store {

/// Validates `rows` (1..kMaxRowsPerInsert objects; 422 with one detail per bad field, as InsertRows) and returns
/// COPY text data: a new uuid v7 id, then every metadata column in order (an omitted nullable column is \N).
Result<std::string> RowsToCopyData(const TableRecord& table, const rapidjson::Value& rows);
/// `id, "col1", …` in metadata order, quoted: the column list of that COPY data.
std::string RowSelectList(const TableRecord& table);

}  // namespace mt::store
