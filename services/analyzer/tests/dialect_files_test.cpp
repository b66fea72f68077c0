// Data-driven tests of what the analysis makes of messy real-world files (SPEC §7): every file in
// tests/data/dialects (other than *.json) is analyzed as one upload's file, and compared with "<file>.json":
//   {"columns": [["name", "integer"], ...],          the table's columns and inferred types, in order
//    "rows": [["a", "b"], ...],                       every data row as loaded (cells as read, table width)
//    "warnings": [[3, "substring"], ...]}             every warning: its line and a part of its message
// For CSV files the load is then replayed as an inserter does it — from the first checkpoint, in the dialect
// the analysis found, `rows` rows — and must read exactly the rows analyzed: what was previewed is what loads.
// To add a case: drop a file named after what it shows, plus its .json. One file per behaviour.
#include <catch2/catch.hpp>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "analysis.hpp"
#include "mt/core/json.hpp"
#include "mt/ingest/file_kind.hpp"

namespace fs = std::filesystem;
using namespace mt;
using Rows = std::vector<std::vector<std::string>>;

namespace {

std::string Slurp(const fs::path& path) {
    std::ifstream in(path, std::ios::binary);
    std::stringstream ss;
    ss << in.rdbuf();
    return ss.str();
}

/// A byte range of a local file, as the inserter reads a range of a stored one.
class FileRange final : public ingest::ByteSource {
public:
    FileRange(const std::string& path, std::uint64_t begin, std::uint64_t end) : in_(path, std::ios::binary) {
        in_.seekg(static_cast<std::streamoff>(begin));
        left_ = end - begin;
    }
    Result<std::size_t> Read(char* data, std::size_t size) override {
        const auto n = static_cast<std::size_t>(std::min<std::uint64_t>(size, left_));
        in_.read(data, static_cast<std::streamsize>(n));
        left_ -= n;
        return static_cast<std::size_t>(in_.gcount());
    }

private:
    std::ifstream in_;
    std::uint64_t left_ = 0;
};

Rows ExpectedRows(const rapidjson::Value& value) {
    Rows rows;
    for (const auto& row : value.GetArray()) {
        std::vector<std::string> cells;
        for (const auto& cell : row.GetArray()) cells.emplace_back(json::Text(cell));
        rows.push_back(std::move(cells));
    }
    return rows;
}

/// The rows an inserter would load: `rows` rows from the first checkpoint, cut to the table's width.
Rows Replay(const fs::path& path, const jobs::FileReading& reading, std::size_t width) {
    Rows rows;
    if (reading.checkpoints.empty()) return rows;
    const jobs::Checkpoint& start = reading.checkpoints.front();
    auto reader = ingest::OpenCsvAt(std::make_unique<FileRange>(path.string(), start.offset, reading.end_offset),
                                    reading.dialect, reading.display_name, start.line);
    std::vector<std::string> cells;
    for (std::int64_t r = 0; r < reading.rows; ++r) {
        auto more = reader->Next(cells);
        REQUIRE(more);
        REQUIRE(*more);
        cells.resize(std::min(cells.size(), width));
        rows.push_back(cells);
    }
    return rows;
}

void CheckFile(const fs::path& path, const rapidjson::Value& expected) {
    const std::string name = path.filename().string();
    auto kind = ingest::KindFromName(name);
    REQUIRE(kind);
    analyzer::SourceFile file{name, path.string(), *kind, ""};
    auto opened = analyzer::OpenSource(file, {});
    REQUIRE(opened);
    analyzer::JobUsage usage;
    auto fa = analyzer::AnalyzeFile(file, std::move(*opened), {}, {}, usage, [] { return true; });
    INFO(name);
    REQUIRE(fa);

    std::vector<std::pair<std::string, std::string>> columns, expected_columns;
    for (const auto& c : fa->columns) {
        if (!c.dropped) columns.emplace_back(c.name, std::string(types::Name(c.inference.Result().type)));
    }
    for (const auto& c : json::Find(expected, "columns")->GetArray()) {
        expected_columns.emplace_back(json::Text(c[0]), json::Text(c[1]));
    }
    CHECK(columns == expected_columns);

    // The sample holds every row of these small files; cells of dropped columns are left out of the comparison.
    Rows rows;
    for (const auto& row : fa->sample) {
        std::vector<std::string> cells;
        for (std::size_t i = 0; i < fa->columns.size(); ++i) {
            if (!fa->columns[i].dropped) cells.push_back(i < row.size() ? row[i] : "");
        }
        rows.push_back(std::move(cells));
    }
    const Rows expected_rows = ExpectedRows(*json::Find(expected, "rows"));
    CHECK(rows == expected_rows);
    CHECK(fa->rows == static_cast<std::int64_t>(expected_rows.size()));

    std::vector<std::pair<std::int64_t, std::string>> warnings;
    for (const auto& w : fa->warnings.items) warnings.emplace_back(w.line, w.message);
    const auto& expected_warnings = json::Find(expected, "warnings")->GetArray();
    std::string all;
    for (const auto& [line, message] : warnings) all += std::to_string(line) + ": " + message + "\n";
    INFO(all);
    REQUIRE(warnings.size() == expected_warnings.Size());
    CHECK(fa->warnings.count == static_cast<std::int64_t>(warnings.size()));
    for (std::size_t i = 0; i < warnings.size(); ++i) {
        INFO(warnings[i].second);
        CHECK(warnings[i].first == std::stoll(std::string(json::Text(expected_warnings[i][0]))));
        CHECK_THAT(warnings[i].second, Catch::Contains(std::string(json::Text(expected_warnings[i][1]))));
    }

    if (*kind == ingest::FileKind::kCsv && fa->reading.dialect.encoding == ingest::Encoding::kUtf8) {
        const Rows loaded = Replay(path, fa->reading, fa->columns.size());
        Rows analyzed;
        for (const auto& row : fa->sample) analyzed.push_back(row);
        for (auto& row : analyzed) row.resize(std::min(row.size(), fa->columns.size()));
        Rows loaded_cut = loaded;
        for (auto& row : loaded_cut) row.resize(std::min(row.size(), fa->columns.size()));
        CHECK(loaded_cut == analyzed);
    }
}

}  // namespace

TEST_CASE("messy real-world files are analyzed as their .json says and load as analyzed") {
    const fs::path dir = fs::path(MT_ANALYZER_TEST_DATA) / "dialects";
    std::vector<fs::path> files;
    for (const auto& entry : fs::directory_iterator(dir)) {
        if (entry.path().extension() != ".json") files.push_back(entry.path());
    }
    std::sort(files.begin(), files.end());
    REQUIRE(files.size() >= 30);
    for (const fs::path& path : files) {
        SECTION(path.filename().string()) {
            const fs::path expectation = path.string() + ".json";
            REQUIRE(fs::exists(expectation));
            auto expected = json::ParseJson(Slurp(expectation));
            REQUIRE(expected);
            CheckFile(path, *expected);
        }
    }
}
