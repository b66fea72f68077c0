// Data-driven inference cases: one file per case in tests/data/inference (format in its README.md).
#include <catch2/catch.hpp>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include "inference_test_util.hpp"
#include "mt/types/inference.hpp"

using mt::types::ColumnType;
using mt::types::InferenceHints;
using mt::types::testing::Describe;
using mt::types::testing::Infer;

namespace {

struct InferenceCase {
    std::string expected_type;
    std::string expected_nullable;
    std::string expected_sep;    // empty: not checked
    std::string expected_order;  // empty: not checked
    InferenceHints hints;
    std::vector<std::string> values;
};

/// First line `expect: <type> nullable=<bool> [sep=point|comma] [order=dmy|mdy] [hint=comma]`, then one raw
/// value per line (an empty line is an empty cell; a final newline does not add one).
InferenceCase ReadCase(const std::filesystem::path& path) {
    std::ifstream in(path, std::ios::binary);
    REQUIRE(in);
    std::stringstream ss;
    ss << in.rdbuf();
    std::string content = ss.str();
    if (!content.empty() && content.back() == '\n') content.pop_back();
    std::vector<std::string> lines;
    std::size_t start = 0;
    for (std::size_t nl; (nl = content.find('\n', start)) != std::string::npos; start = nl + 1) {
        lines.push_back(content.substr(start, nl - start));
    }
    lines.push_back(content.substr(start));
    REQUIRE(lines[0].rfind("expect: ", 0) == 0);
    InferenceCase c;
    std::istringstream header(lines[0].substr(8));
    header >> c.expected_type;
    for (std::string word; header >> word;) {
        const auto eq = word.find('=');
        REQUIRE(eq != std::string::npos);
        const std::string key = word.substr(0, eq);
        const std::string value = word.substr(eq + 1);
        if (key == "nullable")
            c.expected_nullable = value;
        else if (key == "sep")
            c.expected_sep = value;
        else if (key == "order")
            c.expected_order = value;
        else if (key == "hint")
            c.hints.prefer_decimal_comma = value == "comma";
        else
            FAIL("unknown key " << key << " in " << path);
    }
    REQUIRE(!c.expected_nullable.empty());
    c.values.assign(lines.begin() + 1, lines.end());
    return c;
}

void CheckCase(const std::string& name, const InferenceCase& c) {
    const auto inferred = Infer(c.values, c.hints);
    INFO(name << ": inferred " << Describe(inferred));
    CHECK(mt::types::Name(inferred.type) == c.expected_type);
    CHECK((inferred.nullable ? "true" : "false") == c.expected_nullable);
    if (!c.expected_sep.empty()) CHECK(mt::types::Name(inferred.format.decimal_separator) == c.expected_sep);
    if (!c.expected_order.empty()) CHECK(mt::types::Name(inferred.format.date_order) == c.expected_order);
    // The inserter converts with what the analyzer inferred: every value of the case must convert.
    for (const auto& v : c.values) {
        INFO("value \"" << v << '"');
        CHECK(mt::types::ConvertCell(inferred.type, v, inferred.format).ok());
    }
}

}  // namespace

TEST_CASE("inference data files") {
    const std::filesystem::path dir = MT_TYPES_INFERENCE_DATA_DIR;
    std::vector<std::filesystem::path> files;
    for (const auto& entry : std::filesystem::directory_iterator(dir)) {
        if (entry.path().extension() == ".txt") files.push_back(entry.path());
    }
    std::sort(files.begin(), files.end());
    REQUIRE(files.size() >= 20);
    for (const auto& file : files) {
        SECTION(file.stem().string()) { CheckCase(file.filename().string(), ReadCase(file)); }
    }
}

TEST_CASE("late evidence at row 10,000 decides the type: every row is scanned") {
    std::vector<std::string> values;
    for (int i = 1; i < 10000; ++i) values.push_back(std::to_string(i * 7));
    SECTION("a word in the last row makes an integer column text") {
        values.push_back("abc");
        CHECK(Describe(Infer(values)) == "text nullable=false sep=point order=dmy");
    }
    SECTION("a decimal comma in the last row makes it decimal with comma") {
        values.push_back("1,5");
        CHECK(Describe(Infer(values)) == "decimal nullable=false sep=comma order=dmy");
    }
    SECTION("a leading zero in the last row makes it text") {
        values.push_back("007");
        CHECK(Describe(Infer(values)) == "text nullable=false sep=point order=dmy");
    }
    SECTION("an empty last cell makes it nullable") {
        values.push_back("");
        CHECK(Describe(Infer(values)) == "integer nullable=true sep=point order=dmy");
    }
    SECTION("a value past int64 in the last row makes it decimal") {
        values.push_back("9223372036854775808");
        CHECK(Infer(values).type == ColumnType::kDecimal);
    }
}

TEST_CASE("late month-first evidence at row 10,000 switches an ambiguous date column to mdy") {
    std::vector<std::string> values(9999, "01/02/2024");
    values.push_back("01/13/2024");
    CHECK(Describe(Infer(values)) == "date nullable=false sep=point order=mdy");
    values.push_back("13/01/2024");  // and day-first evidence after it leaves no reading
    CHECK(Infer(values).type == ColumnType::kText);
}
