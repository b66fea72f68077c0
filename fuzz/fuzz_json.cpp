// Fuzz target: the JSON reader of every request body (libs/core: json::ParseJson, which keeps numbers as
// their exact text), its serializer, and SanitizeUtf8.
//
// Properties: a parsed document serializes to JSON that parses again and serializes to the same text; numbers
// keep their exact spelling through that round trip; SanitizeUtf8 is idempotent and its output is text that
// ParseJson accepts inside a string.
#include <string>
#include <string_view>

#include "fuzz_check.hpp"
#include "mt/core/json.hpp"

namespace {

namespace json = mt::json;

/// Walks the whole tree through the public accessors (KindOf, Text, Find), as handlers read bodies.
void Walk(const rapidjson::Value& value, int depth) {
    MT_FUZZ_CHECK(depth <= 257);
    const json::Kind kind = json::KindOf(value);
    MT_FUZZ_CHECK(json::KindName(kind) != nullptr);
    switch (kind) {
        case json::Kind::kNumber: {
            const std::string_view text = json::Text(value);
            MT_FUZZ_CHECK(!text.empty());
            MT_FUZZ_CHECK(text.front() == '-' || (text.front() >= '0' && text.front() <= '9'));
            break;
        }
        case json::Kind::kString: (void)json::Text(value); break;
        case json::Kind::kArray:
            for (const auto& element : value.GetArray()) Walk(element, depth + 1);
            break;
        case json::Kind::kObject:
            for (const auto& member : value.GetObject()) {
                MT_FUZZ_CHECK(json::KindOf(member.name) == json::Kind::kString);
                MT_FUZZ_CHECK(json::Find(value, json::Text(member.name)) != nullptr);
                Walk(member.value, depth + 1);
            }
            break;
        case json::Kind::kNull:
        case json::Kind::kBool: break;
    }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    const std::string_view input(reinterpret_cast<const char*>(data), size);

    const std::string sanitized = json::SanitizeUtf8(input);
    MT_FUZZ_CHECK(json::SanitizeUtf8(sanitized) == sanitized);
    MT_FUZZ_CHECK(sanitized.find('\0') == std::string::npos);
    {
        // What the workers store in job records: sanitized text written as a JSON string reads back unchanged.
        rapidjson::StringBuffer buffer;
        json::Writer writer(buffer);
        json::WriteString(writer, sanitized);
        auto parsed = json::ParseJson(std::string_view(buffer.GetString(), buffer.GetSize()));
        MT_FUZZ_CHECK(parsed.ok());
        MT_FUZZ_CHECK(json::KindOf(*parsed) == json::Kind::kString);
        MT_FUZZ_CHECK(json::Text(*parsed) == sanitized);
    }

    auto document = json::ParseJson(input);
    if (!document) return 0;
    Walk(*document, 0);
    const std::string once = json::Serialize(*document);
    auto again = json::ParseJson(once);
    MT_FUZZ_CHECK(again.ok());
    MT_FUZZ_CHECK(json::Serialize(*again) == once);
    return 0;
}
