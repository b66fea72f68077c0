#pragma once
/// Rendering of typed spreadsheet values as the text row_reader.hpp specifies (private; used by XLSX and XLS).
///
/// These are renderers, not parsers of user text: they reshape values a spreadsheet already typed (a number
/// in XML notation, a date serial, a date string FreeXL produced) into the one spelling the type library
/// parses later. Pure functions, thread-safe.
#include <optional>
#include <string>
#include <string_view>

namespace mt::ingest::detail {

/// What a cell's number format makes of a number.
enum class NumberKind {
    kNumber,    // plain number
    kDate,      // date or date-time (the serial's fraction decides which is rendered)
    kTimeOnly,  // time of day (h:mm, [h]:mm:ss …): rendered "HH:MM:SS" when the serial is within one day
};

/// Classifies a number format code (the `formatCode` of styles.xml or an XLS FORMAT record).
/// Date/time when a d, m, y, h or s token appears outside quoted text, backslash escapes and [...] sections
/// ([Red], [$-409]); the elapsed-time sections [h] [mm] [ss] count as time.
NumberKind ClassifyFormatCode(std::string_view code);

/// Kind of a built-in number format id (ECMA-376 §18.8.30): 14–17 and 22 dates, 18–21 and 45–47 times.
NumberKind ClassifyBuiltinFormat(int num_fmt_id);

/// Plain '.'-decimal spelling of a number written in XML notation ("1E-3" → "0.001", "5.0" → "5",
/// "-0" → "0", "+12" → "12"). Digits are kept exactly, never rounded through a double.
/// Returns nullopt when `text` is not a number in that notation.
std::optional<std::string> NormalizeNumberText(std::string_view text);

/// Text of an XLSX number cell (`<v>`, an xsd:double). Plain integers keep their exact digits; other numbers
/// render as their double's shortest round-trip text, which undoes the 16–17-digit noise producers write
/// ("89.90000000000001" from openpyxl/pandas' "%.16g", "0.30000000000000004" from Excel) — digits no
/// double-holding spreadsheet ever showed. Text that is no number is returned unchanged.
std::string RenderXmlNumber(std::string_view text);

/// Shortest text that reads back as the same double, in plain notation (1e-05 → "0.00001", 5.0 → "5").
/// Non-finite values, which a spreadsheet cannot store, render as "".
std::string RenderDouble(double value);

/// Renders a date serial of the 1900 (with Lotus' fictitious 1900-02-29 at serial 60, shown as
/// 1900-02-28) or 1904 date system: "YYYY-MM-DD" for whole days, else "YYYY-MM-DDTHH:MM:SS" plus ".fff"
/// when not whole seconds; kTimeOnly serials in [0, 1) render "HH:MM:SS[.fff]". Rounded to milliseconds.
/// Returns nullopt outside 0 … 9999-12-31 (the caller then renders the plain number, as Excel shows ####).
std::optional<std::string> RenderSerial(double serial, bool date1904, NumberKind kind);

/// Normalizes an ISO 8601 date/date-time a file already holds as text (XLSX t="d" cells, FreeXL's
/// "YYYY-MM-DD HH:MM:SS"): 'T' separator, seconds added when missing, trailing 'Z' dropped, fractions without
/// their trailing zeros but at least 3 digits (".25" → ".250", ".000" → none), midnight → date only.
/// Text of any other shape (a time alone, an offset) is returned unchanged.
std::string NormalizeIsoDateTime(std::string_view text);

}  // namespace mt::ingest::detail
