#pragma once
/// Which reader an uploaded file goes to (by its name) and whether its bytes agree with that name (SPEC §7a:
/// "a file lying about its extension"). Pure functions; the content check reads at most 64 KiB of the file.
#include <optional>
#include <string>
#include <string_view>

#include "mt/core/result.hpp"
#include "mt/ingest/row_reader.hpp"

namespace mt::ingest {

/// Kind from the extension of the name the user gave, case-insensitively: .csv .tsv .txt → kCsv, .xlsx, .xls,
/// .zip. Anything else (including no extension) → nullopt: the file type is not supported.
std::optional<FileKind> KindFromName(std::string_view original_name);

/// "CSV", "XLSX", "XLS", "ZIP" — as named in messages to users.
std::string_view Name(FileKind kind);

/// Checks the magic bytes of the file at `path` against `kind`:
///  - XLSX and ZIP start with "PK\x03\x04" (an empty ZIP, "PK\x05\x06", is a ZIP too);
///  - XLS starts with the OLE2 signature D0 CF 11 E0 A1 B1 1A E1;
///  - CSV is none of those and has no NUL byte in its first 64 KiB (unless it starts with a UTF-16 BOM).
/// Errors are kValidation naming the file by `display_name`, e.g.
/// `file "sales.xlsx" is not a valid XLSX file (content looks like text)` or `file "a.csv" is empty`.
/// A file that cannot be opened or read is kInternal (the service stored it; losing it is our fault).
Status CheckContentMatchesKind(const std::string& path, FileKind kind, std::string_view display_name);

}  // namespace mt::ingest
