#include <catch2/catch.hpp>

#include "mt/jobs/analysis.hpp"

namespace mt::jobs {
namespace {

FileReading File(std::int64_t rows, std::int64_t every, std::uint64_t bytes_per_row = 10) {
    FileReading f;
    f.display_name = "f.csv";
    f.blob_id = "b";
    f.rows = rows;
    f.end_offset = 100 + static_cast<std::uint64_t>(rows) * bytes_per_row;
    for (std::int64_t r = 0; r < rows; r += every)
        f.checkpoints.push_back({100 + static_cast<std::uint64_t>(r) * bytes_per_row, r, 2 + r});
    return f;
}

}  // namespace

TEST_CASE("the analysis record survives its JSON form", "[jobs][analysis]") {
    AnalysisRecord record;
    record.files.push_back(File(1000, 100));
    record.files[0].staged = true;
    record.files[0].dialect.delimiter = ';';
    record.files[0].dialect.encoding = ingest::Encoding::kWindows1252;
    record.files[0].dialect.quote = '\'';
    record.files[0].dialect.skip_initial_space = true;
    record.files[0].has_header = true;
    record.files[0].title_rows = 2;
    record.files[0].columns.push_back({"preco", {types::DecimalSeparator::kComma, types::DateOrder::kMonthFirst}});
    record.files[0].columns.push_back({"", {}});
    auto parsed = ParseAnalysis(AnalysisJson(record));
    REQUIRE(parsed);
    REQUIRE(parsed->files.size() == 1);
    const auto& f = parsed->files[0];
    CHECK(f.staged);
    CHECK(f.dialect.delimiter == ';');
    CHECK(f.dialect.encoding == ingest::Encoding::kWindows1252);
    CHECK(f.dialect.quote == '\'');
    CHECK(f.dialect.skip_initial_space);
    CHECK(f.title_rows == 2);
    CHECK(f.has_header);
    CHECK(f.end_offset == 10100);
    REQUIRE(f.checkpoints.size() == 10);
    CHECK(f.checkpoints[3].offset == 3100);
    CHECK(f.checkpoints[3].row == 300);
    CHECK(f.checkpoints[3].line == 302);
    REQUIRE(f.columns.size() == 2);
    CHECK(f.columns[0].merged == "preco");
    CHECK(f.columns[0].format.decimal_separator == types::DecimalSeparator::kComma);
    CHECK(f.columns[0].format.date_order == types::DateOrder::kMonthFirst);
    CHECK(f.columns[1].merged.empty());
}

TEST_CASE("a stored record that is not ours is an internal error, never a crash", "[jobs][analysis]") {
    CHECK_FALSE(ParseAnalysis("{}"));
    CHECK_FALSE(ParseAnalysis("not json"));
    CHECK_FALSE(ParseAnalysis(R"({"files":[{"display_name":"x"}]})"));
    CHECK_FALSE(ParsePartSpec(R"({"segments":[{"file":0}]})"));
}

TEST_CASE("parts cover every row once, cut at checkpoints, in upload order", "[jobs][parts]") {
    AnalysisRecord record;
    record.files.push_back(File(1000, 100));
    record.files.push_back(File(30, 100));  // a small file joins the part being built
    record.files.push_back(File(0, 100));   // an empty file adds nothing
    record.files.push_back(File(550, 50));
    auto parts = PlanParts(record, 400);
    std::int64_t total = 0;
    std::vector<std::pair<std::size_t, std::int64_t>> seen;  // (file, first_row) in order
    for (const auto& p : parts) {
        for (const auto& s : p.segments) {
            seen.emplace_back(s.file, s.first_row);
            total += s.rows;
            CHECK(s.end - s.begin == static_cast<std::uint64_t>(s.rows) * 10);
            CHECK(s.line == 2 + s.first_row);
        }
        auto round = ParsePartSpec(PartSpecJson(p));
        REQUIRE(round);
        CHECK(round->rows() == p.rows());
    }
    CHECK(total == 1580);
    CHECK(std::is_sorted(seen.begin(), seen.end()));
    CHECK(parts.size() == 4);  // 400 + 400 + (200 + 30 + 200) + 350
    CHECK(parts[0].rows() == 400);
    CHECK(parts[2].segments.size() == 3);
    CHECK(parts.back().rows() == 350);
}

TEST_CASE("an upload without rows still has one part", "[jobs][parts]") {
    AnalysisRecord record;
    record.files.push_back(File(0, 100));
    auto parts = PlanParts(record, 1000);
    REQUIRE(parts.size() == 1);
    CHECK(parts[0].segments.empty());
}

}  // namespace mt::jobs
