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

/// A number cell of a file split into its sign and its body (digits, decimal and group marks, group spaces,
/// exponent): currency symbols (R$, US$, $, €, £, before or after), parentheses (a negative), a percent sign
/// (the number as written: "12,5%" is 12.5) and a trailing minus ("1.234,56-") removed. `decorated` when any of
/// those was there; a decorated number has no exponent.
struct NumberCell {
    bool negative = false;
    bool decorated = false;
    std::string_view body;
};
/// False when `s` (trimmed) cannot be a number: its body does not start with a digit or a mark, or it is empty.
bool SplitNumberCell(std::string_view s, NumberCell& out);

/// The number readings (kReadIntegerPoint, kReadIntegerComma, kReadDecimalPoint, kReadDecimalComma of
/// readings.hpp) among `wanted` that a trimmed file cell admits; 0 when it is not a number. Readings not wanted
/// (already dropped by the column) are not checked: that is most of the cost on a column that has settled.
/// Does not allocate.
std::uint32_t NumberReadings(std::string_view s, std::uint32_t wanted);
std::uint32_t NumberReadings(const NumberCell& cell, std::uint32_t wanted);

/// Canonical text of a file number cell read as an integer or a decimal whose decimal mark is `decimal_mark`
/// ('.' or ','): decorations and grouping removed, the mark written as '.', '+' dropped, ".5" → "0.5", integer
/// "-0" → "0"; digits kept exactly. False (and `out` unspecified) when the cell does not read that way.
bool WriteFileNumber(std::string_view s, bool integer, char decimal_mark, std::string& out);

/// Length of the space that may separate groups of thousands at `s[i]`: ' ' (1), no-break space U+00A0 (2),
/// narrow no-break space U+202F (3); 0 for anything else. TrailingSpaceLength: the same, ending `s`.
std::size_t SpaceLength(std::string_view s, std::size_t i);
std::size_t TrailingSpaceLength(std::string_view s);

/// `digits` (no sign, no leading zeros) fits int64 with the given sign.
bool FitsInt64(std::string_view digits, bool negative);

/// Canonical integer text of `[+-]?digits`: no '+', no leading zeros, "-0" → "0".
std::string CanonicalInteger(std::string_view s);

/// JSON integer (number literal or string): `[+-]?digits`, leading zeros allowed. Canonical text, or nullopt;
/// `out_of_range` tells a well-formed integer outside int64 from a malformed one.
std::optional<std::string> JsonInteger(std::string_view s, bool& out_of_range);

/// JSON decimal (number literal or string): `-?(digits[.digits*]|.digits)([eE][+-]?digits)?` within the
/// NUMERIC limits. Canonical text ("5." → "5", ".5" → "0.5"), or nullopt.
std::optional<std::string> JsonDecimal(std::string_view s);

/// `s` is a valid JSON number literal (so it can be written raw into a JSON document).
bool IsJsonNumber(std::string_view s);

}  // namespace mt::types::detail
