#pragma once
/// Plain records of the control database, as the services use them.
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "mt/core/json.hpp"
#include "mt/core/result.hpp"
#include "mt/types/column_type.hpp"

namespace mt::store {

struct ConnectionRecord {
    std::string id;
    std::string company_id;
    std::string database_name;
    std::string role_name;  // its password is derived, never stored (role_secrets.hpp)
    std::string status;     // provisioning | ready
};

/// One index of a table as the API names it (SPEC §8): its physical name is derived (store::PhysicalIndexName).
struct IndexSpec {
    std::string name;
    std::vector<std::string> columns;
    bool unique = false;
};

struct TableRecord {
    std::string id;
    std::string company_id;
    std::string connection_id;
    std::string display_name;
    std::string physical_name;  // table name in the company database's public schema
    std::vector<types::Column> columns;
    std::string source;  // manual | upload
    std::string status;  // active | archived
    std::string created_by_user_id;
    std::string created_at;  // ISO 8601 UTC with milliseconds
    std::string updated_at;
    std::int64_t row_count = 0;
    /// Raised by every data or schema change (company database: mt_internal.row_counts); the ETag is "<version>".
    std::int64_t version = 0;
    std::optional<std::int64_t> max_rows;  // row cap (company database); nullopt: none
    std::vector<IndexSpec> indexes;
    std::optional<std::string> description;  // SPEC §9: at most kMaxDescriptionChars; nullopt: none
    std::string metadata = "{}";             // SPEC §9: a JSON object's text, at most kMaxMetadataBytes
};

/// Bounds of a table's `description` (characters, UTF-8 code points) and `metadata` (bytes of its compact JSON).
inline constexpr std::size_t kMaxDescriptionChars = 1000;
inline constexpr std::size_t kMaxMetadataBytes = 64u << 10;

template <typename T>
struct Page {
    std::int64_t total = 0;
    std::vector<T> records;
};

/// Write `[{name, display_name, type, nullable}, …]`: the one JSON form of a column list (tables, schemas, API).
void WriteColumns(json::Writer& w, const std::vector<types::Column>& columns);

/// Write `[{name, columns, unique}, …]`; and ⇄ the jsonb stored in mt_tables.indexes.
void WriteIndexes(json::Writer& w, const std::vector<IndexSpec>& indexes);
std::string IndexesToJson(const std::vector<IndexSpec>& indexes);
Result<std::vector<IndexSpec>> IndexesFromJson(std::string_view json);

/// columns ⇄ the jsonb stored in mt_tables.columns and in job schemas: [{name, display_name, type, nullable}].
std::string ColumnsToJson(const std::vector<types::Column>& columns);
Result<std::vector<types::Column>> ColumnsFromJson(std::string_view json);

}  // namespace mt::store
