#pragma once
/// The internal candidate readings of a cell (private header).
///
/// A reading is a type plus the format that reads it. `ColumnInference` keeps the set of readings every value
/// seen so far admits, as a bitmask; each scanner reports the readings of one value in the same bits. The
/// families (numbers, boolean, temporal) never overlap, so at most one family survives a real column.
#include <cstdint>

namespace mt::types::detail {

inline constexpr std::uint32_t kReadInteger = 1u << 0;       // plain digits within int64
inline constexpr std::uint32_t kReadDecimalPoint = 1u << 1;  // "1,234.56", and every integer
inline constexpr std::uint32_t kReadDecimalComma = 1u << 2;  // "1.234,56", and every integer
inline constexpr std::uint32_t kReadBoolean = 1u << 3;
inline constexpr std::uint32_t kReadDateDmy = 1u << 4;      // ISO dates and d/m/yyyy
inline constexpr std::uint32_t kReadDateMdy = 1u << 5;      // ISO dates and m/d/yyyy
inline constexpr std::uint32_t kReadDatetimeDmy = 1u << 6;  // every kReadDateDmy value, ISO and d/m/yyyy H:MM
inline constexpr std::uint32_t kReadDatetimeMdy = 1u << 7;  // every kReadDateMdy value, ISO and m/d/yyyy H:MM

inline constexpr std::uint32_t kNumberReadings = kReadInteger | kReadDecimalPoint | kReadDecimalComma;
inline constexpr std::uint32_t kTemporalReadings = kReadDateDmy | kReadDateMdy | kReadDatetimeDmy | kReadDatetimeMdy;
inline constexpr std::uint32_t kAllReadings = kNumberReadings | kReadBoolean | kTemporalReadings;

}  // namespace mt::types::detail
