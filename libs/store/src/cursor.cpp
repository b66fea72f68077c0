// The opaque keyset cursor of SPEC §8: what it holds, and how a tampered or foreign one is refused.
#include <cstring>

#include "base64url.hpp"
#include "mt/core/ids.hpp"
#include "mt/store/query.hpp"
#include "mt/types/value.hpp"

namespace mt::store {

namespace {
constexpr char kAlphabet[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";

}  // namespace

std::string Base64UrlEncode(std::string_view in) {
    std::string out;
    out.reserve((in.size() + 2) / 3 * 4);
    std::uint32_t acc = 0;
    int bits = 0;
    for (unsigned char c : in) {
        acc = (acc << 8) | c;
        bits += 8;
        while (bits >= 6) {
            bits -= 6;
            out.push_back(kAlphabet[(acc >> bits) & 0x3F]);
        }
    }
    if (bits > 0) out.push_back(kAlphabet[(acc << (6 - bits)) & 0x3F]);
    return out;
}

std::optional<std::string> Base64UrlDecode(std::string_view in) {
    std::string out;
    std::uint32_t acc = 0;
    int bits = 0;
    for (char ch : in) {
        const char* at = ch ? std::strchr(kAlphabet, ch) : nullptr;
        if (!at) return std::nullopt;
        acc = (acc << 6) | static_cast<std::uint32_t>(at - kAlphabet);
        bits += 6;
        if (bits >= 8) {
            bits -= 8;
            out.push_back(static_cast<char>((acc >> bits) & 0xFF));
        }
    }
    if (bits >= 6) return std::nullopt;  // a lone trailing character is no encoding of whole bytes
    return out;
}

namespace {

Error BadCursor(std::string message) { return QuerySyntax("cursor", std::move(message)); }

const types::Column* FindColumn(const std::vector<types::Column>& columns, std::string_view name) {
    for (const auto& c : columns)
        if (c.name == name) return &c;
    return nullptr;
}

}  // namespace

std::string EncodeCursor(const std::vector<SortKey>& keys, const std::vector<pg::Param>& values,
                         const std::vector<types::Column>& columns) {
    rapidjson::StringBuffer sb;
    json::Writer w(sb);
    w.StartObject();
    w.Key("v");
    w.Int(1);
    w.Key("s");
    w.StartArray();
    for (const auto& k : keys) {
        w.StartArray();
        json::WriteString(w, k.column);
        w.Int(k.descending ? -1 : 1);
        w.EndArray();
    }
    w.EndArray();
    w.Key("k");
    w.StartArray();
    for (std::size_t i = 0; i < keys.size() && i < values.size(); ++i) {
        const types::Column* c = FindColumn(columns, keys[i].column);
        if (!values[i]) {
            w.Null();
        } else if (keys[i].column != "id" && c && c->type == types::ColumnType::kBoolean) {
            w.Bool(*values[i] == "t");
        } else {
            json::WriteString(w, *values[i]);
        }
    }
    w.EndArray();
    w.EndObject();
    return Base64UrlEncode(std::string_view(sb.GetString(), sb.GetSize()));
}

Result<std::vector<pg::Param>> DecodeCursor(std::string_view cursor, const std::vector<SortKey>& keys,
                                            const std::vector<types::Column>& columns) {
    if (cursor.size() > kMaxCursorBytes) return BadCursor("longer than " + std::to_string(kMaxCursorBytes) + " bytes");
    auto text = Base64UrlDecode(cursor);
    if (!text) return BadCursor("not a cursor this API returned");
    auto doc = json::ParseJson(*text);
    if (!doc || !doc->IsObject()) return BadCursor("not a cursor this API returned");
    const rapidjson::Value* v = json::Find(*doc, "v");
    const rapidjson::Value* s = json::Find(*doc, "s");
    const rapidjson::Value* k = json::Find(*doc, "k");
    if (!v || json::KindOf(*v) != json::Kind::kNumber || json::Text(*v) != "1" || !s || !s->IsArray() || !k ||
        !k->IsArray()) {
        return BadCursor("not a cursor this API returned");
    }
    bool same_sort = s->Size() == keys.size() && k->Size() == keys.size();
    for (rapidjson::SizeType i = 0; same_sort && i < s->Size(); ++i) {
        const auto& e = (*s)[i];
        same_sort = e.IsArray() && e.Size() == 2 && json::KindOf(e[0]) == json::Kind::kString &&
                    json::Text(e[0]) == keys[i].column && json::KindOf(e[1]) == json::Kind::kNumber &&
                    json::Text(e[1]) == (keys[i].descending ? "-1" : "1");
    }
    if (!same_sort) return BadCursor("made for another sort; start again without a cursor");
    std::vector<pg::Param> out;
    for (rapidjson::SizeType i = 0; i < k->Size(); ++i) {
        const auto& value = (*k)[i];
        if (json::KindOf(value) == json::Kind::kNull) {
            if (keys[i].column == "id") return BadCursor("not a cursor this API returned");
            out.emplace_back(std::nullopt);
            continue;
        }
        if (keys[i].column == "id") {
            if (json::KindOf(value) != json::Kind::kString || !IsUuid(json::Text(value))) {
                return BadCursor("not a cursor this API returned");
            }
            out.emplace_back(std::string(json::Text(value)));
            continue;
        }
        const types::Column* c = FindColumn(columns, keys[i].column);
        if (!c) return BadCursor("made for another sort; start again without a cursor");
        auto parsed = types::FromJson(c->type, value);
        if (!parsed || !*parsed) return BadCursor("not a cursor this API returned");
        out.push_back(std::move(*parsed));
    }
    return out;
}

}  // namespace mt::store
