#pragma once
/// XLSX ingestion (SPEC §7): the first non-empty worksheet of an Office Open XML workbook, as rows of text.
#include <memory>
#include <string>

#include "mt/core/result.hpp"
#include "mt/ingest/row_reader.hpp"

namespace mt::ingest {

/// Opens a reader over the first worksheet, in workbook (tab) order, that has a non-empty cell.
///
/// Cells are rendered as row_reader.hpp specifies: shared strings (rich-text runs joined, phonetic guides
/// dropped), inline strings and formula strings as written; booleans "true"/"false"; error values (#N/A,
/// #DIV/0! …) as ""; formulas as their cached value (a formula never computed by its producer reads "");
/// numbers in plain notation ("1E-3" → "0.001"; integers with their exact digits; other values as their
/// double's shortest round-trip text, so openpyxl's "89.90000000000001" reads "89.9"); numbers whose cell
/// style has a date or time format (built-in ids 14–22, 45–47, or a custom code with d/m/y/h/s outside
/// quotes and [...]) as dates — "YYYY-MM-DD" for whole days, else "YYYY-MM-DDTHH:MM:SS[.fff]", time-only
/// formats within one day as "HH:MM:SS[.fff]" — in the workbook's 1900 (with Lotus' serial 60) or 1904
/// date system.
/// Rows and cells are placed by their references: missing cells are "", empty rows are skipped and
/// `line()` is the sheet's row number. A workbook without any non-empty cell yields no rows.
///
/// Memory: the sheet XML is streamed (one row and a 64 KiB chunk at a time); the shared string table is held
/// in memory, capped by `limits.max_shared_strings_bytes`; one row by `limits.max_row_bytes`. The reader owns
/// a libarchive handle on `path`; one thread at a time.
/// Errors are kValidation naming `display_name`: `file "x.xlsx" is not a valid XLSX file: missing
/// xl/workbook.xml` (not a ZIP, truncated, password-protected, missing or malformed parts, a zip bomb), or
/// `file "x.xlsx", row 12, cell C12: …` (cell over `limits.max_cell_bytes`, row over `limits.max_columns`),
/// `file "x.xlsx", line 12: a row is larger than 16 MiB` (checked as each cell joins the row: one shared string
/// in many cells cannot expand a small file into gigabytes) or `file "x.xlsx": the shared strings of this
/// workbook are larger than 64 MiB`. Every part is read under the ZIP ratio rule (400:1 plus 4 MiB of grace).
Result<std::unique_ptr<RowReader>> OpenXlsx(const std::string& path, std::string display_name,
                                            ReaderLimits limits = {});

}  // namespace mt::ingest
