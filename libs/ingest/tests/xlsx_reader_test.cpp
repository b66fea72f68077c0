// XLSX reader over committed fixtures (made once by tests/support/make_spreadsheet.py from the .json beside
// them) and over hand-made packages for what Excel and other producers write but openpyxl does not.
#include <catch2/catch.hpp>

#include "mt/ingest/xlsx.hpp"
#include "xlsx_test_support.hpp"

using namespace mt::ingest;
using namespace mt::ingest::testing;

namespace {

ReadOutcome ReadRaw(const RawXlsx& x, ReaderLimits limits = {}) {
    ScratchDir dir;
    const std::string path = dir.File("book.xlsx");
    WriteRawXlsx(path, x);
    return ReadAll(OpenXlsx(path, "book.xlsx", limits));
}

ReadOutcome ReadSheet(const std::string& sheet_data, const std::string& shared_strings = "") {
    RawXlsx x;
    x.sheets = {sheet_data};
    x.shared_strings = shared_strings;
    return ReadRaw(x);
}

}  // namespace

TEST_CASE("typed workbook: first non-empty sheet, shared strings, dates, booleans, cached formulas", "[xlsx]") {
    const ReadOutcome out = ReadAll(OpenXlsx(DataFile("excel/typed.xlsx"), "typed.xlsx"));
    REQUIRE(out.ok);
    const Rows expected = {
        {"cidade", "valor", "quantidade", "data", "momento", "hora", "ativo", "dobro", "rotulo"},
        {"São Paulo", "1234.5", "10", "2024-01-15", "2024-01-15T10:30:00.250", "12:30:00", "true", "2469",
         "São Paulo!"},
        {"Rio", "-0.001", "0", "1900-02-28", "2023-12-31T23:59:59", "", "false", "", "São Paulo"},
        {"Recife", "0.1", "12345678901", "2024-02-29", "2024-03-01"},
    };
    CHECK(out.rows == expected);
    CHECK(out.lines == std::vector<std::int64_t>{1, 2, 4, 5});  // row 3 is empty: skipped, numbers kept
}

TEST_CASE("error cells and formulas without a cached value read as empty and are counted per column", "[xlsx]") {
    const ReadOutcome out = ReadSheet(
        R"(<sheetData><row r="1"><c r="A1" t="inlineStr"><is><t>a</t></is></c><c r="B1" t="inlineStr"><is><t>b</t></is></c></row>)"
        R"(<row r="2"><c r="A2"><v>1</v></c><c r="B2" t="e"><f>1/0</f><v>#DIV/0!</v></c></row>)"
        R"(<row r="3"><c r="A3"><f>SUM(A1:A2)</f></c><c r="B3" t="e"><v>#N/A</v></c></row>)"
        R"(<row r="4"><c r="A4"><f>A3*2</f><v></v></c><c r="B4"><f>B3+1</f><v>7</v></c></row></sheetData>)");
    REQUIRE(out.ok);
    CHECK(out.rows == Rows{{"a", "b"}, {"1"}, {"", "7"}});  // row 3 holds nothing readable: skipped, as before
    REQUIRE(out.warnings.size() == 2);
    CHECK(out.warnings[0].line == 2);
    CHECK(out.warnings[0].message == "column B: 2 error cell(s) (#DIV/0! at row 2) read as empty (null)");
    CHECK(out.warnings[1].line == 3);
    CHECK(out.warnings[1].message ==
          "column A: 2 formula(s) saved without their result (=SUM(A1:A2) at row 3) read as empty (null)");
}

TEST_CASE("1904 date system", "[xlsx]") {
    const ReadOutcome out = ReadAll(OpenXlsx(DataFile("excel/date1904.xlsx"), "date1904.xlsx"));
    REQUIRE(out.ok);
    CHECK(out.rows ==
          Rows{{"quando", "momento"}, {"2024-01-15", "2024-01-15T06:00:00"}, {"1904-01-01", "1904-01-02T12:00:00"}});
}

TEST_CASE("sparse rows and cells are placed by their references", "[xlsx]") {
    const ReadOutcome out =
        ReadSheet(R"(<sheetData><row r="2"><c r="B2"><v>1</v></c><c r="D2"><v>2</v></c></row>)"
                  R"(<row r="3"><c r="A3" s="0"/><c r="B3"/></row>)"  // styled but empty: skipped
                  R"(<row r="7"><c r="C7"><v>3</v></c><c><v>4</v></c><c r="F7" t="e"><v>#N/A</v></c></row>)"
                  R"(<row><c><v>5</v></c></row></sheetData>)");  // no references at all: next row, first column
    REQUIRE(out.ok);
    CHECK(out.rows == Rows{{"", "1", "", "2"}, {"", "", "3", "4"}, {"5"}});
    CHECK(out.lines == std::vector<std::int64_t>{2, 7, 8});
}

TEST_CASE("string flavours: rich text, phonetic runs, inline, formula strings, escapes", "[xlsx]") {
    const std::string sst = R"(<si><t>plain</t></si>)"
                            R"(<si><r><rPr><b/></rPr><t>bold</t></r><r><t xml:space="preserve"> and more</t></r></si>)"
                            R"(<si><t>東京</t><rPh sb="0" eb="2"><t>トウキョウ</t></rPh>)"
                            R"(<phoneticPr fontId="1"/></si>)"
                            R"(<si><t>line_x000D_break &amp; &lt;tag&gt;</t></si>)";
    const ReadOutcome out = ReadSheet(
        R"(<sheetData><row r="1"><c r="A1" t="s"><v>0</v></c><c r="B1" t="s"><v>1</v></c>)"
        R"(<c r="C1" t="s"><v>2</v></c><c r="D1" t="s"><v>3</v></c></row>)"
        R"(<row r="2"><c r="A2" t="inlineStr"><is><t>inline</t></is></c>)"
        R"(<c r="B2" t="inlineStr"><is><r><t>in</t></r><r><t>runs</t></r></is></c>)"
        R"(<c r="C2" t="str"><f>UPPER("x")</f><v>X</v></c><c r="D2" t="b"><v>1</v></c>)"
        R"(<c r="E2" t="d"><v>2024-01-15T00:00:00Z</v></c><c r="F2" t="d"><v>2024-01-15T08:15:00</v></c></row>)"
        R"(</sheetData>)",
        sst);
    REQUIRE(out.ok);
    CHECK(out.rows == Rows{{"plain", "bold and more", "東京", "line\rbreak & <tag>"},
                           {"inline", "inruns", "X", "true", "2024-01-15", "2024-01-15T08:15:00"}});
}

TEST_CASE("number formats decide dates: built-in, custom, colours and literals", "[xlsx]") {
    RawXlsx x;
    x.styles = R"(<numFmts count="3"><numFmt numFmtId="164" formatCode="dd/mm/yyyy;@"/>)"
               R"(<numFmt numFmtId="165" formatCode="#,##0.00;[Red]\-#,##0.00"/>)"
               R"(<numFmt numFmtId="166" formatCode="0&quot; dias&quot;"/></numFmts>)"
               R"(<cellXfs count="6"><xf numFmtId="0"/><xf numFmtId="14"/><xf numFmtId="164"/>)"
               R"(<xf numFmtId="165"/><xf numFmtId="166"/><xf numFmtId="20"/></cellXfs>)";
    x.sheets = {R"(<sheetData><row r="1"><c r="A1"><v>45306</v></c><c r="B1" s="1"><v>45306</v></c>)"
                R"(<c r="C1" s="2"><v>45306.5</v></c><c r="D1" s="3"><v>45306</v></c><c r="E1" s="4"><v>3</v></c>)"
                R"(<c r="F1" s="5"><v>0.75</v></c><c r="G1" s="9"><v>1.50</v></c><c r="H1" s="1"><v>-5</v></c>)"
                R"(</row></sheetData>)"};
    const ReadOutcome out = ReadRaw(x);
    REQUIRE(out.ok);
    // G1 has a style index past cellXfs: a plain number. H1 is a negative serial: no date, the number.
    CHECK(out.rows == Rows{{"45306", "2024-01-15", "2024-01-15T12:00:00", "45306", "3", "18:00:00", "1.5", "-5"}});
}

TEST_CASE("the first sheet with a non-empty cell is read — absolute targets and prefixes work", "[xlsx]") {
    RawXlsx x;
    x.absolute_targets = true;
    x.sheets = {"<sheetData/>",
                R"(<sheetData><row r="1"><c r="A1" t="inlineStr"><is><t></t></is></c></row></sheetData>)",
                R"(<x:sheetData xmlns:x="http://schemas.openxmlformats.org/spreadsheetml/2006/main">)"
                R"(<x:row r="4"><x:c r="B4"><x:v>42</x:v></x:c></x:row></x:sheetData>)"};
    const ReadOutcome out = ReadRaw(x);
    REQUIRE(out.ok);
    CHECK(out.rows == Rows{{"", "42"}});
    CHECK(out.lines == std::vector<std::int64_t>{4});
}

TEST_CASE("a workbook without any non-empty cell yields no rows", "[xlsx]") {
    RawXlsx x;
    x.sheets = {"<sheetData/>", R"(<sheetData><row r="1"/></sheetData>)"};
    const ReadOutcome out = ReadRaw(x);
    CHECK(out.ok);
    CHECK(out.rows.empty());
}

TEST_CASE("corrupt or disguised files fail with a message naming the file", "[xlsx][errors]") {
    ScratchDir dir;
    const std::string good = ReadFile(DataFile("excel/typed.xlsx"));
    auto error_of = [&](const std::string& bytes) {
        WriteFile(dir.File("x.xlsx"), bytes);
        return ReadAll(OpenXlsx(dir.File("x.xlsx"), "x.xlsx")).error;
    };
    CHECK(error_of("") == R"(file "x.xlsx" is not a valid XLSX file: the file is empty)");
    CHECK(error_of("a,b\n1,2\n") == R"(file "x.xlsx" is not a valid XLSX file: it is not a ZIP package)");
    CHECK_THAT(error_of(std::string("\xD0\xCF\x11\xE0\xA1\xB1\x1A\xE1", 8) + std::string(600, '\0')),
               Catch::Contains("password-protected"));
    CHECK_THAT(error_of(good.substr(0, good.size() / 2)),
               Catch::StartsWith(R"(file "x.xlsx" is not a valid XLSX file: )"));
    CHECK_THAT(error_of(good.substr(0, good.size() - 10)),
               Catch::StartsWith(R"(file "x.xlsx" is not a valid XLSX file: )"));

    RawXlsx no_workbook;
    no_workbook.with_workbook = false;
    WriteRawXlsx(dir.File("x.xlsx"), no_workbook);
    CHECK(ReadAll(OpenXlsx(dir.File("x.xlsx"), "x.xlsx")).error ==
          R"(file "x.xlsx" is not a valid XLSX file: missing xl/workbook.xml)");

    ZipWriter(dir.File("plain.xlsx")).Add("data.csv", "a,b\n");
    CHECK(ReadAll(OpenXlsx(dir.File("plain.xlsx"), "plain.xlsx")).error ==
          R"(file "plain.xlsx" is not a valid XLSX file: missing [Content_Types].xml)");
}

TEST_CASE("malformed sheet XML, DTDs and dangling shared strings are errors", "[xlsx][errors]") {
    const ReadOutcome unclosed = ReadSheet(R"(<sheetData><row r="1"><c r="A1"><v>1</v></c></row><row r="2"><c>)");
    CHECK_FALSE(unclosed.ok);
    CHECK_THAT(unclosed.error,
               Catch::StartsWith(R"(file "book.xlsx" is not a valid XLSX file: xl/worksheets/sheet1.xml: )"));

    ScratchDir dir;
    ZipWriter(dir.File("dtd.xlsx"))
        .Add("[Content_Types].xml", "<Types/>")
        .Add("xl/workbook.xml", R"(<workbook xmlns:r="r"><sheets><sheet name="a" r:id="rId1"/></sheets></workbook>)")
        .Add("xl/_rels/workbook.xml.rels",
             R"(<Relationships><Relationship Id="rId1" Type="x/worksheet" Target="worksheets/sheet1.xml"/>)"
             R"(</Relationships>)")
        .Add("xl/worksheets/sheet1.xml",
             R"(<!DOCTYPE lol [<!ENTITY a "aaaaaaaaaa">]><worksheet><sheetData><row><c t="inlineStr"><is><t>&a;)"
             R"(</t></is></c></row></sheetData></worksheet>)");
    CHECK_THAT(ReadAll(OpenXlsx(dir.File("dtd.xlsx"), "dtd.xlsx")).error, Catch::Contains("declares a DTD"));

    const ReadOutcome dangling =
        ReadSheet(R"(<sheetData><row r="3"><c r="B3" t="s"><v>7</v></c></row></sheetData>)", "<si><t>only</t></si>");
    CHECK(dangling.error == R"(file "book.xlsx", row 3, cell B3: shared string index "7" is out of range)");
}

TEST_CASE("cell size and column limits apply to XLSX cells", "[xlsx][errors]") {
    RawXlsx x;
    x.shared_strings = "<si><t>" + std::string(100, 's') + "</t></si>";
    x.sheets = {R"(<sheetData><row r="1"><c r="A1" t="inlineStr"><is><t>)" + std::string(64, 'i') +
                R"(</t></is></c></row><row r="2"><c r="A2" t="s"><v>0</v></c></row></sheetData>)"};
    ReaderLimits small;
    small.max_cell_bytes = 64;
    const ReadOutcome out = ReadRaw(x, small);
    CHECK(out.rows.size() == 1);  // the 64-byte cell is fine; the 100-byte shared string is not
    CHECK(out.error == R"(file "book.xlsx", row 2, cell A2: the value is larger than 64 bytes)");

    x.sheets = {R"(<sheetData><row r="1"><c r="A1"><v>1</v></c><c r="XFD1"/><c r="E1"><v>5</v></c></row></sheetData>)"};
    ReaderLimits narrow;
    narrow.max_columns = 4;
    CHECK(ReadRaw(x, narrow).error == R"(file "book.xlsx", row 1, cell E1: the row has more than 4 columns)");
}

TEST_CASE("a sheet that decompresses like a zip bomb is refused", "[xlsx][errors]") {
    ScratchDir dir;
    const std::string rel = "http://schemas.openxmlformats.org/officeDocument/2006/relationships";
    ZipWriter(dir.File("bomb.xlsx"))
        .Add("[Content_Types].xml", "<Types/>")
        .Add("xl/workbook.xml",
             "<workbook xmlns:r=\"" + rel + "\"><sheets><sheet name=\"a\" r:id=\"rId1\"/></sheets></workbook>")
        .Add("xl/_rels/workbook.xml.rels", "<Relationships><Relationship Id=\"rId1\" Type=\"" + rel +
                                               "/worksheet\" Target=\"worksheets/sheet1.xml\"/></Relationships>")
        .AddRepeated("xl/worksheets/sheet1.xml", 300ull << 20, ' ', "<worksheet><sheetData>",
                     "</sheetData></worksheet>");
    CHECK(ReadAll(OpenXlsx(dir.File("bomb.xlsx"), "bomb.xlsx")).error ==
          R"(file "bomb.xlsx" is not a valid XLSX file: xl/worksheets/sheet1.xml expands more than 400 times its)"
          R"( compressed size (a zip bomb?))");
}
