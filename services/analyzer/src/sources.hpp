#pragma once
/// The files of a job as local, readable files: blobs downloaded to a scratch folder, ZIPs expanded — once per job,
/// by the analysis. Loading never opens them again: it reads what the analysis recorded (jobs::AnalysisRecord).
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "mt/ingest/csv.hpp"
#include "mt/ingest/row_reader.hpp"
#include "mt/jobs/job.hpp"

namespace mt::analyzer {

struct SourceFile {
    std::string display_name;  // "sales.csv", or "bundle.zip/2026/jan.csv" for ZIP members
    std::string local_path;
    ingest::FileKind kind;
    /// The upload's own blob when this file is one of the job's files as uploaded; empty for ZIP members.
    std::string blob_id;
};

/// In job order, then archive order inside a ZIP. ZIP expansion writes at most `max_expanded_bytes` in all.
Result<std::vector<SourceFile>> MaterializeFiles(pg::Connection& control, const jobs::JobRecord& job,
                                                 const std::string& dir, std::uint64_t max_expanded_bytes);

struct OpenedSource {
    std::unique_ptr<ingest::RowReader> reader;
    ingest::CsvRowReader* csv = nullptr;        // the same reader, when it is CSV
    std::optional<ingest::CsvDialect> dialect;  // CSV only
};
/// Checks the content matches the extension, sniffs CSV dialects, opens the right reader.
Result<OpenedSource> OpenSource(const SourceFile& file, const ingest::ReaderLimits& limits);

}  // namespace mt::analyzer
