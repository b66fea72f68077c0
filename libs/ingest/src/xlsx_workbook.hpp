#pragma once
/// The small parts of an .xlsx package, read whole with pugixml: which sheets exist in which order, where
/// the shared strings are, the date system, and which cell styles format numbers as dates (private).
#include <optional>
#include <string>
#include <vector>

#include "mt/core/result.hpp"
#include "xlsx_package.hpp"
#include "xlsx_values.hpp"

namespace mt::ingest::detail {

struct SheetRef {
    std::string name;  // the tab's name, for messages
    std::string part;  // package part of its XML, e.g. "xl/worksheets/sheet1.xml"
};

struct WorkbookInfo {
    std::vector<SheetRef> sheets;  // worksheets in workbook (tab) order; chart and dialog sheets left out
    std::optional<std::string> shared_strings_part;
    bool date1904 = false;
    std::vector<NumberKind> cell_formats;  // by cell style index (`s` attribute of <c>)
};

/// Reads [Content_Types].xml, _rels/.rels, the workbook, its relationships and styles. Any missing mandatory
/// part or malformed XML is a kValidation error naming the file and the part.
Result<WorkbookInfo> ReadWorkbook(const XlsxPackage& package);

/// Number kind of each cell style of a styles.xml document (exposed for tests).
Result<std::vector<NumberKind>> ParseCellFormats(const XlsxPackage& package, const std::string& styles_xml);

}  // namespace mt::ingest::detail
