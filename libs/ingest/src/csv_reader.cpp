// Streaming CSV parser (RFC 4180 plus what real exports do); the behaviour is documented at OpenCsv.
//
// Speed comes from three things: fields are scanned with a 256-entry stop table over a plain buffer (no
// per-byte virtual call or branch on state), each field is appended to the caller's string in one piece, and
// the caller's strings are reused so a steady read allocates nothing. Because every field is copied into its
// cell as soon as it is scanned, the read buffer can be replaced at any point: no compaction, fixed memory.
#include <algorithm>
#include <array>

#include "encoding.hpp"
#include "limit_checks.hpp"
#include "mt/ingest/csv.hpp"

namespace mt::ingest {
namespace {

using detail::TextSource;

enum class FieldEnd { kDelimiter, kLine, kFile };

class CsvReader final : public CsvRowReader {
public:
    CsvReader(TextSource source, const CsvDialect& dialect, std::string display_name, ReaderLimits limits,
              std::int64_t first_line = 1)
        : source_(std::move(source)),
          utf8_(dialect.encoding == Encoding::kUtf8),
          line_(first_line),
          delimiter_(dialect.delimiter),
          quote_(dialect.quote),
          skip_initial_space_(dialect.skip_initial_space),
          display_name_(std::move(display_name)),
          limits_(limits) {
        for (const char c : {delimiter_, '\n', '\r', '\0'}) stop_unquoted_[static_cast<unsigned char>(c)] = true;
        for (const char c : {quote_, '\n', '\r', '\0'}) stop_quoted_[static_cast<unsigned char>(c)] = true;
    }

    Result<bool> Next(std::vector<std::string>& cells) override;
    [[nodiscard]] std::int64_t line() const override { return row_line_; }
    [[nodiscard]] std::uint64_t bytes_read() const override { return source_.bytes_read(); }
    [[nodiscard]] std::optional<std::uint64_t> row_end_offset() const override {
        if (!utf8_) return std::nullopt;
        // While replaying, the unread rest of the replay precedes the unread rest of the saved chunk.
        const auto unread = static_cast<std::uint64_t>(end_ - p_) +
                            (replaying_ ? static_cast<std::uint64_t>(saved_end_ - saved_p_) : 0);
        return source_.bytes_read() - unread;
    }
    [[nodiscard]] std::int64_t row_end_line() const override { return line_; }

private:
    Result<bool> HasData();
    Result<bool> SkipBlankLines();
    Result<FieldEnd> ReadField(std::string& cell);
    Result<FieldEnd> ReadUnquoted(std::string& cell);
    Result<FieldEnd> ReadQuoted(std::string& cell);
    Result<FieldEnd> ConsumeLineBreak(char c);
    Result<FieldEnd> ReadStrayQuote(std::string& cell, std::int64_t start_line, bool closed);
    [[nodiscard]] bool TooLarge(const std::string& cell) const { return cell.size() > field_limit_; }
    Error FieldTooLarge(const std::string& cell) const;
    Error Fail(std::int64_t line, const std::string& what) const;

    TextSource source_;
    const bool utf8_;
    std::int64_t line_ = 1;  // physical line of p_
    const char delimiter_;
    const char quote_;
    const bool skip_initial_space_;
    const std::string display_name_;
    const ReaderLimits limits_;
    std::array<bool, 256> stop_unquoted_{};
    std::array<bool, 256> stop_quoted_{};
    const char* p_ = nullptr;  // next unread byte of the current chunk
    const char* end_ = nullptr;
    bool eof_ = false;
    // Bytes read again after an unbalanced quote (ReadStrayQuote): p_/end_ point into replay_ until it is used up,
    // then go back to the saved place in the source's chunk.
    std::string replay_;
    bool replaying_ = false;
    const char* saved_p_ = nullptr;
    const char* saved_end_ = nullptr;
    std::int64_t row_line_ = 0;  // physical line where the last returned row starts
    // What the field being read may hold: the cell limit, or less when the row is near its own limit. One
    // comparison per scanned run of bytes enforces both, so a row never grows past max_row_bytes.
    std::size_t field_limit_ = 0;
};

Error CsvReader::Fail(std::int64_t line, const std::string& what) const {
    Error error = Validation("file \"" + display_name_ + "\", line " + std::to_string(line) + ": " + what);
    error.location = ValueLocation{display_name_, line, {}, {}};
    return error;
}

// True when at least one byte is available at p_, refilling the buffer from the source when needed.
Result<bool> CsvReader::HasData() {
    if (p_ < end_) return true;
    if (replaying_) {
        replaying_ = false;
        p_ = saved_p_;
        end_ = saved_end_;
        if (p_ < end_) return true;
    }
    if (eof_) return false;
    MT_ASSIGN_OR_RETURN(std::string_view chunk, source_.Next());
    p_ = chunk.data();
    end_ = chunk.data() + chunk.size();
    eof_ = chunk.empty();
    return !eof_;
}

// The size check in the hot loops is the inline `TooLarge`: a Status holds an Error by value, too costly per cell.
Error CsvReader::FieldTooLarge(const std::string& cell) const {
    if (cell.size() > limits_.max_cell_bytes) {
        return Fail(row_line_, "a cell is larger than " + std::to_string(limits_.max_cell_bytes) + " bytes");
    }
    return detail::RowTooLarge(display_name_, row_line_, limits_.max_row_bytes);
}

// After `c` (CR or LF) was consumed: a CR may be followed by the LF of a CRLF pair.
Result<FieldEnd> CsvReader::ConsumeLineBreak(char c) {
    ++line_;
    if (c != '\r') return FieldEnd::kLine;
    MT_ASSIGN_OR_RETURN(bool more, HasData());
    if (more && *p_ == '\n') ++p_;
    return FieldEnd::kLine;
}

// Skips empty lines; false at the end of the file.
Result<bool> CsvReader::SkipBlankLines() {
    while (true) {
        MT_ASSIGN_OR_RETURN(bool more, HasData());
        if (!more) return false;
        const char c = *p_;
        if (c != '\n' && c != '\r') return true;
        ++p_;
        MT_TRY(ConsumeLineBreak(c));
    }
}

Result<bool> CsvReader::Next(std::vector<std::string>& cells) {
    while (true) {
        MT_ASSIGN_OR_RETURN(bool more, SkipBlankLines());
        if (!more) {
            cells.clear();
            return false;
        }
        row_line_ = line_;
        std::size_t count = 0;
        std::size_t row_bytes = 0;
        bool any_content = false;
        FieldEnd end = FieldEnd::kDelimiter;
        while (end == FieldEnd::kDelimiter) {
            if (count == limits_.max_columns) {
                return Fail(row_line_, "more than " + std::to_string(limits_.max_columns) + " columns");
            }
            if (count == cells.size()) cells.emplace_back();
            std::string& cell = cells[count++];
            cell.clear();  // keeps the capacity: no allocation once cells have grown to their usual size
            field_limit_ = std::min(limits_.max_cell_bytes, limits_.max_row_bytes - row_bytes);
            MT_ASSIGN_OR_RETURN(end, ReadField(cell));
            row_bytes += cell.size();
            any_content = any_content || !cell.empty();
        }
        cells.resize(count);
        // A row of empty cells only (";;;;" lines that spreadsheet exports leave at the end) carries no data.
        if (any_content) return true;
    }
}

Result<FieldEnd> CsvReader::ReadField(std::string& cell) {
    MT_ASSIGN_OR_RETURN(bool more, HasData());
    if (!more) return FieldEnd::kFile;
    if (skip_initial_space_) {
        while (*p_ == ' ') {
            ++p_;
            MT_ASSIGN_OR_RETURN(bool rest, HasData());
            if (!rest) return FieldEnd::kFile;
        }
    }
    if (*p_ == quote_) {
        ++p_;
        return ReadQuoted(cell);
    }
    return ReadUnquoted(cell);
}

Result<FieldEnd> CsvReader::ReadUnquoted(std::string& cell) {
    while (true) {
        const char* q = p_;
        while (q < end_ && !stop_unquoted_[static_cast<unsigned char>(*q)]) ++q;
        cell.append(p_, q);
        if (TooLarge(cell)) return FieldTooLarge(cell);
        p_ = q;
        if (q == end_) {
            MT_ASSIGN_OR_RETURN(bool more, HasData());
            if (!more) return FieldEnd::kFile;
            continue;
        }
        const char c = *p_++;
        if (c == delimiter_) return FieldEnd::kDelimiter;
        if (c == '\0') return Fail(line_, "contains a NUL character; this does not look like a text file");
        return ConsumeLineBreak(c);
    }
}

// Called after the opening quote. Line breaks inside are kept as written (CRLF stays CRLF).
//
// A quoted field that runs past a line end is taken as one multi-line value only when its closing quote closes it
// cleanly (a delimiter, a line end or the end of the file follows). Otherwise — the quote is never closed, or what
// closes it is really the opening quote of a later field ("a,\"b\n1,\"c\",d") — the opening quote was a stray
// one: it is read as a literal character and the row ends at its own line end (ReadStrayQuote). A quote never
// closed before the end of the file is the same stray quote. The decision depends only on the bytes from the start
// of the row, so a reader started at a checkpoint decides as the analyzer's did.
Result<FieldEnd> CsvReader::ReadQuoted(std::string& cell) {
    const std::int64_t start_line = line_;
    bool spans_lines = false;
    while (true) {
        const char* q = p_;
        while (q < end_ && !stop_quoted_[static_cast<unsigned char>(*q)]) ++q;
        cell.append(p_, q);
        p_ = q;
        if (TooLarge(cell)) {
            if (spans_lines) return ReadStrayQuote(cell, start_line, false);
            return FieldTooLarge(cell);
        }
        if (q == end_) {
            MT_ASSIGN_OR_RETURN(bool more, HasData());
            if (!more) return ReadStrayQuote(cell, start_line, false);
            continue;
        }
        const char c = *p_++;
        if (c == '\0') return Fail(line_, "contains a NUL character; this does not look like a text file");
        if (c == '\n' || c == '\r') {
            cell.push_back(c);
            if (c == '\r') {
                MT_ASSIGN_OR_RETURN(bool has_next, HasData());
                if (has_next && *p_ == '\n') cell.push_back(*p_++);
            }
            ++line_;
            spans_lines = true;
            if (TooLarge(cell)) return ReadStrayQuote(cell, start_line, false);
            continue;
        }
        // A quote: doubled means a literal quote, otherwise it closes the quoted part.
        MT_ASSIGN_OR_RETURN(bool has_next, HasData());
        if (has_next && *p_ == quote_) {
            cell.push_back(*p_++);
            if (TooLarge(cell)) {
                if (spans_lines) return ReadStrayQuote(cell, start_line, false);
                return FieldTooLarge(cell);
            }
            continue;
        }
        if (spans_lines && has_next && *p_ != delimiter_ && *p_ != '\n' && *p_ != '\r') {
            return ReadStrayQuote(cell, start_line, true);
        }
        // Lenient: text between the closing quote and the delimiter ("a"b) is kept as part of the cell.
        return ReadUnquoted(cell);
    }
}

// The quoted field in `cell` (its opening quote consumed, its closing quote too when `closed`) turned out to start
// with a stray quote: read the same bytes again as an unquoted field that starts with a literal quote. The bytes
// are rebuilt from the cell exactly (inside quotes every quote came from a doubled one) and replayed before the
// rest of the input, so the row ends at the line end after the stray quote and the lines after it are rows again.
Result<FieldEnd> CsvReader::ReadStrayQuote(std::string& cell, std::int64_t start_line, bool closed) {
    std::string replay;
    replay.reserve(cell.size() + 2);
    for (const char c : cell) {
        if (c == quote_) replay.push_back(c);
        replay.push_back(c);
    }
    if (closed) replay.push_back(quote_);
    if (replaying_) {
        replay.append(p_, end_);  // the rest of an earlier replay still comes before the saved chunk
    } else {
        saved_p_ = p_;
        saved_end_ = end_;
        replaying_ = true;
    }
    replay_.swap(replay);
    p_ = replay_.data();
    end_ = replay_.data() + replay_.size();
    line_ = start_line;
    Warn(start_line, std::string("unbalanced ") + quote_ + " read as a literal character");
    cell.assign(1, quote_);
    return ReadUnquoted(cell);
}

}  // namespace

Result<std::unique_ptr<CsvRowReader>> OpenCsv(const std::string& path, const CsvDialect& dialect,
                                              std::string display_name, ReaderLimits limits) {
    MT_ASSIGN_OR_RETURN(TextSource source, TextSource::Open(path, dialect.encoding, dialect.has_bom, display_name));
    auto reader = std::make_unique<CsvReader>(std::move(source), dialect, std::move(display_name), limits);
    if (dialect.sep_line) {  // "sep=;" reads as the row ["sep=", ""]; line numbers stay physical
        std::vector<std::string> cells;
        MT_TRY(reader->Next(cells));
    }
    return std::unique_ptr<CsvRowReader>(std::move(reader));
}

std::unique_ptr<CsvRowReader> OpenCsvAt(std::unique_ptr<ByteSource> source, const CsvDialect& dialect,
                                        std::string display_name, std::int64_t line, ReaderLimits limits) {
    return std::make_unique<CsvReader>(TextSource(std::move(source), dialect.encoding), dialect,
                                       std::move(display_name), limits, line);
}

}  // namespace mt::ingest
