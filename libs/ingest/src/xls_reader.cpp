// OpenXls: legacy Excel workbooks through FreeXL, rendered like the XLSX reader renders its cells.
#include <freexl.h>
#include <sys/stat.h>

#include <array>
#include <cstdio>
#include <cstring>
#include <memory>
#include <utility>

#include "limit_checks.hpp"
#include "mt/ingest/xls.hpp"
#include "xlsx_values.hpp"

namespace mt::ingest {
namespace {

struct FreexlClose {
    void operator()(const void* handle) const noexcept { freexl_close(handle); }
};
/// FreeXL's handle is an opaque `const void*`; freexl_close releases the whole in-memory workbook.
using FreexlPtr = std::unique_ptr<const void, FreexlClose>;

Error InvalidXls(const std::string& display_name, const std::string& why) {
    return Validation("file \"" + display_name + "\" is not a valid XLS file: " + why);
}

std::string DescribeFreexlError(int rc) {
    switch (rc) {
        case FREEXL_INSUFFICIENT_MEMORY: return "it does not fit in memory";
        case FREEXL_BIFF_WORKBOOK_NOT_FOUND: return "it holds no Excel workbook";
        case FREEXL_BIFF_INVALID_SST:
        case FREEXL_BIFF_ILLEGAL_SST_INDEX: return "its string table is corrupt";
        case FREEXL_UNSUPPORTED_CHARSET:
        case FREEXL_INVALID_CHARACTER: return "its text encoding is unsupported";
        case FREEXL_CRAFTED_FILE: return "the file is corrupt (crafted)";
        default: return "the file is corrupt (FreeXL error " + std::to_string(rc) + ")";
    }
}

/// Says what the file is when it is no OLE2 compound file: FreeXL's own errors for these are cryptic.
Status CheckSignature(const std::string& path, const std::string& display_name) {
    std::FILE* file = std::fopen(path.c_str(), "rb");
    if (file == nullptr) return Internal("cannot open uploaded file \"" + display_name + "\"");
    std::array<unsigned char, 8> magic{};
    const std::size_t n = std::fread(magic.data(), 1, magic.size(), file);
    std::fclose(file);
    static constexpr std::array<unsigned char, 8> kCompoundFile = {0xD0, 0xCF, 0x11, 0xE0, 0xA1, 0xB1, 0x1A, 0xE1};
    if (n == 0) return InvalidXls(display_name, "the file is empty");
    if (n >= 4 && std::memcmp(magic.data(), "PK\x03\x04", 4) == 0) {
        return InvalidXls(display_name, "it is a ZIP package (an .xlsx file named .xls?)");
    }
    if (n < magic.size() || magic != kCompoundFile) {
        return InvalidXls(display_name, "it is not an Excel 97-2003 workbook");
    }
    return Ok();
}

/// Reads rows of the worksheet FreeXL has selected. Does not own the handle.
class XlsSheet {
public:
    XlsSheet(const void* handle, std::string display_name, ReaderLimits limits, unsigned rows, unsigned short columns)
        : handle_(handle), display_name_(std::move(display_name)), limits_(limits), rows_(rows), columns_(columns) {}

    [[nodiscard]] unsigned rows() const { return rows_; }

    /// Fills `cells` with row `row` (0-based; trailing empty cells dropped).
    Status ReadRow(unsigned row, std::vector<std::string>& cells) const {
        cells.clear();
        std::size_t row_bytes = 0;
        for (unsigned short column = 0; column < columns_; ++column) {
            FreeXL_CellValue value{};
            const int rc = freexl_get_cell_value(handle_, row, column, &value);
            if (rc != FREEXL_OK) return InvalidXls(display_name_, DescribeFreexlError(rc));
            MT_ASSIGN_OR_RETURN(std::string text, Render(value, row, column));
            if (text.empty()) continue;
            if (column >= limits_.max_columns) {
                return Validation(Where(row, column) + "the row has more than " + std::to_string(limits_.max_columns) +
                                  " columns");
            }
            // Up to 256 cells of 32,767 characters: an .xls row can pass the limit. Checked before it grows.
            if (text.size() > limits_.max_row_bytes - row_bytes) {
                return detail::RowTooLarge(display_name_, static_cast<std::int64_t>(row) + 1, limits_.max_row_bytes);
            }
            row_bytes += text.size();
            cells.resize(column + 1u);
            cells[column] = std::move(text);
        }
        return Ok();
    }

    /// Index of the first row with a non-empty cell at or after `from`, or rows() when there is none.
    Result<unsigned> NextNonEmptyRow(unsigned from, std::vector<std::string>& cells) const {
        for (unsigned row = from; row < rows_; ++row) {
            MT_TRY(ReadRow(row, cells));
            if (!cells.empty()) return row;
        }
        return rows_;
    }

private:
    Result<std::string> Render(const FreeXL_CellValue& value, unsigned row, unsigned short column) const {
        switch (value.type) {
            case FREEXL_CELL_INT: return std::to_string(value.value.int_value);
            case FREEXL_CELL_DOUBLE: return detail::RenderDouble(value.value.double_value);
            case FREEXL_CELL_TEXT:
            case FREEXL_CELL_SST_TEXT: {
                // The text belongs to the handle; copy it now.
                std::string text = value.value.text_value != nullptr ? value.value.text_value : "";
                if (text.size() > limits_.max_cell_bytes) {
                    return Validation(Where(row, column) + "the value is larger than " +
                                      std::to_string(limits_.max_cell_bytes) + " bytes");
                }
                return text;
            }
            case FREEXL_CELL_DATE:
            case FREEXL_CELL_DATETIME:
            case FREEXL_CELL_TIME:  // "YYYY-MM-DD", "YYYY-MM-DD HH:MM:SS", "HH:MM:SS"
                return detail::NormalizeIsoDateTime(value.value.text_value != nullptr ? value.value.text_value : "");
            default: return std::string();  // FREEXL_CELL_NULL
        }
    }

    std::string Where(unsigned row, unsigned short column) const {
        return "file \"" + display_name_ + "\", row " + std::to_string(row + 1) + ", column " +
               std::to_string(column + 1) + ": ";
    }

    const void* handle_;
    std::string display_name_;
    ReaderLimits limits_;
    unsigned rows_;
    unsigned short columns_;
};

/// RowReader over the selected worksheet; owns the FreeXL workbook. One thread at a time.
class XlsReader final : public RowReader {
public:
    XlsReader(FreexlPtr handle, XlsSheet sheet, unsigned first_row, std::uint64_t file_size)
        : handle_(std::move(handle)), sheet_(std::move(sheet)), next_row_(first_row), file_size_(file_size) {}

    Result<bool> Next(std::vector<std::string>& cells) override {
        MT_ASSIGN_OR_RETURN(const unsigned row, sheet_.NextNonEmptyRow(next_row_, cells));
        if (row >= sheet_.rows()) {
            next_row_ = row;
            return false;
        }
        next_row_ = row + 1;
        line_ = static_cast<std::int64_t>(row) + 1;
        return true;
    }
    [[nodiscard]] std::int64_t line() const override { return line_; }
    // FreeXL read the whole file when it opened it.
    [[nodiscard]] std::uint64_t bytes_read() const override { return file_size_; }

private:
    FreexlPtr handle_;
    XlsSheet sheet_;
    unsigned next_row_;
    std::uint64_t file_size_;
    std::int64_t line_ = 0;
};

Result<FreexlPtr> OpenWorkbook(const std::string& path, const std::string& display_name) {
    MT_TRY(CheckSignature(path, display_name));
    const void* raw = nullptr;
    const int rc = freexl_open(path.c_str(), &raw);
    FreexlPtr handle(raw);  // FreeXL wants freexl_close even when freexl_open failed
    if (rc != FREEXL_OK) return InvalidXls(display_name, DescribeFreexlError(rc));
    unsigned int password = 0;
    if (freexl_get_info(handle.get(), FREEXL_BIFF_PASSWORD, &password) == FREEXL_OK &&
        password == FREEXL_BIFF_OBFUSCATED) {
        return InvalidXls(display_name, "it is password-protected");
    }
    return handle;
}

/// Selects worksheet `index` and describes it.
Result<XlsSheet> SelectSheet(const void* handle, unsigned short index, const std::string& display_name,
                             ReaderLimits limits) {
    unsigned int rows = 0;
    unsigned short columns = 0;
    // Selecting makes FreeXL build the sheet's whole cell grid in memory (rows × columns cells).
    int rc = freexl_select_active_worksheet(handle, index);
    if (rc == FREEXL_OK) rc = freexl_worksheet_dimensions(handle, &rows, &columns);
    if (rc != FREEXL_OK) return InvalidXls(display_name, DescribeFreexlError(rc));
    return XlsSheet(handle, display_name, limits, rows, columns);
}

}  // namespace

Result<std::unique_ptr<RowReader>> OpenXls(const std::string& path, std::string display_name, ReaderLimits limits) {
    MT_ASSIGN_OR_RETURN(FreexlPtr handle, OpenWorkbook(path, display_name));
    struct stat st {};
    const std::uint64_t file_size = ::stat(path.c_str(), &st) == 0 ? static_cast<std::uint64_t>(st.st_size) : 0;
    unsigned int sheet_count = 0;
    if (freexl_get_info(handle.get(), FREEXL_BIFF_SHEET_COUNT, &sheet_count) != FREEXL_OK) sheet_count = 0;

    std::vector<std::string> cells;
    for (unsigned int index = 0; index < sheet_count && index <= 0xFFFF; ++index) {
        MT_ASSIGN_OR_RETURN(XlsSheet sheet,
                            SelectSheet(handle.get(), static_cast<unsigned short>(index), display_name, limits));
        MT_ASSIGN_OR_RETURN(const unsigned first, sheet.NextNonEmptyRow(0, cells));
        if (first < sheet.rows() || index + 1 == sheet_count) {
            return std::unique_ptr<RowReader>(
                std::make_unique<XlsReader>(std::move(handle), std::move(sheet), first, file_size));
        }
    }
    // No sheet at all: a reader with no rows.
    return std::unique_ptr<RowReader>(
        std::make_unique<XlsReader>(std::move(handle), XlsSheet(nullptr, display_name, limits, 0, 0), 0, file_size));
}

}  // namespace mt::ingest
