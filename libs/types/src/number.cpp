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

/// "1.234.567" for group mark '.', or "1 234 567" with any space of SpaceLength: a first group of 1-3 digits not
/// starting with 0, then groups of exactly 3 digits, every one after the same kind of separator. `digits` gets
/// the number of digits.
bool IsGroupedInteger(std::string_view s, char group_mark, std::size_t& digits) {
    std::size_t i = 0;
    while (i < s.size() && IsDigit(s[i])) ++i;
    if (i == 0 || i > 3 || s[0] == '0' || i == s.size()) return false;
    digits = i;
    const bool spaces = SpaceLength(s, i) > 0;
    while (i < s.size()) {
        const std::size_t n = spaces ? SpaceLength(s, i) : (s[i] == group_mark ? 1 : 0);
        if (n == 0) return false;
        i += n;
        if (i + 3 > s.size() || !IsDigit(s[i]) || !IsDigit(s[i + 1]) || !IsDigit(s[i + 2])) return false;
        i += 3;
        digits += 3;
        if (digits > kMaxIntegerDigits) return false;
    }
    return true;
}

/// The digits of `s` (separators skipped; `digits` of them) fit int64 with the given sign.
bool GroupedFitsInt64(std::string_view s, std::size_t digits, bool negative) {
    constexpr std::size_t kInt64Digits = 19;
    if (digits != kInt64Digits) return digits < kInt64Digits;
    char buffer[kInt64Digits];
    std::size_t n = 0;
    for (const char c : s) {
        if (IsDigit(c)) buffer[n++] = c;
    }
    return FitsInt64(std::string_view(buffer, n), negative);
}

/// The readings of one convention (decimal mark and group mark) that a mantissa (digits, marks and group spaces;
/// no sign, no exponent) admits: `integer_bit` | `decimal_bit`, `decimal_bit`, or 0.
std::uint32_t ReadingsIn(std::string_view mantissa, char decimal_mark, char group_mark, bool allow_grouping,
                         bool negative, std::uint32_t integer_bit, std::uint32_t decimal_bit) {
    std::string_view int_part = mantissa;
    const std::size_t mark = mantissa.find(decimal_mark);
    if (mark != std::string_view::npos) {
        const std::string_view frac = mantissa.substr(mark + 1);
        // AllDigits also rejects a second decimal mark and a group mark after the decimal mark.
        if (!AllDigits(frac) || frac.size() > kMaxFractionDigits) return 0;
        int_part = mantissa.substr(0, mark);
        if (int_part.empty()) return decimal_bit;  // ".5"
    }
    std::size_t digits = int_part.size();
    if (AllDigits(int_part)) {
        if (!IsPlainIntegerPart(int_part)) return 0;
    } else if (!allow_grouping || !IsGroupedInteger(int_part, group_mark, digits)) {
        return 0;
    }
    if (mark != std::string_view::npos) return decimal_bit;
    return decimal_bit | (GroupedFitsInt64(int_part, digits, negative) ? integer_bit : 0);
}

/// `s` begins with one of the currency symbols a cell may carry (R$, US$, $, €, £): its length, or 0.
std::size_t CurrencyPrefix(std::string_view s) {
    for (const std::string_view symbol : {"R$", "US$", "$", "\xE2\x82\xAC", "\xC2\xA3"}) {
        if (s.substr(0, symbol.size()) == symbol) return symbol.size();
    }
    return 0;
}

std::size_t CurrencySuffix(std::string_view s) {
    for (const std::string_view symbol : {"R$", "$", "\xE2\x82\xAC", "\xC2\xA3"}) {
        if (s.size() >= symbol.size() && s.substr(s.size() - symbol.size()) == symbol) return symbol.size();
    }
    return 0;
}

std::string_view TrimAnySpaces(std::string_view s) {
    for (std::size_t n; !s.empty() && (n = SpaceLength(s, 0)) > 0;) s.remove_prefix(n);
    for (std::size_t n; !s.empty() && (n = TrailingSpaceLength(s)) > 0;) s.remove_suffix(n);
    return s;
}

bool IsSign(char c) { return c == '-' || c == '+'; }

/// SplitNumberCell for a cell that does not look like a bare number: currency symbol before or after, a sign
/// before or after the symbol, parentheses for a negative, a percent sign, a trailing minus. Kept out of line so
/// that the bare-number path stays small.
[[gnu::noinline]] bool SplitDecorated(std::string_view t, NumberCell& out) {
    out = NumberCell{};
    bool sign = false;
    bool paren = false;
    bool currency = false;
    bool percent = false;
    bool trailing_minus = false;
    const auto take_parentheses = [&] {
        if (t.size() < 2 || t.front() != '(' || t.back() != ')') return;
        paren = true;
        t = TrimAnySpaces(t.substr(1, t.size() - 2));
    };
    const auto take_sign = [&] {
        if (sign || paren || t.empty() || !IsSign(t[0])) return;
        sign = true;
        out.negative = t[0] == '-';
        t.remove_prefix(1);
    };
    take_parentheses();
    take_sign();
    if (const std::size_t n = CurrencyPrefix(t); n > 0) {
        currency = true;
        t = TrimAnySpaces(t.substr(n));
        take_sign();
        take_parentheses();
    }
    if (!t.empty() && t.back() == '%') {
        t = TrimAnySpaces(t.substr(0, t.size() - 1));
        percent = true;
    } else if (const std::size_t n = currency ? 0 : CurrencySuffix(t); n > 0) {
        currency = true;
        t = TrimAnySpaces(t.substr(0, t.size() - n));
    }
    if (!sign && !paren && t.size() >= 2 && t.back() == '-' && IsDigit(t[t.size() - 2])) {  // "1.234,56-" (SAP)
        trailing_minus = true;
        out.negative = true;
        t.remove_suffix(1);
    }
    if (paren) out.negative = true;
    out.decorated = paren || currency || percent || trailing_minus;
    out.body = t;
    return !t.empty() && (IsDigit(t[0]) || t[0] == '.' || t[0] == ',') && out.decorated;
}

}  // namespace

std::size_t SpaceLength(std::string_view s, std::size_t i) {
    if (i >= s.size()) return 0;
    if (s[i] == ' ') return 1;
    if (s.substr(i, 2) == "\xC2\xA0") return 2;      // no-break space
    if (s.substr(i, 3) == "\xE2\x80\xAF") return 3;  // narrow no-break space
    return 0;
}

std::size_t TrailingSpaceLength(std::string_view s) {
    for (const std::size_t n : {std::size_t{1}, std::size_t{2}, std::size_t{3}}) {
        if (s.size() >= n && SpaceLength(s, s.size() - n) == n) return n;
    }
    return 0;
}

bool FitsInt64(std::string_view digits, bool negative) {
    constexpr std::string_view kMax = "9223372036854775807";
    constexpr std::string_view kMinAbs = "9223372036854775808";
    if (digits.size() != kMax.size()) return digits.size() < kMax.size();
    return digits <= (negative ? kMinAbs : kMax);  // same length: lexicographic order is numeric order
}

namespace {

/// Where the body of a bare number starts ("-12" → 1), or npos when `s` is not one: a bare number starts with a
/// digit, a mark, or a sign before one of those, and ends with a digit. Most number cells are bare.
inline std::size_t BareNumberStart(std::string_view s) {
    if (s.empty() || !IsDigit(s[s.size() - 1])) return std::string_view::npos;
    const std::size_t sign = IsSign(s[0]) ? 1 : 0;
    if (sign == s.size()) return std::string_view::npos;
    const char c = s[sign];
    return (IsDigit(c) || c == '.' || c == ',') ? sign : std::string_view::npos;
}

/// The readings of a number body (see NumberCell) among `wanted`.
[[gnu::always_inline]] inline std::uint32_t BodyReadings(std::string_view s, bool negative, bool decorated,
                                                         std::uint32_t wanted) {
    std::size_t i = 0;
    bool has_mark = false;
    while (i < s.size()) {
        const char c = s[i];
        if (IsDigit(c)) {
            ++i;
        } else if (c == '.' || c == ',') {
            has_mark = true;
            ++i;
        } else if (const std::size_t n = SpaceLength(s, i); n > 0) {
            has_mark = true;
            i += n;
        } else {
            break;
        }
    }
    const std::string_view mantissa = s.substr(0, i);
    if (mantissa.empty()) return 0;
    const bool has_exponent = i < s.size();
    if (has_exponent && (decorated || ExponentLength(s, i) != s.size() - i)) return 0;
    if (!has_mark) {
        // Only digits: no leading zero (codes such as "00123" stay text) and within NUMERIC's digit limit.
        if ((mantissa[0] == '0' && mantissa.size() > 1) || mantissa.size() > kMaxIntegerDigits) return 0;
        std::uint32_t readings = kReadDecimalPoint | kReadDecimalComma;
        if (!has_exponent && FitsInt64(mantissa, negative)) readings |= kIntegerReadings;
        return readings & wanted;
    }
    // Grouping with an exponent ("1,234e5") is not a way anyone writes numbers: keep such cells text.
    std::uint32_t readings = 0;
    if ((wanted & kPointReadings) != 0) {
        readings |= ReadingsIn(mantissa, '.', ',', !has_exponent, negative, kReadIntegerPoint, kReadDecimalPoint);
    }
    if ((wanted & kCommaReadings) != 0) {
        readings |= ReadingsIn(mantissa, ',', '.', !has_exponent, negative, kReadIntegerComma, kReadDecimalComma);
    }
    return readings & wanted;
}

}  // namespace

bool SplitNumberCell(std::string_view s, NumberCell& out) {
    if (const std::size_t start = BareNumberStart(s); start != std::string_view::npos) {
        out.negative = s[0] == '-';
        out.decorated = false;
        out.body = std::string_view(s.data() + start, s.size() - start);
        return true;
    }
    return !s.empty() && SplitDecorated(s, out);
}

std::uint32_t NumberReadings(const NumberCell& cell, std::uint32_t wanted) {
    return BodyReadings(cell.body, cell.negative, cell.decorated, wanted);
}

std::uint32_t NumberReadings(std::string_view s, std::uint32_t wanted) {
    if (const std::size_t start = BareNumberStart(s); start != std::string_view::npos) {
        return BodyReadings(std::string_view(s.data() + start, s.size() - start), s[0] == '-', false, wanted);
    }
    NumberCell cell;
    if (s.empty() || !SplitDecorated(s, cell)) return 0;
    return NumberReadings(cell, wanted);
}

bool WriteFileNumber(std::string_view s, bool integer, char decimal_mark, std::string& out) {
    NumberCell cell;
    if (!SplitNumberCell(s, cell)) return false;
    const bool comma = decimal_mark == ',';
    const std::uint32_t wanted =
        integer ? (comma ? kReadIntegerComma : kReadIntegerPoint) : (comma ? kReadDecimalComma : kReadDecimalPoint);
    if (NumberReadings(cell, wanted) == 0) return false;
    out.clear();
    if (cell.negative) out += '-';
    const std::string_view body = cell.body;
    if (body[0] == decimal_mark) out += '0';
    for (std::size_t i = 0; i < body.size(); ++i) {
        const char c = body[i];
        if (IsDigit(c)) {
            out += c;
        } else if (c == decimal_mark) {
            out += '.';
        } else if (c == 'e' || c == 'E') {
            out.append(body.substr(i));  // validated: the exponent is the rest of the body
            break;
        }  // anything else is a group mark or a byte of a group space
    }
    if (integer && out == "-0") out = "0";
    return true;
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
