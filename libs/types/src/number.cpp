#include "number.hpp"

#include "readings.hpp"
#include "scan.hpp"

namespace mt::types::detail {
namespace {

/// Length of `[eE][+-]?digits` at `s[pos]` with a magnitude PostgreSQL accepts, or 0 when there is none.
std::size_t ExponentLength(std::string_view s, std::size_t pos) {
    std::size_t i = pos;
    if (i >= s.size() || (s[i] != 'e' && s[i] != 'E')) return 0;
    ++i;
    if (i < s.size() && (s[i] == '+' || s[i] == '-')) ++i;
    const std::size_t digits_start = i;
    int value = 0;
    for (; i < s.size() && IsDigit(s[i]); ++i) {
        value = value * 10 + (s[i] - '0');
        if (value > kMaxExponent) return 0;
    }
    return i == digits_start ? 0 : i - pos;
}

/// Digits without leading zeros ("0" alone is fine): the integer part of a file number.
bool IsPlainIntegerPart(std::string_view s) {
    return AllDigits(s) && (s.size() == 1 || s[0] != '0') && s.size() <= kMaxIntegerDigits;
}

/// "1.234.567" for group mark '.': a first group of 1-3 digits not starting with 0, then groups of exactly 3.
bool IsGroupedInteger(std::string_view s, char group_mark) {
    const std::size_t first = s.find(group_mark);
    if (first == 0 || first > 3 || s[0] == '0' || !AllDigits(s.substr(0, first))) return false;
    if (s.size() > kMaxIntegerDigits) return false;
    for (std::size_t i = first; i < s.size(); i += 4) {
        if (s[i] != group_mark || i + 4 > s.size() || !AllDigits(s.substr(i + 1, 3))) return false;
    }
    return true;
}

/// The mantissa (digits and marks only, no sign or exponent) reads as a decimal with these marks.
bool IsDecimalIn(std::string_view mantissa, char decimal_mark, char group_mark, bool allow_grouping) {
    std::string_view int_part = mantissa;
    const std::size_t mark = mantissa.find(decimal_mark);
    if (mark != std::string_view::npos) {
        const std::string_view frac = mantissa.substr(mark + 1);
        // AllDigits also rejects a second decimal mark and a group mark after the decimal mark.
        if (!AllDigits(frac) || frac.size() > kMaxFractionDigits) return false;
        int_part = mantissa.substr(0, mark);
        if (int_part.empty()) return true;  // ".5"
    }
    if (int_part.find(group_mark) != std::string_view::npos) {
        return allow_grouping && IsGroupedInteger(int_part, group_mark);
    }
    return IsPlainIntegerPart(int_part);
}

}  // namespace

bool FitsInt64(std::string_view digits, bool negative) {
    constexpr std::string_view kMax = "9223372036854775807";
    constexpr std::string_view kMinAbs = "9223372036854775808";
    if (digits.size() != kMax.size()) return digits.size() < kMax.size();
    return digits <= (negative ? kMinAbs : kMax);  // same length: lexicographic order is numeric order
}

std::uint32_t NumberReadings(std::string_view s, std::uint32_t wanted) {
    std::size_t i = 0;
    if (!s.empty() && (s[0] == '+' || s[0] == '-')) i = 1;
    const std::size_t start = i;
    bool has_mark = false;
    for (; i < s.size(); ++i) {
        const char c = s[i];
        if (IsDigit(c)) continue;
        if (c != '.' && c != ',') break;
        has_mark = true;
    }
    const std::string_view mantissa = s.substr(start, i - start);
    if (mantissa.empty()) return 0;
    const bool has_exponent = i < s.size();
    if (has_exponent && ExponentLength(s, i) != s.size() - i) return 0;
    if (!has_mark) {
        // Only digits: no leading zero (codes such as "00123" stay text) and within NUMERIC's digit limit.
        if ((mantissa[0] == '0' && mantissa.size() > 1) || mantissa.size() > kMaxIntegerDigits) return 0;
        std::uint32_t readings = kReadDecimalPoint | kReadDecimalComma;
        if (!has_exponent && FitsInt64(mantissa, s[0] == '-')) readings |= kReadInteger;
        return readings & wanted;
    }
    // Grouping with an exponent ("1,234e5") is not a way anyone writes numbers: keep such cells text.
    std::uint32_t readings = 0;
    if ((wanted & kReadDecimalPoint) != 0 && IsDecimalIn(mantissa, '.', ',', !has_exponent)) {
        readings |= kReadDecimalPoint;
    }
    if ((wanted & kReadDecimalComma) != 0 && IsDecimalIn(mantissa, ',', '.', !has_exponent)) {
        readings |= kReadDecimalComma;
    }
    return readings;
}

std::string CanonicalInteger(std::string_view s) {
    const bool negative = !s.empty() && s[0] == '-';
    std::size_t i = (!s.empty() && (s[0] == '+' || s[0] == '-')) ? 1 : 0;
    while (i + 1 < s.size() && s[i] == '0') ++i;
    const std::string_view digits = s.substr(i);
    if (digits == "0" || !negative) return std::string(digits);
    std::string out = "-";
    out.append(digits);
    return out;
}

std::string CanonicalDecimal(std::string_view s, char decimal_mark) {
    const char group_mark = decimal_mark == '.' ? ',' : '.';
    std::string out;
    out.reserve(s.size() + 1);
    std::size_t i = 0;
    if (!s.empty() && (s[0] == '+' || s[0] == '-')) {
        if (s[0] == '-') out += '-';
        i = 1;
    }
    if (i < s.size() && s[i] == decimal_mark) out += '0';
    for (; i < s.size(); ++i) {
        const char c = s[i];
        if (c == group_mark) continue;
        out += (c == decimal_mark) ? '.' : c;
    }
    return out;
}

std::optional<std::string> JsonInteger(std::string_view s, bool& out_of_range) {
    out_of_range = false;
    const std::size_t sign = (!s.empty() && (s[0] == '+' || s[0] == '-')) ? 1 : 0;
    if (!AllDigits(s.substr(sign))) return std::nullopt;
    std::string canonical = CanonicalInteger(s);
    const bool negative = canonical[0] == '-';
    if (!FitsInt64(std::string_view(canonical).substr(negative ? 1 : 0), negative)) {
        out_of_range = true;
        return std::nullopt;
    }
    return canonical;
}

std::optional<std::string> JsonDecimal(std::string_view s) {
    std::size_t i = (!s.empty() && s[0] == '-') ? 1 : 0;
    const std::size_t int_start = i;
    while (i < s.size() && IsDigit(s[i])) ++i;
    const std::string_view int_part = s.substr(int_start, i - int_start);
    std::string_view frac;
    if (i < s.size() && s[i] == '.') {
        const std::size_t frac_start = ++i;
        while (i < s.size() && IsDigit(s[i])) ++i;
        frac = s.substr(frac_start, i - frac_start);
    }
    if (int_part.empty() && frac.empty()) return std::nullopt;
    if (int_part.size() > kMaxIntegerDigits || frac.size() > kMaxFractionDigits) return std::nullopt;
    const std::size_t exponent_length = ExponentLength(s, i);
    if (i + exponent_length != s.size()) return std::nullopt;

    std::string out;
    out.reserve(s.size() + 1);
    if (int_start == 1) out += '-';
    out.append(int_part.empty() ? std::string_view("0") : int_part);
    if (!frac.empty()) {
        out += '.';
        out.append(frac);
    }
    out.append(s.substr(i));
    return out;
}

bool IsJsonNumber(std::string_view s) {
    std::size_t i = (!s.empty() && s[0] == '-') ? 1 : 0;
    const std::size_t int_start = i;
    while (i < s.size() && IsDigit(s[i])) ++i;
    const std::size_t int_length = i - int_start;
    if (int_length == 0 || (int_length > 1 && s[int_start] == '0')) return false;
    if (i < s.size() && s[i] == '.') {
        const std::size_t frac_start = ++i;
        while (i < s.size() && IsDigit(s[i])) ++i;
        if (i == frac_start) return false;
    }
    if (i < s.size() && (s[i] == 'e' || s[i] == 'E')) {
        ++i;
        if (i < s.size() && (s[i] == '+' || s[i] == '-')) ++i;
        const std::size_t exp_start = i;
        while (i < s.size() && IsDigit(s[i])) ++i;
        if (i == exp_start) return false;
    }
    return i == s.size();
}

}  // namespace mt::types::detail
