#pragma once
/// XLS ingestion (SPEC §7): the first non-empty worksheet of a legacy Excel (BIFF) workbook, through FreeXL.
#include <memory>
#include <string>

#include "mt/core/result.hpp"
#include "mt/ingest/row_reader.hpp"

namespace mt::ingest {

/// Opens a reader over the first worksheet, in workbook order, that has a non-empty cell.
///
/// Cells are rendered as row_reader.hpp specifies: integers as digits, doubles as the shortest text that
/// reads back as the same double (plain notation), text as UTF-8 (FreeXL converts the workbook's code page),
/// dates "YYYY-MM-DD", date-times "YYYY-MM-DDTHH:MM:SS" (midnight → date only; FreeXL keeps whole seconds),
/// times "HH:MM:SS". FreeXL reports booleans as integers, so they read "1"/"0"; error cells and formulas
/// read as FreeXL reports them (the cached value when it has one, else ""). Empty rows are skipped;
/// `line()` is the sheet's 1-based row number.
///
/// Memory: unlike the other readers, FreeXL loads the whole workbook at open time and the selected sheet's
/// cell grid (rows × columns) — an .xls is at most 65,536 × 256 cells, so this stays bounded, but it is
/// proportional to the file, not constant. The reader owns the FreeXL handle; one thread at a time.
/// Errors are kValidation naming `display_name`: `file "x.xls" is not a valid XLS file: …` (not an OLE2
/// file, corrupt, password-protected), a cell over `limits.max_cell_bytes`, or a row whose cells hold more than
/// `limits.max_row_bytes` together (`file "x.xls", line 3: a row is larger than 16 MiB`).
Result<std::unique_ptr<RowReader>> OpenXls(const std::string& path, std::string display_name, ReaderLimits limits = {});

}  // namespace mt::ingest
