// The number, null-marker and boolean forms of real exports (issue 11): each form, each ambiguity rule, and the
// values that must stay text. Every accepted value is also converted, as the inserter would.
#include <catch2/catch.hpp>

#include <optional>
#include <string>
#include <vector>

#include "inference_test_util.hpp"
#include "mt/types/inference.hpp"

using mt::types::CellFormat;
using mt::types::ColumnType;
using mt::types::ConvertCell;
using mt::types::DateOrder;
using mt::types::DecimalSeparator;
using mt::types::InferenceHints;
using mt::types::testing::Describe;
using mt::types::testing::Infer;

namespace {

constexpr InferenceHints kPreferComma{true};
const std::string kNbsp = "\xC2\xA0";
const std::string kNarrowNbsp = "\xE2\x80\xAF";

/// Every value of the column as the inserter stores it under the inferred type and format ("NULL" for NULL).
std::vector<std::string> Loaded(const std::vector<std::string>& values, InferenceHints hints = {}) {
    const auto inferred = Infer(values, hints);
    std::vector<std::string> out;
    for (const auto& v : values) {
        auto r = ConvertCell(inferred.type, v, inferred.format);
        INFO('"' << v << "\" as " << Describe(inferred));
        REQUIRE(r.ok());
        out.push_back(r->value_or("NULL"));
    }
    return out;
}

ColumnType TypeOf(const std::vector<std::string>& values, InferenceHints hints = {}) {
    return Infer(values, hints).type;
}

}  // namespace

TEST_CASE("grouped thousands are integers in the convention that reads them") {
    CHECK(Describe(Infer({"1.234.567", "12.345", "7"})) == "integer nullable=false sep=comma order=dmy");
    CHECK(Loaded({"1.234.567", "12.345", "7"}) == std::vector<std::string>{"1234567", "12345", "7"});
    CHECK(Describe(Infer({"1,234,567", "-12,345"})) == "integer nullable=false sep=point order=dmy");
    CHECK(Loaded({"1,234,567", "-12,345"}) == std::vector<std::string>{"1234567", "-12345"});
    CHECK(Describe(Infer({"1 234 567", "999"})) == "integer nullable=false sep=point order=dmy");
    CHECK(Loaded({"1 234 567", "1" + kNbsp + "000", "2" + kNarrowNbsp + "500" + kNarrowNbsp + "000"}) ==
          std::vector<std::string>{"1234567", "1000", "2500000"});
    // Beyond int64 a grouped integer is a decimal, as plain digits are.
    CHECK(Describe(Infer({"9.223.372.036.854.775.808"})) == "decimal nullable=false sep=comma order=dmy");
    CHECK(Describe(Infer({"9.223.372.036.854.775.807"})) == "integer nullable=false sep=comma order=dmy");
    CHECK(Describe(Infer({"-9,223,372,036,854,775,808"})) == "integer nullable=false sep=point order=dmy");
}

TEST_CASE("decimals with both separators, and with spaces for groups") {
    CHECK(Loaded({"1.234.567,89", "0,5"}) == std::vector<std::string>{"1234567.89", "0.5"});
    CHECK(Loaded({"1,234,567.89", "0.5"}) == std::vector<std::string>{"1234567.89", "0.5"});
    CHECK(Loaded({"1 234,56", "12,5"}) == std::vector<std::string>{"1234.56", "12.5"});
    CHECK(Loaded({"1" + kNbsp + "234.56"}) == std::vector<std::string>{"1234.56"});
}

TEST_CASE("the decimal separator is chosen by the whole column, never by one value") {
    // "1.234" alone reads both ways: the hint decides (comma for semicolon files), and the type follows.
    CHECK(Describe(Infer({"1.234"})) == "decimal nullable=false sep=point order=dmy");
    CHECK(Loaded({"1.234"}) == std::vector<std::string>{"1.234"});
    CHECK(Describe(Infer({"1.234"}, kPreferComma)) == "integer nullable=false sep=comma order=dmy");
    CHECK(Loaded({"1.234"}, kPreferComma) == std::vector<std::string>{"1234"});
    // Another value proves the convention, wherever it is in the column.
    CHECK(Loaded({"1.234", "12,5"}) == std::vector<std::string>{"1234", "12.5"});
    CHECK(Loaded({"1.234", "1.234,56"}) == std::vector<std::string>{"1234", "1234.56"});
    CHECK(Loaded({"1.234", "2.000.000"}) == std::vector<std::string>{"1234", "2000000"});
    CHECK(Describe(Infer({"1.234", "2.000.000"})) == "integer nullable=false sep=comma order=dmy");
    CHECK(Loaded({"1.234", "0.5"}, kPreferComma) == std::vector<std::string>{"1.234", "0.5"});
    CHECK(Loaded({"1,234", "12.5"}, kPreferComma) == std::vector<std::string>{"1234", "12.5"});
    // The comma reading of "1,234" is a decimal; the point reading an integer.
    CHECK(Describe(Infer({"1,234"})) == "integer nullable=false sep=point order=dmy");
    CHECK(Describe(Infer({"1,234"}, kPreferComma)) == "decimal nullable=false sep=comma order=dmy");
    // A column with values only one convention reads each is text.
    CHECK(TypeOf({"1.234.567", "1,234,567"}) == ColumnType::kText);
    CHECK(TypeOf({"1.234,5", "1,234.5"}) == ColumnType::kText);
    // The column's separator_ambiguous() follows the surviving conventions, integers included.
    mt::types::ColumnInference ambiguous;
    ambiguous.Observe("1.234");
    CHECK(ambiguous.separator_ambiguous());
    ambiguous.Observe("5.000.000");
    CHECK_FALSE(ambiguous.separator_ambiguous());
}

TEST_CASE("currency symbols before or after are dropped") {
    CHECK(Describe(Infer({"R$ 1.234,56", "R$ 0,99", "R$1.000,00"})) == "decimal nullable=false sep=comma order=dmy");
    CHECK(Loaded({"R$ 1.234,56", "R$ 0,99", "R$1.000,00", "-R$ 5,00", "R$ -5,00"}) ==
          std::vector<std::string>{"1234.56", "0.99", "1000.00", "-5.00", "-5.00"});
    CHECK(Loaded({"$ 1,234.56", "$12.00", "US$ 1,000.50"}) == std::vector<std::string>{"1234.56", "12.00", "1000.50"});
    CHECK(Loaded({"\xE2\x82\xAC 12,50", "1.234,56 \xE2\x82\xAC", "7,00\xE2\x82\xAC"}) ==
          std::vector<std::string>{"12.50", "1234.56", "7.00"});
    CHECK(Loaded({"\xC2\xA3"
                  "1,250.00"}) == std::vector<std::string>{"1250.00"});
    CHECK(Loaded({"R$" + kNbsp + "1.234,56"}) == std::vector<std::string>{"1234.56"});
    // Whole amounts in currency are integers like any other.
    CHECK(Describe(Infer({"R$ 100", "R$ 1.500"}, kPreferComma)) == "integer nullable=false sep=comma order=dmy");
}

TEST_CASE("negatives in parentheses and with a trailing minus") {
    CHECK(Loaded({"(1.234,56)", "1.234,56", "( 12,00 )"}) == std::vector<std::string>{"-1234.56", "1234.56", "-12.00"});
    CHECK(Loaded({"(R$ 1.234,56)", "R$ (10,00)"}) == std::vector<std::string>{"-1234.56", "-10.00"});
    CHECK(Loaded({"$ (1,234.56)", "($ 1.00)"}) == std::vector<std::string>{"-1234.56", "-1.00"});
    // One column cannot hold both conventions, decorated or not.
    CHECK(TypeOf({"(R$ 1.234,56)", "$ (1,234.56)"}) == ColumnType::kText);
    CHECK(Loaded({"(1234)", "5"}) == std::vector<std::string>{"-1234", "5"});
    CHECK(Describe(Infer({"(1234)", "5"})) == "integer nullable=false sep=point order=dmy");
    CHECK(Loaded({"1.234,56-", "10,00"}) == std::vector<std::string>{"-1234.56", "10.00"});
    CHECK(Loaded({"1234-", "0-"}) == std::vector<std::string>{"-1234", "0"});
}

TEST_CASE("percent: the number as written") {
    CHECK(Describe(Infer({"12,5%", "3%", "100 %"})) == "decimal nullable=false sep=comma order=dmy");
    CHECK(Loaded({"12,5%", "3%", "100 %"}) == std::vector<std::string>{"12.5", "3", "100"});
    CHECK(Loaded({"12.5 %", "-0.25%", "(1.5%)"}) == std::vector<std::string>{"12.5", "-0.25", "-1.5"});
    CHECK(Describe(Infer({"10%", "20%"})) == "integer nullable=false sep=point order=dmy");
}

TEST_CASE("numbers that must stay text") {
    for (const char* text : {"1.2.3,4,5", "12,34,56",  "1,23,456",     "12,34,567", "$",      "R$",       "%",
                             "()",        "(-5)",      "-(5)",         "--5",       "5--",    "-5-",      "R$ R$ 5",
                             "5 R$ $",    "1.234 567", "1 234.567,5",  "12 34",     "1  234", "R$ 1e5",   "(1e5)",
                             "1e5%",      "5.%",       "R$ 00123",     "(00123)",   "0012,5", "00.123,5", "01.234",
                             "€",         "US$",       "1.234,56 USD", "5 $ 5",     "(5",     "5)",       "((5))",
                             "R$5R$",     "12%%",      "% 12"}) {
        INFO('"' << text << '"');
        CHECK(TypeOf({"1", text}) == ColumnType::kText);
        CHECK(TypeOf({text}) == ColumnType::kText);
        CHECK_FALSE(ConvertCell(ColumnType::kDecimal, text, CellFormat{DecimalSeparator::kComma}).ok());
        CHECK_FALSE(ConvertCell(ColumnType::kDecimal, text, CellFormat{DecimalSeparator::kPoint}).ok());
    }
    // "12,34,56" is not an integer in either convention (groups of two), but the comma reading is not either.
    CHECK_FALSE(ConvertCell(ColumnType::kInteger, "12,34,56", CellFormat{}).ok());
}

TEST_CASE("leading-zero codes stay text whatever the new forms") {
    CHECK(TypeOf({"00123", "R$ 10,00"}) == ColumnType::kText);
    CHECK(TypeOf({"0012,5"}) == ColumnType::kText);
    CHECK(TypeOf({"01.234.567"}) == ColumnType::kText);
    CHECK(TypeOf({"00123", "-"}) == ColumnType::kText);
    CHECK(TypeOf({"0,5", "0.123"}) == ColumnType::kText);  // two conventions
    CHECK(Loaded({"0,5", ",25", "0"}) == std::vector<std::string>{"0.5", "0.25", "0"});
}

TEST_CASE("null markers make a typed column nullable and load as NULL") {
    const std::vector<std::string> markers = {"-",    "--",   "\xE2\x80\x94", "\xE2\x80\x93", "n/a",    "N/A",
                                              "N/D",  "n/d",  "s/d",          "S/D",          "#N/A",   "#n/a",
                                              "#N/D", "nan",  "NaN",          "NAN",          "(null)", "(NULL)",
                                              "null", "NULL", "Null",         " - ",          "\t#N/A "};
    for (const auto& m : markers) {
        INFO('"' << m << '"');
        CHECK(Describe(Infer({"1", m, "2"})) == "integer nullable=true sep=point order=dmy");
        CHECK(Loaded({"1", m}) == std::vector<std::string>{"1", "NULL"});
        CHECK(Describe(Infer({"1,5", m})) == "decimal nullable=true sep=comma order=dmy");
        CHECK(Loaded({"15/01/2024", m}) == std::vector<std::string>{"2024-01-15", "NULL"});
        CHECK(Loaded({"S", m, "N"}) == std::vector<std::string>{"true", "NULL", "false"});
    }
    // In a text column they are values, kept as written.
    CHECK(Loaded({"abc", "-", "n/d"}) == std::vector<std::string>{"abc", "-", "n/d"});
    CHECK(Loaded({"-", "abc"}) == std::vector<std::string>{"-", "abc"});
    // A column of markers only stays text, its values as written.
    CHECK(Describe(Infer({"-", "-", "n/d"})) == "text nullable=true sep=point order=dmy");
    CHECK(Loaded({"-", "--"}) == std::vector<std::string>{"-", "--"});
    mt::types::ColumnInference only_markers;
    for (const char* m : {"-", "#N/A"}) only_markers.Observe(m);
    CHECK(only_markers.non_null_count() == 0);
    CHECK(only_markers.marker_count() == 2);
    CHECK(mt::types::IsNullMarker(" n/d "));
    CHECK_FALSE(mt::types::IsNullMarker("na"));
    CHECK_FALSE(mt::types::IsNullMarker("---"));
    CHECK_FALSE(mt::types::IsNullToken("-"));
    // Near misses are values: the column is text.
    for (const char* text : {"---", "- -", "n/", "#N/A!", "nana", "(nul)", "nil", "None", "N.D.", "s.d."}) {
        INFO('"' << text << '"');
        CHECK(TypeOf({"1", text}) == ColumnType::kText);
    }
}

TEST_CASE("boolean letters: one pair per column") {
    CHECK(Describe(Infer({"S", "N", "s", "n"})) == "boolean nullable=false sep=point order=dmy");
    CHECK(Loaded({"S", "N", "s", "n"}) == std::vector<std::string>{"true", "false", "true", "false"});
    CHECK(Loaded({"V", "F", "v", "f"}) == std::vector<std::string>{"true", "false", "true", "false"});
    CHECK(Loaded({"Y", "N"}) == std::vector<std::string>{"true", "false"});
    CHECK(Loaded({"Sim", "N", "S", "não"}) == std::vector<std::string>{"true", "false", "true", "false"});
    CHECK(Loaded({"true", "F"}) == std::vector<std::string>{"true", "false"});
    // One letter alone proves nothing (a code, a hemisphere, an initial): both letters of the pair are needed.
    CHECK(TypeOf({"N"}) == ColumnType::kText);
    CHECK(TypeOf({"y", "y", "Y"}) == ColumnType::kText);
    CHECK(TypeOf({"S", "", "S"}) == ColumnType::kText);
    // X marks a ticked box; an empty cell is NULL (not false).
    CHECK(Describe(Infer({"X", "", "x", ""})) == "boolean nullable=true sep=point order=dmy");
    CHECK(Loaded({"X", "", "x"}) == std::vector<std::string>{"true", "NULL", "true"});
    // Without an empty cell beside them, X's are just text ("x" as a filler value).
    CHECK(TypeOf({"X", "x"}) == ColumnType::kText);
    CHECK(TypeOf({"x"}) == ColumnType::kText);
    // Letters of different pairs, or another letter: text.
    for (const std::vector<std::string>& text : std::vector<std::vector<std::string>>{{"S", "F"},
                                                                                      {"V", "N"},
                                                                                      {"Y", "S"},
                                                                                      {"S", "N", "M"},
                                                                                      {"X", "N"},
                                                                                      {"X", "true"},
                                                                                      {"S", "N", "T"},
                                                                                      {"F", "M"},
                                                                                      {"S", "0"},
                                                                                      {"SS", "N"}}) {
        INFO(text[0] << " " << text[1]);
        CHECK(TypeOf(text) == ColumnType::kText);
    }
    // The words keep working as before.
    CHECK(TypeOf({"true", "false", "sim", "não", "yes", "no"}) == ColumnType::kBoolean);
}

TEST_CASE("dates are unchanged by the number forms") {
    CHECK(Describe(Infer({"15/01/2024", "-", "2024-02-29"})) == "date nullable=true sep=point order=dmy");
    CHECK(TypeOf({"2024-"}) == ColumnType::kInteger);  // a trailing minus: -2024
    CHECK(TypeOf({"2024-01"}) == ColumnType::kText);
}
