#include "mt/core/json.hpp"

#include <rapidjson/error/en.h>
#include <rapidjson/memorystream.h>
#include <rapidjson/reader.h>

#include <algorithm>
#include <vector>

namespace mt::json {
namespace {

constexpr char kNumberMarker = '\xFF';
/// Deeper documents are refused: nobody's rows nest 256 levels, and the limit bounds the work per request.
constexpr int kMaxDepth = 256;

/// True when `s` holds a UTF-16 surrogate encoded as UTF-8 (ED A0..BF xx), which is not valid UTF-8. Raw input
/// bytes are validated by rapidjson (kParseValidateEncodingFlag), but rapidjson 1.1.0 decodes the escape of an
/// unpaired low surrogate ("\udc00") into exactly those bytes (it rejects only unpaired high surrogates).
bool HasEncodedSurrogate(const char* s, rapidjson::SizeType length) {
    for (rapidjson::SizeType i = 0; i + 1 < length; ++i) {
        if (static_cast<unsigned char>(s[i]) == 0xED && static_cast<unsigned char>(s[i + 1]) >= 0xA0) return true;
    }
    return false;
}

/// Longest number literal accepted: PostgreSQL's NUMERIC holds up to 131072 digits before the point and 16383
/// after it; anything longer could not be stored exactly anyway.
constexpr std::size_t kMaxNumberLength = 131072 + 16383 + 16;

/// Length of the JSON number literal (RFC 8259 §6) at the start of `s`, or 0 when `s` does not start with one.
std::size_t NumberLiteralLength(std::string_view s) {
    std::size_t i = 0;
    const auto digits = [&] {
        const std::size_t start = i;
        while (i < s.size() && s[i] >= '0' && s[i] <= '9') ++i;
        return i - start;
    };
    if (i < s.size() && s[i] == '-') ++i;
    if (i < s.size() && s[i] == '0') {
        ++i;
    } else if (digits() == 0) {
        return 0;
    }
    if (i < s.size() && s[i] == '.') {
        ++i;
        if (digits() == 0) return 0;
    }
    if (i < s.size() && (s[i] == 'e' || s[i] == 'E')) {
        ++i;
        if (i < s.size() && (s[i] == '+' || s[i] == '-')) ++i;
        if (digits() == 0) return 0;
    }
    return i;
}

/// rapidjson converts every number to a double while scanning, even with kParseNumbersAsStringsFlag, and
/// refuses those a double cannot hold (1e400, a 1,000-digit integer) as kParseErrorNumberTooBig. This pass
/// replaces each number literal outside strings by "0" and keeps the literals, in document order, so the
/// parse of the rewritten text can put the exact text back (see MarkingHandler::RawNumber).
struct NumberSwap {
    std::string text;
    std::vector<std::string_view> literals;
    bool too_long = false;
};

NumberSwap SwapNumbers(std::string_view in) {
    NumberSwap out;
    out.text.reserve(in.size());
    bool in_string = false;
    for (std::size_t i = 0; i < in.size(); ++i) {
        const char c = in[i];
        if (in_string) {
            out.text += c;
            if (c == '\\' && i + 1 < in.size()) {
                out.text += in[++i];
            } else if (c == '"') {
                in_string = false;
            }
            continue;
        }
        if (c == '"') in_string = true;
        const std::size_t n = (c == '-' || (c >= '0' && c <= '9')) ? NumberLiteralLength(in.substr(i)) : 0;
        if (n == 0) {
            out.text += c;
            continue;
        }
        if (n > kMaxNumberLength) out.too_long = true;
        out.literals.push_back(in.substr(i, n));
        out.text += '0';
        i += n - 1;
    }
    return out;
}

/// Forwards SAX events to a Document, turning raw numbers into marked strings.
class MarkingHandler {
public:
    /// `literals`: when not null, the exact text of each number in document order (the parsed text had "0").
    MarkingHandler(rapidjson::Document& doc, const std::vector<std::string_view>* literals)
        : doc_(doc), literals_(literals) {}
    bool Null() { return doc_.Null(); }
    bool Bool(bool b) { return doc_.Bool(b); }
    bool Int(int) { return false; }  // never called: numbers arrive as RawNumber
    bool Uint(unsigned) { return false; }
    bool Int64(int64_t) { return false; }
    bool Uint64(uint64_t) { return false; }
    bool Double(double) { return false; }
    bool RawNumber(const char* str, rapidjson::SizeType len, bool) {
        buffer_.assign(1, kNumberMarker);
        if (literals_ != nullptr) {
            if (next_literal_ >= literals_->size()) return false;  // cannot happen: one literal per "0"
            buffer_.append((*literals_)[next_literal_++]);
        } else {
            buffer_.append(str, len);
        }
        return doc_.String(buffer_.data(), static_cast<rapidjson::SizeType>(buffer_.size()), true);
    }
    bool String(const char* str, rapidjson::SizeType len, bool copy) {
        return !Surrogate(str, len) && doc_.String(str, len, true);
    }
    bool StartObject() { return ++depth_ <= kMaxDepth && doc_.StartObject(); }
    bool Key(const char* str, rapidjson::SizeType len, bool copy) {
        return !Surrogate(str, len) && doc_.Key(str, len, true);
    }
    bool EndObject(rapidjson::SizeType n) {
        --depth_;
        return doc_.EndObject(n);
    }
    bool StartArray() { return ++depth_ <= kMaxDepth && doc_.StartArray(); }
    bool EndArray(rapidjson::SizeType n) {
        --depth_;
        return doc_.EndArray(n);
    }
    [[nodiscard]] bool too_deep() const { return depth_ > kMaxDepth; }
    [[nodiscard]] bool unpaired_surrogate() const { return unpaired_surrogate_; }

private:
    bool Surrogate(const char* str, rapidjson::SizeType len) {
        unpaired_surrogate_ = HasEncodedSurrogate(str, len);
        return unpaired_surrogate_;
    }

    rapidjson::Document& doc_;
    const std::vector<std::string_view>* literals_;
    std::size_t next_literal_ = 0;
    std::string buffer_;
    int depth_ = 0;
    bool unpaired_surrogate_ = false;
};

struct Generator {
    std::string_view text;
    const std::vector<std::string_view>* literals = nullptr;
    rapidjson::ParseResult result{};
    bool too_deep = false;
    bool unpaired_surrogate = false;
    bool operator()(rapidjson::Document& doc) {
        rapidjson::MemoryStream ms(text.data(), text.size());
        rapidjson::EncodedInputStream<rapidjson::UTF8<>, rapidjson::MemoryStream> is(ms);
        rapidjson::Reader reader;
        MarkingHandler handler(doc, literals);
        // Iterative parsing: a recursive descent would overflow the stack on [[[[…]]]] long before any size limit.
        constexpr unsigned kFlags = rapidjson::kParseNumbersAsStringsFlag | rapidjson::kParseValidateEncodingFlag |
                                    rapidjson::kParseStopWhenDoneFlag | rapidjson::kParseIterativeFlag;
        result = reader.Parse<kFlags>(is, handler);
        too_deep = handler.too_deep();
        unpaired_surrogate = handler.unpaired_surrogate();
        if (result) {
            // kParseStopWhenDoneFlag lets us reject trailing garbage ourselves while allowing trailing whitespace.
            std::size_t pos = is.Tell();
            while (pos < text.size() &&
                   (text[pos] == ' ' || text[pos] == '\n' || text[pos] == '\r' || text[pos] == '\t'))
                ++pos;
            if (pos != text.size()) result.Set(rapidjson::kParseErrorDocumentRootNotSingular, pos);
        }
        return static_cast<bool>(result);
    }
};

/// The first key that occurs twice in one object of `v`, if any. RFC 8259 leaves duplicates to the reader;
/// readers disagree (first wins here, last wins in PostgreSQL's jsonb), so we accept none.
const rapidjson::Value* DuplicateKey(const rapidjson::Value& v, std::vector<std::string_view>& scratch) {
    if (v.IsArray()) {
        for (const auto& e : v.GetArray()) {
            if (const auto* d = DuplicateKey(e, scratch)) return d;
        }
    }
    if (!v.IsObject()) return nullptr;
    scratch.clear();
    for (const auto& m : v.GetObject()) scratch.emplace_back(m.name.GetString(), m.name.GetStringLength());
    std::sort(scratch.begin(), scratch.end());
    const auto dup = std::adjacent_find(scratch.begin(), scratch.end());
    if (dup != scratch.end()) {
        for (const auto& m : v.GetObject()) {
            if (std::string_view(m.name.GetString(), m.name.GetStringLength()) == *dup) return &m.name;
        }
    }
    for (const auto& m : v.GetObject()) {
        if (const auto* d = DuplicateKey(m.value, scratch)) return d;
    }
    return nullptr;
}

}  // namespace

Result<rapidjson::Document> ParseJson(std::string_view text) {
    rapidjson::Document doc;
    Generator gen{text};
    doc.Populate(gen);
    NumberSwap swap;
    if (gen.result.Code() == rapidjson::kParseErrorNumberTooBig) {
        swap = SwapNumbers(text);
        if (swap.too_long) {
            return BadRequest("Malformed JSON: a number is longer than " + std::to_string(kMaxNumberLength) +
                              " characters");
        }
        doc = rapidjson::Document();
        gen = Generator{swap.text, &swap.literals};
        doc.Populate(gen);
    }
    if (gen.too_deep) return BadRequest("Malformed JSON: nested deeper than " + std::to_string(kMaxDepth) + " levels");
    if (gen.unpaired_surrogate) {
        return BadRequest(
            "Malformed JSON: a \\u escape is an unpaired UTF-16 surrogate, in the string ending at offset " +
            std::to_string(gen.result.Offset()));
    }
    if (!gen.result) {
        return BadRequest(std::string("Malformed JSON: ") + rapidjson::GetParseError_En(gen.result.Code()) +
                          " at offset " + std::to_string(gen.result.Offset()));
    }
    std::vector<std::string_view> scratch;
    if (const auto* key = DuplicateKey(doc, scratch)) {
        std::string name = SanitizeUtf8({key->GetString(), std::min<std::size_t>(key->GetStringLength(), 100)});
        if (key->GetStringLength() > 100) name += "…";
        return BadRequest("Malformed JSON: duplicate key \"" + name + "\" in an object");
    }
    return doc;
}

Kind KindOf(const rapidjson::Value& v) {
    switch (v.GetType()) {
        case rapidjson::kNullType: return Kind::kNull;
        case rapidjson::kFalseType:
        case rapidjson::kTrueType: return Kind::kBool;
        case rapidjson::kObjectType: return Kind::kObject;
        case rapidjson::kArrayType: return Kind::kArray;
        case rapidjson::kNumberType: return Kind::kNumber;  // only for documents not made by ParseJson
        case rapidjson::kStringType:
            return (v.GetStringLength() > 0 && v.GetString()[0] == kNumberMarker) ? Kind::kNumber : Kind::kString;
    }
    return Kind::kNull;
}

const char* KindName(Kind kind) {
    switch (kind) {
        case Kind::kNull: return "null";
        case Kind::kBool: return "boolean";
        case Kind::kNumber: return "number";
        case Kind::kString: return "string";
        case Kind::kArray: return "array";
        case Kind::kObject: return "object";
    }
    return "unknown";
}

std::string_view Text(const rapidjson::Value& v) {
    std::string_view s(v.GetString(), v.GetStringLength());
    if (!s.empty() && s.front() == kNumberMarker) s.remove_prefix(1);
    return s;
}

const rapidjson::Value* Find(const rapidjson::Value& obj, std::string_view name) {
    if (!obj.IsObject()) return nullptr;
    auto it = obj.FindMember(rapidjson::Value(rapidjson::StringRef(name.data(), name.size())));
    return it == obj.MemberEnd() ? nullptr : &it->value;
}

void WriteValue(Writer& w, const rapidjson::Value& v) {
    switch (KindOf(v)) {
        case Kind::kNull: w.Null(); break;
        case Kind::kBool: w.Bool(v.GetBool()); break;
        case Kind::kNumber:
            if (v.IsString())
                WriteRawNumber(w, Text(v));
            else
                v.Accept(w);
            break;
        case Kind::kString: WriteString(w, Text(v)); break;
        case Kind::kArray:
            w.StartArray();
            for (const auto& e : v.GetArray()) WriteValue(w, e);
            w.EndArray();
            break;
        case Kind::kObject:
            w.StartObject();
            for (const auto& m : v.GetObject()) {
                WriteKey(w, Text(m.name));
                WriteValue(w, m.value);
            }
            w.EndObject();
            break;
    }
}

std::string SanitizeUtf8(std::string_view s) {
    std::string out;
    out.reserve(s.size());
    std::size_t i = 0;
    while (i < s.size()) {
        auto c = static_cast<unsigned char>(s[i]);
        std::size_t len = c < 0x80 ? 1 : (c >> 5) == 0x6 ? 2 : (c >> 4) == 0xE ? 3 : (c >> 3) == 0x1E ? 4 : 0;
        bool ok = len > 0 && c != 0 && i + len <= s.size();
        for (std::size_t k = 1; ok && k < len; ++k) ok = (static_cast<unsigned char>(s[i + k]) & 0xC0) == 0x80;
        if (ok && len == 2) ok = c >= 0xC2;
        if (ok && len == 3) {
            auto c1 = static_cast<unsigned char>(s[i + 1]);
            ok = !(c == 0xE0 && c1 < 0xA0) && !(c == 0xED && c1 >= 0xA0);  // overlong, surrogates
        }
        if (ok && len == 4) {
            auto c1 = static_cast<unsigned char>(s[i + 1]);
            ok = c <= 0xF4 && !(c == 0xF0 && c1 < 0x90) && !(c == 0xF4 && c1 >= 0x90);
        }
        if (ok) {
            out.append(s.substr(i, len));
            i += len;
        } else {
            out.append("\xEF\xBF\xBD");
            ++i;
        }
    }
    return out;
}

std::string Serialize(const rapidjson::Value& v) {
    rapidjson::StringBuffer sb;
    Writer w(sb);
    WriteValue(w, v);
    return {sb.GetString(), sb.GetSize()};
}

}  // namespace mt::json
