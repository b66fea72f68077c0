#include "mt/types/column_type.hpp"

#include <array>

namespace mt::types {
namespace {

struct TypeNames {
    ColumnType type;
    std::string_view name;
    std::string_view pg;
};

constexpr std::array<TypeNames, 6> kTypes = {{
    {ColumnType::kText, "text", "TEXT"},
    {ColumnType::kInteger, "integer", "BIGINT"},
    {ColumnType::kDecimal, "decimal", "NUMERIC"},
    {ColumnType::kBoolean, "boolean", "BOOLEAN"},
    {ColumnType::kDate, "date", "DATE"},
    {ColumnType::kDatetime, "datetime", "TIMESTAMPTZ"},
}};

const TypeNames& Lookup(ColumnType type) {
    for (const auto& t : kTypes) {
        if (t.type == type) return t;
    }
    return kTypes[0];  // unreachable for valid enum values
}

}  // namespace

std::string_view Name(ColumnType type) { return Lookup(type).name; }

std::optional<ColumnType> ParseColumnType(std::string_view name) {
    for (const auto& t : kTypes) {
        if (t.name == name) return t.type;
    }
    return std::nullopt;
}

std::string_view PgType(ColumnType type) { return Lookup(type).pg; }

ColumnType Widen(ColumnType a, ColumnType b) {
    if (a == b) return a;
    const auto is = [&](ColumnType x, ColumnType y) { return (a == x && b == y) || (a == y && b == x); };
    if (is(ColumnType::kInteger, ColumnType::kDecimal)) return ColumnType::kDecimal;
    if (is(ColumnType::kDate, ColumnType::kDatetime)) return ColumnType::kDatetime;
    return ColumnType::kText;
}

}  // namespace mt::types
