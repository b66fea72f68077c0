// Workbooks generated at test time by tests/support/make_spreadsheet.py (Debian's /usr/bin/python3 with
// python3-openpyxl and python3-xlwt): the same spec as .xlsx and .xls, and a 60,000-row sheet.
#include <malloc.h>

#include <algorithm>
#include <catch2/catch.hpp>

#include "mt/ingest/xls.hpp"
#include "mt/ingest/xlsx.hpp"
#include "xlsx_test_support.hpp"

using namespace mt::ingest;
using namespace mt::ingest::testing;

namespace {

/// Heap bytes in use right now (small-chunk arenas plus mmap'd blocks).
std::size_t HeapInUse() {
    const struct mallinfo2 info = mallinfo2();
    return info.uordblks + info.hblkhd;
}

constexpr const char* kSpec = R"({"sheets": [
  {"name": "Capa", "rows": [null, []]},
  {"name": "Dados", "rows": [
    ["produto", "preço", "estoque", "validade", "atualizado", "promo"],
    ["Café", 89.9, 120, {"date": "2025-06-30", "format": "dd/mm/yyyy"}, {"datetime": "2024-05-01T08:00:00"}, true],
    ["Pão de queijo", {"number": 1234.56, "format": "#,##0.00"}, 0, {"date": "2024-12-25"},
     {"datetime": "2024-05-01T00:00:00"}, false],
    [null, null, -7, null, null, null, "nota solta"]
  ]}
]})";

}  // namespace

TEST_CASE("the same typed spec reads alike as .xlsx and .xls", "[xlsx][xls][python]") {
    ScratchDir dir;
    WriteFile(dir.File("spec.json"), kSpec);
    REQUIRE(MakeSpreadsheet(dir.File("spec.json") + " " + dir.File("book.xlsx")) == 0);
    REQUIRE(MakeSpreadsheet(dir.File("spec.json") + " " + dir.File("book.xls")) == 0);
    const ReadOutcome xlsx = ReadAll(OpenXlsx(dir.File("book.xlsx"), "book.xlsx"));
    const ReadOutcome xls = ReadAll(OpenXls(dir.File("book.xls"), "book.xls"));
    REQUIRE(xlsx.ok);
    REQUIRE(xls.ok);
    const Rows expected = {
        {"produto", "preço", "estoque", "validade", "atualizado", "promo"},
        {"Café", "89.9", "120", "2025-06-30", "2024-05-01T08:00:00", "true"},
        {"Pão de queijo", "1234.56", "0", "2024-12-25", "2024-05-01", "false"},
        {"", "", "-7", "", "", "", "nota solta"},
    };
    CHECK(xlsx.rows == expected);
    CHECK(xlsx.lines == std::vector<std::int64_t>{1, 2, 3, 4});
    Rows xls_expected = expected;
    xls_expected[1][5] = "1";  // FreeXL reports booleans as integers
    xls_expected[2][5] = "0";
    CHECK(xls.rows == xls_expected);
}

TEST_CASE("a 60,000-row sheet streams with bounded memory", "[xlsx][python][large]") {
    ScratchDir dir;
    REQUIRE(MakeSpreadsheet("--large 60000 " + dir.File("large.xlsx")) == 0);

    auto opened = OpenXlsx(dir.File("large.xlsx"), "large.xlsx");
    REQUIRE(opened);
    RowReader& reader = **opened;
    // Measured after opening: the shared strings (60,000 names, ~1 MB) are loaded by then; what must not grow
    // with the sheet is everything after.
    const std::size_t baseline = HeapInUse();
    std::size_t peak = baseline;
    std::vector<std::string> cells;
    std::int64_t rows = 0;
    std::vector<std::string> last;
    while (true) {
        auto more = reader.Next(cells);
        REQUIRE(more);
        if (!*more) break;
        if (++rows % 1000 == 0) peak = std::max(peak, HeapInUse());
        last = cells;
    }
    CHECK(rows == 60'001);
    CHECK(reader.line() == 60'001);
    CHECK(last == std::vector<std::string>{"60000", "name-59999", "74998.75", "2024-01-24", "false"});
    // The sheet XML is ~12 MB; a reader that buffered it (or the rows) would grow by that much.
    CHECK(peak - baseline < (1u << 20));
    CHECK(reader.bytes_read() > 0);
    CHECK(reader.bytes_read() <= std::filesystem::file_size(dir.File("large.xlsx")));
}
