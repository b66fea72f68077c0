#pragma once
/// Null tokens, null markers and booleans of file cells (private header). All take a cell already trimmed of
/// spaces.
#include <cstdint>
#include <string_view>

namespace mt::types::detail {

/// Empty, NULL, null, N/A, n/a, NA: missing in a column of any type, text included.
bool IsNullTokenTrimmed(std::string_view s);

/// What spreadsheets and exports write for "no value": "-", "--", "—", "–", and in any case "n/a", "n/d", "s/d",
/// "#n/a", "#n/d", "nan", "(null)", "null". NULL in a number, date or boolean column; kept as written in a
/// text column (a "-" may well be a value there).
bool IsNullMarkerTrimmed(std::string_view s);

/// 1 for true/sim/yes and the letters S, Y, V, X; 0 for false/não/nao/no and the letters N, F (ASCII
/// case-insensitive, "NÃO" too); -1 for anything else.
int BooleanValue(std::string_view s);

/// The boolean readings (kReadBoolSN, kReadBoolVF, kReadBoolYN, kReadBoolX of readings.hpp) `s` admits: every
/// letter pair for a word, the pairs of a letter for a letter, 0 for anything else.
std::uint32_t BooleanReadings(std::string_view s);

}  // namespace mt::types::detail
