#include <catch2/catch.hpp>

#include <string>

#include "mt/core/json.hpp"
#include "mt/types/value.hpp"

using mt::types::ColumnType;

namespace {

/// FromJson of the single JSON value `json_text` (parsed by mt::json::ParseJson, numbers exact).
mt::Result<std::optional<std::string>> From(ColumnType type, const std::string& json_text) {
    auto doc = mt::json::ParseJson("[" + json_text + "]");
    REQUIRE(doc.ok());
    return mt::types::FromJson(type, (*doc)[0]);
}

std::string Accepted(ColumnType type, const std::string& json_text) {
    INFO(json_text);
    auto r = From(type, json_text);
    if (!r.ok()) FAIL(r.error().message);
    REQUIRE(r->has_value());
    return **r;
}

std::string Rejected(ColumnType type, const std::string& json_text) {
    INFO(json_text);
    auto r = From(type, json_text);
    REQUIRE_FALSE(r.ok());
    CHECK(r.error().kind == mt::ErrorKind::kValidation);
    CHECK(r.error().code == "VALIDATION_ERROR");
    CHECK(r.error().details.empty());
    return r.error().message;
}

}  // namespace

TEST_CASE("FromJson: null is SQL NULL for every type") {
    for (ColumnType t : {ColumnType::kText, ColumnType::kInteger, ColumnType::kDecimal, ColumnType::kBoolean,
                         ColumnType::kDate, ColumnType::kDatetime}) {
        auto r = From(t, "null");
        REQUIRE(r.ok());
        CHECK_FALSE(r->has_value());
    }
}

TEST_CASE("FromJson text: strings only, any UTF-8, no NUL") {
    CHECK(Accepted(ColumnType::kText, R"("abc")") == "abc");
    CHECK(Accepted(ColumnType::kText, R"("")") == "");
    CHECK(Accepted(ColumnType::kText, R"("  São Paulo \"SP\"\n")") == "  São Paulo \"SP\"\n");
    CHECK(Accepted(ColumnType::kText, R"("123")") == "123");
    CHECK(Rejected(ColumnType::kText, "5") == "expected text, got number 5");
    CHECK(Rejected(ColumnType::kText, "true") == "expected text, got boolean true");
    CHECK(Rejected(ColumnType::kText, "[1]") == "expected text, got array");
    CHECK(Rejected(ColumnType::kText, "{}") == "expected text, got object");
    CHECK_THAT(Rejected(ColumnType::kText, R"("a\u0000b")"), Catch::Contains("NUL"));
}

TEST_CASE("FromJson integer: int64 range, sign and leading zeros canonicalized") {
    CHECK(Accepted(ColumnType::kInteger, "0") == "0");
    CHECK(Accepted(ColumnType::kInteger, "-0") == "0");
    CHECK(Accepted(ColumnType::kInteger, "42") == "42");
    CHECK(Accepted(ColumnType::kInteger, "-42") == "-42");
    CHECK(Accepted(ColumnType::kInteger, "9223372036854775807") == "9223372036854775807");
    CHECK(Accepted(ColumnType::kInteger, "-9223372036854775808") == "-9223372036854775808");
    CHECK(Accepted(ColumnType::kInteger, R"("42")") == "42");
    CHECK(Accepted(ColumnType::kInteger, R"("+5")") == "5");
    CHECK(Accepted(ColumnType::kInteger, R"("-0")") == "0");
    CHECK(Accepted(ColumnType::kInteger, R"("+0")") == "0");
    CHECK(Accepted(ColumnType::kInteger, R"("007")") == "7");
    CHECK(Accepted(ColumnType::kInteger, R"("-007")") == "-7");
    CHECK(Accepted(ColumnType::kInteger, R"("000")") == "0");
    CHECK(Accepted(ColumnType::kInteger, R"("00000000000000000000009223372036854775807")") == "9223372036854775807");
    CHECK(Accepted(ColumnType::kInteger, R"("-9223372036854775808")") == "-9223372036854775808");
}

TEST_CASE("FromJson integer rejects fractions, exponents, overflow and junk") {
    CHECK_THAT(Rejected(ColumnType::kInteger, "9223372036854775808"), Catch::Contains("int64"));
    CHECK_THAT(Rejected(ColumnType::kInteger, "-9223372036854775809"), Catch::Contains("int64"));
    CHECK_THAT(Rejected(ColumnType::kInteger, R"("9223372036854775808")"), Catch::Contains("int64"));
    CHECK_THAT(Rejected(ColumnType::kInteger, "99999999999999999999999"), Catch::Contains("int64"));
    CHECK(Rejected(ColumnType::kInteger, "1.0") == "expected integer, got number 1.0");
    CHECK(Rejected(ColumnType::kInteger, "1e3") == "expected integer, got number 1e3");
    CHECK(Rejected(ColumnType::kInteger, R"("abc")") == "expected integer, got string \"abc\"");
    for (const char* bad : {R"("")", R"("+")", R"("-")", R"(" 5")", R"("5 ")", R"("1_000")", R"("1,000")", R"("1.000")",
                            R"("0x10")", R"("5-")", R"("--5")", R"("+-5")", "true", "[]", "{}", R"("١")"}) {
        Rejected(ColumnType::kInteger, bad);
    }
}

TEST_CASE("FromJson decimal keeps the exact digits") {
    CHECK(Accepted(ColumnType::kDecimal, "89.90") == "89.90");
    CHECK(Accepted(ColumnType::kDecimal, R"("89.90")") == "89.90");
    CHECK(Accepted(ColumnType::kDecimal, "0") == "0");
    CHECK(Accepted(ColumnType::kDecimal, "-0") == "-0");
    CHECK(Accepted(ColumnType::kDecimal, "42") == "42");
    CHECK(Accepted(ColumnType::kDecimal, "1e3") == "1e3");
    CHECK(Accepted(ColumnType::kDecimal, "-1.5E-7") == "-1.5E-7");
    CHECK(Accepted(ColumnType::kDecimal, "2E+10") == "2E+10");
    CHECK(Accepted(ColumnType::kDecimal, "12345678901234567890123.000001") == "12345678901234567890123.000001");
    CHECK(Accepted(ColumnType::kDecimal, "0.1000000000000000055511151231257827") ==
          "0.1000000000000000055511151231257827");
    CHECK(Accepted(ColumnType::kDecimal, R"(".5")") == "0.5");
    CHECK(Accepted(ColumnType::kDecimal, R"("-.5")") == "-0.5");
    CHECK(Accepted(ColumnType::kDecimal, R"("5.")") == "5");
    CHECK(Accepted(ColumnType::kDecimal, R"("5.e2")") == "5e2");
    CHECK(Accepted(ColumnType::kDecimal, R"("007.50")") == "007.50");
    // Exponents up to PostgreSQL's ±1000 (as strings: the JSON parser refuses numbers beyond double range).
    CHECK(Accepted(ColumnType::kDecimal, R"("1e1000")") == "1e1000");
    CHECK(Accepted(ColumnType::kDecimal, R"("1e-1000")") == "1e-1000");
    CHECK(Accepted(ColumnType::kDecimal, "1e300") == "1e300");
    const std::string many(10000, '7');
    CHECK(Accepted(ColumnType::kDecimal, "\"" + many + "." + many + "\"") == many + "." + many);
}

TEST_CASE("FromJson decimal rejects NaN, Infinity, separators other than the point and huge values") {
    CHECK(Rejected(ColumnType::kDecimal, R"("NaN")") == "expected decimal, got string \"NaN\"");
    for (const char* bad :
         {R"("Infinity")", R"("-Infinity")", R"("inf")",    R"("nan")",     R"("1,5")", R"("1.234,5")", R"("+1.5")",
          R"("")",         R"(".")",         R"("-")",      R"("1e")",      R"("1e+")", R"("1.2.3")",   R"(" 1.5")",
          R"("1.5 ")",     R"("1_000.5")",   R"("1e1001")", R"("1e-1001")", "true",     "[1.5]"}) {
        Rejected(ColumnType::kDecimal, bad);
    }
    // PostgreSQL NUMERIC limits: 131072 digits before the point, 16383 after.
    const auto quoted = [](const std::string& s) { return "\"" + s + "\""; };
    Rejected(ColumnType::kDecimal, quoted(std::string(131073, '1')));
    CHECK(Accepted(ColumnType::kDecimal, quoted(std::string(131072, '1'))).size() == 131072);
    Rejected(ColumnType::kDecimal, quoted("0." + std::string(16384, '1')));
    CHECK(Accepted(ColumnType::kDecimal, quoted("0." + std::string(16383, '1'))).size() == 16385);
}

TEST_CASE("FromJson boolean: JSON true/false only") {
    CHECK(Accepted(ColumnType::kBoolean, "true") == "true");
    CHECK(Accepted(ColumnType::kBoolean, "false") == "false");
    CHECK(Rejected(ColumnType::kBoolean, R"("true")") == "expected boolean, got string \"true\"");
    CHECK(Rejected(ColumnType::kBoolean, "1") == "expected boolean, got number 1");
    Rejected(ColumnType::kBoolean, "0");
    Rejected(ColumnType::kBoolean, R"("sim")");
}

TEST_CASE("FromJson date: YYYY-MM-DD, real calendar dates, years 0001..9999") {
    CHECK(Accepted(ColumnType::kDate, R"("2024-01-15")") == "2024-01-15");
    CHECK(Accepted(ColumnType::kDate, R"("2024-02-29")") == "2024-02-29");
    CHECK(Accepted(ColumnType::kDate, R"("2000-02-29")") == "2000-02-29");
    CHECK(Accepted(ColumnType::kDate, R"("0001-01-01")") == "0001-01-01");
    CHECK(Accepted(ColumnType::kDate, R"("9999-12-31")") == "9999-12-31");
    CHECK(Accepted(ColumnType::kDate, R"("2024-04-30")") == "2024-04-30");
    CHECK_THAT(Rejected(ColumnType::kDate, R"("2023-02-29")"), Catch::StartsWith("expected date, got string"));
    for (const char* bad : {R"("1900-02-29")", R"("0000-01-01")", R"("10000-01-01")", R"("2024-13-01")",
                            R"("2024-00-10")", R"("2024-01-00")", R"("2024-01-32")", R"("2024-04-31")", R"("2024-1-5")",
                            R"("15/01/2024")", R"(" 2024-01-15")", R"("2024-01-15 ")", R"("2024-01-15T00:00:00")",
                            R"("2024/01/15")", R"("")", "20240115", "true"}) {
        Rejected(ColumnType::kDate, bad);
    }
}

TEST_CASE("FromJson datetime: ISO 8601, converted to UTC, microseconds rounded down") {
    const auto dt = [](const std::string& s) { return Accepted(ColumnType::kDatetime, "\"" + s + "\""); };
    CHECK(dt("2026-01-15T10:30:00Z") == "2026-01-15T10:30:00Z");
    CHECK(dt("2026-01-15T10:30:00") == "2026-01-15T10:30:00Z");
    CHECK(dt("2026-01-15 10:30") == "2026-01-15T10:30:00Z");
    CHECK(dt("2026-01-15T10:30Z") == "2026-01-15T10:30:00Z");
    CHECK(dt("2026-01-15T10:30:00+05:30") == "2026-01-15T05:00:00Z");
    CHECK(dt("2026-01-15T10:30:00-0300") == "2026-01-15T13:30:00Z");
    CHECK(dt("2026-01-15T10:30:00-03") == "2026-01-15T13:30:00Z");
    CHECK(dt("2026-01-15T10:30:00+00:00") == "2026-01-15T10:30:00Z");
    CHECK(dt("2026-01-15T10:30:00-00") == "2026-01-15T10:30:00Z");
    CHECK(dt("2026-01-15T23:30:00-03:00") == "2026-01-16T02:30:00Z");
    CHECK(dt("2024-02-28T23:00:00-02:00") == "2024-02-29T01:00:00Z");
    CHECK(dt("2024-03-01T01:00:00+02:00") == "2024-02-29T23:00:00Z");
    CHECK(dt("2023-03-01T01:00:00+02:00") == "2023-02-28T23:00:00Z");
    CHECK(dt("2024-12-31T23:59:59-00:01") == "2025-01-01T00:00:59Z");
    CHECK(dt("0001-01-01T00:00:00-01:00") == "0001-01-01T01:00:00Z");
    CHECK(dt("9999-12-31T23:59:59+01:00") == "9999-12-31T22:59:59Z");
    CHECK(dt("2026-01-15T10:30:00.5Z") == "2026-01-15T10:30:00.500000Z");
    CHECK(dt("2026-01-15T10:30:00.123456Z") == "2026-01-15T10:30:00.123456Z");
    CHECK(dt("2026-01-15T10:30:00.1234567Z") == "2026-01-15T10:30:00.123456Z");
    CHECK(dt("2026-01-15T10:30:00.9999999") == "2026-01-15T10:30:00.999999Z");
    CHECK(dt("2026-01-15T10:30:00.000000") == "2026-01-15T10:30:00Z");
    CHECK(dt("2026-01-15T10:30:00.0000009") == "2026-01-15T10:30:00Z");
    CHECK(dt("2026-01-15T10:30:00.000001+05:30") == "2026-01-15T05:00:00.000001Z");
    CHECK(dt("2026-01-15T23:59:59.999999") == "2026-01-15T23:59:59.999999Z");
    CHECK(dt("2024-02-29T00:00") == "2024-02-29T00:00:00Z");
}

TEST_CASE("FromJson datetime rejects 24:00, bad offsets, years leaving 1..9999 and date-only strings") {
    const auto bad = [](const std::string& s) { return Rejected(ColumnType::kDatetime, "\"" + s + "\""); };
    CHECK_THAT(bad("2026-01-15T24:00"), Catch::StartsWith("expected datetime, got string \"2026-01-15T24:00\""));
    for (const char* s : {"2026-01-15T24:00:00",
                          "2026-01-15T23:60",
                          "2026-01-15T23:59:60",
                          "2026-01-15T10:30:00+24:00",
                          "2026-01-15T10:30:00+05:60",
                          "2026-01-15T10:30:00 Z",
                          "2026-01-15T10:30:00.Z",
                          "2026-01-15T10:30:",
                          "2026-01-15T1:30",
                          "2026-01-15",
                          "2026-01-15T",
                          "2026-01-15t10:30",
                          "2026-01-15T10:30:00z",
                          "2026-01-15T10:30:00+5",
                          "2026-01-15T10:30:00+05:3",
                          "2026-01-15T10:30:00+0530x",
                          "2026-01-15T10.30",
                          "2023-02-29T00:00:00",
                          "0001-01-01T00:00:00+01:00",
                          "9999-12-31T23:59:59-01:00",
                          "0000-06-01T00:00:00",
                          "10000-01-01T00:00:00",
                          "15/01/2026 10:30",
                          "2026-01-15  10:30",
                          ""}) {
        bad(s);
    }
    Rejected(ColumnType::kDatetime, "1700000000");
}

TEST_CASE("FromJson error messages cut the value to 100 bytes at a character boundary") {
    std::string value = std::string(99, 'x') + "é" + std::string(50, 'y');  // é straddles byte 100
    const std::string message = Rejected(ColumnType::kInteger, "\"" + value + "\"");
    CHECK(message == "expected integer, got string \"" + std::string(99, 'x') + "\"...");
    const std::string number(300, '9');
    CHECK(Rejected(ColumnType::kInteger, number) ==
          "expected integer, got number " + std::string(100, '9') + "... (out of the int64 range)");
}
