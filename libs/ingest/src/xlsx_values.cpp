#include "xlsx_values.hpp"

#include <array>
#include <charconv>
#include <chrono>
#include <cmath>
#include <cstdint>
#include <cstdio>

namespace mt::ingest::detail {
namespace {

char Lower(char c) { return (c >= 'A' && c <= 'Z') ? static_cast<char>(c - 'A' + 'a') : c; }
bool IsDigit(char c) { return c >= '0' && c <= '9'; }

/// "[h]", "[mm]", "[ss]": elapsed-time sections, the only bracketed sections that say "time".
bool IsElapsedTimeSection(std::string_view inside) {
    if (inside.empty()) return false;
    const char first = Lower(inside.front());
    if (first != 'h' && first != 'm' && first != 's') return false;
    for (char c : inside) {
        if (Lower(c) != first) return false;
    }
    return true;
}

bool StartsWithNoCase(std::string_view text, std::string_view prefix) {
    if (text.size() < prefix.size()) return false;
    for (std::size_t i = 0; i < prefix.size(); ++i) {
        if (Lower(text[i]) != Lower(prefix[i])) return false;
    }
    return true;
}

/// Maximum digits a normalized number may have; beyond this the XML text is not a spreadsheet number.
constexpr std::size_t kMaxPlainDigits = 400;

}  // namespace

NumberKind ClassifyFormatCode(std::string_view code) {
    bool date = false, time = false, month_or_minute = false;
    for (std::size_t i = 0; i < code.size(); ++i) {
        const char c = code[i];
        if (c == '"') {  // literal text: skip to the closing quote
            const std::size_t end = code.find('"', i + 1);
            i = end == std::string_view::npos ? code.size() : end;
        } else if (c == '\\' || c == '_' || c == '*') {  // escaped char, padding, fill: next char is literal
            ++i;
        } else if (c == '[') {  // [Red], [$-409], [>=100]; [h]/[mm]/[ss] are elapsed time
            const std::size_t end = code.find(']', i + 1);
            const std::string_view inside = code.substr(i + 1, end == std::string_view::npos ? 0 : end - i - 1);
            time = time || IsElapsedTimeSection(inside);
            i = end == std::string_view::npos ? code.size() : end;
        } else if (StartsWithNoCase(code.substr(i), "AM/PM")) {
            i += 4;
        } else if (StartsWithNoCase(code.substr(i), "A/P")) {
            i += 2;
        } else {
            const char l = Lower(c);
            date = date || l == 'd' || l == 'y';
            time = time || l == 'h' || l == 's';
            month_or_minute = month_or_minute || l == 'm';
        }
    }
    if (date) return NumberKind::kDate;
    if (time) return NumberKind::kTimeOnly;                            // "h:mm": m means minutes
    return month_or_minute ? NumberKind::kDate : NumberKind::kNumber;  // "mmm": m alone means month
}

NumberKind ClassifyBuiltinFormat(int num_fmt_id) {
    if ((num_fmt_id >= 14 && num_fmt_id <= 17) || num_fmt_id == 22) return NumberKind::kDate;
    if ((num_fmt_id >= 18 && num_fmt_id <= 21) || (num_fmt_id >= 45 && num_fmt_id <= 47)) {
        return NumberKind::kTimeOnly;
    }
    return NumberKind::kNumber;
}

std::optional<std::string> NormalizeNumberText(std::string_view text) {
    std::size_t i = 0;
    const bool negative = i < text.size() && text[i] == '-';
    if (i < text.size() && (text[i] == '-' || text[i] == '+')) ++i;
    std::string digits;
    std::int64_t point = 0;  // position of the decimal point within `digits`
    for (; i < text.size() && IsDigit(text[i]); ++i, ++point) digits += text[i];
    if (i < text.size() && text[i] == '.') {
        for (++i; i < text.size() && IsDigit(text[i]); ++i) digits += text[i];
    }
    if (digits.empty()) return std::nullopt;
    if (i < text.size() && (text[i] == 'e' || text[i] == 'E')) {
        std::int64_t exponent = 0;
        const char* first = text.data() + i + 1;
        if (first < text.data() + text.size() && *first == '+') ++first;  // from_chars rejects a leading '+'
        const auto [end, ec] = std::from_chars(first, text.data() + text.size(), exponent);
        if (ec != std::errc() || end == first || end != text.data() + text.size()) return std::nullopt;
        if (exponent > static_cast<std::int64_t>(kMaxPlainDigits) ||
            exponent < -static_cast<std::int64_t>(kMaxPlainDigits)) {
            return std::nullopt;
        }
        point += exponent;
    } else if (i != text.size()) {
        return std::nullopt;
    }
    const std::size_t first_nonzero = digits.find_first_not_of('0');
    if (first_nonzero == std::string::npos) return std::string("0");
    digits.erase(0, first_nonzero);
    point -= static_cast<std::int64_t>(first_nonzero);
    digits.erase(digits.find_last_not_of('0') + 1);  // trailing zeros: restored below when integral
    const auto size = static_cast<std::int64_t>(digits.size());
    std::string out = negative ? "-" : "";
    if (point <= 0) {
        out += "0.";
        out.append(static_cast<std::size_t>(-point), '0');
        out += digits;
    } else if (point >= size) {
        out += digits;
        out.append(static_cast<std::size_t>(point - size), '0');
    } else {
        out.append(digits, 0, static_cast<std::size_t>(point));
        out += '.';
        out.append(digits, static_cast<std::size_t>(point));
    }
    return out;
}

std::string RenderXmlNumber(std::string_view text) {
    std::string_view unsigned_text = text;
    if (!unsigned_text.empty() && (unsigned_text.front() == '+' || unsigned_text.front() == '-')) {
        unsigned_text.remove_prefix(1);
    }
    const bool plain_integer =
        !unsigned_text.empty() && unsigned_text.find_first_not_of("0123456789") == std::string_view::npos;
    if (!plain_integer) {
        // from_chars rejects a leading '+'; the sign is handled by parsing the text without it.
        const std::string_view parse = !text.empty() && text.front() == '+' ? text.substr(1) : text;
        double value = 0;
        const auto [end, ec] = std::from_chars(parse.data(), parse.data() + parse.size(), value);
        if (ec == std::errc() && end == parse.data() + parse.size() && std::isfinite(value)) return RenderDouble(value);
    }
    return NormalizeNumberText(text).value_or(std::string(text));
}

std::string RenderDouble(double value) {
    if (!std::isfinite(value)) return "";
    // Fixed notation without a precision is the shortest fixed text that round-trips: at most ~330 chars.
    std::array<char, 512> buffer{};
    const auto [end, ec] = std::to_chars(buffer.data(), buffer.data() + buffer.size(), value, std::chars_format::fixed);
    if (ec != std::errc()) return "";
    std::string out(buffer.data(), end);
    return out == "-0" ? "0" : out;
}

std::optional<std::string> RenderSerial(double serial, bool date1904, NumberKind kind) {
    constexpr std::int64_t kMsPerDay = 86'400'000;
    if (!(serial >= 0.0) || serial > 3'000'000.0) return std::nullopt;  // also rejects NaN
    const std::int64_t total_ms = std::llround(serial * static_cast<double>(kMsPerDay));
    std::int64_t days = total_ms / kMsPerDay;
    const std::int64_t ms = total_ms % kMsPerDay;
    char time[32];
    std::snprintf(time, sizeof time, "%02d:%02d:%02d", static_cast<int>(ms / 3'600'000),
                  static_cast<int>(ms / 60'000 % 60), static_cast<int>(ms / 1000 % 60));
    std::string time_text = time;
    if (ms % 1000 != 0) {
        std::snprintf(time, sizeof time, ".%03d", static_cast<int>(ms % 1000));
        time_text += time;
    }
    if (kind == NumberKind::kTimeOnly && days == 0) return time_text;

    using namespace std::chrono;
    sys_days base = date1904 ? sys_days{year{1904} / January / 1} : sys_days{year{1899} / December / 31};
    if (!date1904 && days == 60) {
        days = 59;  // Lotus 1-2-3's 1900-02-29 never existed (Excel kept the bug): show it as 02-28
    } else if (!date1904 && days > 60) {
        base -= std::chrono::days{1};  // past the fictitious day, serials are one ahead of the calendar
    }
    const year_month_day ymd{base + std::chrono::days{days}};
    if (static_cast<int>(ymd.year()) > 9999) return std::nullopt;
    char date[16];
    std::snprintf(date, sizeof date, "%04d-%02u-%02u", static_cast<int>(ymd.year()), static_cast<unsigned>(ymd.month()),
                  static_cast<unsigned>(ymd.day()));
    if (ms == 0) return std::string(date);
    return std::string(date) + "T" + time_text;
}

std::string NormalizeIsoDateTime(std::string_view text) {
    std::string_view t = text;
    if (!t.empty() && t.back() == 'Z') t.remove_suffix(1);  // "no offset means UTC" downstream
    const auto digits_at = [&](std::size_t pos, std::size_t n) {
        if (pos + n > t.size()) return false;
        for (std::size_t i = pos; i < pos + n; ++i) {
            if (!IsDigit(t[i])) return false;
        }
        return true;
    };
    // Shape: YYYY-MM-DD[(T| )HH:MM[:SS[.f+]]]; anything else is not ours to reshape.
    const bool is_date =
        digits_at(0, 4) && t.size() >= 10 && t[4] == '-' && digits_at(5, 2) && t[7] == '-' && digits_at(8, 2);
    if (!is_date) return std::string(text);
    if (t.size() == 10) return std::string(t);
    const bool hh_mm =
        (t[10] == 'T' || t[10] == ' ') && digits_at(11, 2) && t.size() >= 16 && t[13] == ':' && digits_at(14, 2);
    const bool ss = t.size() == 16 || (t.size() >= 19 && t[16] == ':' && digits_at(17, 2));
    const bool fraction = t.size() <= 19 || (t[19] == '.' && t.size() > 20 && digits_at(20, t.size() - 20));
    if (!hh_mm || !ss || !fraction) return std::string(text);
    std::string time = std::string(t.substr(11, 5)) + (t.size() == 16 ? ":00" : std::string(t.substr(16, 3)));
    if (t.size() > 20) {
        std::string_view digits = t.substr(20);
        digits = digits.substr(0, digits.find_last_not_of('0') + 1);
        if (!digits.empty()) {
            time += "." + std::string(digits) + std::string(digits.size() < 3 ? 3 - digits.size() : 0, '0');
        }
    }
    if (time == "00:00:00") return std::string(t.substr(0, 10));
    return std::string(t.substr(0, 10)) + "T" + time;
}

}  // namespace mt::ingest::detail
