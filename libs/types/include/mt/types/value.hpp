#pragma once
/// Values crossing the API: JSON in → PostgreSQL text input; PostgreSQL text output → JSON out (SPEC §6).
///
/// PostgreSQL values travel as text parameters, so a "canonical" value is the exact text we pass to libpq.
/// The sessions that read values must run with `TimeZone=UTC`, `DateStyle=ISO` and `extra_float_digits=3`.
#include <optional>
#include <string>
#include <string_view>

#include <rapidjson/document.h>

#include "mt/core/json.hpp"
#include "mt/core/result.hpp"
#include "mt/types/column_type.hpp"

namespace mt::types {

/// Strict conversion of one JSON value (as parsed by mt::json::ParseJson, numbers as exact text) into the
/// canonical PostgreSQL text for `type`; std::nullopt means SQL NULL (JSON null). Rules:
///  - text: JSON string only (any UTF-8, NUL bytes rejected since PostgreSQL text cannot hold them).
///  - integer: JSON integer literal or a string of optional sign + digits (surrounding spaces not allowed),
///    within int64; canonical form has no leading zeros or '+' and "-0" → "0". 1.0, 1e3 are rejected.
///  - decimal: JSON number or numeric string (-?digits[.digits][e±digits], also ".5" and "5." in strings);
///    the digits are kept exactly ("89.90" stays "89.90"); NaN/Infinity rejected.
///  - boolean: JSON true/false only.
///  - date: string YYYY-MM-DD, a real calendar date (leap years), years 0001..9999.
///  - datetime: string ISO 8601 `YYYY-MM-DD[T ]HH:MM[:SS[.fraction]][Z|±HH[:MM]|±HHMM]`, no offset = UTC;
///    canonical output is UTC `YYYY-MM-DDTHH:MM:SS.ffffffZ` (fraction kept to microseconds, rounded down).
/// Errors are kValidation with a message like `expected integer, got string "abc"` (value shown truncated to
/// 100 bytes) and no details; the caller adds the field path.
Result<std::optional<std::string>> FromJson(ColumnType type, const rapidjson::Value& value);

/// Write a value read from PostgreSQL in text format as JSON: integer/decimal as bare numbers with exactly the
/// stored digits (NaN/±Infinity, which other SQL clients could store, as strings), boolean from "t"/"f",
/// date as-is, datetime (`2026-01-15 10:30:00.123456+00` from a UTC session) as `2026-01-15T10:30:00.123Z`,
/// text as a string.
void WriteJson(json::Writer& writer, ColumnType type, std::string_view pg_text);

/// The datetime conversion of WriteJson, exposed for timestamps of our own records (created_at …).
std::string FormatPgTimestamp(std::string_view pg_text);

}  // namespace mt::types
