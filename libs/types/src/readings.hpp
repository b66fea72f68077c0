#pragma once
/// The internal candidate readings of a cell (private header).
///
/// A reading is a type plus the format that reads it. `ColumnInference` keeps the set of readings every value
/// seen so far admits, as a bitmask; each scanner reports the readings of one value in the same bits. The
/// families (numbers, boolean, temporal) never overlap, so at most one family survives a real column.
#include <cstdint>

namespace mt::types::detail {

// Numbers come in two conventions: decimal point (groups of thousands marked with ',') and decimal comma (groups
// marked with '.'); groups marked with spaces read in both. Plain digits admit all four number readings.
inline constexpr std::uint32_t kReadIntegerPoint = 1u << 0;  // "1,234,567", "1 234", plain digits; int64
inline constexpr std::uint32_t kReadDecimalPoint = 1u << 1;  // "1,234.56", and every kReadIntegerPoint value
inline constexpr std::uint32_t kReadDecimalComma = 1u << 2;  // "1.234,56", and every kReadIntegerComma value
inline constexpr std::uint32_t kReadDateDmy = 1u << 4;       // ISO dates and d/m/yyyy
inline constexpr std::uint32_t kReadDateMdy = 1u << 5;       // ISO dates and m/d/yyyy
inline constexpr std::uint32_t kReadDatetimeDmy = 1u << 6;   // every kReadDateDmy value, ISO and d/m/yyyy H:MM
inline constexpr std::uint32_t kReadDatetimeMdy = 1u << 7;   // every kReadDateMdy value, ISO and m/d/yyyy H:MM
inline constexpr std::uint32_t kReadIntegerComma = 1u << 8;  // "1.234.567", "1 234", plain digits; int64
// Booleans: the words (true/false, sim/não, yes/no) admit every letter pair, a letter only its own pairs, so a
// column mixing letters of different pairs ("S" and "F") keeps none and is text.
inline constexpr std::uint32_t kReadBoolSN = 1u << 9;   // S/N (sim/não) and the words
inline constexpr std::uint32_t kReadBoolVF = 1u << 10;  // V/F (verdadeiro/falso) and the words
inline constexpr std::uint32_t kReadBoolYN = 1u << 11;  // Y/N (yes/no) and the words
inline constexpr std::uint32_t kReadBoolX = 1u << 12;   // X alone (a ticked box; an empty cell is NULL, and needed)

inline constexpr std::uint32_t kIntegerReadings = kReadIntegerPoint | kReadIntegerComma;
inline constexpr std::uint32_t kPointReadings = kReadIntegerPoint | kReadDecimalPoint;
inline constexpr std::uint32_t kCommaReadings = kReadIntegerComma | kReadDecimalComma;
inline constexpr std::uint32_t kNumberReadings = kPointReadings | kCommaReadings;
inline constexpr std::uint32_t kBooleanReadings = kReadBoolSN | kReadBoolVF | kReadBoolYN | kReadBoolX;
inline constexpr std::uint32_t kTemporalReadings = kReadDateDmy | kReadDateMdy | kReadDatetimeDmy | kReadDatetimeMdy;
inline constexpr std::uint32_t kAllReadings = kNumberReadings | kBooleanReadings | kTemporalReadings;

}  // namespace mt::types::detail
