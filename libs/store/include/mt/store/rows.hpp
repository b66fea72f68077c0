#pragma once
/// Row CRUD on a managed table (Workflow 5). Values are validated by the type library and travel as parameters
/// or COPY data; column names come from the table's metadata and are always quoted.
#include <optional>
#include <string>
#include <vector>

#include <rapidjson/document.h>

#include "mt/core/json.hpp"
#include "mt/store/databases.hpp"
#include "mt/store/filter.hpp"
#include "mt/store/tables.hpp"

namespace mt::store {

inline constexpr std::size_t kMaxRowsPerInsert = 10'000;

/// `sort_by` of GET /:id/data: comma list of `col` (ascending) or `-col` (descending). Unknown columns → 400
/// BAD_REQUEST. Pages are read by QueryRows (mt/store/query.hpp).
Result<std::vector<SortKey>> ParseSort(std::string_view sort_by, const TableRecord& table);

/// Validate every row (422 with one detail per bad field) and insert all of them or none. Returns the count.
/// `condition` (If-Match) is checked in the insert's transaction (CheckVersion); a row cap → 400
/// MANAGED_TABLE_ROW_LIMIT with nothing written.
Result<std::int64_t> InsertRows(Databases& dbs, const ConnectionRecord& connection, const TableRecord& table,
                                const rapidjson::Value& rows, const VersionCondition& condition = {});

/// `on_conflict_action` of POST /:id/data: on a key that exists, update the row or leave it as it is.
enum class ConflictAction { kUpdate, kIgnore };

/// `on_conflict`/`on_conflict_action` of POST /:id/data, validated against the table's metadata.
struct OnConflict {
    std::vector<std::string> columns;  // table columns, as named in the request (order kept)
    ConflictAction action = ConflictAction::kUpdate;
};

/// At most this many `on_conflict` columns (PostgreSQL's INDEX_MAX_KEYS: no index has more).
inline constexpr std::size_t kMaxConflictColumns = 32;

/// Reads `on_conflict` (a non-empty array of distinct column names of the table) and `on_conflict_action`
/// (`update`, the default, or `ignore`) from the request body. std::nullopt when neither is present (a plain
/// insert); 422 VALIDATION_ERROR naming the field otherwise. Whether a unique index matches is checked by
/// UpsertRows, against the physical table.
Result<std::optional<OnConflict>> ParseOnConflict(const rapidjson::Value& body, const TableRecord& table);

struct UpsertCounts {
    std::int64_t inserted = 0;
    std::int64_t updated = 0;  // rows whose key existed and were updated (always 0 for kIgnore)
};

/// Insert `rows` (validated as InsertRows), resolving key conflicts on `on_conflict.columns`, all or nothing in
/// one company transaction. The columns must be exactly the key of a valid, non-partial unique index of the
/// physical table on plain columns (else 422 naming `on_conflict`). kUpdate sets, on a matching row, every
/// column that some row of the request names (a column no row names keeps its value; the row id never
/// changes); kIgnore leaves matching rows as they are. A key given by two rows of the request → 422 naming the
/// key (for both actions). Rows with a NULL in a key column never match (PostgreSQL: NULLs are distinct).
/// `condition` (If-Match) is checked first in the same transaction (CheckVersion).
Result<UpsertCounts> UpsertRows(Databases& dbs, const ConnectionRecord& connection, const TableRecord& table,
                                const rapidjson::Value& rows, const OnConflict& on_conflict,
                                const VersionCondition& condition = {});

/// True when a valid (built), non-partial unique index of `qualified_table` has exactly `columns` as its key:
/// plain columns, in any order, no INCLUDE columns. The physical truth, whoever made the index.
Result<bool> HasUniqueIndexOn(pg::Connection& company, const std::string& qualified_table,
                              const std::vector<std::string>& columns);
/// 422 naming `field` unless HasUniqueIndexOn(table, columns) (uploads check key_columns with it).
Status CheckConflictKey(Databases& dbs, const ConnectionRecord& connection, const TableRecord& table,
                        const std::vector<std::string>& columns, const std::string& field);
/// Up to five keys, each as `a = "1", b = "x"` (values cut at 100 bytes), that more than one row of `qualified_source`
/// carries (a key with a NULL is never repeated: NULLs never conflict). Equality is the columns' types', as the unique
/// index's.
Result<std::vector<std::string>> RepeatedKeys(pg::Connection& company, const std::string& qualified_source,
                                              const std::vector<std::string>& keys);
/// One statement merging `source` into `target` (`column_list` in both, `id` first; rows in id order) on the
/// key `on_conflict.columns`: kUpdate sets `updated_columns` from the incoming row, kIgnore leaves the row. Its
/// one result row is (inserted, updated).
std::string MergeSql(const std::string& target, const std::string& source, const std::string& column_list,
                     const OnConflict& on_conflict, const std::vector<std::string>& updated_columns);

/// Apply the given fields to one row; writes the updated row. 404 ROW_NOT_FOUND when absent.
Status UpdateRow(Databases& dbs, const ConnectionRecord& connection, const TableRecord& table,
                 const std::string& row_id, const rapidjson::Value& fields, json::Writer& out,
                 const VersionCondition& condition = {});

Status DeleteRow(Databases& dbs, const ConnectionRecord& connection, const TableRecord& table,
                 const std::string& row_id, const VersionCondition& condition = {});

}  // namespace mt::store
