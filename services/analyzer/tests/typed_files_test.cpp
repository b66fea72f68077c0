// Data-driven typing tests: every file in tests/data/typed (other than *.json) goes through the analyzer as an
// upload of that one file (AnalyzeFile, CombineFiles) and is then loaded the way the inserter loads it (every
// data row, each cell converted by types::ConvertCellView with the format the analysis recorded). Compared with
// "<file>.json" beside it:
//   {"columns": ["data:date", "valor:decimal?"],   name:type, "?" when nullable
//    "rows": [["2026-04-03", "1234.56"], ...]}     every data row as stored; null for NULL
// The job's preview is checked against the same rows: `sample_rows` are the first rows as stored,
// `sample_rows_raw` the same cells as read. To add a case: drop a file named after what it shows, plus its .json.
#include <catch2/catch.hpp>
#include <filesystem>
#include <fstream>
#include <map>
#include <sstream>

#include "analysis.hpp"
#include "mt/core/json.hpp"

using namespace mt;
namespace fs = std::filesystem;

namespace {

std::string Slurp(const fs::path& path) {
    std::ifstream in(path, std::ios::binary);
    std::stringstream ss;
    ss << in.rdbuf();
    return ss.str();
}

/// A cell of a row as stored, or "null".
std::string Shown(const rapidjson::Value& v) { return v.IsNull() ? "null" : std::string(json::Text(v)); }

struct Loaded {
    std::vector<std::string> columns;                  // "name:type", "?" when nullable
    std::vector<std::vector<std::string>> stored;      // every data row as the inserter stores it ("null")
    std::vector<std::vector<std::string>> raw;         // the same cells as read
    std::vector<std::vector<std::string>> sample;      // sample_rows, in column order
    std::vector<std::vector<std::string>> sample_raw;  // sample_rows_raw, in column order
};

Loaded AnalyzeAndLoad(const fs::path& csv) {
    const std::string name = csv.filename().string();
    analyzer::SourceFile file{name, csv.string(), ingest::FileKind::kCsv, ""};
    analyzer::AnalysisLimits limits;
    auto opened = analyzer::OpenSource(file, limits.reader);
    REQUIRE(opened);
    analyzer::JobUsage usage;
    auto analysis =
        analyzer::AnalyzeFile(file, std::move(*opened), analyzer::Staging{}, limits, usage, [] { return true; });
    if (!analysis) FAIL(analysis.error().message);
    std::vector<analyzer::FileAnalysis> files;
    files.push_back(std::move(*analysis));
    auto upload = analyzer::CombineFiles(std::move(files), name, limits);
    if (!upload) FAIL(upload.error().message);
    auto schema = json::ParseJson(upload->inferred_schema_json);
    REQUIRE(schema);

    Loaded out;
    std::map<std::string, types::Column> by_name;
    for (const auto& c : (*schema)["columns"].GetArray()) {
        types::Column column{std::string(json::Text(c["name"])), "", *types::ParseColumnType(json::Text(c["type"])),
                             c["nullable"].GetBool()};
        out.columns.push_back(column.name + ":" + std::string(types::Name(column.type)) + (column.nullable ? "?" : ""));
        by_name[column.name] = column;
    }
    // The load: the file read again from its first data row, each cell converted as the inserter converts it.
    const jobs::FileReading& reading = upload->record.files.at(0);
    auto reader = ingest::OpenCsv(csv.string(), reading.dialect, name);
    REQUIRE(reader);
    std::vector<std::string> cells;
    std::string scratch;
    for (std::int64_t skip = reading.title_rows + (reading.has_header ? 1 : 0); skip > 0; --skip) {
        REQUIRE(*(*reader)->Next(cells));
    }
    while (*(*reader)->Next(cells)) {
        std::vector<std::string> stored, raw;
        for (std::size_t i = 0; i < reading.columns.size(); ++i) {
            const auto& column = reading.columns[i];
            if (column.merged.empty()) continue;  // dropped: not a table column
            const std::string_view cell = i < cells.size() ? std::string_view(cells[i]) : std::string_view();
            auto value = types::ConvertCellView(by_name.at(column.merged).type, cell, column.format, scratch);
            if (!value) FAIL("line " << (*reader)->line() << ": " << value.error().message);
            // "null" for NULL cannot be confused with a value: the text "null" is itself a null token.
            stored.emplace_back(*value ? **value : std::string_view("null"));
            raw.emplace_back(cell);
        }
        out.stored.push_back(std::move(stored));
        out.raw.push_back(std::move(raw));
    }
    for (const char* key : {"sample_rows", "sample_rows_raw"}) {
        for (const auto& row : (*schema)[key].GetArray()) {
            std::vector<std::string> values;
            for (const auto& c : (*schema)["columns"].GetArray()) values.push_back(Shown(row[c["name"]]));
            (std::string(key) == "sample_rows" ? out.sample : out.sample_raw).push_back(std::move(values));
        }
    }
    return out;
}

void CheckFile(const fs::path& csv, const rapidjson::Value& expected) {
    const Loaded loaded = AnalyzeAndLoad(csv);
    std::vector<std::string> columns;
    for (const auto& c : expected["columns"].GetArray()) columns.emplace_back(json::Text(c));
    CHECK(loaded.columns == columns);
    std::vector<std::vector<std::string>> rows;
    for (const auto& row : expected["rows"].GetArray()) {
        std::vector<std::string> cells;
        for (const auto& cell : row.GetArray()) cells.push_back(Shown(cell));
        rows.push_back(std::move(cells));
    }
    CHECK(loaded.stored == rows);
    // The preview shows what the load stores, and beside it what was read.
    const std::size_t n = std::min<std::size_t>(loaded.stored.size(), analyzer::kSampleRows);
    CHECK(loaded.sample == std::vector<std::vector<std::string>>(loaded.stored.begin(), loaded.stored.begin() + n));
    CHECK(loaded.sample_raw == std::vector<std::vector<std::string>>(loaded.raw.begin(), loaded.raw.begin() + n));
}

}  // namespace

TEST_CASE("typed data files load as their .json says") {
    const fs::path dir = fs::path(MT_ANALYZER_TEST_DATA) / "typed";
    std::vector<fs::path> files;
    for (const auto& entry : fs::directory_iterator(dir)) {
        if (entry.path().extension() != ".json") files.push_back(entry.path());
    }
    std::sort(files.begin(), files.end());
    REQUIRE(files.size() >= 30);
    for (const fs::path& csv : files) {
        SECTION(csv.filename().string()) {
            const fs::path expectation = csv.string() + ".json";
            REQUIRE(fs::exists(expectation));
            auto expected = json::ParseJson(Slurp(expectation));
            REQUIRE(expected);
            CheckFile(csv, *expected);
        }
    }
}
