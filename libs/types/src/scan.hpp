#pragma once
/// Byte-level helpers shared by the scanners of this library (private header).
///
/// Everything here is ASCII-only on purpose: <cctype> and friends depend on the C locale, and the values we
/// read are UTF-8 whatever the locale of the process says.
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

namespace mt::types::detail {

constexpr bool IsDigit(char c) { return c >= '0' && c <= '9'; }
constexpr bool IsLowerAscii(char c) { return c >= 'a' && c <= 'z'; }
constexpr bool IsUpperAscii(char c) { return c >= 'A' && c <= 'Z'; }
constexpr char ToLowerAscii(char c) { return IsUpperAscii(c) ? static_cast<char>(c - 'A' + 'a') : c; }

/// True when `s` is non-empty and made only of ASCII digits.
constexpr bool AllDigits(std::string_view s) {
    if (s.empty()) return false;
    for (char c : s) {
        if (!IsDigit(c)) return false;
    }
    return true;
}

/// Value of exactly `n` ASCII digits at `s[pos]`, or -1 when they are not all digits or `s` is too short.
constexpr int ReadFixedDigits(std::string_view s, std::size_t pos, std::size_t n) {
    if (pos + n > s.size()) return -1;
    int v = 0;
    for (std::size_t i = pos; i < pos + n; ++i) {
        if (!IsDigit(s[i])) return -1;
        v = v * 10 + (s[i] - '0');
    }
    return v;
}

/// `s` without leading and trailing spaces and tabs ("surrounding spaces" of SPEC §7 cells).
constexpr std::string_view TrimSpaces(std::string_view s) {
    std::size_t b = 0;
    std::size_t e = s.size();
    while (b < e && (s[b] == ' ' || s[b] == '\t')) ++b;
    while (e > b && (s[e - 1] == ' ' || s[e - 1] == '\t')) --e;
    return s.substr(b, e - b);
}

/// A value for an error message: at most 100 bytes, cut at a UTF-8 character boundary so the message stays
/// valid UTF-8 in a JSON body, followed by "..." when something was cut.
std::string ShownValue(std::string_view value);
/// The cut value in double quotes: `"abc"`, or `"<first 100 bytes>"...` when cut.
std::string QuotedValue(std::string_view value);

/// Append `v` (0 <= v) as exactly `width` digits, zero-padded.
void AppendPadded(std::string& out, std::int64_t v, int width);

}  // namespace mt::types::detail
