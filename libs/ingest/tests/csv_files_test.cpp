// Data-driven CSV tests: every file in tests/data/csv (other than *.json) is sniffed, read and header-checked,
// and compared with the expectations in "<file>.json" beside it:
//   {"encoding": "utf-8", "bom": false, "delimiter": ";", "header": true,
//    "rows": [["a", "b"], ...], "lines": [1, 2, ...],       (lines optional)
//    "warning_lines": [3]}                                  (lines of the reader's warnings; none when absent)
// or, for a file that must fail: {"error": ["substring", ...]}.
// To add a case: drop a file named after what it shows, plus its .json. One file per behaviour or bug.
#include <catch2/catch.hpp>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "csv_test_util.hpp"
#include "mt/core/json.hpp"
#include "mt/ingest/csv.hpp"
#include "mt/ingest/header_detection.hpp"

using namespace mt::ingest;
using namespace mt::ingest::testing;
namespace fs = std::filesystem;

namespace {

std::string Slurp(const fs::path& path) {
    std::ifstream in(path, std::ios::binary);
    std::stringstream ss;
    ss << in.rdbuf();
    return ss.str();
}

std::string DelimiterName(char c) { return c == '\t' ? "\\t" : std::string(1, c); }

void CheckRows(const rapidjson::Value& expected_rows, const Rows& rows) {
    Rows expected;
    for (const auto& row : expected_rows.GetArray()) {
        std::vector<std::string> cells;
        for (const auto& cell : row.GetArray()) cells.emplace_back(mt::json::Text(cell));
        expected.push_back(std::move(cells));
    }
    CHECK(rows == expected);
}

void CheckFile(const fs::path& csv, const rapidjson::Value& expected) {
    const std::string name = csv.filename().string();
    auto dialect = SniffCsv(csv.string(), name);
    ReadOutcome out =
        dialect ? ReadAll(csv.string(), *dialect, name) : ReadOutcome{{}, {}, false, dialect.error().message, {}};
    if (const auto* error = mt::json::Find(expected, "error")) {
        REQUIRE_FALSE(out.ok);
        for (const auto& part : error->GetArray())
            CHECK_THAT(out.error, Catch::Contains(std::string(mt::json::Text(part))));
        return;
    }
    REQUIRE(out.ok);
    CHECK(std::string(Name(dialect->encoding)) == mt::json::Text(*mt::json::Find(expected, "encoding")));
    CHECK(dialect->has_bom == mt::json::Find(expected, "bom")->GetBool());
    CHECK(DelimiterName(dialect->delimiter) == mt::json::Text(*mt::json::Find(expected, "delimiter")));
    CheckRows(*mt::json::Find(expected, "rows"), out.rows);
    if (const auto* lines = mt::json::Find(expected, "lines")) {
        std::vector<std::int64_t> expected_lines;
        for (const auto& line : lines->GetArray())
            expected_lines.push_back(std::stoll(std::string(mt::json::Text(line))));
        CHECK(out.lines == expected_lines);
    }
    std::vector<std::int64_t> expected_warnings, warning_lines;
    if (const auto* lines = mt::json::Find(expected, "warning_lines")) {
        for (const auto& line : lines->GetArray())
            expected_warnings.push_back(std::stoll(std::string(mt::json::Text(line))));
    }
    for (const auto& warning : out.warnings) warning_lines.push_back(warning.line);
    CHECK(warning_lines == expected_warnings);
    const Rows first(out.rows.begin(), out.rows.begin() + std::min<std::size_t>(out.rows.size(), kHeaderDetectionRows));
    CHECK(DetectHeader(first) == mt::json::Find(expected, "header")->GetBool());
}

}  // namespace

TEST_CASE("CSV data files read as their .json says") {
    const fs::path dir = fs::path(MT_INGEST_TEST_DATA) / "csv";
    std::vector<fs::path> files;
    for (const auto& entry : fs::directory_iterator(dir)) {
        if (entry.path().extension() != ".json") files.push_back(entry.path());
    }
    std::sort(files.begin(), files.end());
    REQUIRE(files.size() >= 10);
    for (const fs::path& csv : files) {
        SECTION(csv.filename().string()) {
            const fs::path expectation = csv.string() + ".json";
            REQUIRE(fs::exists(expectation));
            auto expected = mt::json::ParseJson(Slurp(expectation));
            REQUIRE(expected);
            CheckFile(csv, *expected);
        }
    }
}
