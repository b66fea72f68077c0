#pragma once
/// Streaming worksheet parser: expat over the decompressed sheet XML, one row at a time (private).
#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "mt/core/result.hpp"
#include "mt/ingest/row_reader.hpp"
#include "xlsx_package.hpp"
#include "xlsx_shared_strings.hpp"
#include "xlsx_values.hpp"
#include "xlsx_xml.hpp"

namespace mt::ingest::detail {

/// What every sheet of one workbook shares; immutable once built.
struct SheetContext {
    std::string display_name;
    std::shared_ptr<const SharedStrings> strings;  // null when the package has no shared string table
    std::vector<NumberKind> cell_formats;          // by cell style index
    bool date1904 = false;
    ReaderLimits limits;
};

/// Pulls the non-empty rows of one worksheet. Expat pushes, so the parser suspends itself
/// (XML_StopParser(resumable)) at each row end and is resumed by the next call: memory stays at one row
/// plus one 64 KiB chunk of XML whatever the sheet's size. Pinned in memory (expat holds `this`), hence
/// created behind a unique_ptr; one thread at a time.
/// "A", "Z", "AA" … for a 0-based column.
std::string ColumnName(std::size_t column);

/// Cells of one column that read as empty although the sheet held something there: error values (#DIV/0!, #N/A …)
/// or formulas saved without their result.
struct LostCells {
    std::int64_t count = 0;
    std::int64_t first_row = 0;
    std::string example;  // the first error value ("#DIV/0!"), or the first formula
};

class SheetParser {
public:
    static Result<std::unique_ptr<SheetParser>> Create(PartStream stream, std::shared_ptr<const SheetContext> context);
    SheetParser(const SheetParser&) = delete;
    SheetParser& operator=(const SheetParser&) = delete;

    /// The next row holding at least one non-empty cell, cells placed by their column reference (missing cells
    /// are ""; trailing empty cells dropped). False after the last row.
    Result<bool> NextRow(std::vector<std::string>& cells);
    /// 1-based sheet row number of the row last returned.
    [[nodiscard]] std::int64_t row_number() const { return returned_row_; }
    [[nodiscard]] std::uint64_t raw_bytes() const { return stream_.raw_bytes(); }
    /// By 0-based column, what read as empty so far: error cells, and formulas without a cached value.
    [[nodiscard]] const std::map<std::size_t, LostCells>& error_cells() const { return error_cells_; }
    [[nodiscard]] const std::map<std::size_t, LostCells>& uncached_formulas() const { return uncached_formulas_; }

private:
    SheetParser(PartStream stream, std::shared_ptr<const SheetContext> context);
    Status FeedOrResume();

    static void XMLCALL OnStart(void* self, const XML_Char* name, const XML_Char** attrs);
    static void XMLCALL OnEnd(void* self, const XML_Char* name);
    static void XMLCALL OnText(void* self, const XML_Char* text, int length);
    static void XMLCALL OnDoctype(void* self, const XML_Char*, const XML_Char*, const XML_Char*, int);
    void StartElement(std::string_view name, const XML_Char** attrs);
    void EndElement(std::string_view name);
    void StartRow(const XML_Char** attrs);
    void StartCell(const XML_Char** attrs);
    void EndCell();
    void EndRow();
    Result<std::string> RenderCell();
    Error CellError(const std::string& why) const;
    void Fail(Error error);

    PartStream stream_;
    std::shared_ptr<const SheetContext> context_;
    ExpatParserPtr parser_;
    std::size_t max_raw_cell_bytes_;

    // Parser state, driven by the handlers.
    bool in_sheet_data_ = false, in_row_ = false, in_cell_ = false;
    bool in_value_ = false, in_inline_ = false, in_inline_text_ = false;
    bool in_formula_ = false, has_formula_ = false;
    std::string formula_;  // the current cell's formula text (its first 80 bytes), for the warning
    int phonetic_depth_ = 0;
    std::int64_t row_ = 0;         // current sheet row number
    std::size_t column_ = 0;       // current cell's 0-based column
    std::size_t next_column_ = 0;  // where a cell without a reference goes
    std::string cell_type_;        // `t` attribute
    std::size_t cell_style_ = 0;   // `s` attribute
    std::string text_;             // <v> or inline <t> text of the current cell
    std::vector<std::string> cells_;
    std::size_t row_bytes_ = 0;  // of cells_, kept <= limits.max_row_bytes

    // Driver state.
    bool row_ready_ = false, suspended_ = false, finished_ = false;
    std::int64_t returned_row_ = 0;
    std::optional<Error> error_;
    // Bounded by the sheet's columns (at most limits.max_columns entries each).
    std::map<std::size_t, LostCells> error_cells_;
    std::map<std::size_t, LostCells> uncached_formulas_;
};

}  // namespace mt::ingest::detail
