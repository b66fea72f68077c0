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
