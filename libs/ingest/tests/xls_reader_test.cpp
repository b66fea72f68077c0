// XLS reader (FreeXL) over committed fixtures made once by tests/support/make_spreadsheet.py with xlwt.
#include <catch2/catch.hpp>

#include "mt/ingest/xls.hpp"
#include "xlsx_test_support.hpp"

using namespace mt::ingest;
using namespace mt::ingest::testing;

TEST_CASE("typed legacy workbook: first non-empty sheet, numbers, dates, text", "[xls]") {
    const ReadOutcome out = ReadAll(OpenXls(DataFile("excel/typed.xls"), "typed.xls"));
    REQUIRE(out.ok);
    // FreeXL reports booleans as integers, date-times to the second, and xlwt stores no cached formula value.
    const Rows expected = {
        {"cidade", "valor", "quantidade", "data", "momento", "hora", "ativo", "dobro", "rotulo"},
        {"São Paulo", "1234.5", "10", "2024-01-15", "2024-01-15T10:30:00", "12:30:00", "1"},
        {"Rio", "-0.001", "0", "1900-02-28", "2023-12-31T23:59:59", "", "0", "", "São Paulo"},
        {"Recife", "0.1", "12345678901", "2024-02-29", "2024-03-01"},
    };
    CHECK(out.rows == expected);
    CHECK(out.lines == std::vector<std::int64_t>{1, 2, 4, 5});
}

TEST_CASE("legacy workbook in the 1904 date system", "[xls]") {
    const ReadOutcome out = ReadAll(OpenXls(DataFile("excel/date1904.xls"), "date1904.xls"));
    REQUIRE(out.ok);
    REQUIRE(out.rows.size() == 3);
    CHECK(out.rows[1] == std::vector<std::string>{"2024-01-15", "2024-01-15T06:00:00"});
}

TEST_CASE("corrupt or disguised .xls files fail with a message naming the file", "[xls][errors]") {
    ScratchDir dir;
    auto error_of = [&](const std::string& bytes) {
        WriteFile(dir.File("x.xls"), bytes);
        return ReadAll(OpenXls(dir.File("x.xls"), "x.xls")).error;
    };
    CHECK(error_of("") == R"(file "x.xls" is not a valid XLS file: the file is empty)");
    CHECK(error_of("<html><table><tr><td>1</td></tr></table></html>") ==
          R"(file "x.xls" is not a valid XLS file: it is not an Excel 97-2003 workbook)");
    CHECK(error_of(ReadFile(DataFile("excel/typed.xlsx"))) ==
          R"(file "x.xls" is not a valid XLS file: it is a ZIP package (an .xlsx file named .xls?))");
    const std::string good = ReadFile(DataFile("excel/typed.xls"));
    CHECK_THAT(error_of(good.substr(0, good.size() / 3)),
               Catch::StartsWith(R"(file "x.xls" is not a valid XLS file: )"));
    CHECK_THAT(error_of(good.substr(0, 8) + std::string(4096, '\xFF')),
               Catch::StartsWith(R"(file "x.xls" is not a valid XLS file: )"));
}

TEST_CASE("cell size limit applies to XLS text", "[xls][errors]") {
    ReaderLimits small;
    small.max_cell_bytes = 8;
    const ReadOutcome out = ReadAll(OpenXls(DataFile("excel/typed.xls"), "typed.xls", small));
    CHECK(out.error == R"(file "typed.xls", row 1, column 3: the value is larger than 8 bytes)");
}

TEST_CASE("row size limit applies to XLS rows as they are built", "[xls][errors]") {
    ReaderLimits limits;
    limits.max_row_bytes = 32;  // the header row holds 52 bytes: "cidade" … "momento" make 32, "hora" passes it
    auto reader = OpenXls(DataFile("excel/typed.xls"), "typed.xls", limits);
    REQUIRE_FALSE(reader.ok());  // the first row is read while the sheet is chosen
    CHECK(reader.error().kind == mt::ErrorKind::kValidation);
    CHECK(reader.error().message == R"(file "typed.xls", line 1: a row is larger than 32 bytes)");
    REQUIRE(reader.error().location.has_value());
    CHECK(reader.error().location->file == "typed.xls");
    CHECK(reader.error().location->line == 1);

    limits.max_row_bytes = 56;  // exactly the largest row (line 2): read
    CHECK(ReadAll(OpenXls(DataFile("excel/typed.xls"), "typed.xls", limits)).ok);
    limits.max_row_bytes = 55;
    CHECK(ReadAll(OpenXls(DataFile("excel/typed.xls"), "typed.xls", limits)).error ==
          R"(file "typed.xls", line 2: a row is larger than 55 bytes)");
}
