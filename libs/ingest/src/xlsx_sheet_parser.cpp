#include "xlsx_sheet_parser.hpp"

#include <charconv>
#include <new>

#include "limit_checks.hpp"

namespace mt::ingest::detail {
namespace {

constexpr int kChunkBytes = 64 * 1024;
/// Beyond Excel's XFD (16,384) but small enough that a column index never overflows.
constexpr std::size_t kMaxColumnIndex = 1u << 20;

}  // namespace

std::string ColumnName(std::size_t column) {
    std::string name;
    for (std::size_t n = column + 1; n > 0; n = (n - 1) / 26) {
        name.insert(name.begin(), static_cast<char>('A' + (n - 1) % 26));
    }
    return name;
}

namespace {

/// 0-based column of a cell reference like "AB12"; nullopt when it does not start with letters.
std::optional<std::size_t> ColumnOf(const char* ref) {
    std::size_t column = 0;
    const char* p = ref;
    for (; (*p >= 'A' && *p <= 'Z') || (*p >= 'a' && *p <= 'z'); ++p) {
        column = column * 26 + static_cast<std::size_t>((*p | 0x20) - 'a' + 1);
        if (column > kMaxColumnIndex) return std::nullopt;
    }
    if (p == ref) return std::nullopt;
    return column - 1;
}

template <typename T>
std::optional<T> ParseUnsigned(std::string_view text) {
    T value{};
    const auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
    if (ec != std::errc() || end != text.data() + text.size()) return std::nullopt;
    return value;
}

}  // namespace

Result<std::unique_ptr<SheetParser>> SheetParser::Create(PartStream stream,
                                                         std::shared_ptr<const SheetContext> context) {
    std::unique_ptr<SheetParser> parser(new SheetParser(std::move(stream), std::move(context)));
    if (!parser->parser_) return Internal("expat: out of memory");
    return parser;
}

SheetParser::SheetParser(PartStream stream, std::shared_ptr<const SheetContext> context)
    : stream_(std::move(stream)),
      context_(std::move(context)),
      parser_(XML_ParserCreate(nullptr)),
      // An escape "_xHHHH_" shrinks 7 bytes to 1: this much raw text is enough to tell whether the decoded
      // cell fits the limit, and no more is ever buffered.
      max_raw_cell_bytes_(7 * (context_->limits.max_cell_bytes + 1)) {
    if (!parser_) return;
    XML_SetUserData(parser_.get(), this);
    XML_SetElementHandler(parser_.get(), &SheetParser::OnStart, &SheetParser::OnEnd);
    XML_SetCharacterDataHandler(parser_.get(), &SheetParser::OnText);
    XML_SetStartDoctypeDeclHandler(parser_.get(), &SheetParser::OnDoctype);
}

Result<bool> SheetParser::NextRow(std::vector<std::string>& cells) {
    while (true) {
        if (error_) return *error_;
        if (row_ready_) {
            row_ready_ = false;
            cells.swap(cells_);
            cells_.clear();
            row_bytes_ = 0;
            returned_row_ = row_;
            return true;
        }
        if (finished_) return false;
        Status status = FeedOrResume();
        if (!status) error_ = std::move(status).error();
    }
}

Status SheetParser::FeedOrResume() {
    XML_Status status = XML_STATUS_OK;
    if (suspended_) {
        suspended_ = false;
        status = XML_ResumeParser(parser_.get());
    } else {
        // Decompress straight into expat's own buffer: no copy, and expat keeps the unparsed rest across
        // suspensions.
        void* buffer = XML_GetBuffer(parser_.get(), kChunkBytes);
        if (buffer == nullptr) return Internal("expat: out of memory");
        MT_ASSIGN_OR_RETURN(const std::size_t n, stream_.Read(static_cast<char*>(buffer), kChunkBytes));
        status = XML_ParseBuffer(parser_.get(), static_cast<int>(n), n == 0);
    }
    if (status == XML_STATUS_ERROR) {
        if (error_) return *error_;
        if (!in_sheet_data_ && XML_GetErrorCode(parser_.get()) == XML_ERROR_ABORTED) {  // stopped after </sheetData>
            finished_ = true;
            return Ok();
        }
        return InvalidXlsx(context_->display_name, stream_.part() + ": " + ExpatErrorText(parser_.get()));
    }
    if (status == XML_STATUS_SUSPENDED) {
        suspended_ = true;
        return Ok();
    }
    XML_ParsingStatus parsing{};
    XML_GetParsingStatus(parser_.get(), &parsing);
    finished_ = parsing.parsing == XML_FINISHED;
    return Ok();
}

void XMLCALL SheetParser::OnStart(void* self, const XML_Char* name, const XML_Char** attrs) {
    static_cast<SheetParser*>(self)->StartElement(XmlLocalName(name), attrs);
}

void XMLCALL SheetParser::OnEnd(void* self, const XML_Char* name) {
    static_cast<SheetParser*>(self)->EndElement(XmlLocalName(name));
}

void XMLCALL SheetParser::OnText(void* self, const XML_Char* text, int length) {
    auto* parser = static_cast<SheetParser*>(self);
    if (parser->in_formula_ && parser->formula_.size() < 80) {
        parser->formula_.append(text, std::min<std::size_t>(static_cast<std::size_t>(length), 80));
        return;
    }
    if (!parser->in_cell_ || !(parser->in_value_ || (parser->in_inline_text_ && parser->phonetic_depth_ == 0))) return;
    if (parser->text_.size() + static_cast<std::size_t>(length) > parser->max_raw_cell_bytes_) {
        parser->Fail(parser->CellError("the value is larger than " +
                                       std::to_string(parser->context_->limits.max_cell_bytes) + " bytes"));
        return;
    }
    try {
        parser->text_.append(text, static_cast<std::size_t>(length));
    } catch (const std::bad_alloc&) {
        parser->Fail(parser->CellError("the value does not fit in memory"));
    }
}

void XMLCALL SheetParser::OnDoctype(void* self, const XML_Char*, const XML_Char*, const XML_Char*, int) {
    auto* parser = static_cast<SheetParser*>(self);
    parser->Fail(InvalidXlsx(parser->context_->display_name, parser->stream_.part() + " declares a DTD"));
}

void SheetParser::StartElement(std::string_view name, const XML_Char** attrs) {
    if (!in_sheet_data_) {
        in_sheet_data_ = name == "sheetData";
    } else if (name == "row") {
        StartRow(attrs);
    } else if (name == "c" && in_row_) {
        StartCell(attrs);
    } else if (in_cell_) {
        if (name == "v") {
            in_value_ = true;
        } else if (name == "f") {
            in_formula_ = true;
            has_formula_ = true;
        } else if (name == "is") {
            in_inline_ = true;
        } else if (name == "t") {
            in_inline_text_ = in_inline_;
        } else if (name == "rPh") {
            ++phonetic_depth_;  // phonetic reading guides: not part of the cell's text
        }
    }
}

void SheetParser::EndElement(std::string_view name) {
    if (!in_sheet_data_) return;
    if (name == "sheetData") {
        // Nothing after the cells matters (merges, drawings, page setup): stop reading the part here.
        in_sheet_data_ = false;
        XML_StopParser(parser_.get(), XML_FALSE);
    } else if (name == "row" && in_row_) {
        EndRow();
    } else if (name == "c" && in_cell_) {
        EndCell();
    } else if (name == "v") {
        in_value_ = false;
    } else if (name == "f") {
        in_formula_ = false;
    } else if (name == "is") {
        in_inline_ = false;
    } else if (name == "t") {
        in_inline_text_ = false;
    } else if (name == "rPh") {
        --phonetic_depth_;
    }
}

void SheetParser::StartRow(const XML_Char** attrs) {
    const XML_Char* r = XmlAttr(attrs, "r");
    const std::optional<std::int64_t> number = r != nullptr ? ParseUnsigned<std::int64_t>(r) : std::nullopt;
    row_ = number && *number > 0 ? *number : row_ + 1;  // rows without `r` follow the previous one
    in_row_ = true;
    next_column_ = 0;
    row_bytes_ = 0;
}

void SheetParser::StartCell(const XML_Char** attrs) {
    const XML_Char* r = XmlAttr(attrs, "r");
    const std::optional<std::size_t> column = r != nullptr ? ColumnOf(r) : std::nullopt;
    column_ = column.value_or(next_column_);  // cells without `r` follow the previous one
    const XML_Char* type = XmlAttr(attrs, "t");
    cell_type_ = type != nullptr ? type : "n";
    const XML_Char* style = XmlAttr(attrs, "s");
    cell_style_ = style != nullptr ? ParseUnsigned<std::size_t>(style).value_or(0) : 0;
    text_.clear();
    formula_.clear();
    in_cell_ = true;
    in_value_ = in_inline_ = in_inline_text_ = in_formula_ = has_formula_ = false;
    phonetic_depth_ = 0;
}

void SheetParser::EndCell() {
    in_cell_ = false;
    next_column_ = column_ + 1;
    if (error_) return;
    if (cell_type_ == "e" || (has_formula_ && text_.empty())) {
        // Read as empty, as before, but counted: the user sees how many cells of which column lost their value.
        LostCells& lost = (cell_type_ == "e" ? error_cells_ : uncached_formulas_)[column_];
        if (lost.count++ == 0) {
            lost.first_row = row_;
            lost.example = cell_type_ == "e" ? text_.substr(0, 20) : "=" + formula_;
        }
    }
    Result<std::string> value = RenderCell();
    if (!value) return Fail(std::move(value).error());
    if (value->empty()) return;  // empty cells never widen the row
    // Rendering may lengthen a value (a number's plain spelling: "1E+300" has 301 digits); the limit is on the
    // cell as returned.
    if (value->size() > context_->limits.max_cell_bytes) {
        return Fail(
            CellError("the value is larger than " + std::to_string(context_->limits.max_cell_bytes) + " bytes"));
    }
    if (column_ >= context_->limits.max_columns) {
        return Fail(CellError("the row has more than " + std::to_string(context_->limits.max_columns) + " columns"));
    }
    // Checked before the cell joins the row: cells may repeat one shared string, so the XML says nothing of
    // how large the row becomes.
    if (value->size() > context_->limits.max_row_bytes - row_bytes_) {
        return Fail(RowTooLarge(context_->display_name, row_, context_->limits.max_row_bytes));
    }
    row_bytes_ += value->size();
    try {
        if (column_ >= cells_.size()) cells_.resize(column_ + 1);
        cells_[column_] = std::move(*value);
    } catch (const std::bad_alloc&) {
        Fail(CellError("the row does not fit in memory"));
    }
}

void SheetParser::EndRow() {
    in_row_ = false;
    if (error_ || cells_.empty()) return;  // empty rows are skipped, their numbers kept by the next row's `r`
    row_ready_ = true;
    XML_StopParser(parser_.get(), XML_TRUE);  // suspend: NextRow hands the row out, then resumes
}

Result<std::string> SheetParser::RenderCell() {
    const std::size_t max_bytes = context_->limits.max_cell_bytes;
    const std::string too_large = "the value is larger than " + std::to_string(max_bytes) + " bytes";
    if (cell_type_ == "s") {
        if (text_.empty()) return std::string();
        const std::optional<std::size_t> index = ParseUnsigned<std::size_t>(text_);
        if (!index || !context_->strings || *index >= context_->strings->size()) {
            return CellError("shared string index \"" + text_ + "\" is out of range");
        }
        const std::string_view shared = context_->strings->Get(*index);
        if (shared.size() > max_bytes) return CellError(too_large);
        return std::string(shared);
    }
    if (cell_type_ == "inlineStr" || cell_type_ == "str") {
        DecodeOoxmlEscapes(text_);
        if (text_.size() > max_bytes) return CellError(too_large);
        return std::move(text_);
    }
    if (text_.size() > max_bytes) return CellError(too_large);
    if (cell_type_ == "b") {
        if (text_ == "1" || text_ == "true") return std::string("true");
        if (text_ == "0" || text_ == "false") return std::string("false");
        return std::move(text_);
    }
    if (cell_type_ == "e") return std::string();  // #DIV/0!, #N/A …: no value
    if (cell_type_ == "d") return NormalizeIsoDateTime(text_);
    if (text_.empty()) return std::string();
    const NumberKind kind =
        cell_style_ < context_->cell_formats.size() ? context_->cell_formats[cell_style_] : NumberKind::kNumber;
    if (kind != NumberKind::kNumber) {
        double serial = 0;
        const auto [end, ec] = std::from_chars(text_.data(), text_.data() + text_.size(), serial);
        if (ec == std::errc() && end == text_.data() + text_.size()) {
            if (std::optional<std::string> date = RenderSerial(serial, context_->date1904, kind)) return *date;
        }
    }
    return RenderXmlNumber(text_);
}

Error SheetParser::CellError(const std::string& why) const {
    Error error = Validation("file \"" + context_->display_name + "\", row " + std::to_string(row_) + ", cell " +
                             ColumnName(column_) + std::to_string(row_) + ": " + why);
    error.location = ValueLocation{context_->display_name, row_, ColumnName(column_), ""};
    return error;
}

void SheetParser::Fail(Error error) {
    if (error_) return;
    error_ = std::move(error);
    XML_StopParser(parser_.get(), XML_FALSE);
}

}  // namespace mt::ingest::detail
