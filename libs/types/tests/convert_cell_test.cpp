#include <catch2/catch.hpp>

#include <string>
#include <vector>

#include "inference_test_util.hpp"
#include "mt/types/inference.hpp"

using mt::types::CellFormat;
using mt::types::ColumnType;
using mt::types::ConvertCell;
using mt::types::DateOrder;
using mt::types::DecimalSeparator;

namespace {

constexpr CellFormat kPointDmy{DecimalSeparator::kPoint, DateOrder::kDayFirst};
constexpr CellFormat kCommaDmy{DecimalSeparator::kComma, DateOrder::kDayFirst};
constexpr CellFormat kPointMdy{DecimalSeparator::kPoint, DateOrder::kMonthFirst};

std::string Converted(ColumnType type, std::string_view raw, const CellFormat& format = kPointDmy) {
    INFO('"' << raw << "\" as " << mt::types::Name(type));
    auto r = ConvertCell(type, raw, format);
    if (!r.ok()) FAIL(r.error().message);
    REQUIRE(r->has_value());
    return **r;
}

std::string Refused(ColumnType type, std::string_view raw, const CellFormat& format = kPointDmy) {
    INFO('"' << raw << "\" as " << mt::types::Name(type));
    auto r = ConvertCell(type, raw, format);
    REQUIRE_FALSE(r.ok());
    CHECK(r.error().kind == mt::ErrorKind::kValidation);
    return r.error().message;
}

constexpr ColumnType kAllTypes[] = {ColumnType::kText,    ColumnType::kInteger, ColumnType::kDecimal,
                                    ColumnType::kBoolean, ColumnType::kDate,    ColumnType::kDatetime};

}  // namespace

TEST_CASE("ConvertCell: null tokens are SQL NULL for every type") {
    for (ColumnType t : kAllTypes) {
        for (const char* null : {"", "  ", "NULL", "null", "N/A", "n/a", "NA", " NA "}) {
            auto r = ConvertCell(t, null, kPointDmy);
            REQUIRE(r.ok());
            CHECK_FALSE(r->has_value());
        }
    }
}

TEST_CASE("ConvertCell text keeps the raw value byte for byte") {
    CHECK(Converted(ColumnType::kText, "  abc  ") == "  abc  ");
    CHECK(Converted(ColumnType::kText, "1.234,56") == "1.234,56");
    CHECK(Converted(ColumnType::kText, "00123") == "00123");
    CHECK(Converted(ColumnType::kText, "Null") == "Null");
    CHECK(Converted(ColumnType::kText, "linha 1\nlinha 2\r\n") == "linha 1\nlinha 2\r\n");
    CHECK(Converted(ColumnType::kText, "São Paulo") == "São Paulo");
    CHECK_THAT(Refused(ColumnType::kText, std::string_view("a\0b", 3)), Catch::Contains("NUL"));
}

TEST_CASE("ConvertCell integer: canonical digits, int64 range") {
    CHECK(Converted(ColumnType::kInteger, "42") == "42");
    CHECK(Converted(ColumnType::kInteger, " 42 ") == "42");
    CHECK(Converted(ColumnType::kInteger, "+5") == "5");
    CHECK(Converted(ColumnType::kInteger, "-0") == "0");
    CHECK(Converted(ColumnType::kInteger, "+0") == "0");
    CHECK(Converted(ColumnType::kInteger, "9223372036854775807") == "9223372036854775807");
    CHECK(Converted(ColumnType::kInteger, "-9223372036854775808", kCommaDmy) == "-9223372036854775808");
    CHECK(Refused(ColumnType::kInteger, "00123") == "cannot convert \"00123\" to integer");
    CHECK(Refused(ColumnType::kInteger, " 1.0") == "cannot convert \" 1.0\" to integer");
    for (const char* bad : {"1e3", "9223372036854775808", "-9223372036854775809", "1.234", "1,5", "abc", "true",
                            "2024-01-15", "1.234.567"}) {
        Refused(ColumnType::kInteger, bad);
    }
}

TEST_CASE("ConvertCell decimal with point: grouping removed, exact digits") {
    CHECK(Converted(ColumnType::kDecimal, "89.90") == "89.90");
    CHECK(Converted(ColumnType::kDecimal, "1,234.56") == "1234.56");
    CHECK(Converted(ColumnType::kDecimal, "1,234,567") == "1234567");
    CHECK(Converted(ColumnType::kDecimal, "-0.5") == "-0.5");
    CHECK(Converted(ColumnType::kDecimal, ".5") == "0.5");
    CHECK(Converted(ColumnType::kDecimal, "-.5") == "-0.5");
    CHECK(Converted(ColumnType::kDecimal, "+1.5") == "1.5");
    CHECK(Converted(ColumnType::kDecimal, "1.234") == "1.234");
    CHECK(Converted(ColumnType::kDecimal, "1e3") == "1e3");
    CHECK(Converted(ColumnType::kDecimal, "-1.5E-3") == "-1.5E-3");
    CHECK(Converted(ColumnType::kDecimal, "42") == "42");
    CHECK(Converted(ColumnType::kDecimal, "+42") == "42");
    CHECK(Converted(ColumnType::kDecimal, "9223372036854775808") == "9223372036854775808");
    const std::string many_digits = "0.10000000000000000000000000000001";
    CHECK(Converted(ColumnType::kDecimal, many_digits) == many_digits);
    CHECK(Refused(ColumnType::kDecimal, "89,90") == "cannot convert \"89,90\" to decimal");
    for (const char* bad : {"1.234,56", "1.234.567", "Infinity", "00.5", "5.", "1,2345", "R$ 5,00"}) {
        Refused(ColumnType::kDecimal, bad);
    }
}

TEST_CASE("ConvertCell decimal with comma: Brazilian numbers") {
    CHECK(Converted(ColumnType::kDecimal, "89,90", kCommaDmy) == "89.90");
    CHECK(Converted(ColumnType::kDecimal, "1.234,50", kCommaDmy) == "1234.50");
    CHECK(Converted(ColumnType::kDecimal, "1.234", kCommaDmy) == "1234");
    CHECK(Converted(ColumnType::kDecimal, "1.234.567", kCommaDmy) == "1234567");
    CHECK(Converted(ColumnType::kDecimal, "1.000.000,01", kCommaDmy) == "1000000.01");
    CHECK(Converted(ColumnType::kDecimal, ",5", kCommaDmy) == "0.5");
    CHECK(Converted(ColumnType::kDecimal, "-1.234,56", kCommaDmy) == "-1234.56");
    CHECK(Converted(ColumnType::kDecimal, "0,00", kCommaDmy) == "0.00");
    CHECK(Converted(ColumnType::kDecimal, "1,5E-3", kCommaDmy) == "1.5E-3");
    CHECK(Converted(ColumnType::kDecimal, "10", kCommaDmy) == "10");
    for (const char* bad : {"1.5", "1,234.56", "1,234,567", "0.5", "1.23"}) {
        Refused(ColumnType::kDecimal, bad, kCommaDmy);
    }
}

TEST_CASE("ConvertCell boolean") {
    for (const char* t : {"true", "TRUE", "True", "sim", "SIM", "yes", "Yes", " yes "}) {
        CHECK(Converted(ColumnType::kBoolean, t) == "true");
    }
    for (const char* f : {"false", "FALSE", "não", "NÃO", "Não", "nao", "NAO", "no", "No"}) {
        CHECK(Converted(ColumnType::kBoolean, f) == "false");
    }
    for (const char* bad : {"1", "0", "t", "verdadeiro", "nã", "ss", "x!"}) Refused(ColumnType::kBoolean, bad);
}

TEST_CASE("ConvertCell date: ISO and the slash order of the format") {
    CHECK(Converted(ColumnType::kDate, "15/01/2024") == "2024-01-15");
    CHECK(Converted(ColumnType::kDate, "1/2/2024") == "2024-02-01");
    CHECK(Converted(ColumnType::kDate, "2024-01-15") == "2024-01-15");
    CHECK(Converted(ColumnType::kDate, " 29/02/2024 ") == "2024-02-29");
    CHECK(Converted(ColumnType::kDate, "01/15/2024", kPointMdy) == "2024-01-15");
    CHECK(Converted(ColumnType::kDate, "1/2/2024", kPointMdy) == "2024-01-02");
    CHECK(Converted(ColumnType::kDate, "2024-01-15", kPointMdy) == "2024-01-15");
    CHECK(Converted(ColumnType::kDate, "0001-01-01") == "0001-01-01");
    CHECK(Refused(ColumnType::kDate, "01/15/2024") == "cannot convert \"01/15/2024\" to date");
    for (const char* bad : {"2023-02-29", "29/02/2023", "1900-02-29", "0000-01-01", "15/01/2024 10:30",
                            "2024-01-15T00:00", "15/01/24", "20240115"}) {
        Refused(ColumnType::kDate, bad);
    }
    Refused(ColumnType::kDate, "15/01/2024", kPointMdy);
}

TEST_CASE("ConvertCell datetime: dates at midnight UTC, offsets to UTC, slash datetimes") {
    CHECK(Converted(ColumnType::kDatetime, "2024-01-15") == "2024-01-15T00:00:00Z");
    CHECK(Converted(ColumnType::kDatetime, "15/01/2024") == "2024-01-15T00:00:00Z");
    CHECK(Converted(ColumnType::kDatetime, "15/01/2024 10:30") == "2024-01-15T10:30:00Z");
    CHECK(Converted(ColumnType::kDatetime, "15/01/2024 9:05:30") == "2024-01-15T09:05:30Z");
    CHECK(Converted(ColumnType::kDatetime, "01/15/2024 10:30", kPointMdy) == "2024-01-15T10:30:00Z");
    CHECK(Converted(ColumnType::kDatetime, "2026-01-15T10:30:00Z") == "2026-01-15T10:30:00Z");
    CHECK(Converted(ColumnType::kDatetime, "2026-01-15 10:30") == "2026-01-15T10:30:00Z");
    CHECK(Converted(ColumnType::kDatetime, "2026-01-15T10:30:00+05:30") == "2026-01-15T05:00:00Z");
    CHECK(Converted(ColumnType::kDatetime, "2026-01-15T10:30:00-0300") == "2026-01-15T13:30:00Z");
    CHECK(Converted(ColumnType::kDatetime, "2026-01-15T22:30:00-03") == "2026-01-16T01:30:00Z");
    CHECK(Converted(ColumnType::kDatetime, "2026-01-15T10:30:00.5") == "2026-01-15T10:30:00.500000Z");
    CHECK(Converted(ColumnType::kDatetime, "2026-01-15T10:30:00.1234567Z") == "2026-01-15T10:30:00.123456Z");
    for (const char* bad : {"2026-01-15T24:00", "15/01/2024 24:00", "01/15/2024 10:30", "2023-02-29T10:00",
                            "0001-01-01T00:00:00+00:01", "15/01/2024T10:30", "1700000000"}) {
        Refused(ColumnType::kDatetime, bad);
    }
}

TEST_CASE("ConvertCell error messages show the raw value cut to 100 bytes") {
    const std::string raw = std::string(150, '7') + "x";
    CHECK(Refused(ColumnType::kInteger, raw) == "cannot convert \"" + std::string(100, '7') + "\"... to integer");
}

TEST_CASE("ConvertCell accepts exactly what inference accepts for each type and format") {
    struct Reading {
        ColumnType type;
        CellFormat format;
        const char* anchor;  // a value that admits this reading and no narrower or other-format one
    };
    const std::vector<Reading> readings = {
        {ColumnType::kInteger, kPointDmy, "1"},
        {ColumnType::kInteger, kCommaDmy, "1.234.567"},
        {ColumnType::kDecimal, kPointDmy, "1.5"},
        {ColumnType::kDecimal, kCommaDmy, "1,5"},
        {ColumnType::kBoolean, kPointDmy, "true"},
        {ColumnType::kDate, kPointDmy, "31/12/2024"},
        {ColumnType::kDate, kPointMdy, "12/31/2024"},
        {ColumnType::kDatetime, kPointDmy, "31/12/2024 10:00"},
        {ColumnType::kDatetime, kPointMdy, "12/31/2024 10:00"},
    };
    const std::vector<std::string> pool = {"0",
                                           "-0",
                                           "+5",
                                           "42",
                                           " 42 ",
                                           "00123",
                                           "9223372036854775807",
                                           "9223372036854775808",
                                           "-9223372036854775809",
                                           "1.0",
                                           "1e3",
                                           "1E+15",
                                           "1,5E-3",
                                           "1.5e-3",
                                           "05e3",
                                           "1e1001",
                                           "NaN",
                                           "#N/A",
                                           "-",
                                           "\xE2\x80\x94",
                                           "(null)",
                                           "R$ 1.234,56",
                                           "$ 1,234.56",
                                           "US$ 1,234",
                                           "1.234,56 \xE2\x82\xAC",
                                           "(1.234,56)",
                                           "1.234,56-",
                                           "12,5%",
                                           "12.5 %",
                                           "1 234 567",
                                           "1\xC2\xA0234,5",
                                           "1.2.3,4,5",
                                           "1,23,456",
                                           "$",
                                           "S",
                                           "n",
                                           "V",
                                           "f",
                                           "x",
                                           "Infinity",
                                           "89,90",
                                           "89.90",
                                           "1.234",
                                           "1,234",
                                           "1.234,56",
                                           "1,234.56",
                                           "1.234.567",
                                           "1,234,567",
                                           ".5",
                                           ",5",
                                           "5.",
                                           "00.5",
                                           "0.123",
                                           "1.2345",
                                           "12,34",
                                           "1.23.456",
                                           "R$ 10",
                                           "true",
                                           "FALSE",
                                           "sim",
                                           "não",
                                           "NÃO",
                                           "nao",
                                           "yes",
                                           "No",
                                           "t",
                                           "1",
                                           "verdadeiro",
                                           "2024-01-15",
                                           "2024-02-29",
                                           "2023-02-29",
                                           "1900-02-29",
                                           "2000-02-29",
                                           "0000-01-01",
                                           "15/01/2024",
                                           "01/15/2024",
                                           "01/02/2024",
                                           "1/2/2024",
                                           "31/04/2024",
                                           "15/01/24",
                                           "15-01-2024",
                                           "2026-01-15T10:30:00Z",
                                           "2026-01-15 10:30",
                                           "2026-01-15T10:30:00.123+05:30",
                                           "2026-01-15T10:30:00-0300",
                                           "2026-01-15T24:00",
                                           "15/01/2024 10:30",
                                           "01/15/2024 10:30",
                                           "01/02/2024 9:05:30",
                                           "15/01/2024 10:30:00.5",
                                           "abc",
                                           "01310-100",
                                           "123.456.789-09",
                                           "",
                                           "NULL",
                                           "N/A",
                                           "Null",
                                           " 15/01/2024 "};
    for (const auto& reading : readings) {
        for (const auto& value : pool) {
            const auto inferred = mt::types::testing::Infer({reading.anchor, value});
            bool admitted = inferred.type == reading.type;
            // A letter pair is a rule of the column ("S" with "true" reads, with "V" does not; "X" needs an empty
            // cell beside it); conversion reads every letter: a value is admitted as boolean when it is one, beside
            // the anchor or beside an empty cell.
            if (reading.type == ColumnType::kBoolean) {
                admitted = admitted || mt::types::testing::Infer({"", value}).type == ColumnType::kBoolean;
            }
            if (reading.type == ColumnType::kDecimal || reading.type == ColumnType::kInteger) {
                admitted = admitted && inferred.format.decimal_separator == reading.format.decimal_separator;
            }
            if (reading.type == ColumnType::kDate || reading.type == ColumnType::kDatetime) {
                admitted = admitted && inferred.format.date_order == reading.format.date_order;
            }
            INFO('"' << value << "\" with anchor " << reading.anchor << ": inferred "
                     << mt::types::testing::Describe(inferred));
            CHECK(ConvertCell(reading.type, value, reading.format).ok() == admitted);
        }
    }
}
