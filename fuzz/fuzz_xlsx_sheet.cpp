// Fuzz target: the streaming worksheet parser of the XLSX reader (libs/ingest/src/xlsx_sheet_parser.hpp) and
// the shared-string table loader (xlsx_shared_strings.hpp), fed XML directly.
//
// Input: a worksheet part (xl/worksheets/sheetN.xml). When it holds a NUL byte — which no XML text can —
// the bytes before it are the workbook's sharedStrings.xml, loaded first and used by the sheet's t="s"
// cells; otherwise a fixed table of a few strings is used. Cell styles 0–4 are number, date, time, number,
// date; the 1904 date system is on when the input mentions "date1904" (as workbook.xml would).
// The parts reach the parsers through libarchive's "raw" format over memory, i.e. the same PartStream the
// reader uses over a ZIP member, minus the ZIP. The limits are small so that every limit is reached.
#include <archive.h>

#include <string>
#include <string_view>
#include <vector>

#include "fuzz_check.hpp"
#include "xlsx_sheet_parser.hpp"  // private to mt_ingest

namespace {

using namespace mt::ingest::detail;

constexpr mt::ingest::ReaderLimits kLimits{
    .max_cell_bytes = 256, .max_columns = 64, .max_row_bytes = 1024, .max_shared_strings_bytes = 4096};

/// A part stream over `bytes` (which must outlive it); nullopt for an empty part, which libarchive's raw
/// format does not open (a ZIP member never reaches the parsers empty either: expat sees "no element").
std::optional<PartStream> StreamOver(std::string_view bytes, const char* part) {
    if (bytes.empty()) return std::nullopt;
    ArchiveReadPtr archive(archive_read_new());
    MT_FUZZ_CHECK(archive != nullptr);
    archive_read_support_format_raw(archive.get());
    MT_FUZZ_CHECK(archive_read_open_memory(archive.get(), bytes.data(), bytes.size()) == ARCHIVE_OK);
    archive_entry* entry = nullptr;
    MT_FUZZ_CHECK(archive_read_next_header(archive.get(), &entry) == ARCHIVE_OK);
    return PartStream(std::move(archive), "fuzz.xlsx", part);
}

std::shared_ptr<const SharedStrings> FixedStrings() {
    auto strings = std::make_shared<SharedStrings>();
    for (const char* text : {"Nome", "Valor", "Data", "São Paulo", "", "x_x000D_y"}) strings->Add(text);
    return strings;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    const std::string_view input(reinterpret_cast<const char*>(data), size);
    const std::size_t nul = input.find('\0');
    const std::string_view sheet_xml = nul == std::string_view::npos ? input : input.substr(nul + 1);

    auto context = std::make_shared<SheetContext>();
    context->display_name = "fuzz.xlsx";
    context->limits = kLimits;
    context->cell_formats = {NumberKind::kNumber, NumberKind::kDate, NumberKind::kTimeOnly, NumberKind::kNumber,
                             NumberKind::kDate};
    context->date1904 = input.find("date1904") != std::string_view::npos;
    if (nul == std::string_view::npos) {
        context->strings = FixedStrings();
    } else if (auto stream = StreamOver(input.substr(0, nul), "xl/sharedStrings.xml")) {
        auto strings = LoadSharedStrings(std::move(*stream), "fuzz.xlsx", kLimits);
        if (!strings) return 0;  // the reader fails the whole file then
        MT_FUZZ_CHECK(strings->memory_bytes() <= kLimits.max_shared_strings_bytes);
        for (std::size_t i = 0; i < strings->size(); ++i) {
            MT_FUZZ_CHECK(strings->Get(i).size() <= kLimits.max_cell_bytes + 1);  // kept truncated to limit + 1
        }
        context->strings = std::make_shared<const SharedStrings>(std::move(*strings));
    }

    auto stream = StreamOver(sheet_xml, "xl/worksheets/sheet1.xml");
    if (!stream) return 0;
    auto parser = SheetParser::Create(std::move(*stream), context);
    MT_FUZZ_CHECK(parser.ok());
    std::vector<std::string> cells;
    while (true) {
        auto more = (*parser)->NextRow(cells);
        if (!more) {
            MT_FUZZ_CHECK(!more.error().message.empty());
            break;
        }
        if (!*more) break;
        // A row: at least one cell, the last one not empty, every limit held.
        MT_FUZZ_CHECK(!cells.empty() && !cells.back().empty());
        MT_FUZZ_CHECK(cells.size() <= kLimits.max_columns);
        std::size_t row_bytes = 0;
        for (const std::string& cell : cells) {
            MT_FUZZ_CHECK(cell.size() <= kLimits.max_cell_bytes);
            row_bytes += cell.size();
        }
        MT_FUZZ_CHECK(row_bytes <= kLimits.max_row_bytes);
        MT_FUZZ_CHECK((*parser)->row_number() >= 1);
    }
    return 0;
}
