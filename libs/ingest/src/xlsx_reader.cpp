// OpenXlsx: package → workbook parts → shared strings → the first worksheet with a non-empty row.
#include <utility>

#include "mt/ingest/xlsx.hpp"
#include "xlsx_package.hpp"
#include "xlsx_shared_strings.hpp"
#include "xlsx_sheet_parser.hpp"
#include "xlsx_workbook.hpp"

namespace mt::ingest {
namespace {

using detail::SheetParser;

/// RowReader over one worksheet. The first row was already pulled while choosing the sheet, so it is held
/// back and handed out by the first Next().
class XlsxReader final : public RowReader {
public:
    XlsxReader(std::unique_ptr<SheetParser> sheet, std::vector<std::string> first_row)
        : sheet_(std::move(sheet)), first_row_(std::move(first_row)), has_first_row_(!first_row_.empty()) {}

    Result<bool> Next(std::vector<std::string>& cells) override {
        if (has_first_row_) {
            has_first_row_ = false;
            cells.swap(first_row_);
            first_row_ = {};
            return true;
        }
        MT_ASSIGN_OR_RETURN(bool more, sheet_->NextRow(cells));
        if (!more && !reported_) {
            reported_ = true;
            ReportLostCells();
        }
        return more;
    }
    [[nodiscard]] std::int64_t line() const override { return sheet_->row_number(); }
    [[nodiscard]] std::uint64_t bytes_read() const override { return sheet_->raw_bytes(); }

private:
    // One warning per column (at the row of its first such cell) for error cells and for uncached formulas.
    void ReportLostCells() {
        auto report = [this](const std::map<std::size_t, detail::LostCells>& lost, const std::string& what) {
            for (const auto& [column, cells] : lost) {
                Warn(cells.first_row, "column " + detail::ColumnName(column) + ": " + std::to_string(cells.count) +
                                          " " + what + " (" + cells.example + " at row " +
                                          std::to_string(cells.first_row) + ") read as empty (null)");
            }
        };
        report(sheet_->error_cells(), "error cell(s)");
        report(sheet_->uncached_formulas(), "formula(s) saved without their result");
    }

    std::unique_ptr<SheetParser> sheet_;
    bool reported_ = false;
    std::vector<std::string> first_row_;
    bool has_first_row_;
};

Result<std::shared_ptr<const detail::SheetContext>> LoadContext(const detail::XlsxPackage& package,
                                                                const detail::WorkbookInfo& info, ReaderLimits limits) {
    auto context = std::make_shared<detail::SheetContext>();
    context->display_name = package.display_name();
    context->cell_formats = info.cell_formats;
    context->date1904 = info.date1904;
    context->limits = limits;
    if (info.shared_strings_part && package.Has(*info.shared_strings_part)) {
        MT_ASSIGN_OR_RETURN(detail::PartStream stream, package.OpenPart(*info.shared_strings_part));
        MT_ASSIGN_OR_RETURN(detail::SharedStrings strings,
                            detail::LoadSharedStrings(std::move(stream), package.display_name(), limits));
        context->strings = std::make_shared<const detail::SharedStrings>(std::move(strings));
    }
    return std::shared_ptr<const detail::SheetContext>(std::move(context));
}

}  // namespace

Result<std::unique_ptr<RowReader>> OpenXlsx(const std::string& path, std::string display_name, ReaderLimits limits) {
    MT_ASSIGN_OR_RETURN(const detail::XlsxPackage package, detail::XlsxPackage::Open(path, std::move(display_name)));
    MT_ASSIGN_OR_RETURN(const detail::WorkbookInfo info, detail::ReadWorkbook(package));
    MT_ASSIGN_OR_RETURN(auto context, LoadContext(package, info, limits));

    std::unique_ptr<SheetParser> sheet;
    std::vector<std::string> first_row;
    for (const detail::SheetRef& ref : info.sheets) {
        // A sheet is empty when it has no row with a non-empty cell; only then is the next one tried, so
        // for the usual one-sheet workbook every part is decompressed once.
        MT_ASSIGN_OR_RETURN(detail::PartStream stream, package.OpenPart(ref.part));
        MT_ASSIGN_OR_RETURN(sheet, SheetParser::Create(std::move(stream), context));
        MT_ASSIGN_OR_RETURN(const bool found, sheet->NextRow(first_row));
        if (found) break;
    }
    return std::unique_ptr<RowReader>(std::make_unique<XlsxReader>(std::move(sheet), std::move(first_row)));
}

}  // namespace mt::ingest
