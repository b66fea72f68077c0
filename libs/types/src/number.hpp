#pragma once
/// Scanners and canonical forms of integers and decimals (private header).
///
/// File cells and JSON values follow different grammars (files: Brazilian and international separators,
/// grouping, no leading zeros; JSON: the SPEC §6 literal grammar), but every number of the service goes
/// through this one file.
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace mt::types::detail {

/// PostgreSQL NUMERIC limits: digits before and after the point, and the exponent it accepts on input.
inline constexpr std::size_t kMaxIntegerDigits = 131072;
inline constexpr std::size_t kMaxFractionDigits = 16383;
inline constexpr int kMaxExponent = 1000;

/// The number readings (kReadInteger, kReadDecimalPoint, kReadDecimalComma of readings.hpp) among `wanted`
/// that a trimmed file cell admits; 0 when it is not a number. Readings not wanted (already dropped by the
/// column) are not checked: that is most of the cost on a column that has settled. Does not allocate.
std::uint32_t NumberReadings(std::string_view s, std::uint32_t wanted);

/// `digits` (no sign, no leading zeros) fits int64 with the given sign.
bool FitsInt64(std::string_view digits, bool negative);

/// Canonical integer text of `[+-]?digits`: no '+', no leading zeros, "-0" → "0".
std::string CanonicalInteger(std::string_view s);

/// Canonical decimal text of a cell admitted by the reading whose decimal mark is `decimal_mark`
/// ('.' or ','): grouping removed, the mark written as '.', '+' dropped, ".5" → "0.5"; digits kept exactly.
std::string CanonicalDecimal(std::string_view s, char decimal_mark);

/// JSON integer (number literal or string): `[+-]?digits`, leading zeros allowed. Canonical text, or nullopt;
/// `out_of_range` tells a well-formed integer outside int64 from a malformed one.
std::optional<std::string> JsonInteger(std::string_view s, bool& out_of_range);

/// JSON decimal (number literal or string): `-?(digits[.digits*]|.digits)([eE][+-]?digits)?` within the
/// NUMERIC limits. Canonical text ("5." → "5", ".5" → "0.5"), or nullopt.
std::optional<std::string> JsonDecimal(std::string_view s);

/// `s` is a valid JSON number literal (so it can be written raw into a JSON document).
bool IsJsonNumber(std::string_view s);

}  // namespace mt::types::detail
