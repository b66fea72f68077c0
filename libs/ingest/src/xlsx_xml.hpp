#pragma once
/// Helpers for the expat-streamed parts of an .xlsx package (private).
#include <expat.h>

#include <cstring>
#include <memory>
#include <string>
#include <string_view>

namespace mt::ingest::detail {

struct ExpatParserFree {
    void operator()(XML_ParserStruct* p) const noexcept { XML_ParserFree(p); }
};
/// Owns an expat parser. Handlers receive a raw `this` as user data, so the owner must not move while the
/// parser lives: keep owners of an ExpatParserPtr pinned (non-movable, held by unique_ptr).
using ExpatParserPtr = std::unique_ptr<XML_ParserStruct, ExpatParserFree>;

/// Name without its namespace prefix ("x:row" → "row"): producers choose prefixes freely.
inline std::string_view XmlLocalName(const XML_Char* name) {
    const char* colon = std::strchr(name, ':');
    return colon != nullptr ? std::string_view(colon + 1) : std::string_view(name);
}

/// Value of the unprefixed attribute `name` in expat's {name, value, …, nullptr} array, or nullptr.
inline const XML_Char* XmlAttr(const XML_Char** attrs, std::string_view name) {
    for (; attrs[0] != nullptr; attrs += 2) {
        if (name == attrs[0]) return attrs[1];
    }
    return nullptr;
}

/// Decodes the `_xHHHH_` escapes OOXML uses for characters XML cannot carry (e.g. "_x000D_" for CR, "_x005F_"
/// for a literal '_'), combining UTF-16 surrogate pairs. Unpaired surrogates and "_x0000_" (NUL, which
/// neither our cells nor PostgreSQL text can hold) are left as written.
void DecodeOoxmlEscapes(std::string& text);

/// Expat message with the line where the part stopped being well-formed.
std::string ExpatErrorText(XML_Parser parser);

}  // namespace mt::ingest::detail
