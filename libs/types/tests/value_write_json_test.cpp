#include <catch2/catch.hpp>

#include <string>

#include "mt/core/json.hpp"
#include "mt/types/value.hpp"

using mt::types::ColumnType;

namespace {

/// The JSON text WriteJson produces for one PostgreSQL value.
std::string Written(ColumnType type, std::string_view pg_text) {
    rapidjson::StringBuffer sb;
    mt::json::Writer w(sb);
    mt::types::WriteJson(w, type, pg_text);
    return {sb.GetString(), sb.GetSize()};
}

}  // namespace

TEST_CASE("WriteJson integer and decimal: bare numbers with the stored digits") {
    CHECK(Written(ColumnType::kInteger, "42") == "42");
    CHECK(Written(ColumnType::kInteger, "0") == "0");
    CHECK(Written(ColumnType::kInteger, "-9223372036854775808") == "-9223372036854775808");
    CHECK(Written(ColumnType::kInteger, "9223372036854775807") == "9223372036854775807");
    CHECK(Written(ColumnType::kDecimal, "89.90") == "89.90");
    CHECK(Written(ColumnType::kDecimal, "1234.50") == "1234.50");
    CHECK(Written(ColumnType::kDecimal, "-0.0001") == "-0.0001");
    CHECK(Written(ColumnType::kDecimal, "0.000000000000000000001") == "0.000000000000000000001");
    CHECK(Written(ColumnType::kDecimal, "12345678901234567890123.000001") == "12345678901234567890123.000001");
    CHECK(Written(ColumnType::kDecimal, "1000") == "1000");
}

TEST_CASE("WriteJson decimal: NaN and infinities become strings") {
    CHECK(Written(ColumnType::kDecimal, "NaN") == "\"NaN\"");
    CHECK(Written(ColumnType::kDecimal, "Infinity") == "\"Infinity\"");
    CHECK(Written(ColumnType::kDecimal, "-Infinity") == "\"-Infinity\"");
    // Nothing that is not a JSON number literal is written raw, whatever produced it.
    CHECK(Written(ColumnType::kDecimal, ".5") == "\".5\"");
    CHECK(Written(ColumnType::kDecimal, "") == "\"\"");
    CHECK(Written(ColumnType::kInteger, "1,5") == "\"1,5\"");
}

TEST_CASE("WriteJson boolean from t/f") {
    CHECK(Written(ColumnType::kBoolean, "t") == "true");
    CHECK(Written(ColumnType::kBoolean, "f") == "false");
    CHECK(Written(ColumnType::kBoolean, "true") == "true");
    CHECK(Written(ColumnType::kBoolean, "false") == "false");
}

TEST_CASE("WriteJson date and text are strings") {
    CHECK(Written(ColumnType::kDate, "2024-01-15") == "\"2024-01-15\"");
    CHECK(Written(ColumnType::kDate, "infinity") == "\"infinity\"");
    CHECK(Written(ColumnType::kText, "São \"Paulo\"\n") == "\"São \\\"Paulo\\\"\\n\"");
    CHECK(Written(ColumnType::kText, "") == "\"\"");
    CHECK(Written(ColumnType::kText, "123") == "\"123\"");
    CHECK(Written(ColumnType::kText, std::string_view("a\0b", 3)) == "\"a\\u0000b\"");
}

TEST_CASE("WriteJson datetime: PostgreSQL UTC timestamps as ISO 8601 with milliseconds") {
    CHECK(Written(ColumnType::kDatetime, "2026-01-15 10:30:00+00") == "\"2026-01-15T10:30:00.000Z\"");
    CHECK(Written(ColumnType::kDatetime, "2026-01-15 10:30:00.5+00") == "\"2026-01-15T10:30:00.500Z\"");
    CHECK(Written(ColumnType::kDatetime, "2026-01-15 10:30:00.123456+00") == "\"2026-01-15T10:30:00.123Z\"");
}

TEST_CASE("FormatPgTimestamp: milliseconds cut, offsets converted, unknown forms passed through") {
    using mt::types::FormatPgTimestamp;
    CHECK(FormatPgTimestamp("2026-01-15 10:30:00+00") == "2026-01-15T10:30:00.000Z");
    CHECK(FormatPgTimestamp("2026-01-15 10:30:00.5+00") == "2026-01-15T10:30:00.500Z");
    CHECK(FormatPgTimestamp("2026-01-15 10:30:00.05+00") == "2026-01-15T10:30:00.050Z");
    CHECK(FormatPgTimestamp("2026-01-15 10:30:00.123456+00") == "2026-01-15T10:30:00.123Z");
    CHECK(FormatPgTimestamp("2026-01-15 10:30:00.999999+00") == "2026-01-15T10:30:00.999Z");
    CHECK(FormatPgTimestamp("2026-01-15 10:30:00.000999+00") == "2026-01-15T10:30:00.000Z");
    CHECK(FormatPgTimestamp("2026-01-15 10:30:00+05:30") == "2026-01-15T05:00:00.000Z");
    CHECK(FormatPgTimestamp("2026-01-15 01:30:00-03") == "2026-01-15T04:30:00.000Z");
    CHECK(FormatPgTimestamp("2026-01-01 01:30:00+03") == "2025-12-31T22:30:00.000Z");
    CHECK(FormatPgTimestamp("2024-02-29 23:59:59.999+00") == "2024-02-29T23:59:59.999Z");
    CHECK(FormatPgTimestamp("2026-01-15T10:30:00Z") == "2026-01-15T10:30:00.000Z");
    CHECK(FormatPgTimestamp("infinity") == "infinity");
    CHECK(FormatPgTimestamp("-infinity") == "-infinity");
    CHECK(FormatPgTimestamp("0044-03-15 12:00:00+00 BC") == "0044-03-15 12:00:00+00 BC");
    CHECK(FormatPgTimestamp("10000-01-01 00:00:00+00") == "10000-01-01 00:00:00+00");
    CHECK(FormatPgTimestamp("") == "");
}
