#pragma once
/// The six column types of SPEC §6 and the column description shared by every service.
#include <optional>
#include <string>
#include <string_view>

namespace mt::types {

enum class ColumnType { kText, kInteger, kDecimal, kBoolean, kDate, kDatetime };

/// "text", "integer", "decimal", "boolean", "date", "datetime".
std::string_view Name(ColumnType type);
/// Inverse of Name; exact, lowercase match only.
std::optional<ColumnType> ParseColumnType(std::string_view name);
/// PostgreSQL DDL type: TEXT, BIGINT, NUMERIC, BOOLEAN, DATE, TIMESTAMPTZ.
std::string_view PgType(ColumnType type);

/// The narrowest type that holds every value of both `a` and `b` (the "widest type wins" of SPEC §7):
/// integer ⊂ decimal, date ⊂ datetime, anything else mixed → text.
ColumnType Widen(ColumnType a, ColumnType b);

struct Column {
    std::string name;          // physical name (validated identifier, or a legacy name for old tables)
    std::string display_name;  // free text shown to people
    ColumnType type = ColumnType::kText;
    bool nullable = true;
};

}  // namespace mt::types
