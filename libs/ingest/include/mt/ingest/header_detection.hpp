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
///  2. Years as names: a row of distinct labels and years (1900–2100, no blank) where each year heads a numeric
///     column whose values are not years, and either a year heads a decimal column or two or more years head
///     columns ("Produto;2024;2025" over figures) → true.
///  3. Typed columns: for each column, infer the type of rows 2..N. If some column infers to a non-text type
///     and its first-row value does not fit that type (observing it would make the column text) → true.
///     Widening is a fit: "10.5" over integers or a date-time over dates is data, not a name.
///     If there are non-text columns and the first row fits all of them → false (it is data: "1,2020-01-01").
///  4. All columns text: true when the first-row values are all present (no empty cell or null token), pairwise
///     distinct and none reads as a number
///     ("name,city" over "Ana,Recife"). A text-only file without header is indistinguishable from one with a
///     header in general; this is the usual case, and the user can correct it on confirm.
/// Cells missing from short (ragged) rows count as empty.
bool DetectHeader(const std::vector<std::vector<std::string>>& first_rows);

/// Where the table starts in a file's first rows.
struct TableLayout {
    std::size_t title_rows = 0;    // leading rows above the table (report titles), not loaded
    bool has_header = false;       // the row after them names the columns
    bool two_header_rows = false;  // … together with the row after it (a group row above the names)
};

/// `DetectHeader`, after recognizing report titles above the table ("Relatório de vendas — janeiro", then the
/// header, then data). Leading rows are titles only when all of this holds, so that no data row is ever dropped
/// on a guess: at most 10 of them; each has exactly one non-empty cell, which does not read as a number; the row
/// after them has at least two non-empty cells; and typed columns prove that row a header (rule 2 of
/// DetectHeader: a value of it does not fit the type of its column below). An all-text file keeps its first row.
/// Two header rows: the header row (after any titles) reads as a group row — some cells blank or repeated, as
/// merged cells export, and fewer filled cells than the row below — and the row below it has every name and is
/// proved a header by the types of the columns under it (rule 2 or 3 of DetectHeader, years may repeat there).
TableLayout DetectLayout(const std::vector<std::vector<std::string>>& first_rows);

/// The names of two header rows combined: the group row's value spans the blanks after it (merged cells), and a
/// name under a group reads "Group Name" ("Vendas 2024"); a name without a group, or equal to it, stays itself.
std::vector<std::string> CombineHeaderRows(const std::vector<std::string>& group,
                                           const std::vector<std::string>& names);

}  // namespace mt::ingest
