#include "mt/types/value.hpp"

#include "datetime.hpp"
#include "number.hpp"
#include "scan.hpp"

namespace mt::types {
namespace {

using json::Kind;
using MaybeText = std::optional<std::string>;

/// `expected <type>, got <kind> <value>[ (<why>)]`, the value cut to 100 bytes.
Error Mismatch(ColumnType type, const rapidjson::Value& v, std::string_view why = {}) {
    std::string message = "expected " + std::string(Name(type)) + ", got ";
    const Kind kind = json::KindOf(v);
    message += json::KindName(kind);
    if (kind == Kind::kString) message += " " + detail::QuotedValue(json::Text(v));
    if (kind == Kind::kNumber) message += " " + detail::ShownValue(json::Text(v));
    if (kind == Kind::kBool) message += v.GetBool() ? " true" : " false";
    if (!why.empty()) message += " (" + std::string(why) + ")";
    return Validation(std::move(message));
}

Result<MaybeText> TextFromJson(const rapidjson::Value& v) {
    if (json::KindOf(v) != Kind::kString) return Mismatch(ColumnType::kText, v);
    const std::string_view s = json::Text(v);
    if (s.find('\0') != std::string_view::npos) return Mismatch(ColumnType::kText, v, "NUL bytes are not allowed");
    return MaybeText(std::string(s));
}

Result<MaybeText> IntegerFromJson(const rapidjson::Value& v) {
    const Kind kind = json::KindOf(v);
    if (kind != Kind::kNumber && kind != Kind::kString) return Mismatch(ColumnType::kInteger, v);
    bool out_of_range = false;
    MaybeText canonical = detail::JsonInteger(json::Text(v), out_of_range);
    if (!canonical) return Mismatch(ColumnType::kInteger, v, out_of_range ? "out of the int64 range" : "");
    return canonical;
}

Result<MaybeText> DecimalFromJson(const rapidjson::Value& v) {
    const Kind kind = json::KindOf(v);
    if (kind != Kind::kNumber && kind != Kind::kString) return Mismatch(ColumnType::kDecimal, v);
    MaybeText canonical = detail::JsonDecimal(json::Text(v));
    if (!canonical) return Mismatch(ColumnType::kDecimal, v);
    return canonical;
}

Result<MaybeText> BooleanFromJson(const rapidjson::Value& v) {
    if (json::KindOf(v) != Kind::kBool) return Mismatch(ColumnType::kBoolean, v);
    return MaybeText(v.GetBool() ? "true" : "false");
}

Result<MaybeText> DateFromJson(const rapidjson::Value& v) {
    detail::DateTime t;
    if (json::KindOf(v) != Kind::kString || !detail::ParseIsoDate(json::Text(v), t)) {
        return Mismatch(ColumnType::kDate, v, "YYYY-MM-DD, a real calendar date in years 0001-9999");
    }
    return MaybeText(detail::FormatDate(t));
}

Result<MaybeText> DatetimeFromJson(const rapidjson::Value& v) {
    detail::DateTime t;
    if (json::KindOf(v) != Kind::kString || !detail::ParseIsoDatetime(json::Text(v), t)) {
        return Mismatch(ColumnType::kDatetime, v, "ISO 8601 YYYY-MM-DDTHH:MM[:SS[.fraction]][Z|+HH:MM]");
    }
    return MaybeText(detail::FormatDatetime(t));
}

}  // namespace

Result<std::optional<std::string>> FromJson(ColumnType type, const rapidjson::Value& value) {
    if (json::KindOf(value) == Kind::kNull) return MaybeText();
    switch (type) {
        case ColumnType::kText: return TextFromJson(value);
        case ColumnType::kInteger: return IntegerFromJson(value);
        case ColumnType::kDecimal: return DecimalFromJson(value);
        case ColumnType::kBoolean: return BooleanFromJson(value);
        case ColumnType::kDate: return DateFromJson(value);
        case ColumnType::kDatetime: return DatetimeFromJson(value);
    }
    return Internal("unknown column type");
}

void WriteJson(json::Writer& writer, ColumnType type, std::string_view pg_text) {
    switch (type) {
        case ColumnType::kInteger:
        case ColumnType::kDecimal:
            // NaN and ±Infinity are not JSON numbers; anything else PostgreSQL prints is.
            if (detail::IsJsonNumber(pg_text)) {
                json::WriteRawNumber(writer, pg_text);
            } else {
                json::WriteString(writer, pg_text);
            }
            return;
        case ColumnType::kBoolean:
            if (pg_text == "t" || pg_text == "true") {
                writer.Bool(true);
            } else if (pg_text == "f" || pg_text == "false") {
                writer.Bool(false);
            } else {
                json::WriteString(writer, pg_text);
            }
            return;
        case ColumnType::kDatetime: json::WriteString(writer, FormatPgTimestamp(pg_text)); return;
        case ColumnType::kText:
        case ColumnType::kDate: json::WriteString(writer, pg_text); return;
    }
}

std::string FormatPgTimestamp(std::string_view pg_text) {
    detail::DateTime t;
    // "infinity", BC dates and years past 9999 have no ISO 8601 form here: pass them through unchanged.
    if (!detail::ParseIsoDatetime(pg_text, t)) return std::string(pg_text);
    return detail::FormatDatetimeMillis(t);
}

}  // namespace mt::types
