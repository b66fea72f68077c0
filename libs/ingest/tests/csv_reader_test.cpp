// CSV reader: quoting, line ends, limits and errors, on files generated here (exact bytes matter).
#include <catch2/catch.hpp>

#include "csv_test_util.hpp"
#include "mt/ingest/csv.hpp"

using mt::ingest::CsvDialect;
using mt::ingest::ReaderLimits;
using namespace mt::ingest::testing;

namespace {

ReadOutcome Read(const std::string& bytes, char delimiter = ',', ReaderLimits limits = {}) {
    TempFile file(bytes);
    CsvDialect dialect;
    dialect.delimiter = delimiter;
    return ReadAll(file.path(), dialect, "data.csv", limits);
}

}  // namespace

TEST_CASE("RFC 4180 quoting: doubled quotes, delimiters and newlines inside quotes") {
    const ReadOutcome out = Read("id,text\n1,\"say \"\"hi\"\", ok\"\n2,\"two\nlines\"\n3,\"a,b\"\n");
    REQUIRE(out.ok);
    CHECK(out.rows == Rows{{"id", "text"}, {"1", "say \"hi\", ok"}, {"2", "two\nlines"}, {"3", "a,b"}});
    CHECK(out.lines == std::vector<std::int64_t>{1, 2, 3, 5});
}

TEST_CASE("line ends: CRLF, LF, CR only and a last line without a line end") {
    const Rows expected{{"a", "b"}, {"1", "2"}, {"3", "4"}};
    for (const std::string eol : {"\r\n", "\n", "\r"}) {
        const ReadOutcome out = Read("a,b" + eol + "1,2" + eol + "3,4");
        REQUIRE(out.ok);
        CHECK(out.rows == expected);
        CHECK(out.lines == std::vector<std::int64_t>{1, 2, 3});
    }
}

TEST_CASE("CRLF inside a quoted field is kept and counted as one line") {
    const ReadOutcome out = Read("a,b\r\n\"x\r\ny\",2\r\nz,3\r\n");
    REQUIRE(out.ok);
    CHECK(out.rows == Rows{{"a", "b"}, {"x\r\ny", "2"}, {"z", "3"}});
    CHECK(out.lines == std::vector<std::int64_t>{1, 2, 4});
}

TEST_CASE("blank lines and rows of empty cells are skipped — line numbers stay physical") {
    const ReadOutcome out = Read("a;b\n\n1;2\r\n\r\n;\n;;;\n3;\n", ';');
    REQUIRE(out.ok);
    CHECK(out.rows == Rows{{"a", "b"}, {"1", "2"}, {"3", ""}});
    CHECK(out.lines == std::vector<std::int64_t>{1, 3, 7});
}

TEST_CASE("whitespace inside fields is preserved") {
    const ReadOutcome out = Read("  a , b\t\n\" x \",  \n");
    REQUIRE(out.ok);
    CHECK(out.rows == Rows{{"  a ", " b\t"}, {" x ", "  "}});
}

TEST_CASE("lenient: a quote inside an unquoted field is literal — text after a closing quote is kept") {
    const ReadOutcome out = Read("5\" monitor,ok\n\"a\"b,c\nx,\"\"\n");
    REQUIRE(out.ok);
    CHECK(out.rows == Rows{{"5\" monitor", "ok"}, {"ab", "c"}, {"x", ""}});
}

TEST_CASE("ragged rows keep their own width, trailing empty cells included") {
    const ReadOutcome out = Read("a,b,c\n1\n1,2,3,4\n1,2,\n");
    REQUIRE(out.ok);
    CHECK(out.rows == Rows{{"a", "b", "c"}, {"1"}, {"1", "2", "3", "4"}, {"1", "2", ""}});
}

TEST_CASE("a quote never closed is a literal character: a warning names its line and the rows after it stay rows") {
    const ReadOutcome out = Read("a,b\n1,2\n3,\"open\nstill open\n4,5\n");
    REQUIRE(out.ok);
    CHECK(out.rows == Rows{{"a", "b"}, {"1", "2"}, {"3", "\"open"}, {"still open"}, {"4", "5"}});
    CHECK(out.lines == std::vector<std::int64_t>{1, 2, 3, 4, 5});
    REQUIRE(out.warnings.size() == 1);
    CHECK(out.warnings[0].line == 3);
    CHECK_THAT(out.warnings[0].message, Catch::Contains("unbalanced"));
}

TEST_CASE("a stray quote closed by a later field's opening quote is literal — a clean multi-line close is not") {
    const ReadOutcome stray = Read("a,b,c\n1,\"x,y\n2,\"z\",w\n");
    REQUIRE(stray.ok);
    CHECK(stray.rows == Rows{{"a", "b", "c"}, {"1", "\"x", "y"}, {"2", "z", "w"}});
    CHECK(stray.lines == std::vector<std::int64_t>{1, 2, 3});
    CHECK(stray.warnings.size() == 1);

    const ReadOutcome multi = Read("a,b\n1,\"line one\nline \"\"two\"\"\"\n2,x\n");
    REQUIRE(multi.ok);
    CHECK(multi.rows == Rows{{"a", "b"}, {"1", "line one\nline \"two\""}, {"2", "x"}});
    CHECK(multi.warnings.empty());
}

TEST_CASE("a stray quote on the last line without a line end does not fail the file") {
    const ReadOutcome out = Read("a,b\n1,\"x");
    REQUIRE(out.ok);
    CHECK(out.rows == Rows{{"a", "b"}, {"1", "\"x"}});
    CHECK(out.warnings.size() == 1);
}

TEST_CASE("stray quotes replayed inside a replay: every line is still one row") {
    const ReadOutcome out = Read("a,b\n\"1,x\n\"2,y\n\"3,z\n4,w\n");
    REQUIRE(out.ok);
    CHECK(out.rows == Rows{{"a", "b"}, {"\"1", "x"}, {"\"2", "y"}, {"\"3", "z"}, {"4", "w"}});
    CHECK(out.lines == std::vector<std::int64_t>{1, 2, 3, 4, 5});
    CHECK(out.warnings.size() == 3);
}

TEST_CASE("a cell of exactly 1 MiB is read — 1 MiB + 1 byte fails naming the line") {
    const std::string mib(1 << 20, 'x');
    const ReadOutcome ok = Read("a,b\n1," + mib + "\n");
    REQUIRE(ok.ok);
    CHECK(ok.rows.at(1).at(1).size() == mib.size());

    const ReadOutcome unquoted = Read("a,b\n1,2\n1," + mib + "y\n");
    REQUIRE_FALSE(unquoted.ok);
    CHECK_THAT(unquoted.error, Catch::Contains("line 3") && Catch::Contains("larger than 1048576 bytes"));

    const ReadOutcome quoted = Read("a,b\n\"" + mib + "\"\"\",2\n");
    REQUIRE_FALSE(quoted.ok);
    CHECK_THAT(quoted.error, Catch::Contains("line 2") && Catch::Contains("larger than"));
}

TEST_CASE("a cell made only of line breaks never grows past the size limit: past it the quote reads as stray") {
    ReaderLimits limits;
    limits.max_cell_bytes = 100;
    const ReadOutcome out = Read("a\n\"" + std::string(1000, '\n') + "\"\n", ',', limits);
    REQUIRE(out.ok);
    CHECK(out.rows == Rows{{"a"}, {"\""}, {"\""}});
    CHECK(out.lines == std::vector<std::int64_t>{1, 2, 1002});
    REQUIRE(out.warnings.size() == 2);
    CHECK(out.warnings[0].line == 2);
}

TEST_CASE("10,000 columns are read — 10,001 fail naming the line") {
    std::string row(9'999, ',');
    const ReadOutcome ok = Read("x" + row + "\nx" + row + "\n");
    REQUIRE(ok.ok);
    CHECK(ok.rows.at(0).size() == 10'000);

    const ReadOutcome too_wide = Read("a\nx" + row + ",\n");
    REQUIRE_FALSE(too_wide.ok);
    CHECK_THAT(too_wide.error, Catch::Contains("line 2") && Catch::Contains("more than 10000 columns"));
}

TEST_CASE("a NUL character fails naming the line") {
    const ReadOutcome out = Read(std::string("a,b\n1,2\nx\0y,3\n", 14));
    REQUIRE_FALSE(out.ok);
    CHECK_THAT(out.error, Catch::Contains("line 3") && Catch::Contains("NUL"));
}

TEST_CASE("the caller's vector is reused: it is resized to each row's width") {
    TempFile file("a,b,c\n1,2\n3,4,5\n");
    auto reader = mt::ingest::OpenCsv(file.path(), CsvDialect{}, "data.csv");
    REQUIRE(reader);
    std::vector<std::string> cells{"stale", "stale", "stale", "stale", "stale"};
    REQUIRE(*(*reader)->Next(cells));
    CHECK(cells == std::vector<std::string>{"a", "b", "c"});
    REQUIRE(*(*reader)->Next(cells));
    CHECK(cells == std::vector<std::string>{"1", "2"});
    REQUIRE(*(*reader)->Next(cells));
    CHECK(cells == std::vector<std::string>{"3", "4", "5"});
    REQUIRE_FALSE(*(*reader)->Next(cells));
    CHECK((*reader)->bytes_read() == 16);
}

// The reader refills its 1 MiB buffer in the middle of whatever it is parsing; shift a tricky tail across
// the buffer boundary one byte at a time and check nothing changes.
TEST_CASE("rows are identical wherever the 1 MiB buffer boundary falls") {
    const std::string tail = "\"q\"\"x\",\"l1\r\nl2\",\"\"\r\n\"a,b\"c,\r\r\nend,,\"\"\"\"";
    const Rows tail_rows{{"q\"x", "l1\r\nl2", ""}, {"a,bc", ""}, {"end", "", "\""}};
    for (std::size_t shift = 0; shift < tail.size() + 2; ++shift) {
        const std::size_t pad = (1 << 20) - tail.size() + shift - 2;
        const std::string padding = "p," + std::string(pad - 3, 'x') + "\n";
        const ReadOutcome out = Read(padding + tail);
        INFO("shift " << shift << ": " << out.error);
        REQUIRE(out.ok);
        REQUIRE(out.rows.size() == 4);
        CHECK(Rows(out.rows.begin() + 1, out.rows.end()) == tail_rows);
        CHECK(out.lines == std::vector<std::int64_t>{1, 2, 4, 6});
    }
}

TEST_CASE("a row of 16 MiB is read — one more cell fails naming the line, before the row is built") {
    const std::string mib(1 << 20, 'x');
    std::string row;
    for (int i = 0; i < 16; ++i) row += (i == 0 ? "" : ",") + mib;  // 16 cells of 1 MiB: the limit exactly
    const ReadOutcome ok = Read("a\n" + row + "\n");
    REQUIRE(ok.ok);
    CHECK(ok.rows.at(1).size() == 16);

    TempFile file("a\n" + row + ",y\nb\n");
    auto reader = mt::ingest::OpenCsv(file.path(), CsvDialect{}, "data.csv");
    REQUIRE(reader);
    std::vector<std::string> cells;
    REQUIRE(*(*reader)->Next(cells));
    auto next = (*reader)->Next(cells);
    REQUIRE_FALSE(next);
    CHECK(next.error().kind == mt::ErrorKind::kValidation);
    CHECK(next.error().message == R"(file "data.csv", line 2: a row is larger than 16 MiB)");
    REQUIRE(next.error().location.has_value());
    CHECK(next.error().location->file == "data.csv");
    CHECK(next.error().location->line == 2);
}

TEST_CASE("the row limit stops a field in the middle — a limit that is no whole MiB reads in bytes") {
    ReaderLimits limits;
    limits.max_row_bytes = 10;
    const ReadOutcome ok = Read("12345,67890\n", ',', limits);
    REQUIRE(ok.ok);
    CHECK(ok.rows == Rows{{"12345", "67890"}});

    // Each cell is far below the cell limit; the second passes what is left of the row's.
    const ReadOutcome unquoted = Read("a\n12345,678901\n", ',', limits);
    CHECK(unquoted.error == R"(file "data.csv", line 2: a row is larger than 10 bytes)");
    const ReadOutcome quoted = Read("a\n\"12\n345\",\"6789\n01\"\n", ',', limits);
    CHECK(quoted.error == R"(file "data.csv", line 2: a row is larger than 10 bytes)");
    // A cell over its own limit still says so, even when the row limit is lower.
    limits.max_cell_bytes = 4;
    CHECK(Read("a\n12345\n", ',', limits).error == R"(file "data.csv", line 2: a cell is larger than 4 bytes)");
}

// Found by fuzz/fuzz_csv.cpp: a decoder that turned its last read into no text yet (an incomplete UTF-8
// sequence, one byte of a UTF-16 unit, a high surrogate) returned an empty chunk, which the reader takes for the
// end of the file, so the file's last characters were dropped. That happens when the last read after a full
// 1 MiB buffer brings only those bytes.
TEST_CASE("the last bytes of a file are read when they arrive alone after a full 1 MiB buffer") {
    constexpr std::size_t kBuffer = 1 << 20;
    SECTION("UTF-8 with a Windows-1252 byte: the lone last byte é") {
        const std::string last_row = "x,Jos";
        const std::string filler = "p," + std::string(kBuffer - last_row.size() - 3, 'f') + "\n";
        TempFile file(filler + last_row + "\xE9");  // 1 MiB + 1 byte; \xE9 also starts a 3-byte UTF-8 sequence
        CsvDialect dialect;
        dialect.encoding = mt::ingest::Encoding::kUtf8WithWindows1252;
        const ReadOutcome out = ReadAll(file.path(), dialect, "data.csv");
        REQUIRE(out.ok);
        REQUIRE(out.rows.size() == 2);
        CHECK(out.rows[1] == std::vector<std::string>{"x", "Jos\xC3\xA9"});
    }
    SECTION("UTF-16: an odd last byte, and a high surrogate as the last unit, become U+FFFD") {
        for (const std::string& tail : {std::string("\x41", 1), std::string("\x3D\xD8", 2)}) {
            std::string bytes;
            for (const char c : std::string("x,Jos")) bytes += std::string{c, '\0'};  // UTF-16LE
            const std::size_t filler_units = (kBuffer - bytes.size()) / 2 - 3;
            std::string filler;
            for (const char c : "p," + std::string(filler_units, 'f') + "\n") filler += std::string{c, '\0'};
            TempFile file(filler + bytes + tail);  // 1 MiB of whole units, then the tail alone
            CsvDialect dialect;
            dialect.encoding = mt::ingest::Encoding::kUtf16Le;
            const ReadOutcome out = ReadAll(file.path(), dialect, "data.csv");
            INFO("tail of " << tail.size() << " bytes");
            REQUIRE(out.ok);
            REQUIRE(out.rows.size() == 2);
            CHECK(out.rows[1] == std::vector<std::string>{"x", "Jos\xEF\xBF\xBD"});
        }
    }
}
