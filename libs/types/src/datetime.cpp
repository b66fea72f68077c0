#include "datetime.hpp"

#include "readings.hpp"
#include "scan.hpp"

namespace mt::types::detail {
namespace {

constexpr std::size_t kNoMatch = std::string_view::npos;

constexpr bool IsLeapYear(int y) { return y % 4 == 0 && (y % 100 != 0 || y % 400 == 0); }

// Days since 1970-01-01 of a proleptic Gregorian date (H. Hinnant's days_from_civil).
std::int64_t DaysFromCivil(int y, int m, int d) {
    y -= m <= 2 ? 1 : 0;
    const std::int64_t era = (y >= 0 ? y : y - 399) / 400;
    const std::int64_t yoe = y - era * 400;
    const std::int64_t doy = (153 * (m > 2 ? m - 3 : m + 9) + 2) / 5 + d - 1;
    const std::int64_t doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    return era * 146097 + doe - 719468;
}

// Inverse of DaysFromCivil (H. Hinnant's civil_from_days).
void CivilFromDays(std::int64_t z, DateTime& t) {
    z += 719468;
    const std::int64_t era = (z >= 0 ? z : z - 146096) / 146097;
    const std::int64_t doe = z - era * 146097;
    const std::int64_t yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
    const std::int64_t doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    const std::int64_t mp = (5 * doy + 2) / 153;
    t.day = static_cast<int>(doy - (153 * mp + 2) / 5 + 1);
    t.month = static_cast<int>(mp < 10 ? mp + 3 : mp - 9);
    t.year = static_cast<int>(yoe + era * 400 + (t.month <= 2 ? 1 : 0));
}

// Local time at UTC+offset → UTC. An offset can move the instant out of years 1..9999 ("0001-01-01T00:00+01").
bool ShiftToUtc(DateTime& t, int offset_minutes) {
    if (offset_minutes == 0) return true;
    const std::int64_t minutes = DaysFromCivil(t.year, t.month, t.day) * 1440 + t.hour * 60 + t.minute - offset_minutes;
    std::int64_t days = minutes / 1440;
    std::int64_t rest = minutes % 1440;
    if (rest < 0) {
        rest += 1440;
        --days;
    }
    CivilFromDays(days, t);
    t.hour = static_cast<int>(rest / 60);
    t.minute = static_cast<int>(rest % 60);
    return t.year >= 1 && t.year <= 9999;
}

/// `HH:MM[:SS[.fraction]]` at s[pos] (`H:MM` too when `short_hour`); the end position or kNoMatch.
std::size_t ParseTime(std::string_view s, std::size_t pos, bool short_hour, bool allow_fraction, DateTime& t) {
    std::size_t i = pos;
    int hour = -1;
    if (short_hour && i + 1 < s.size() && IsDigit(s[i]) && s[i + 1] == ':') {
        hour = s[i++] - '0';
    } else {
        hour = ReadFixedDigits(s, i, 2);
        i += 2;
    }
    if (hour < 0 || i >= s.size() || s[i] != ':') return kNoMatch;
    const int minute = ReadFixedDigits(s, i + 1, 2);
    i += 3;
    int second = 0;
    int micros = 0;
    if (minute >= 0 && i < s.size() && s[i] == ':') {
        second = ReadFixedDigits(s, i + 1, 2);
        i += 3;
        if (second >= 0 && allow_fraction && i < s.size() && s[i] == '.') {
            const std::size_t frac_start = ++i;
            // Digits beyond microseconds are dropped: PostgreSQL would round them, we document "rounded down".
            for (int scale = 100000; i < s.size() && IsDigit(s[i]); ++i, scale /= 10) micros += (s[i] - '0') * scale;
            if (i == frac_start) return kNoMatch;
        }
    }
    if (minute < 0 || second < 0 || hour > 23 || minute > 59 || second > 59) return kNoMatch;
    t.hour = hour;
    t.minute = minute;
    t.second = second;
    t.micros = micros;
    return i;
}

/// The rest of the string from `pos`: "", "Z", "±HH", "±HH:MM" or "±HHMM", as minutes east of UTC.
bool ParseOffset(std::string_view s, std::size_t pos, int& minutes) {
    minutes = 0;
    if (pos == s.size()) return true;
    if (s[pos] == 'Z') return pos + 1 == s.size();
    if (s[pos] != '+' && s[pos] != '-') return false;
    const int hours = ReadFixedDigits(s, pos + 1, 2);
    std::size_t i = pos + 3;
    int mins = 0;
    if (i < s.size()) {
        const bool colon = s[i] == ':';
        mins = ReadFixedDigits(s, colon ? i + 1 : i, 2);
        i += colon ? 3 : 2;
    }
    if (hours < 0 || mins < 0 || i != s.size() || hours > 23 || mins > 59) return false;
    minutes = (s[pos] == '-' ? -1 : 1) * (hours * 60 + mins);
    return true;
}

/// One or two digits at s[i], advancing i; -1 when there is no digit.
int ReadShortNumber(std::string_view s, std::size_t& i) {
    if (i >= s.size() || !IsDigit(s[i])) return -1;
    int v = s[i++] - '0';
    if (i < s.size() && IsDigit(s[i])) v = v * 10 + (s[i++] - '0');
    return v;
}

/// `a/b/yyyy` at the start of s; `end` is the position after the year.
bool ScanSlashDate(std::string_view s, int& a, int& b, int& year, std::size_t& end) {
    std::size_t i = 0;
    a = ReadShortNumber(s, i);
    if (a < 0 || i >= s.size() || s[i++] != '/') return false;
    b = ReadShortNumber(s, i);
    if (b < 0 || i >= s.size() || s[i++] != '/') return false;
    year = ReadFixedDigits(s, i, 4);
    end = i + 4;
    return year >= 0;
}

/// Nothing after the slash date, or ` H:MM[:SS]` up to the end.
bool ParseSlashTime(std::string_view s, std::size_t end, DateTime& t, bool& has_time) {
    has_time = end != s.size();
    if (!has_time) return true;
    return s[end] == ' ' && ParseTime(s, end + 1, true, false, t) == s.size();
}

}  // namespace

bool IsValidDate(int year, int month, int day) {
    constexpr int kDays[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
    if (year < 1 || year > 9999 || month < 1 || month > 12 || day < 1) return false;
    const int days = (month == 2 && IsLeapYear(year)) ? 29 : kDays[month - 1];
    return day <= days;
}

bool ParseIsoDate(std::string_view s, DateTime& out) {
    if (s.size() != 10 || s[4] != '-' || s[7] != '-') return false;
    const int y = ReadFixedDigits(s, 0, 4);
    const int m = ReadFixedDigits(s, 5, 2);
    const int d = ReadFixedDigits(s, 8, 2);
    if (!IsValidDate(y, m, d)) return false;
    out = DateTime{y, m, d, 0, 0, 0, 0};
    return true;
}

bool ParseIsoDatetime(std::string_view s, DateTime& out) {
    if (s.size() < 16 || !ParseIsoDate(s.substr(0, 10), out) || (s[10] != 'T' && s[10] != ' ')) return false;
    const std::size_t end = ParseTime(s, 11, false, true, out);
    int offset = 0;
    return end != kNoMatch && ParseOffset(s, end, offset) && ShiftToUtc(out, offset);
}

bool ParseSlashDatetime(std::string_view s, DateOrder order, DateTime& out, bool& has_time) {
    int a = 0;
    int b = 0;
    int year = 0;
    std::size_t end = 0;
    if (!ScanSlashDate(s, a, b, year, end)) return false;
    const int day = order == DateOrder::kDayFirst ? a : b;
    const int month = order == DateOrder::kDayFirst ? b : a;
    if (!IsValidDate(year, month, day)) return false;
    out = DateTime{year, month, day, 0, 0, 0, 0};
    return ParseSlashTime(s, end, out, has_time);
}

bool ParseTemporalCell(std::string_view s, DateOrder order, DateTime& out, bool& has_time) {
    if (s.size() >= 10 && s[4] == '-') {
        has_time = s.size() != 10;
        return has_time ? ParseIsoDatetime(s, out) : ParseIsoDate(s, out);
    }
    return ParseSlashDatetime(s, order, out, has_time);
}

std::uint32_t TemporalReadings(std::string_view s) {
    if (s.size() < 8 || !IsDigit(s[0])) return 0;
    DateTime t;
    if (s.size() >= 10 && s[4] == '-') {
        if (s.size() == 10) return ParseIsoDate(s, t) ? kTemporalReadings : 0;
        return ParseIsoDatetime(s, t) ? (kReadDatetimeDmy | kReadDatetimeMdy) : 0;
    }
    int a = 0;
    int b = 0;
    int year = 0;
    std::size_t end = 0;
    bool has_time = false;
    if (!ScanSlashDate(s, a, b, year, end) || !ParseSlashTime(s, end, t, has_time)) return 0;
    std::uint32_t readings = 0;
    if (IsValidDate(year, b, a)) readings |= has_time ? kReadDatetimeDmy : (kReadDateDmy | kReadDatetimeDmy);
    if (IsValidDate(year, a, b)) readings |= has_time ? kReadDatetimeMdy : (kReadDateMdy | kReadDatetimeMdy);
    return readings;
}

namespace {

/// Writes `v` as exactly `width` digits at `at` (v fits: the callers' fields are range-checked when parsed).
void PutDigits(char* at, std::int64_t v, int width) {
    for (int i = width - 1; i >= 0; --i) {
        at[i] = static_cast<char>('0' + v % 10);
        v /= 10;
    }
}

/// "YYYY-MM-DDTHH:MM:SS" into `buf` (19 chars); only the first 10 for a date.
void PutUpToSeconds(char* buf, const DateTime& t) {
    PutDigits(buf, t.year, 4);
    buf[4] = '-';
    PutDigits(buf + 5, t.month, 2);
    buf[7] = '-';
    PutDigits(buf + 8, t.day, 2);
    buf[10] = 'T';
    PutDigits(buf + 11, t.hour, 2);
    buf[13] = ':';
    PutDigits(buf + 14, t.minute, 2);
    buf[16] = ':';
    PutDigits(buf + 17, t.second, 2);
}

}  // namespace

void AppendDate(std::string& out, const DateTime& t) {
    char buf[19];
    PutUpToSeconds(buf, t);
    out.append(buf, 10);
}

void AppendDatetime(std::string& out, const DateTime& t) {
    char buf[28];
    PutUpToSeconds(buf, t);
    std::size_t n = 19;
    if (t.micros != 0) {
        buf[n++] = '.';
        PutDigits(buf + n, t.micros, 6);
        n += 6;
    }
    buf[n++] = 'Z';
    out.append(buf, n);
}

std::string FormatDate(const DateTime& t) {
    std::string out;
    AppendDate(out, t);
    return out;
}

std::string FormatDatetime(const DateTime& t) {
    std::string out;
    AppendDatetime(out, t);
    return out;
}

std::string FormatDatetimeMillis(const DateTime& t) {
    char buf[24];
    PutUpToSeconds(buf, t);
    buf[19] = '.';
    PutDigits(buf + 20, t.micros / 1000, 3);
    buf[23] = 'Z';
    return std::string(buf, 24);
}

}  // namespace mt::types::detail
