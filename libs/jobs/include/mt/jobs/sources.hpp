#pragma once
/// The files of a job as local, readable files: blobs downloaded to a scratch folder, ZIPs expanded.
///
/// Both workers call this, so the analyzer and the inserter see the same files in the same order (job order, then
/// archive order inside a ZIP) and read them with the same readers.
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "mt/ingest/csv.hpp"
#include "mt/ingest/row_reader.hpp"
#include "mt/jobs/job.hpp"

namespace mt::jobs {

struct SourceFile {
    std::string display_name;  // "sales.csv", or "bundle.zip/2026/jan.csv" for ZIP members
    std::string local_path;
    ingest::FileKind kind;
};

/// A folder removed with everything in it when the holder dies.
class ScratchDir {
public:
    /// Creates `<root>/<prefix>-<random>`.
    static Result<ScratchDir> Create(const std::string& root, const std::string& prefix);
    ScratchDir(ScratchDir&& other) noexcept : path_(std::move(other.path_)) { other.path_.clear(); }
    ScratchDir& operator=(ScratchDir&&) = delete;
    ~ScratchDir();
    [[nodiscard]] const std::string& path() const { return path_; }

private:
    explicit ScratchDir(std::string path) : path_(std::move(path)) {}
    std::string path_;
};

Result<std::vector<SourceFile>> MaterializeFiles(pg::Connection& control, const JobRecord& job, const std::string& dir);

struct OpenedSource {
    std::unique_ptr<ingest::RowReader> reader;
    std::optional<ingest::CsvDialect> dialect;  // CSV only
};
/// Checks the content matches the extension, sniffs CSV dialects, opens the right reader.
Result<OpenedSource> OpenSource(const SourceFile& file);

}  // namespace mt::jobs
