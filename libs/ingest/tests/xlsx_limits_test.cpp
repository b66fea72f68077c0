// XLSX inputs that amplify: one shared string repeated in every cell, a shared string table too large to hold,
// parts that decompress like zip bombs. Each must fail early, at its limit, with a message naming the file.
#include <catch2/catch.hpp>
#include <chrono>

#include "mt/ingest/xlsx.hpp"
#include "xlsx_test_support.hpp"

using namespace mt::ingest;
using namespace mt::ingest::testing;

namespace {

/// Rows 1..counts.size(), row r holding counts[r-1] cells that all refer to shared string 0.
std::string SharedStringRows(const std::vector<int>& counts) {
    std::string xml = "<sheetData>";
    for (std::size_t r = 0; r < counts.size(); ++r) {
        const std::string row = std::to_string(r + 1);
        xml += "<row r=\"" + row + "\">";
        for (int c = 0; c < counts[r]; ++c) xml += "<c t=\"s\"><v>0</v></c>";  // no reference: the next column
        xml += "</row>";
    }
    return xml + "</sheetData>";
}

/// The parts of a workbook whose one sheet is xl/worksheets/sheet1.xml, which the caller adds.
void AddOneSheetWorkbook(ZipWriter& zip) {
    const std::string rel = "http://schemas.openxmlformats.org/officeDocument/2006/relationships";
    zip.Add("[Content_Types].xml", "<Types/>")
        .Add("xl/workbook.xml",
             "<workbook xmlns:r=\"" + rel + "\"><sheets><sheet name=\"a\" r:id=\"rId1\"/></sheets></workbook>")
        .Add("xl/_rels/workbook.xml.rels", "<Relationships><Relationship Id=\"rId1\" Type=\"" + rel +
                                               "/worksheet\" Target=\"worksheets/sheet1.xml\"/></Relationships>");
}

/// The error of opening `path` and reading it to the end.
mt::Error FirstError(const std::string& path, const std::string& name, ReaderLimits limits = {}) {
    auto reader = OpenXlsx(path, name, limits);
    if (!reader) return reader.error();
    std::vector<std::string> cells;
    while (true) {
        auto more = (*reader)->Next(cells);
        if (!more) return more.error();
        if (!*more) return mt::Internal("(no error)");
    }
}

}  // namespace

TEST_CASE("one 1 MiB shared string in 256 cells of 100 rows fails at the first row, at once", "[xlsx][errors]") {
    ScratchDir dir;
    RawXlsx x;
    x.shared_strings = "<si><t>" + std::string(1 << 20, 'x') + "</t></si>";  // a cell of exactly the cell limit
    x.sheets = {SharedStringRows(std::vector<int>(100, 256))};               // 25,600 cells: 25 GiB of text
    const std::string path = dir.File("bomb.xlsx");
    WriteRawXlsx(path, x);
    INFO("file size " << std::filesystem::file_size(path));
    CHECK(std::filesystem::file_size(path) < 16'000);

    const auto start = std::chrono::steady_clock::now();
    const mt::Error error = FirstError(path, "bomb.xlsx");
    const auto elapsed = std::chrono::steady_clock::now() - start;
    CHECK(error.kind == mt::ErrorKind::kValidation);
    CHECK(error.message == R"(file "bomb.xlsx", line 1: a row is larger than 16 MiB)");
    REQUIRE(error.location.has_value());
    CHECK(error.location->file == "bomb.xlsx");
    CHECK(error.location->line == 1);
    CHECK(elapsed < std::chrono::seconds(2));  // 17 cells built, not 25,600
}

TEST_CASE("a row of exactly 16 MiB of shared strings is read — the next, one cell more, fails", "[xlsx][errors]") {
    ScratchDir dir;
    RawXlsx x;
    // The shared strings part (1 MiB of 'x') deflates ~1000:1: the ratio's grace lets a small part through.
    x.shared_strings = "<si><t>" + std::string(1 << 20, 'x') + "</t></si>";
    x.sheets = {SharedStringRows({16, 17})};
    WriteRawXlsx(dir.File("edge.xlsx"), x);
    const ReadOutcome out = ReadAll(OpenXlsx(dir.File("edge.xlsx"), "edge.xlsx"));
    REQUIRE(out.rows.size() == 1);
    CHECK(out.rows[0].size() == 16);
    CHECK(out.error == R"(file "edge.xlsx", line 2: a row is larger than 16 MiB)");
}

// Found by fuzz/fuzz_xlsx_sheet.cpp: the limit was checked on the XML text only, and a number's plain spelling can
// be 400 digits longer than its XML ("1E+300"), so a rendered cell could pass the limit.
TEST_CASE("the cell limit holds for a number as rendered — not as written", "[xlsx][errors]") {
    ScratchDir dir;
    RawXlsx x;
    x.sheets = {R"(<sheetData><row r="1"><c r="A1"><v>1E+299</v></c></row>)"
                R"(<row r="2"><c r="A2"><v>1E+300</v></c></row></sheetData>)"};
    WriteRawXlsx(dir.File("long.xlsx"), x);
    ReaderLimits limits;
    limits.max_cell_bytes = 300;
    const ReadOutcome out = ReadAll(OpenXlsx(dir.File("long.xlsx"), "long.xlsx", limits));
    REQUIRE(out.rows.size() == 1);
    REQUIRE(out.rows[0].size() == 1);
    CHECK(out.rows[0][0].size() == 300);  // 300 digits: exactly the limit
    CHECK(out.error == R"(file "long.xlsx", row 2, cell A2: the value is larger than 300 bytes)");
}

TEST_CASE("a shared string table over 64 MiB fails while loading", "[xlsx][errors]") {
    ScratchDir dir;
    RawXlsx x;
    x.sheets = {SharedStringRows({1})};
    // 65 strings of 1 MiB: an 8 KiB run of numbers over and over, which deflates ~100:1 — well within the
    // ratio rule, so the table is what fails, at 64 MiB.
    constexpr int kStrings = 65;
    constexpr std::size_t kStringBytes = 1 << 20;
    x.write_shared_strings = [](ZipWriter& zip, const std::string& ns) {
        std::string numbers;
        for (std::uint64_t n = 0; numbers.size() < 8192; ++n) numbers += std::to_string(n * 7919) + " ";
        numbers.resize(8192);
        std::string text;
        while (text.size() < kStringBytes) text += numbers;
        const std::string item = "<si><t>" + text.substr(0, kStringBytes) + "</t></si>";
        const std::string head = "<sst" + ns + ">", tail = "</sst>";
        int next = -1;  // -1: the head; kStrings: the tail
        zip.AddGenerated("xl/sharedStrings.xml", head.size() + kStrings * item.size() + tail.size(),
                         [&](std::string& chunk) {
                             chunk = next < 0 ? head : next == kStrings ? tail : item;
                             ++next;
                         });
    };
    WriteRawXlsx(dir.File("big.xlsx"), x);
    INFO("file size " << std::filesystem::file_size(dir.File("big.xlsx")));
    const mt::Error error = FirstError(dir.File("big.xlsx"), "big.xlsx");
    CHECK(error.kind == mt::ErrorKind::kValidation);
    CHECK(error.message == R"(file "big.xlsx": the shared strings of this workbook are larger than 64 MiB)");

    // The table counts its text and 8 bytes per string: 10 strings of 3 bytes hold 110 bytes.
    RawXlsx small;
    small.sheets = {SharedStringRows({1})};
    for (int i = 0; i < 10; ++i) small.shared_strings += "<si><t>abc</t></si>";
    WriteRawXlsx(dir.File("small.xlsx"), small);
    ReaderLimits limits;
    limits.max_shared_strings_bytes = 110;
    CHECK(ReadAll(OpenXlsx(dir.File("small.xlsx"), "small.xlsx", limits)).ok);
    limits.max_shared_strings_bytes = 109;
    CHECK(FirstError(dir.File("small.xlsx"), "small.xlsx", limits).message ==
          R"(file "small.xlsx": the shared strings of this workbook are larger than 109 bytes)");
}

TEST_CASE("a sheet part is held to 400:1 from its first byte, past a 4 MiB grace", "[xlsx][errors]") {
    ScratchDir dir;
    // 20 MiB of spaces deflate ~1000:1: refused long before the 256 MiB that the old rule waited for.
    {
        ZipWriter zip(dir.File("bomb.xlsx"));
        AddOneSheetWorkbook(zip);
        zip.AddRepeated("xl/worksheets/sheet1.xml", 20u << 20, ' ', "<worksheet><sheetData>",
                        "</sheetData></worksheet>");
    }
    const mt::Error error = FirstError(dir.File("bomb.xlsx"), "bomb.xlsx");
    CHECK(error.kind == mt::ErrorKind::kValidation);
    CHECK(error.message ==
          R"(file "bomb.xlsx" is not a valid XLSX file: xl/worksheets/sheet1.xml expands more than 400 times its)"
          R"( compressed size (a zip bomb?))");

    // 3 MiB of the same spaces stay within the grace: a small part may compress that well.
    {
        ZipWriter zip(dir.File("small.xlsx"));
        AddOneSheetWorkbook(zip);
        zip.AddRepeated("xl/worksheets/sheet1.xml", 3u << 20, ' ',
                        R"(<worksheet><sheetData><row r="1"><c r="A1"><v>7</v></c></row>)", "</sheetData></worksheet>");
    }
    const ReadOutcome small = ReadAll(OpenXlsx(dir.File("small.xlsx"), "small.xlsx"));
    REQUIRE(small.ok);
    CHECK(small.rows == Rows{{"7"}});
}
