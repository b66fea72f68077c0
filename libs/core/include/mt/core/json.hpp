#pragma once
/// JSON parsing that keeps numbers exact, and a few typed accessors.
///
/// rapidjson turns numbers into doubles, which would round decimals such as 89.90 or 12345678901234567890.5.
/// `ParseJson` keeps every number as its literal text instead. The text is stored as a rapidjson string with
/// a leading 0xFF byte — a byte that never occurs in valid UTF-8, which the parser enforces — so a number can
/// always be told from a string. Read values through `KindOf` and `Text`, never through rapidjson's
/// `IsString`/`GetString` directly, or a number would pass for a string.
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include <rapidjson/document.h>
#include <rapidjson/stringbuffer.h>
#include <rapidjson/writer.h>

#include "mt/core/result.hpp"

namespace mt::json {

enum class Kind { kNull, kBool, kNumber, kString, kArray, kObject };

/// Parse a UTF-8 JSON text; numbers are kept as exact text (see above). Errors are kBadRequest.
Result<rapidjson::Document> ParseJson(std::string_view text);

Kind KindOf(const rapidjson::Value& v);
const char* KindName(Kind kind);
/// The text of a string or number value (without the number marker). Precondition: kString or kNumber.
std::string_view Text(const rapidjson::Value& v);

/// The member `name` of object `obj`, or nullptr when absent.
const rapidjson::Value* Find(const rapidjson::Value& obj, std::string_view name);

using Writer = rapidjson::Writer<rapidjson::StringBuffer>;

/// Write a string value with an explicit length (keeps embedded NULs).
inline void WriteString(Writer& w, std::string_view s) {
    w.String(s.data(), static_cast<rapidjson::SizeType>(s.size()));
}
inline void WriteKey(Writer& w, std::string_view s) { w.Key(s.data(), static_cast<rapidjson::SizeType>(s.size())); }
/// Write `s` as a bare JSON number; the caller guarantees it is a valid JSON number literal.
inline void WriteRawNumber(Writer& w, std::string_view s) { w.RawValue(s.data(), s.size(), rapidjson::kNumberType); }

/// `s` with invalid UTF-8 sequences and NUL bytes replaced by U+FFFD, safe for JSON and PostgreSQL text.
std::string SanitizeUtf8(std::string_view s);

/// Serialize any value produced by ParseJson back to JSON text, numbers verbatim.
std::string Serialize(const rapidjson::Value& v);
void WriteValue(Writer& w, const rapidjson::Value& v);

}  // namespace mt::json
