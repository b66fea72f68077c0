#pragma once
/// Schema inference over every row of every file of one upload (SPEC §7). Pure apart from reading the files.
#include <atomic>
#include <string>
#include <vector>

#include "mt/jobs/sources.hpp"
#include "mt/types/inference.hpp"

namespace mt::analyzer {

inline constexpr std::size_t kSampleRows = 20;
inline constexpr std::size_t kHeaderProbeRows = 100;
inline constexpr std::size_t kMaxTableColumns = 1599;  // PostgreSQL's 1600 per table, less the row id

struct FileColumn {
    std::string name;          // normalized identifier
    std::string display_name;  // the original header (or "Column N")
    types::ColumnInference inference;
    /// No header and no value in any row (the trailing delimiter of every line of some exports): not offered
    /// as a table column. It keeps its place so that the file's other columns keep their positions.
    bool dropped = false;
};

struct FileAnalysis {
    std::string display_name;
    ingest::FileKind kind = ingest::FileKind::kCsv;
    std::optional<ingest::CsvDialect> dialect;
    std::size_t title_rows = 0;  // report titles above the table, skipped (ingest::DetectLayout)
    bool has_header = false;
    std::int64_t rows = 0;  // data rows (titles and header excluded)
    std::vector<FileColumn> columns;
    std::vector<std::vector<std::string>> sample;  // first data rows, as read
};

/// Read one file completely. Reader errors come back with their file/line location. `stop` aborts early
/// (kUnavailable) so a stopping worker can hand the job back.
Result<FileAnalysis> AnalyzeFile(const jobs::SourceFile& file, const std::atomic<bool>& stop);

struct UploadAnalysis {
    std::string inferred_schema_json;  // {suggested_table_name, columns, sample_rows, total_row_count_estimate}
    std::string analysis_json;         // per-file reading details for the inserter (internal)
    std::int64_t total_rows = 0;
    std::uint64_t bytes = 0;
};

/// All files form one table: columns matched by normalized name, union of columns in order of appearance,
/// widest type wins, nullable when any file has nulls or lacks the column.
Result<UploadAnalysis> CombineFiles(const std::vector<FileAnalysis>& files, std::string_view suggested_name_source);

}  // namespace mt::analyzer
