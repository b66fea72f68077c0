#pragma once
/// Calendar dates and timestamps: scanning, UTC normalization, formatting (private header).
#include <cstdint>
#include <string>
#include <string_view>

#include "mt/types/inference.hpp"

namespace mt::types::detail {

/// A civil date and time of day in UTC. `micros` is the fraction of the second, 0..999999.
struct DateTime {
    int year = 1;
    int month = 1;
    int day = 1;
    int hour = 0;
    int minute = 0;
    int second = 0;
    int micros = 0;
};

/// A real calendar date (leap years) with year 1..9999.
bool IsValidDate(int year, int month, int day);

/// Exactly `YYYY-MM-DD`.
bool ParseIsoDate(std::string_view s, DateTime& out);

/// `YYYY-MM-DD[T ]HH:MM[:SS[.fraction]][Z|±HH[:MM]|±HHMM]`, converted to UTC (no offset = UTC); the fraction
/// is cut to microseconds. False when malformed or when the UTC instant leaves years 1..9999.
bool ParseIsoDatetime(std::string_view s, DateTime& out);

/// `d/m/yyyy` (or `m/d/yyyy` for kMonthFirst), one or two digits for day and month, optionally followed by
/// ` H:MM[:SS]` in UTC. `has_time` says whether the time was there.
bool ParseSlashDatetime(std::string_view s, DateOrder order, DateTime& out, bool& has_time);

/// A file cell as a date or datetime under `order`: ISO date, ISO datetime, or the slash forms. This is
/// the dispatch TemporalReadings uses, so conversion accepts exactly what inference accepted.
bool ParseTemporalCell(std::string_view s, DateOrder order, DateTime& out, bool& has_time);

/// The temporal readings (kReadDate*, kReadDatetime* of readings.hpp) a trimmed file cell admits. No allocation.
std::uint32_t TemporalReadings(std::string_view s);

/// `YYYY-MM-DD`.
std::string FormatDate(const DateTime& t);
/// FormatDate / FormatDatetime appended to `out` (no allocation once `out` has room).
void AppendDate(std::string& out, const DateTime& t);
void AppendDatetime(std::string& out, const DateTime& t);
/// `YYYY-MM-DDTHH:MM:SS[.ffffff]Z`: the fraction only when non-zero, then always six digits.
std::string FormatDatetime(const DateTime& t);
/// `YYYY-MM-DDTHH:MM:SS.mmmZ` (SPEC §6 JSON out: milliseconds, cut rather than rounded).
std::string FormatDatetimeMillis(const DateTime& t);

}  // namespace mt::types::detail
