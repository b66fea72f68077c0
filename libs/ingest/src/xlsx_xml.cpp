#include "xlsx_xml.hpp"

#include <cstdint>
#include <optional>

namespace mt::ingest::detail {
namespace {

/// The UTF-16 code unit of an escape "_xHHHH_" starting at `pos`, if one starts there.
std::optional<std::uint32_t> EscapeAt(const std::string& text, std::size_t pos) {
    if (pos + 7 > text.size() || text[pos] != '_' || text[pos + 1] != 'x' || text[pos + 6] != '_') {
        return std::nullopt;
    }
    std::uint32_t unit = 0;
    for (std::size_t i = pos + 2; i < pos + 6; ++i) {
        const char c = text[i];
        unit <<= 4;
        if (c >= '0' && c <= '9') {
            unit |= static_cast<std::uint32_t>(c - '0');
        } else if (c >= 'a' && c <= 'f') {
            unit |= static_cast<std::uint32_t>(c - 'a' + 10);
        } else if (c >= 'A' && c <= 'F') {
            unit |= static_cast<std::uint32_t>(c - 'A' + 10);
        } else {
            return std::nullopt;
        }
    }
    return unit;
}

void AppendUtf8(std::string& out, std::uint32_t cp) {
    if (cp < 0x80) {
        out += static_cast<char>(cp);
    } else if (cp < 0x800) {
        out += static_cast<char>(0xC0 | (cp >> 6));
        out += static_cast<char>(0x80 | (cp & 0x3F));
    } else if (cp < 0x10000) {
        out += static_cast<char>(0xE0 | (cp >> 12));
        out += static_cast<char>(0x80 | ((cp >> 6) & 0x3F));
        out += static_cast<char>(0x80 | (cp & 0x3F));
    } else {
        out += static_cast<char>(0xF0 | (cp >> 18));
        out += static_cast<char>(0x80 | ((cp >> 12) & 0x3F));
        out += static_cast<char>(0x80 | ((cp >> 6) & 0x3F));
        out += static_cast<char>(0x80 | (cp & 0x3F));
    }
}

}  // namespace

void DecodeOoxmlEscapes(std::string& text) {
    if (text.find("_x") == std::string::npos) return;
    std::string out;
    out.reserve(text.size());
    for (std::size_t i = 0; i < text.size();) {
        const std::optional<std::uint32_t> unit = EscapeAt(text, i);
        if (!unit) {
            out += text[i++];
            continue;
        }
        std::uint32_t cp = *unit;
        std::size_t length = 7;
        if (cp >= 0xD800 && cp <= 0xDBFF) {
            const std::optional<std::uint32_t> low = EscapeAt(text, i + 7);
            if (!low || *low < 0xDC00 || *low > 0xDFFF) {
                out += text[i++];
                continue;
            }
            cp = 0x10000 + ((cp - 0xD800) << 10) + (*low - 0xDC00);
            length = 14;
        } else if ((cp >= 0xDC00 && cp <= 0xDFFF) || cp == 0) {  // lone low surrogate; NUL, which text cannot hold
            out += text[i++];
            continue;
        }
        AppendUtf8(out, cp);
        i += length;
    }
    text = std::move(out);
}

std::string ExpatErrorText(XML_Parser parser) {
    return std::string(XML_ErrorString(XML_GetErrorCode(parser))) + " at line " +
           std::to_string(XML_GetCurrentLineNumber(parser));
}

}  // namespace mt::ingest::detail
