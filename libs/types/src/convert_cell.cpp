#include "cell.hpp"
#include "datetime.hpp"
#include "mt/types/inference.hpp"
#include "number.hpp"
#include "readings.hpp"
#include "scan.hpp"

namespace mt::types {
namespace {

using MaybeText = std::optional<std::string>;

MaybeText ConvertNumber(ColumnType type, std::string_view s, const CellFormat& format) {
    if (type == ColumnType::kInteger) {
        if (detail::NumberReadings(s, detail::kReadInteger) == 0) return std::nullopt;
        return detail::CanonicalInteger(s);
    }
    const bool comma = format.decimal_separator == DecimalSeparator::kComma;
    if (detail::NumberReadings(s, comma ? detail::kReadDecimalComma : detail::kReadDecimalPoint) == 0) {
        return std::nullopt;
    }
    return detail::CanonicalDecimal(s, comma ? ',' : '.');
}

MaybeText ConvertTemporal(ColumnType type, std::string_view s, const CellFormat& format) {
    detail::DateTime t;
    bool has_time = false;
    if (!detail::ParseTemporalCell(s, format.date_order, t, has_time)) return std::nullopt;
    if (type == ColumnType::kDate) return has_time ? std::nullopt : MaybeText(detail::FormatDate(t));
    return detail::FormatDatetime(t);
}

}  // namespace

Result<std::optional<std::string>> ConvertCell(ColumnType type, std::string_view raw, const CellFormat& format) {
    const std::string_view s = detail::TrimSpaces(raw);
    if (detail::IsNullTokenTrimmed(s)) return MaybeText();
    MaybeText converted;
    switch (type) {
        case ColumnType::kText:
            // PostgreSQL text cannot hold NUL; failing here names the value instead of a libpq error later.
            if (raw.find('\0') != std::string_view::npos) {
                return Validation("cannot convert " + detail::QuotedValue(raw) + " to text: it contains a NUL byte");
            }
            return MaybeText(std::string(raw));
        case ColumnType::kInteger:
        case ColumnType::kDecimal: converted = ConvertNumber(type, s, format); break;
        case ColumnType::kBoolean: {
            const int b = detail::BooleanValue(s);
            if (b >= 0) converted = b == 1 ? "true" : "false";
            break;
        }
        case ColumnType::kDate:
        case ColumnType::kDatetime: converted = ConvertTemporal(type, s, format); break;
    }
    if (!converted) {
        return Validation("cannot convert " + detail::QuotedValue(raw) + " to " + std::string(Name(type)));
    }
    return converted;
}

}  // namespace mt::types
