#pragma once
/// Which rows of a file are its table, and in what shape (SPEC §7). The layout (titles, header rows) is decided
/// on the first rows by ingest::DetectLayout; this decides the rest, row by row, as the analyzer reads:
///  - every data row takes the table's width: extra fields are dropped (a warning when any of them holds a value),
///    missing cells are empty (a warning, CSV only: spreadsheet rows leave trailing empty cells out);
///  - rows that may be the table's end — a closing total row ("Total", "Totais", "Soma", "Total geral"), notes
///    (one filled cell that the table's shape or types prove is not a data row) — are held back; a later data row
///    proves them part of the table (loaded, a total row with a warning), the end of the file proves them the tail
///    (not loaded, one warning each);
///  - after a blank line, a header-like row of another shape starts a second table: it and every row after it
///    are not loaded, and one warning says where it is.
/// The decisions depend only on rows before and at the row decided, and a dropped row is always after the last
/// loaded one, so the load reads exactly the rows analyzed: it reads `rows` rows from the first checkpoint.
///
/// Lifecycle: one per file; `Add` every row after the header, then `Finish`. Single thread. Holds back at most
/// kMaxPendingRows rows (kMaxPendingBytes of text): past that, held rows are taken as data.
#include <functional>
#include <string>
#include <vector>

#include "mt/jobs/analysis.hpp"
#include "mt/jobs/job.hpp"
#include "mt/types/inference.hpp"

namespace mt::analyzer {

inline constexpr std::size_t kMaxPendingRows = 1000;
inline constexpr std::size_t kMaxPendingBytes = 4u << 20;

/// A file's warnings: the first jobs::kMaxJobWarnings kept, all counted.
struct FileWarnings {
    std::vector<jobs::ImportWarning> items;
    std::int64_t count = 0;
    void Add(const std::string& file, std::int64_t line, std::string message);
};

/// What the shaper asks about the table's columns as inferred so far.
struct ColumnTypes {
    /// The type column `i` infers to so far (kText for a column without values or past the width).
    std::function<types::ColumnType(std::size_t i)> type;
    /// True when `value` would turn typed column `i` into text.
    std::function<bool(std::size_t i, std::string_view value)> breaks;
};

class TableShaper {
public:
    /// A data row, shaped to the table's width, with its line and the position after it.
    using Emit =
        std::function<void(const std::vector<std::string>& cells, std::int64_t line, const jobs::Checkpoint& after)>;

    /// `width`: the table's columns; `fields`: the usual field count of a data row (CSV), which rows with fewer
    /// fields are warned about; `csv`: whether rows keep their trailing empty cells.
    TableShaper(std::string file, std::size_t width, std::size_t fields, bool csv, ColumnTypes columns,
                FileWarnings& warnings);

    /// `after_gap`: blank lines (or skipped empty rows) came before this row.
    void Add(const std::vector<std::string>& cells, std::int64_t line, bool after_gap, const jobs::Checkpoint& after,
             const Emit& emit);
    /// The end of the file: rows still held back are the table's tail.
    void Finish();

private:
    struct Held {
        std::vector<std::string> cells;
        std::int64_t line = 0;
        jobs::Checkpoint after;
        bool total = false;
    };

    void EmitData(const std::vector<std::string>& cells, std::int64_t line, const jobs::Checkpoint& after,
                  const Emit& emit);
    void Release(const Emit& emit);
    [[nodiscard]] bool IsNote(const std::vector<std::string>& cells) const;
    [[nodiscard]] bool StartsSecondTable(const std::vector<std::string>& cells) const;

    const std::string file_;
    const std::size_t width_;
    const std::size_t fields_;
    const bool csv_;
    ColumnTypes columns_;
    FileWarnings& warnings_;
    std::vector<Held> held_;
    std::size_t held_bytes_ = 0;
    bool held_total_ = false;      // a total row is among the held rows
    bool gap_since_data_ = false;  // a blank line since the last data row
    std::int64_t second_table_line_ = 0;
    std::int64_t second_table_rows_ = 0;
    std::int64_t last_line_ = 0;
    std::vector<std::string> narrowed_;  // a wider row cut to the width
};

}  // namespace mt::analyzer
