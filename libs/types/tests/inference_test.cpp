#include <catch2/catch.hpp>

#include <random>
#include <string>
#include <vector>

#include "inference_test_util.hpp"
#include "mt/types/inference.hpp"

using mt::types::ColumnInference;
using mt::types::ColumnType;
using mt::types::DateOrder;
using mt::types::DecimalSeparator;
using mt::types::InferenceHints;
using mt::types::testing::Describe;
using mt::types::testing::Infer;

namespace {

ColumnType TypeOf(const std::vector<std::string>& values, InferenceHints hints = {}) {
    return Infer(values, hints).type;
}

constexpr InferenceHints kPreferComma{true};

}  // namespace

TEST_CASE("IsNullToken: empty after trimming and the documented tokens only") {
    for (const char* null : {"", " ", "\t", "   ", "NULL", "null", " NULL ", "N/A", "n/a", "NA", "\tNA\t"}) {
        INFO('"' << null << '"');
        CHECK(mt::types::IsNullToken(null));
    }
    for (const char* value : {"Null", "nil", "None", "-", "na", "N/a", "NaN", "0", "n.a.", "NULLL", "\"\""}) {
        INFO(value);
        CHECK_FALSE(mt::types::IsNullToken(value));
    }
}

TEST_CASE("a column with no value at all is nullable text") {
    CHECK(Describe(Infer({})) == "text nullable=true sep=point order=dmy");
    const auto nulls = Infer({"", "NULL", "null", "N/A", "n/a", "NA", "  "});
    CHECK(Describe(nulls) == "text nullable=true sep=point order=dmy");
    ColumnInference inference;
    inference.Observe("NULL");
    CHECK(inference.non_null_count() == 0);
}

TEST_CASE("nulls only make a column nullable") {
    CHECK(Describe(Infer({"1", "", "2"})) == "integer nullable=true sep=point order=dmy");
    CHECK(Describe(Infer({"1", "2"})) == "integer nullable=false sep=point order=dmy");
    CHECK(Describe(Infer({"NA", "true"})) == "boolean nullable=true sep=point order=dmy");
    ColumnInference inference;
    for (const char* v : {"1", "NULL", "2", "", "3"}) inference.Observe(v);
    CHECK(inference.non_null_count() == 3);
}

TEST_CASE("integers: sign, zero, no leading zeros, int64 bounds") {
    CHECK(TypeOf({"0"}) == ColumnType::kInteger);
    CHECK(TypeOf({"-0"}) == ColumnType::kInteger);
    CHECK(TypeOf({"+5"}) == ColumnType::kInteger);
    CHECK(TypeOf({"+0", "-17", "42"}) == ColumnType::kInteger);
    CHECK(TypeOf({" 12 ", "\t7"}) == ColumnType::kInteger);
    CHECK(TypeOf({"9223372036854775807"}) == ColumnType::kInteger);
    CHECK(TypeOf({"-9223372036854775808"}) == ColumnType::kInteger);
    CHECK(TypeOf({"9223372036854775808"}) == ColumnType::kDecimal);
    CHECK(TypeOf({"-9223372036854775809"}) == ColumnType::kDecimal);
    CHECK(TypeOf({"1", "99999999999999999999999999999999"}) == ColumnType::kDecimal);
    CHECK(TypeOf({"00123"}) == ColumnType::kText);
    CHECK(TypeOf({"123", "00123"}) == ColumnType::kText);
    CHECK(TypeOf({"-05"}) == ColumnType::kText);
    CHECK(TypeOf({"+007"}) == ColumnType::kText);
    CHECK(TypeOf({"00"}) == ColumnType::kText);
    CHECK(TypeOf({"1 00"}) == ColumnType::kText);
    CHECK(TypeOf({"--1"}) == ColumnType::kText);
    CHECK(TypeOf({"+"}) == ColumnType::kText);
    CHECK(TypeOf({"-"}) == ColumnType::kText);
    CHECK(TypeOf({"1-2"}) == ColumnType::kText);
    CHECK(TypeOf({"0x1F"}) == ColumnType::kText);
    CHECK(TypeOf({"١٢"}) == ColumnType::kText);
}

TEST_CASE("1.0 and 1e3 are decimals, not integers — NaN and Infinity are text") {
    CHECK(TypeOf({"1.0"}) == ColumnType::kDecimal);
    CHECK(TypeOf({"1e3"}) == ColumnType::kDecimal);
    CHECK(TypeOf({"1E+15", "2e10", "-3E-2"}) == ColumnType::kDecimal);
    CHECK(Describe(Infer({"1.5e-3"})) == "decimal nullable=false sep=point order=dmy");
    CHECK(Describe(Infer({"1,5E-3"})) == "decimal nullable=false sep=comma order=dmy");
    for (const char* text :
         {"Infinity", "-Infinity", "inf", "1e", "e5", "1e+", "1,234e5", "05e3", "1e1001", "1.5e3.5", "1e3e3", "0x10"}) {
        INFO(text);
        CHECK(TypeOf({"1.5", text}) == ColumnType::kText);
    }
    CHECK(TypeOf({"1e1000"}) == ColumnType::kDecimal);
}

TEST_CASE("decimal separators: comma, point, grouping") {
    const auto sep = [](std::vector<std::string> values, InferenceHints hints = {}) {
        const auto c = Infer(values, hints);
        if (c.type != ColumnType::kDecimal) return std::string("not decimal");
        return std::string(mt::types::Name(c.format.decimal_separator));
    };
    CHECK(sep({"89,90"}) == "comma");
    CHECK(sep({"1.234,56"}) == "comma");
    CHECK(sep({"1.000.000,01", "-12,5", "0,5", ",5"}) == "comma");
    CHECK(sep({"1.234.567,5"}) == "comma");
    CHECK(sep({"1,234.56"}) == "point");
    CHECK(sep({"0.5", "-0.5", "+1.5", "1234.5", ".5"}) == "point");
    CHECK(sep({"1,234,567.5"}) == "point");
    CHECK(sep({"0.123"}) == "point");  // "0.123" cannot be grouping: a first group never starts with 0
    CHECK(sep({"1.2345"}) == "point");
    CHECK(sep({"12,34"}) == "comma");
    const std::string long_fraction = "3." + std::string(60, '1');
    CHECK(sep({long_fraction, "1"}) == "point");
    CHECK(sep({std::string(40, '9') + ",5"}) == "comma");
}

TEST_CASE("numbers ambiguous between separators follow the hint") {
    CHECK(Describe(Infer({"1.234", "5.678"})) == "decimal nullable=false sep=point order=dmy");
    // With the comma hint "1.234" is one thousand two hundred and thirty-four: an integer.
    CHECK(Describe(Infer({"1.234", "5.678"}, kPreferComma)) == "integer nullable=false sep=comma order=dmy");
    CHECK(Describe(Infer({"1,234", "-12,345"}, kPreferComma)) == "decimal nullable=false sep=comma order=dmy");
    CHECK(Describe(Infer({"1,234", "-12,345"})) == "integer nullable=false sep=point order=dmy");
    CHECK(Describe(Infer({"1.234", "10"}, kPreferComma)) == "integer nullable=false sep=comma order=dmy");
    // One unambiguous value settles the column whatever the hint.
    CHECK(Describe(Infer({"1.234", "2.5"}, kPreferComma)) == "decimal nullable=false sep=point order=dmy");
    CHECK(Describe(Infer({"1.234", "2,5"})) == "decimal nullable=false sep=comma order=dmy");
}

TEST_CASE("mixed separators in one column are text") {
    CHECK(TypeOf({"1.5", "2,5"}) == ColumnType::kText);
    CHECK(TypeOf({"1,234.56", "1.234,56"}) == ColumnType::kText);
    CHECK(TypeOf({"1.234.567", "1,234,567"}) == ColumnType::kText);
    for (const char* text : {"1.", "5,", ".", ",", "1..2", "1,,2", "1.23.456", "12.34.567", "1.2,3", "00.5", "01,5",
                             "1.234,", "1 234.567,5", "1 234,567.5"}) {
        INFO(text);
        CHECK(TypeOf({text}) == ColumnType::kText);
    }
}

TEST_CASE("integers and decimals together are decimal") {
    CHECK(Describe(Infer({"1", "2.5", "3"})) == "decimal nullable=false sep=point order=dmy");
    CHECK(Describe(Infer({"10", "89,90"})) == "decimal nullable=false sep=comma order=dmy");
    CHECK(TypeOf({"1", "9223372036854775808"}) == ColumnType::kDecimal);
}

TEST_CASE("booleans: true/false, sim/não/nao, yes/no, any case — 0/1 are integers") {
    CHECK(TypeOf({"true", "false", "TRUE", "False"}) == ColumnType::kBoolean);
    CHECK(TypeOf({"sim", "não", "Sim", "NÃO", "nao", "NAO", "Não"}) == ColumnType::kBoolean);
    CHECK(TypeOf({"yes", "no", "YES", "No", " yes "}) == ColumnType::kBoolean);
    CHECK(TypeOf({"true", "sim", "no"}) == ColumnType::kBoolean);
    CHECK(TypeOf({"0", "1", "1", "0"}) == ColumnType::kInteger);
    CHECK(TypeOf({"true", "1"}) == ColumnType::kText);
    for (const char* text : {"t", "0", "x", "verdadeiro", "falso", "on", "off", "nã", "truee", "sim!"}) {
        INFO(text);
        CHECK(TypeOf({"true", text}) == ColumnType::kText);
    }
}

TEST_CASE("dates: day-first by default, month-first only when needed, ISO") {
    CHECK(Describe(Infer({"15/01/2024", "31/12/2023", "1/2/2024"})) == "date nullable=false sep=point order=dmy");
    CHECK(Describe(Infer({"01/02/2024", "03/04/2024"})) == "date nullable=false sep=point order=dmy");
    CHECK(Describe(Infer({"01/15/2024", "12/31/2023", "02/01/2024"})) == "date nullable=false sep=point order=mdy");
    CHECK(TypeOf({"15/01/2024", "01/15/2024"}) == ColumnType::kText);
    CHECK(Describe(Infer({"2024-01-15", "2024-02-29"})) == "date nullable=false sep=point order=dmy");
    CHECK(Describe(Infer({"2024-01-15", "15/01/2024"})) == "date nullable=false sep=point order=dmy");
    CHECK(Describe(Infer({"2024-01-15", "12/31/2024"})) == "date nullable=false sep=point order=mdy");
}

TEST_CASE("dates: leap days, ranges, malformed") {
    CHECK(TypeOf({"2024-02-29"}) == ColumnType::kDate);
    CHECK(TypeOf({"2000-02-29"}) == ColumnType::kDate);
    CHECK(TypeOf({"29/02/2024"}) == ColumnType::kDate);
    CHECK(TypeOf({"0001-01-01", "9999-12-31"}) == ColumnType::kDate);
    for (const char* text :
         {"2023-02-29", "1900-02-29", "29/02/2023", "0000-01-01",  "10000-01-01", "31/04/2024",  "2024-13-01",
          "2024-00-01", "2024-01-00", "32/01/2024", "15/13/2024",  "0/1/2024",    "15/01/24",    "2024-1-5",
          "15-01-2024", "15.01.2024", "2024/01/15", "115/01/2024", "15/001/2024", "15/01/20245", "15/01/2024x"}) {
        INFO(text);
        CHECK(TypeOf({"2024-01-15", text}) == ColumnType::kText);
    }
    CHECK(TypeOf({"2024-01-15", " 15/01/2024 "}) == ColumnType::kDate);
}

TEST_CASE("datetimes: ISO with T or space, seconds, fractions, offsets — dd/mm/yyyy HH:MM[:SS]") {
    CHECK(TypeOf({"2026-01-15T10:30:00Z", "2026-01-15 10:30", "2026-01-15T10:30:00.123+05:30",
                  "2026-01-15T10:30:00-0300", "2026-01-15T10:30:00-03", "2026-01-15T10:30:00.123456789"}) ==
          ColumnType::kDatetime);
    CHECK(Describe(Infer({"15/01/2024 10:30", "15/01/2024 9:05:30"})) == "datetime nullable=false sep=point order=dmy");
    CHECK(Describe(Infer({"01/15/2024 10:30", "12/31/2024 23:59:59"})) ==
          "datetime nullable=false sep=point order=mdy");
    CHECK(Describe(Infer({"2024-01-15", "2024-01-15T10:30:00Z", "15/01/2024 08:00", "16/01/2024"})) ==
          "datetime nullable=false sep=point order=dmy");
    CHECK(Describe(Infer({"01/02/2024", "02/01/2024 10:00"})) == "datetime nullable=false sep=point order=dmy");
    CHECK(Describe(Infer({"01/13/2024", "02/01/2024 10:00"})) == "datetime nullable=false sep=point order=mdy");
    for (const char* text :
         {"2026-01-15T24:00", "2026-01-15T23:60", "2026-01-15T10:30:60", "15/01/2024T10:30", "15/01/2024 24:00",
          "15/01/2024 10:30:00.5", "15/01/2024 10", "15/01/2024 10:3", "2026-01-15T10:30:00+24:00",
          "2026-01-15T10:30 Z", "0001-01-01T00:00+01:00", "2026-01-15T10:30:00 -03:00", "15/01/2024  10:30"}) {
        INFO(text);
        CHECK(TypeOf({"2026-01-15T10:30", text}) == ColumnType::kText);
    }
}

TEST_CASE("different families in one column are text") {
    CHECK(TypeOf({"1", "2024-01-15"}) == ColumnType::kText);
    CHECK(TypeOf({"true", "2024-01-15"}) == ColumnType::kText);
    CHECK(TypeOf({"1.5", "true"}) == ColumnType::kText);
    CHECK(TypeOf({"20240115", "2024-01-15"}) == ColumnType::kText);
    CHECK(TypeOf({"abc", "1"}) == ColumnType::kText);
    CHECK(TypeOf({"1", "abc"}) == ColumnType::kText);
}

TEST_CASE("text columns keep text formats — the hint still picks the separator for a later type change") {
    CHECK(Describe(Infer({"Maria", "João"})) == "text nullable=false sep=point order=dmy");
    CHECK(Describe(Infer({"Maria", "João"}, kPreferComma)) == "text nullable=false sep=comma order=dmy");
}

TEST_CASE("format names round-trip") {
    CHECK(mt::types::Name(DecimalSeparator::kPoint) == "point");
    CHECK(mt::types::Name(DecimalSeparator::kComma) == "comma");
    CHECK(mt::types::Name(DateOrder::kDayFirst) == "dmy");
    CHECK(mt::types::Name(DateOrder::kMonthFirst) == "mdy");
    CHECK(mt::types::ParseDecimalSeparator("point") == DecimalSeparator::kPoint);
    CHECK(mt::types::ParseDecimalSeparator("comma") == DecimalSeparator::kComma);
    CHECK(mt::types::ParseDateOrder("dmy") == DateOrder::kDayFirst);
    CHECK(mt::types::ParseDateOrder("mdy") == DateOrder::kMonthFirst);
    CHECK_FALSE(mt::types::ParseDecimalSeparator("Point").has_value());
    CHECK_FALSE(mt::types::ParseDecimalSeparator("").has_value());
    CHECK_FALSE(mt::types::ParseDateOrder("ymd").has_value());
}

TEST_CASE("Merge: widest type wins, nullable if either is") {
    const auto merged = [](std::vector<std::string> a, std::vector<std::string> b, InferenceHints ha = {},
                           InferenceHints hb = {}) {
        ColumnInference x(ha);
        ColumnInference y(hb);
        for (const auto& v : a) x.Observe(v);
        for (const auto& v : b) y.Observe(v);
        x.Merge(y);
        return x;
    };
    CHECK(Describe(merged({"1"}, {"2.5"}).Result()) == "decimal nullable=false sep=point order=dmy");
    CHECK(Describe(merged({"2,5"}, {"1"}).Result()) == "decimal nullable=false sep=comma order=dmy");
    CHECK(Describe(merged({"2024-01-15"}, {"2024-01-15 10:00"}).Result()) ==
          "datetime nullable=false sep=point order=dmy");
    CHECK(Describe(merged({"1"}, {""}).Result()) == "integer nullable=true sep=point order=dmy");
    CHECK(Describe(merged({""}, {"true"}).Result()) == "boolean nullable=true sep=point order=dmy");
    CHECK(Describe(merged({}, {}).Result()) == "text nullable=true sep=point order=dmy");
    CHECK(merged({"1"}, {"true"}).Result().type == ColumnType::kText);
    CHECK(merged({"1.5"}, {"2,5"}).Result().type == ColumnType::kText);  // as one column would be
    CHECK(merged({"abc"}, {"1"}).Result().type == ColumnType::kText);
    CHECK(merged({"1", "NULL"}, {"2", "3"}).non_null_count() == 3);
    // Separator tie-break: the side that had values and preferred comma wins; an empty side does not vote.
    CHECK(merged({"1.234"}, {"5.678"}, kPreferComma, {}).Result().format.decimal_separator == DecimalSeparator::kComma);
    CHECK(merged({"1.234"}, {"5.678"}, {}, kPreferComma).Result().format.decimal_separator == DecimalSeparator::kComma);
    CHECK(merged({"1.234"}, {""}, {}, kPreferComma).Result().format.decimal_separator == DecimalSeparator::kPoint);
    CHECK(merged({""}, {"1.234"}, {}, kPreferComma).Result().format.decimal_separator == DecimalSeparator::kComma);
}

TEST_CASE("Merge of two halves equals observing the whole column, and is at least the widest type") {
    const std::vector<std::string> pool = {"1",
                                           "-7",
                                           "0",
                                           "00123",
                                           "9223372036854775808",
                                           "2.5",
                                           "2,5",
                                           "1.234",
                                           "1,234",
                                           "1.234,56",
                                           "1,234.56",
                                           "1e3",
                                           "true",
                                           "não",
                                           "yes",
                                           "0",
                                           "",
                                           "NULL",
                                           "2024-01-15",
                                           "15/01/2024",
                                           "01/15/2024",
                                           "01/02/2024",
                                           "2024-01-15T10:30:00Z",
                                           "15/01/2024 10:30",
                                           "01/15/2024 10:30",
                                           "abc",
                                           "12.345.678",
                                           "N/A"};
    std::mt19937 rng(20260115);
    for (int round = 0; round < 3000; ++round) {
        std::vector<std::string> values(1 + rng() % 6);
        for (auto& v : values) v = pool[rng() % pool.size()];
        const std::size_t split = rng() % (values.size() + 1);
        const InferenceHints hints{rng() % 2 == 0};
        ColumnInference left(hints);
        ColumnInference right(hints);
        ColumnInference whole(hints);
        for (std::size_t i = 0; i < values.size(); ++i) {
            (i < split ? left : right).Observe(values[i]);
            whole.Observe(values[i]);
        }
        const auto left_type = left.Result().type;
        const auto right_type = right.Result().type;
        const bool both_have_values = left.non_null_count() > 0 && right.non_null_count() > 0;
        left.Merge(right);
        INFO("values: " << Catch::Detail::stringify(values) << " split at " << split);
        REQUIRE(Describe(left.Result()) == Describe(whole.Result()));
        REQUIRE(left.non_null_count() == whole.non_null_count());
        if (both_have_values) {
            // At least as wide as the widest-type rule (a side without values is text only for lack of evidence).
            const ColumnType widest = mt::types::Widen(left_type, right_type);
            REQUIRE(mt::types::Widen(left.Result().type, widest) == left.Result().type);
        }
    }
}
