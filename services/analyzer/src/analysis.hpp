#pragma once
/// Schema inference over every row of every file of one upload (SPEC §7), in one pass that also prepares the load:
/// for each file it records where data rows start (checkpoints), and for files the inserters cannot read as they
/// were uploaded (spreadsheets, ZIP members, text not in UTF-8) it stages a UTF-8 CSV copy while reading. Every
/// byte is thus decoded and parsed once here and once by the load, whatever the number of parts.
#include <atomic>
#include <functional>
#include <string>
#include <vector>

#include "mt/jobs/analysis.hpp"
#include "mt/jobs/blob_store.hpp"
#include "mt/types/inference.hpp"
#include "sources.hpp"
#include "table_shape.hpp"

namespace mt::analyzer {

inline constexpr std::size_t kSampleRows = 20;
inline constexpr std::size_t kHeaderProbeRows = 100;
inline constexpr std::size_t kMaxTableColumns = 1599;  // PostgreSQL's 1600 per table, less the row id

/// What one job may make the analyzer read and keep (README "Configuration").
struct AnalysisLimits {
    std::uint64_t max_job_bytes = 2ull << 30;    // decoded cell bytes of all files and ZIP members together
    std::int64_t max_job_rows = 50'000'000;      // rows of all files together
    ingest::ReaderLimits reader;                 // per cell, per row, per workbook
    std::size_t probe_bytes = 32u << 20;         // the first rows kept for header detection, at most this much
    std::size_t sample_cell_chars = 200;         // sample_rows cells and display names are cut to this
    std::size_t sample_bytes = 256u << 10;       // sample_rows stop growing past this
    std::size_t max_schema_bytes = 4u << 20;     // the inferred schema as stored and shown
    std::int64_t checkpoint_rows = 50'000;       // a checkpoint at least this often …
    std::uint64_t checkpoint_bytes = 16u << 20;  // … and at least every this many bytes
};

/// Bytes and rows read so far by one job, across its files.
struct JobUsage {
    std::uint64_t bytes = 0;
    std::int64_t rows = 0;
};

struct FileColumn {
    std::string name;          // normalized identifier
    std::string display_name;  // the original header (or "Column N"), cut to sample_cell_chars
    types::ColumnInference inference;
    /// No header and no value in any row (the trailing delimiter of every line of some exports): not offered
    /// as a table column. It keeps its place so that the file's other columns keep their positions.
    bool dropped = false;
};

struct FileAnalysis {
    std::string display_name;
    std::size_t title_rows = 0;  // report titles above the table, skipped (ingest::DetectLayout)
    bool has_header = false;
    std::int64_t rows = 0;  // data rows (titles and header excluded)
    std::vector<FileColumn> columns;
    std::vector<std::vector<std::string>> sample;  // first data rows, cells cut to sample_cell_chars
    std::size_t sample_bytes = 0;
    FileWarnings warnings;      // what reading this file read past (table_shape.hpp, ingest::ReadWarning)
    jobs::FileReading reading;  // for the load; its columns' `merged` are filled by CombineFiles
};

/// Where a staged copy goes: the blob writer of the file's copy. Null for a file loaded from its upload as is.
struct Staging {
    jobs::BlobWriter* writer = nullptr;
    std::string blob_id;
};

/// Whether the load can read `file` as uploaded (a UTF-8 CSV that is one of the job's files) or needs a copy.
bool NeedsStaging(const SourceFile& file, const OpenedSource& opened);

/// Reads one file completely. Reader errors come back with their file/line location; going past a limit is a
/// kValidation error naming the limit. `keep_going` is asked every few thousand rows; false aborts (kUnavailable)
/// so a stopping worker can hand the job back.
Result<FileAnalysis> AnalyzeFile(const SourceFile& file, OpenedSource opened, Staging staging,
                                 const AnalysisLimits& limits, JobUsage& usage,
                                 const std::function<bool()>& keep_going);

struct UploadAnalysis {
    std::string inferred_schema_json;  // {suggested_table_name, columns, sample_rows, total_row_count_estimate}
    jobs::AnalysisRecord record;       // per-file reading details for the inserters
    std::int64_t total_rows = 0;
    std::vector<jobs::ImportWarning> warnings;  // the files' warnings in upload order, at most kMaxJobWarnings
    std::int64_t warning_count = 0;             // all of them
};

/// All files form one table: columns matched by normalized name, union of columns in order of appearance,
/// widest type wins, nullable when any file has nulls or lacks the column.
Result<UploadAnalysis> CombineFiles(std::vector<FileAnalysis> files, std::string_view suggested_name_source,
                                    const AnalysisLimits& limits);

/// `text` cut to at most `max_chars` characters (UTF-8 code points), never inside a sequence.
std::string CutText(std::string_view text, std::size_t max_chars);

}  // namespace mt::analyzer
