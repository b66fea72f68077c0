// .xls read in a child process: the same rows as in-process, and a crashing child is an error, not a crash.
#include <catch2/catch.hpp>

#include <fstream>

#include "mt/ingest/xls.hpp"
#include "mt/ingest/xls_isolated.hpp"

namespace {

std::vector<std::vector<std::string>> ReadAll(mt::ingest::RowReader& reader) {
    std::vector<std::vector<std::string>> rows;
    std::vector<std::string> cells;
    while (true) {
        auto more = reader.Next(cells);
        REQUIRE(more.ok());
        if (!*more) break;
        rows.push_back(cells);
    }
    return rows;
}

}  // namespace

TEST_CASE("an .xls read in a child process gives the rows of the in-process reader", "[xls]") {
    std::string path = std::string(MT_INGEST_TEST_DATA) + "/excel/typed.xls";
    auto direct = mt::ingest::OpenXls(path, "typed.xls");
    REQUIRE(direct.ok());
    auto isolated = mt::ingest::OpenXlsIsolated(path, "typed.xls", {}, MT_XLS_ROWS_TOOL);
    REQUIRE(isolated.ok());
    auto expected = ReadAll(**direct);
    auto actual = ReadAll(**isolated);
    std::vector<std::string> cells;
    auto again = (*isolated)->Next(cells);  // past the end: still the end, not an error
    REQUIRE(again.ok());
    CHECK_FALSE(*again);
    CHECK(!expected.empty());
    CHECK(actual == expected);
}

TEST_CASE("a reader error in the child comes back as the same error", "[xls]") {
    std::string path = "/tmp/mt_xls_isolated_not_xls.xls";
    std::ofstream(path) << "a,b\n1,2\n";
    auto isolated = mt::ingest::OpenXlsIsolated(path, "fake.xls", {}, MT_XLS_ROWS_TOOL);
    REQUIRE(isolated.ok());
    std::vector<std::string> cells;
    auto next = (*isolated)->Next(cells);
    REQUIRE_FALSE(next.ok());
    CHECK(next.error().message.find("fake.xls") != std::string::npos);
}

TEST_CASE("a child that dies is a clear error for that file", "[xls]") {
    // /bin/false exits at once without writing a frame: what the parent sees when FreeXL crashes the child.
    auto isolated = mt::ingest::OpenXlsIsolated("/dev/null", "crash.xls", {}, "/bin/false");
    REQUIRE(isolated.ok());
    std::vector<std::string> cells;
    auto next = (*isolated)->Next(cells);
    REQUIRE_FALSE(next.ok());
    CHECK(next.error().message == "file \"crash.xls\" could not be read: the workbook is corrupt or unsupported");
}
