#include <catch2/catch.hpp>

#include "mt/types/column_type.hpp"

using mt::types::ColumnType;

namespace {
constexpr ColumnType kAll[] = {ColumnType::kText,    ColumnType::kInteger, ColumnType::kDecimal,
                               ColumnType::kBoolean, ColumnType::kDate,    ColumnType::kDatetime};
}

TEST_CASE("type names and PostgreSQL types are the documented ones") {
    CHECK(mt::types::Name(ColumnType::kText) == "text");
    CHECK(mt::types::Name(ColumnType::kInteger) == "integer");
    CHECK(mt::types::Name(ColumnType::kDecimal) == "decimal");
    CHECK(mt::types::Name(ColumnType::kBoolean) == "boolean");
    CHECK(mt::types::Name(ColumnType::kDate) == "date");
    CHECK(mt::types::Name(ColumnType::kDatetime) == "datetime");
    CHECK(mt::types::PgType(ColumnType::kText) == "TEXT");
    CHECK(mt::types::PgType(ColumnType::kInteger) == "BIGINT");
    CHECK(mt::types::PgType(ColumnType::kDecimal) == "NUMERIC");
    CHECK(mt::types::PgType(ColumnType::kBoolean) == "BOOLEAN");
    CHECK(mt::types::PgType(ColumnType::kDate) == "DATE");
    CHECK(mt::types::PgType(ColumnType::kDatetime) == "TIMESTAMPTZ");
}

TEST_CASE("ParseColumnType is the exact inverse of Name") {
    for (ColumnType t : kAll) CHECK(mt::types::ParseColumnType(mt::types::Name(t)) == t);
    for (const char* bad : {"", "Text", "TEXT", "int", "bigint", "numeric", "bool", "timestamp", "text ", " date"}) {
        INFO(bad);
        CHECK_FALSE(mt::types::ParseColumnType(bad).has_value());
    }
}

TEST_CASE("Widen: integer within decimal, date within datetime, anything else mixed is text") {
    using mt::types::Widen;
    for (ColumnType t : kAll) CHECK(Widen(t, t) == t);
    for (ColumnType t : kAll) {
        CHECK(Widen(t, ColumnType::kText) == ColumnType::kText);
        CHECK(Widen(ColumnType::kText, t) == ColumnType::kText);
    }
    CHECK(Widen(ColumnType::kInteger, ColumnType::kDecimal) == ColumnType::kDecimal);
    CHECK(Widen(ColumnType::kDecimal, ColumnType::kInteger) == ColumnType::kDecimal);
    CHECK(Widen(ColumnType::kDate, ColumnType::kDatetime) == ColumnType::kDatetime);
    CHECK(Widen(ColumnType::kDatetime, ColumnType::kDate) == ColumnType::kDatetime);
    CHECK(Widen(ColumnType::kBoolean, ColumnType::kInteger) == ColumnType::kText);
    CHECK(Widen(ColumnType::kInteger, ColumnType::kDate) == ColumnType::kText);
    CHECK(Widen(ColumnType::kDecimal, ColumnType::kDatetime) == ColumnType::kText);
    CHECK(Widen(ColumnType::kBoolean, ColumnType::kDate) == ColumnType::kText);
    // Widen is commutative over the whole matrix.
    for (ColumnType a : kAll) {
        for (ColumnType b : kAll) CHECK(Widen(a, b) == Widen(b, a));
    }
}

TEST_CASE("Column defaults to a nullable text column") {
    mt::types::Column c;
    CHECK(c.type == ColumnType::kText);
    CHECK(c.nullable);
    CHECK(c.name.empty());
}
