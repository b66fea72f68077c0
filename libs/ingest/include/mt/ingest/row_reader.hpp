#pragma once
/// Readers that turn one uploaded file into a stream of rows of UTF-8 text cells (SPEC §7).
///
/// A reader owns its file handle and buffers; it is used by one thread at a time and reads the file once,
/// front to back, with memory bounded independently of the file size (except where a format forces otherwise,
/// which the implementation documents). Typed spreadsheet cells are rendered as text the type library parses:
/// numbers in plain '.'-decimal notation without grouping ("1234.5", integers without ".0"), dates as
/// "YYYY-MM-DD", date-times as "YYYY-MM-DDTHH:MM:SS" (plus ".fff" when not whole seconds), booleans as
/// "true"/"false", cached formula results as their value, empty cells as "".
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "mt/core/result.hpp"

namespace mt::ingest {

enum class FileKind { kCsv, kXlsx, kXls, kZip };

/// Something a reader read past instead of failing (an unbalanced quote, error cells of a sheet): the data is
/// loaded, and the user sees the warning before confirming. `line` is the 1-based line (CSV) or row (sheets).
struct ReadWarning {
    std::int64_t line = 0;
    std::string message;
};

/// A reader keeps at most this many warnings and counts the rest.
inline constexpr std::size_t kMaxReaderWarnings = 100;

class RowReader {
public:
    virtual ~RowReader() = default;
    /// Fill `cells` with the next row (resized to that row's width; trailing empty cells may be dropped).
    /// Returns false at the end of the data. The first row returned is the file's first non-empty row,
    /// header or not: header detection is the caller's business (see header_detection.hpp).
    /// Errors (corrupt file, invalid encoding, cell over the size limit …) are kValidation errors whose message
    /// names the file and the 1-based line/row.
    virtual Result<bool> Next(std::vector<std::string>& cells) = 0;
    /// 1-based physical line (CSV) or row number (spreadsheets) where the row last returned starts.
    [[nodiscard]] virtual std::int64_t line() const = 0;
    /// Bytes of the source consumed so far (for throughput metrics and progress).
    [[nodiscard]] virtual std::uint64_t bytes_read() const = 0;
    /// What the reader read past so far, in file order: the first kMaxReaderWarnings of them …
    [[nodiscard]] const std::vector<ReadWarning>& warnings() const { return warnings_; }
    /// … and how many there were in all.
    [[nodiscard]] std::int64_t warning_count() const { return warning_count_; }

protected:
    void Warn(std::int64_t line, std::string message) {
        if (warnings_.size() < kMaxReaderWarnings) warnings_.push_back({line, std::move(message)});
        ++warning_count_;
    }

private:
    std::vector<ReadWarning> warnings_;
    std::int64_t warning_count_ = 0;
};

/// Limits applied by every reader; the defaults are the service's.
/// Each is checked while the data is read, before anything larger is built; a file over a limit fails with a
/// kValidation error naming the file (and the line, for the per-row limits).
struct ReaderLimits {
    std::size_t max_cell_bytes = 1 << 20;  // a 1 MiB cell is accepted; above it the file fails
    std::size_t max_columns = 10'000;      // up to 10,000 columns
    // The cells of one row together (their UTF-8 bytes as returned): a reader holds one row at a time, so this
    // bounds its memory even where cells repeat stored text (one XLSX shared string in every cell).
    std::size_t max_row_bytes = 16 << 20;
    // XLSX: the shared string table, held in memory for the whole read (its text plus 8 bytes per string).
    std::size_t max_shared_strings_bytes = 64 << 20;
};

}  // namespace mt::ingest
