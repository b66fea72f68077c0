#pragma once
/// Streams one part of a load as COPY text: the part's byte ranges of the stored files, parsed once in the dialect
/// the analysis found, every cell converted with the type library to its column's type, ids numbered over the
/// whole upload. A value that does not convert stops the stream with a kValidation error that says file, line,
/// column and value.
///
/// Lifecycle: construct, call `Fill` until it returns false; single thread. Reads the stored chunks through
/// `control` (the caller's connection, idle between calls).
#include <atomic>
#include <functional>
#include <memory>

#include "load_plan.hpp"
#include "mt/ingest/csv.hpp"
#include "mt/pg/connection.hpp"

namespace mt::inserter {

/// Called every `kProgressEvery` rows with the rows written so far; an error aborts the stream.
using ProgressFn = std::function<Status(std::int64_t rows)>;

class PartStream {
public:
    static constexpr std::int64_t kProgressEvery = 50'000;

    /// Every `kStopCheckEvery` rows `stop` is looked at: once set, Fill fails with kUnavailable ("worker
    /// stopping"), so a stopping worker leaves its COPY within milliseconds rather than at the next progress report.
    static constexpr std::int64_t kStopCheckEvery = 1024;

    PartStream(const LoadPlan& plan, const jobs::PartSpec& spec, std::uint64_t id_base_ms, pg::Connection& control,
               ProgressFn progress, const std::atomic<bool>& stop);
    /// Append COPY rows to `out` (about 1 MiB); true while more may follow.
    Result<bool> Fill(std::string& out);
    [[nodiscard]] std::int64_t rows_written() const { return written_; }

private:
    Status OpenSegment();
    Status AppendRow(std::string& out);

    const LoadPlan& plan_;
    const jobs::PartSpec& spec_;
    std::uint64_t id_base_ms_;
    pg::Connection& control_;
    ProgressFn progress_;
    const std::atomic<bool>& stop_;
    std::size_t segment_ = 0;
    std::unique_ptr<ingest::CsvRowReader> reader_;
    std::int64_t segment_rows_left_ = 0;
    std::int64_t next_row_ = 0;  // index in the whole upload of the next row
    std::int64_t written_ = 0;
    std::vector<std::string> cells_;
    std::string scratch_;  // converted values, reused cell after cell
};

}  // namespace mt::inserter
