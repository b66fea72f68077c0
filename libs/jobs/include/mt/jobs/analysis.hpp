#pragma once
/// What the analyzer learned about each file of a job, for the inserters: where each file's rows are stored as CSV
/// text, how that text is written (dialect and encoding, never detected again), where loading may start
/// (checkpoints), and how each column's cells read (decimal separator, date order). Stored with the job; the
/// inserters plan and load parts from it alone, without opening the original files again.
#include <cstdint>
#include <string>
#include <vector>

#include "mt/core/result.hpp"
#include "mt/ingest/csv.hpp"
#include "mt/types/inference.hpp"

namespace mt::jobs {

/// A place in a file's stored text where a data row starts: its byte offset, its index among the file's data rows
/// (0 = the first row after titles and header) and its 1-based physical line.
struct Checkpoint {
    std::uint64_t offset = 0;
    std::int64_t row = 0;
    std::int64_t line = 1;
};

struct ColumnReading {
    std::string merged;  // the inferred column it feeds; "" when no table column reads it (dropped)
    types::CellFormat format;
};

struct FileReading {
    std::string display_name;
    /// The blob holding this file's rows as CSV text: the upload itself (a UTF-8 CSV), or a copy the analyzer
    /// staged while reading (spreadsheets, ZIP members, other encodings).
    std::string blob_id;
    /// A staged copy is UTF-8 CSV (`,` and `"`) whose first cell on every row is the row's line in the original.
    bool staged = false;
    ingest::CsvDialect dialect;
    std::uint64_t end_offset = 0;  // where the last data row ends (the blob's size)
    std::int64_t rows = 0;         // data rows
    std::int64_t title_rows = 0;   // rows above the header (reports), not loaded
    bool has_header = false;
    /// Increasing; [0] is the first data row (when rows > 0). Every ~50,000 rows or ~16 MiB.
    std::vector<Checkpoint> checkpoints;
    std::vector<ColumnReading> columns;  // the file's columns, in file order
};

struct AnalysisRecord {
    std::vector<FileReading> files;
    [[nodiscard]] std::int64_t total_rows() const;
};

std::string AnalysisJson(const AnalysisRecord& record);
Result<AnalysisRecord> ParseAnalysis(std::string_view json_text);

/// One contiguous stretch of a file's data rows.
struct Segment {
    std::size_t file = 0;
    std::uint64_t begin = 0;     // byte offset of the first row
    std::uint64_t end = 0;       // byte offset after the last row
    std::int64_t first_row = 0;  // index of the first row among the file's data rows
    std::int64_t rows = 0;
    std::int64_t line = 1;  // physical line of the first row
};

/// What one part of a load reads: segments in upload order (a part may span small files).
struct PartSpec {
    std::vector<Segment> segments;
    [[nodiscard]] std::int64_t rows() const;
};

std::string PartSpecJson(const PartSpec& spec);
Result<PartSpec> ParsePartSpec(std::string_view json_text);

/// Splits a job's rows into parts of about `part_rows` rows (at checkpoints, so a part may be larger by up to
/// one checkpoint interval), in upload order. A job without rows has one empty part (its load still commits an
/// empty table).
std::vector<PartSpec> PlanParts(const AnalysisRecord& record, std::int64_t part_rows);

/// Index of the file's first data row in the whole upload (row ids are numbered over the whole upload).
std::int64_t FirstRowOfFile(const AnalysisRecord& record, std::size_t file);

}  // namespace mt::jobs
