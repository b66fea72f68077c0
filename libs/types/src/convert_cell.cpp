#include "cell.hpp"
#include "datetime.hpp"
#include "mt/types/inference.hpp"
#include "number.hpp"
#include "readings.hpp"
#include "scan.hpp"

namespace mt::types {
namespace {

/// The canonical text of a number cell into `out`; false when `s` is not one.
bool ConvertNumber(ColumnType type, std::string_view s, const CellFormat& format, std::string& out) {
    const char mark = format.decimal_separator == DecimalSeparator::kComma ? ',' : '.';
    return detail::WriteFileNumber(s, type == ColumnType::kInteger, mark, out);
}

bool ConvertTemporal(ColumnType type, std::string_view s, const CellFormat& format, std::string& out) {
    detail::DateTime t;
    bool has_time = false;
    if (!detail::ParseTemporalCell(s, format.date_order, t, has_time)) return false;
    out.clear();
    if (type == ColumnType::kDate) {
        if (has_time) return false;
        detail::AppendDate(out, t);
    } else {
        detail::AppendDatetime(out, t);
    }
    return true;
}

}  // namespace

Result<std::optional<std::string_view>> ConvertCellView(ColumnType type, std::string_view raw, const CellFormat& format,
                                                        std::string& scratch) {
    using MaybeView = std::optional<std::string_view>;
    const std::string_view s = detail::TrimSpaces(raw);
    if (detail::IsNullTokenTrimmed(s)) return MaybeView();
    if (type != ColumnType::kText && detail::IsNullMarkerTrimmed(s)) return MaybeView();
    bool converted = false;
    switch (type) {
        case ColumnType::kText:
            // PostgreSQL text cannot hold NUL; failing here names the value instead of a libpq error later.
            if (raw.find('\0') != std::string_view::npos) {
                return Validation("cannot convert " + detail::QuotedValue(raw) + " to text: it contains a NUL byte");
            }
            return MaybeView(raw);
        case ColumnType::kInteger:
        case ColumnType::kDecimal: converted = ConvertNumber(type, s, format, scratch); break;
        case ColumnType::kBoolean: {
            const int b = detail::BooleanValue(s);
            if (b >= 0) return MaybeView(b == 1 ? "true" : "false");
            break;
        }
        case ColumnType::kDate:
        case ColumnType::kDatetime: converted = ConvertTemporal(type, s, format, scratch); break;
    }
    if (!converted) {
        return Validation("cannot convert " + detail::QuotedValue(raw) + " to " + std::string(Name(type)));
    }
    return MaybeView(scratch);
}

Result<std::optional<std::string>> ConvertCell(ColumnType type, std::string_view raw, const CellFormat& format) {
    std::string scratch;
    MT_ASSIGN_OR_RETURN(auto view, ConvertCellView(type, raw, format, scratch));
    if (!view) return std::optional<std::string>();
    return std::optional<std::string>(std::string(*view));
}

}  // namespace mt::types
