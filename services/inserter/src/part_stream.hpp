#pragma once
/// Streams one part of a load (a range of the upload's data rows) as COPY text: every cell converted with the
/// type library to its column's type, ids numbered in file order. A value that does not convert stops the stream
/// with a kValidation error that says file, line, column and value.
///
/// Lifecycle: construct, call `Fill` until it returns false; single thread; reads the files once.
#include <atomic>
#include <functional>
#include <memory>

#include "load_plan.hpp"
#include "mt/jobs/sources.hpp"

namespace mt::inserter {

struct PartRange {
    std::int64_t first_row = 0;
    std::int64_t end_row = 0;
    std::uint64_t id_base_ms = 0;
};

/// Called every `kProgressEvery` rows with the rows written so far; an error aborts the stream.
using ProgressFn = std::function<Status(std::int64_t rows)>;

class PartStream {
public:
    static constexpr std::int64_t kProgressEvery = 50'000;

    PartStream(const LoadPlan& plan, const std::vector<jobs::SourceFile>& files, PartRange range, ProgressFn progress);
    /// Append COPY rows to `out` (about 1 MiB); true while more may follow.
    Result<bool> Fill(std::string& out);
    [[nodiscard]] std::int64_t rows_written() const { return written_; }

private:
    Status OpenNextFile();
    Status AppendRow(std::string& out);

    const LoadPlan& plan_;
    const std::vector<jobs::SourceFile>& files_;
    PartRange range_;
    ProgressFn progress_;
    std::size_t file_ = 0;
    std::unique_ptr<ingest::RowReader> reader_;
    std::int64_t next_row_ = 0;  // global index of the next data row the reader returns
    std::int64_t written_ = 0;
    std::vector<std::string> cells_;
};

}  // namespace mt::inserter
