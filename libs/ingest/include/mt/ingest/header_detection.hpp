#pragma once
/// Whether the first row of a file is a header (SPEC §7), decided from the first rows as a reader returned
/// them. Pure function over text; types are read by mt::types::ColumnInference, the one type system.
#include <string>
#include <vector>

namespace mt::ingest {

/// How many leading rows (header candidate included) `DetectHeader` looks at; more are ignored.
inline constexpr std::size_t kHeaderDetectionRows = 100;

/// True when `first_rows[0]` is a header row. The rule, in order:
///  1. No rows → false. A single row → true (a file with only data and no names is rarer than an empty table).
///  2. Typed columns: for each column, infer the type of rows 2..N. If some column infers to a non-text type
///     and its first-row value does not fit that type (observing it would make the column text) → true.
///     Widening is a fit: "10.5" over integers or a date-time over dates is data, not a name.
///     If there are non-text columns and the first row fits all of them → false (it is data: "1,2020-01-01").
///  3. All columns text: true when the first-row values are all present (no empty cell or null token), pairwise
///     distinct and none reads as a number
///     ("name,city" over "Ana,Recife"). A text-only file without header is indistinguishable from one with a
///     header in general; this is the usual case, and the user can correct it on confirm.
/// Cells missing from short (ragged) rows count as empty.
bool DetectHeader(const std::vector<std::vector<std::string>>& first_rows);

/// Where the table starts in a file's first rows.
struct TableLayout {
    std::size_t title_rows = 0;  // leading rows above the table (report titles), not loaded
    bool has_header = false;     // the row after them names the columns
};

/// `DetectHeader`, after recognizing report titles above the table ("Relatório de vendas — janeiro", then the
/// header, then data). Leading rows are titles only when all of this holds, so that no data row is ever dropped
/// on a guess: at most 10 of them; each has exactly one non-empty cell, which does not read as a number; the row
/// after them has at least two non-empty cells; and typed columns prove that row a header (rule 2 of
/// DetectHeader: a value of it does not fit the type of its column below). An all-text file keeps its first row.
TableLayout DetectLayout(const std::vector<std::vector<std::string>>& first_rows);

}  // namespace mt::ingest
