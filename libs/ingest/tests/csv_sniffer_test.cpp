// Encoding and delimiter detection on generated files (encodings need exact bytes, large files are generated).
#include <catch2/catch.hpp>

#include "csv_test_util.hpp"
#include "mt/ingest/csv.hpp"

using mt::ingest::CsvDialect;
using mt::ingest::Encoding;
using mt::ingest::SniffCsv;
using namespace mt::ingest::testing;

namespace {

CsvDialect Sniff(const std::string& bytes, const std::string& name = "test.csv") {
    TempFile file(bytes, name);
    auto dialect = SniffCsv(file.path(), name);
    if (!dialect) FAIL(dialect.error().message);
    return *dialect;
}

}  // namespace

TEST_CASE("Windows-1252 bytes are detected and converted to UTF-8") {
    // "Preço" and "São Paulo" as a Windows-1252 export writes them; 0x80 is the euro sign.
    const std::string bytes = "produto;pre\xE7o\nCaf\xE9;\x80 5,00\nS\xE3o Paulo;3\n";
    const CsvDialect dialect = Sniff(bytes);
    CHECK(dialect.encoding == Encoding::kWindows1252);
    CHECK(dialect.delimiter == ';');
    const ReadOutcome out = SniffAndRead(bytes);
    REQUIRE(out.ok);
    CHECK(out.rows == Rows{{"produto", "preço"}, {"Café", "€ 5,00"}, {"São Paulo", "3"}});
}

TEST_CASE("Windows-1252 undefined bytes map to C1 controls instead of being lost") {
    const ReadOutcome out = SniffAndRead("a\nx\x81y\x9D\n");
    REQUIRE(out.ok);
    CHECK(out.rows.at(1).at(0) == "x\xC2\x81y\xC2\x9D");
}

TEST_CASE("a UTF-8 file with one Windows-1252 line in the last of 5 MB keeps both right") {
    std::string bytes = "nome,cidade\n";
    while (bytes.size() < 5'000'000) bytes += "Jos\xC3\xA9 da Silva,S\xC3\xA3o Paulo\n";  // valid UTF-8
    bytes += "Jo\xE3o,Bras\xEDlia";  // Windows-1252, no final newline
    const CsvDialect dialect = Sniff(bytes);
    CHECK(dialect.encoding == Encoding::kUtf8WithWindows1252);
    CHECK(dialect.delimiter == ',');
    const ReadOutcome out = SniffAndRead(bytes);
    REQUIRE(out.ok);
    CHECK(out.rows.at(1) == std::vector<std::string>{"José da Silva", "São Paulo"});
    CHECK(out.rows.back() == std::vector<std::string>{"João", "Brasília"});
}

TEST_CASE("mixed UTF-8 and Windows-1252: sequences cut by the 1 MiB chunk end, and at the end of the file") {
    std::string lines = "t\n";
    while (lines.size() < (1 << 20) - 100) lines += std::string(99, 'a') + "\n";
    for (std::size_t pad = (1 << 20) - 5 - lines.size(); pad <= (1 << 20) + 1 - lines.size(); ++pad) {
        // "ç€" in UTF-8, then "ã" and "é" in Windows-1252, then a 4-byte emoji; all across the chunk boundary.
        const std::string bytes = lines + std::string(pad, 'b') +
                                  "\xC3\xA7\xE2\x82\xAC\xE3\xE9\xF0\x9F\x98\x80\n"
                                  "\xC3\xA7\xC3\xA3\xE2\x82\xAC\xE2\x82";  // ends inside a 3-byte sequence
        CHECK(Sniff(bytes).encoding == Encoding::kUtf8WithWindows1252);
        const ReadOutcome out = SniffAndRead(bytes);
        REQUIRE(out.ok);
        REQUIRE(out.rows.size() >= 3);
        CHECK(out.rows[out.rows.size() - 2][0] == std::string(pad, 'b') + "ç€ãé\xF0\x9F\x98\x80");
        CHECK(out.rows.back()[0] == "çã€â‚");  // the cut sequence's bytes, each read as Windows-1252
    }
}

TEST_CASE("Windows-1252 text with an accidental valid UTF-8 pair stays Windows-1252") {
    // "CAFÉ”" is É (0xC9) and ” (0x94): a valid UTF-8 pair by accident, among plenty of Windows-1252 accents.
    const std::string bytes =
        "nome;obs\nJo\xE3o;CAF\xC9\x94\nMar\xED"
        "a;S\xE3o Jos\xE9\nCaf\xE9;a\xE7\xFA"
        "car\n";
    CHECK(Sniff(bytes).encoding == Encoding::kWindows1252);
    const ReadOutcome out = SniffAndRead(bytes);
    REQUIRE(out.ok);
    CHECK(out.rows.at(1) == std::vector<std::string>{"João", "CAFÉ”"});
}

TEST_CASE("a multi-byte UTF-8 character across the 1 MiB chunk boundary is still UTF-8") {
    for (std::size_t pad = (1 << 20) - 4; pad <= (1 << 20) + 1; ++pad) {
        const std::string bytes = std::string(pad, 'a') + "\xF0\x9F\x98\x80\xC3\xA7\n";
        CHECK(Sniff(bytes).encoding == Encoding::kUtf8);
    }
    CHECK(Sniff(std::string((1 << 20) - 1, 'a') + "\xE2\x82").encoding == Encoding::kWindows1252);  // cut at EOF
}

TEST_CASE("overlong and surrogate UTF-8 sequences are invalid") {
    CHECK(Sniff("a\n\xC0\xAF\n").encoding == Encoding::kWindows1252);
    CHECK(Sniff("a\n\xED\xA0\x80\n").encoding == Encoding::kWindows1252);
    CHECK(Sniff("a\n\xF4\x90\x80\x80\n").encoding == Encoding::kWindows1252);
    CHECK(Sniff("a\n\xE2\x82\xAC \xF4\x8F\xBF\xBF\n").encoding == Encoding::kUtf8);
}

TEST_CASE("a UTF-8 BOM is detected and stripped") {
    const std::string bytes = "\xEF\xBB\xBFid;nome\n1;Jos\xC3\xA9\n";
    const CsvDialect dialect = Sniff(bytes);
    CHECK(dialect.encoding == Encoding::kUtf8);
    CHECK(dialect.has_bom);
    const ReadOutcome out = SniffAndRead(bytes);
    REQUIRE(out.ok);
    CHECK(out.rows == Rows{{"id", "nome"}, {"1", "José"}});
}

TEST_CASE("a UTF-8 BOM followed by invalid UTF-8 fails naming the line") {
    TempFile file("\xEF\xBB\xBFid\n1\r\n2\r3\n\xE9\n", "bom.csv");
    auto dialect = SniffCsv(file.path(), "bom.csv");
    REQUIRE_FALSE(dialect);
    CHECK_THAT(dialect.error().message, Catch::Contains("\"bom.csv\"") && Catch::Contains("line 5"));
}

TEST_CASE("UTF-16 files with a BOM are converted to UTF-8") {
    const std::u16string text = u"nome;cidade\r\nJosé;São Paulo\r\n😀;x\r\n";
    for (const bool little_endian : {true, false}) {
        std::string bytes = little_endian ? "\xFF\xFE" : "\xFE\xFF";
        for (const char16_t u : text) {
            const char lo = static_cast<char>(u & 0xFF);
            const char hi = static_cast<char>(u >> 8);
            bytes += little_endian ? std::string{lo, hi} : std::string{hi, lo};
        }
        const CsvDialect dialect = Sniff(bytes);
        CHECK(dialect.encoding == (little_endian ? Encoding::kUtf16Le : Encoding::kUtf16Be));
        CHECK(dialect.delimiter == ';');
        const ReadOutcome out = SniffAndRead(bytes);
        REQUIRE(out.ok);
        CHECK(out.rows == Rows{{"nome", "cidade"}, {"José", "São Paulo"}, {"😀", "x"}});
    }
}

TEST_CASE("an empty file is an error naming it") {
    TempFile file("", "vazio.csv");
    auto dialect = SniffCsv(file.path(), "vazio.csv");
    REQUIRE_FALSE(dialect);
    CHECK(dialect.error().kind == mt::ErrorKind::kValidation);
    CHECK(dialect.error().message == "file \"vazio.csv\" is empty");
}

TEST_CASE("delimiter: consistency of field counts decides") {
    CHECK(Sniff("a,b,c\n1,2,3\n4,5,6\n").delimiter == ',');
    CHECK(Sniff("a;b;c\n1;2,5;3\n4;5,5;6\n").delimiter == ';');  // decimal comma in one column
    CHECK(Sniff("a;b\n1,5;2,5\n3,5;4,5\n").delimiter == ';');    // comma in every field but the header
    CHECK(Sniff("a|b\n\"x|y\"|2\n3|4\n").delimiter == '|');
    CHECK(Sniff("a\tb\tc\n1\t2\t3\n").delimiter == '\t');
    CHECK(Sniff("id,text\n1,\"a;b;c;d\"\n2,\"e;f;g;h\"\n").delimiter == ',');  // quotes respected
    CHECK(Sniff("name\nAna, Maria\nJoão\nPedro\n").delimiter == ',');          // single column: default
    CHECK(Sniff("just one line without delimiters").delimiter == ',');
}

TEST_CASE("delimiter: a .tsv name prefers tab when tab splits rows at all") {
    CHECK(Sniff("a,b\tc,d\n1,2\t3,4\n", "data.tsv").delimiter == '\t');
    CHECK(Sniff("a,b\tc,d\n1,2\t3,4\n", "data.csv").delimiter == ',');  // same tie; ',' splits more
    CHECK(Sniff("single\ncolumn\n", "data.TSV").delimiter == '\t');
}

TEST_CASE("delimiter: only the first chunk of a large file is sniffed, cut row ignored") {
    std::string bytes = "a;b;c\n";
    while (bytes.size() < 3'000'000) bytes += "1;\"x,y\";3\n";
    CHECK(Sniff(bytes).delimiter == ';');
}

TEST_CASE("delimiter: a first row longer than the sample still decides") {
    std::string bytes;
    for (int i = 0; i < 200'000; ++i) bytes += "col" + std::to_string(i) + ";";
    bytes += "last\n1;2\n";
    CHECK(Sniff(bytes).delimiter == ';');
}

TEST_CASE("binary content read as CSV fails on its NUL bytes instead of producing garbage rows") {
    const std::string png("\x89PNG\r\n\x1A\n\x00\x00\x00\x0DIHDR\x00\x00\x01\x00", 20);
    const ReadOutcome out = SniffAndRead(png, "foto.csv");
    REQUIRE_FALSE(out.ok);
    CHECK_THAT(out.error, Catch::Contains("\"foto.csv\", line 3") && Catch::Contains("NUL"));
}

TEST_CASE("Excel's sep= first line names the delimiter and is not data") {
    const std::string bytes = "sep=;\r\nNome;Valor\r\nAna;1,50\r\n";
    const CsvDialect dialect = Sniff(bytes);
    CHECK(dialect.delimiter == ';');
    CHECK(dialect.sep_line);
    const ReadOutcome out = SniffAndRead(bytes);
    REQUIRE(out.ok);
    CHECK(out.rows == Rows{{"Nome", "Valor"}, {"Ana", "1,50"}});
    CHECK(out.lines == std::vector<std::int64_t>{2, 3});
    CHECK(Sniff("SEP=|\na|b\n1|2\n").delimiter == '|');
    // Not the hint: more after the character, or a data cell that merely starts so.
    CHECK_FALSE(Sniff("sep=;x\na,b\n").sep_line);
    CHECK_FALSE(Sniff("sep=a,b\n1,2\n").sep_line);
}
