#pragma once
/// CSV ingestion (SPEC §7): sniff a file's encoding and dialect, then stream its rows as UTF-8 cells.
///
/// Typical use by the analyzer and the inserter:
///   MT_ASSIGN_OR_RETURN(CsvDialect dialect, SniffCsv(path, name));
///   MT_ASSIGN_OR_RETURN(auto reader, OpenCsv(path, dialect, name));
///   std::vector<std::string> cells;
///   while (true) { MT_ASSIGN_OR_RETURN(bool more, reader->Next(cells)); if (!more) break; ... }
/// Both phases read the file with a fixed-size buffer, so memory is bounded whatever the file size.
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>

#include "mt/core/result.hpp"
#include "mt/ingest/row_reader.hpp"

namespace mt::ingest {

/// Source encoding of a text file; whatever it is, readers hand out UTF-8.
enum class Encoding {
    kUtf8,
    kWindows1252,          // also covers Latin-1: its printable range is a subset; undefined bytes map to C1 controls
    kUtf8WithWindows1252,  // mostly UTF-8 with stray Windows-1252 bytes (edited or concatenated exports)
    kUtf16Le,              // only with a BOM
    kUtf16Be,              // only with a BOM
};
/// "utf-8", "windows-1252", "utf-8+windows-1252", "utf-16le", "utf-16be".
std::string_view Name(Encoding encoding);

/// How a CSV file is written. A plain value; `SniffCsv` fills it, `OpenCsv` obeys it.
struct CsvDialect {
    Encoding encoding = Encoding::kUtf8;
    bool has_bom = false;  // the reader skips the BOM
    char delimiter = ',';  // one of , ; \t | and space
    char quote = '"';      // " or '
    // Spaces after a delimiter are skipped, so a quote after them still opens a quoted field ("a, \"b, c\"").
    // Set for comma+space files and always with the space delimiter (a run of spaces is one delimiter).
    bool skip_initial_space = false;
    bool sep_line = false;  // the file starts with Excel's "sep=X" line, which names the delimiter; not data
};

/// Bytes for the CSV reader to parse: a file, or a range of a stored upload. One thread at a time.
class ByteSource {
public:
    virtual ~ByteSource() = default;
    /// Up to `size` bytes; fewer only at the end of the source (0 there).
    virtual Result<std::size_t> Read(char* data, std::size_t size) = 0;
};

/// A CSV row reader that can say where its rows end in the input, so a later reader can start there.
class CsvRowReader : public RowReader {
public:
    /// For UTF-8 input (BOM or not): bytes of the input from its very start consumed up to the end of the last row
    /// returned, line break included — where the next row (or the blank lines before it) begins. nullopt for other
    /// encodings, whose byte positions do not follow the decoded text.
    [[nodiscard]] virtual std::optional<std::uint64_t> row_end_offset() const = 0;
    /// The 1-based physical line at row_end_offset() (a reader started there starts on this line).
    [[nodiscard]] virtual std::int64_t row_end_line() const = 0;
};

/// Detects the dialect of the CSV file at `path`.
///  - Encoding, over the whole file: a UTF-16 BOM decides UTF-16; otherwise UTF-8 (BOM optional) when every
///    byte sequence is valid UTF-8. Otherwise the file mixes encodings or is Windows-1252: when its valid
///    multi-byte UTF-8 sequences are at least a quarter as many as its invalid bytes, they are kept as UTF-8 and
///    only the invalid bytes are read as Windows-1252 (kUtf8WithWindows1252: one hand-edited line in a UTF-8
///    export does not turn every "é" into "Ã©"); else the whole file is Windows-1252 (where a valid pair is an
///    accident such as "É”"). A UTF-8 BOM followed by invalid UTF-8 is an error naming the line (the file
///    contradicts itself; guessing would corrupt text).
///  - Delimiter: a first line "sep=X" (Excel's hint, any letter case) names it and is skipped by the reader.
///    Otherwise, over the first ~1 MiB: among , ; \t | the one giving the most consistent field count per row
///    (quotes respected); ties → more fields, then more occurrences. A ".tsv" name prefers tab when tab splits
///    rows at all. None splits any row → a space when it splits every row alike and the sample has a digit, else
///    ',' (single-column file). `skip_initial_space` when 9 in 10 delimiters are followed by a space.
///  - Quote: ' when no field starts with " and 'quoted' fields are found (README "CSV dialect rules"), else ".
/// Errors (kValidation, naming the file by `display_name`): empty file, invalid UTF-8 after a UTF-8 BOM.
Result<CsvDialect> SniffCsv(const std::string& path, std::string_view display_name);

/// Opens a streaming reader over the CSV file at `path`, written as `dialect` says.
///
/// Parsing is RFC 4180 plus what real exports do: quoted fields with doubled quotes, delimiters and line
/// breaks inside quotes; CRLF, LF or CR-only line ends; a last line without a line end. Lines with no
/// content, and rows whose cells are all empty (";;;;" lines of spreadsheet exports), are skipped.
/// Cells are returned exactly as written (no trimming; with `skip_initial_space`, spaces after a delimiter are
/// skipped). Lenient where files are sloppy: a quote inside an unquoted field is literal; text after a closing
/// quote is appended to the cell; a stray quote — a quoted field that runs past a line end and is not closed
/// cleanly (by a quote followed by a delimiter, a line end or the end of the file), or never closed — is read as a
/// literal character, its row ends at its own line end, and a ReadWarning names the line (see the README's
/// dialect rules). Strict where data would be lost — these fail with kValidation naming the file and line: a
/// cell over `limits.max_cell_bytes` (outside such a stray quote), a row over
/// `limits.max_columns`, a row whose cells hold more than `limits.max_row_bytes` together
/// (`file "x.csv", line 7: a row is larger than 16 MiB`, checked as each field is read), a NUL character.
/// Rows may have different widths (ragged files); the caller decides.
///
/// The reader owns its file descriptor and a buffer of ~1 MiB (plus the cells themselves); it is used by
/// one thread at a time. `Next` reuses the strings of the caller's vector, so a steady read allocates nothing.
Result<std::unique_ptr<CsvRowReader>> OpenCsv(const std::string& path, const CsvDialect& dialect,
                                              std::string display_name, ReaderLimits limits = {});

/// A reader over `source` that starts at a row boundary of a file written as `dialect`, on physical line `line`
/// (a part of a load reading its byte range of a stored file). No BOM and no "sep=" line are expected there.
std::unique_ptr<CsvRowReader> OpenCsvAt(std::unique_ptr<ByteSource> source, const CsvDialect& dialect,
                                        std::string display_name, std::int64_t line, ReaderLimits limits = {});

}  // namespace mt::ingest
