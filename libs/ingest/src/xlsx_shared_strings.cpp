#include "xlsx_shared_strings.hpp"

#include <array>
#include <new>
#include <optional>

#include "limit_checks.hpp"
#include "xlsx_xml.hpp"

namespace mt::ingest::detail {
namespace {

/// Expat handlers for sharedStrings.xml. Exceptions never leave a handler (expat is C): they become error_.
class SstBuilder {
public:
    SstBuilder(std::string_view display_name, const ReaderLimits& limits)
        : display_name_(display_name),
          max_cell_bytes_(limits.max_cell_bytes),
          max_table_bytes_(limits.max_shared_strings_bytes),
          // An escape "_xHHHH_" shrinks 7 bytes to 1, so this much raw text always holds limit + 1 decoded bytes.
          max_raw_bytes_(7 * (limits.max_cell_bytes + 1)) {}

    static void XMLCALL Start(void* self, const XML_Char* name, const XML_Char** /*attrs*/) {
        static_cast<SstBuilder*>(self)->OnStart(XmlLocalName(name));
    }
    static void XMLCALL End(void* self, const XML_Char* name) {
        static_cast<SstBuilder*>(self)->OnEnd(XmlLocalName(name));
    }
    static void XMLCALL Text(void* self, const XML_Char* text, int length) {
        auto* builder = static_cast<SstBuilder*>(self);
        if (!builder->in_t_ || builder->phonetic_depth_ != 0 || builder->current_.size() >= builder->max_raw_bytes_) {
            return;
        }
        try {
            builder->current_.append(text, static_cast<std::size_t>(length));
        } catch (const std::bad_alloc&) {
            builder->Fail(InvalidXlsx(builder->display_name_, "shared strings do not fit in memory"));
        }
    }
    static void XMLCALL Doctype(void* self, const XML_Char*, const XML_Char*, const XML_Char*, int) {
        static_cast<SstBuilder*>(self)->Fail(
            InvalidXlsx(static_cast<SstBuilder*>(self)->display_name_, "shared strings declare a DTD"));
    }

    void set_parser(XML_Parser parser) { parser_ = parser; }
    std::optional<Error>& error() { return error_; }
    SharedStrings& strings() { return strings_; }

private:
    void OnStart(std::string_view name) {
        if (name == "si") {
            current_.clear();
        } else if (name == "t") {
            in_t_ = true;
        } else if (name == "rPh") {
            ++phonetic_depth_;  // phonetic reading guides: their <t> is not part of the cell's text
        }
    }

    void OnEnd(std::string_view name) {
        if (name == "t") {
            in_t_ = false;
        } else if (name == "rPh") {
            --phonetic_depth_;
        } else if (name == "si") {
            try {
                AddCurrent();
            } catch (const std::bad_alloc&) {
                Fail(InvalidXlsx(display_name_, "shared strings do not fit in memory"));
            }
        }
    }

    void AddCurrent() {
        DecodeOoxmlEscapes(current_);
        if (current_.size() > max_cell_bytes_) current_.resize(max_cell_bytes_ + 1);
        // Checked before adding, so the table never passes its cap (and the subtraction never wraps).
        if (current_.size() + sizeof(std::uint64_t) > max_table_bytes_ - strings_.memory_bytes()) {
            Fail(Validation("file \"" + std::string(display_name_) +
                            "\": the shared strings of this workbook are larger than " +
                            FormatBytes(max_table_bytes_)));
            return;
        }
        strings_.Add(current_);
    }

    void Fail(Error error) {
        if (!error_) error_ = std::move(error);
        XML_StopParser(parser_, XML_FALSE);
    }

    std::string_view display_name_;
    std::size_t max_cell_bytes_;
    std::size_t max_table_bytes_;
    std::size_t max_raw_bytes_;
    XML_Parser parser_ = nullptr;
    SharedStrings strings_;
    std::string current_;
    bool in_t_ = false;
    int phonetic_depth_ = 0;
    std::optional<Error> error_;
};

}  // namespace

Result<SharedStrings> LoadSharedStrings(PartStream stream, std::string_view display_name, const ReaderLimits& limits) {
    ExpatParserPtr parser(XML_ParserCreate(nullptr));
    if (!parser) return Internal("expat: out of memory");
    SstBuilder builder(display_name, limits);
    builder.set_parser(parser.get());
    XML_SetUserData(parser.get(), &builder);
    XML_SetElementHandler(parser.get(), &SstBuilder::Start, &SstBuilder::End);
    XML_SetCharacterDataHandler(parser.get(), &SstBuilder::Text);
    XML_SetStartDoctypeDeclHandler(parser.get(), &SstBuilder::Doctype);
    constexpr int kChunk = 64 * 1024;
    while (true) {
        void* buffer = XML_GetBuffer(parser.get(), kChunk);
        if (buffer == nullptr) return Internal("expat: out of memory");
        MT_ASSIGN_OR_RETURN(const std::size_t n, stream.Read(static_cast<char*>(buffer), kChunk));
        if (XML_ParseBuffer(parser.get(), static_cast<int>(n), n == 0) != XML_STATUS_OK) {
            if (builder.error()) return std::move(*builder.error());
            return InvalidXlsx(display_name, stream.part() + ": " + ExpatErrorText(parser.get()));
        }
        if (n == 0) break;
    }
    return std::move(builder.strings());
}

}  // namespace mt::ingest::detail
