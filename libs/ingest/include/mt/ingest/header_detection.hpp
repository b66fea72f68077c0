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

}  // namespace mt::ingest
