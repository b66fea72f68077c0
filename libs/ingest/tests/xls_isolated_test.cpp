// .xls read in a child process: the same rows as in-process, a crashing, starving or hanging child is an error
// for that file, not a crash or a hang, and the child sees nothing of the parent (environment, descriptors).
#include <fcntl.h>
#include <sys/wait.h>
#include <unistd.h>

#include <catch2/catch.hpp>
#include <cerrno>
#include <chrono>
#include <cstdlib>
#include <fstream>

#include "mt/ingest/xls.hpp"
#include "mt/ingest/xls_isolated.hpp"

namespace {

mt::ingest::XlsChildOptions Tool() { return {.program = MT_XLS_ROWS_TOOL}; }

/// The first row of the child probe (tests/xls_child_probe.cpp) run in `mode`, through OpenXlsIsolated.
std::vector<std::string> ProbeRow(const std::string& mode) {
    auto isolated = mt::ingest::OpenXlsIsolated(mode, mode + ".xls", {}, {.program = MT_XLS_CHILD_PROBE});
    REQUIRE(isolated.ok());
    std::vector<std::string> cells;
    auto more = (*isolated)->Next(cells);
    REQUIRE(more.ok());
    REQUIRE(*more);
    return cells;
}

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
    auto isolated = mt::ingest::OpenXlsIsolated(path, "typed.xls", {}, Tool());
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
    auto isolated = mt::ingest::OpenXlsIsolated(path, "fake.xls", {}, Tool());
    REQUIRE(isolated.ok());
    std::vector<std::string> cells;
    auto next = (*isolated)->Next(cells);
    REQUIRE_FALSE(next.ok());
    CHECK(next.error().message.find("fake.xls") != std::string::npos);
}

TEST_CASE("a child that dies is a clear error for that file", "[xls]") {
    // /bin/false exits at once without writing a frame: what the parent sees when FreeXL crashes the child.
    auto isolated = mt::ingest::OpenXlsIsolated("/dev/null", "crash.xls", {}, {.program = "/bin/false"});
    REQUIRE(isolated.ok());
    std::vector<std::string> cells;
    auto next = (*isolated)->Next(cells);
    REQUIRE_FALSE(next.ok());
    CHECK(next.error().message == "file \"crash.xls\" could not be read: the workbook is corrupt or unsupported");
}

TEST_CASE("the child starts with an empty environment", "[xls]") {
    REQUIRE(::setenv("MT_XLS_PROBE_SECRET", "database-password", 1) == 0);
    const std::vector<std::string> row = ProbeRow("env");
    ::unsetenv("MT_XLS_PROBE_SECRET");
    CHECK(row == std::vector<std::string>{"0"});  // the count, and no "NAME=value" after it
}

TEST_CASE("the child runs under resource limits and without the parent's descriptors", "[xls]") {
    // A descriptor the parent opened without O_CLOEXEC would survive a plain exec.
    const int leaked = ::open("/dev/null", O_RDONLY);
    REQUIRE(leaked >= 0);
    const std::vector<std::string> row = ProbeRow("limits");
    ::close(leaked);
#if defined(__SANITIZE_ADDRESS__)
    const std::string address_space = "unlimited";
#else
    const std::string address_space = std::to_string(1u << 30);
#endif
    // RLIMIT_AS, RLIMIT_CPU, RLIMIT_FSIZE, RLIMIT_NOFILE, RLIMIT_CORE, descriptors open above stderr.
    CHECK(row == std::vector<std::string>{address_space, "120", "0", "64", "0", "0"});
}

#if !defined(__SANITIZE_ADDRESS__)  // ASan builds leave the address space unlimited
TEST_CASE("a child that runs out of memory is a clear error, not a crash", "[xls][errors]") {
    // 2 GiB under RLIMIT_AS 1 GiB: std::bad_alloc, std::terminate, SIGABRT.
    auto isolated = mt::ingest::OpenXlsIsolated("hog", "hog.xls", {}, {.program = MT_XLS_CHILD_PROBE});
    REQUIRE(isolated.ok());
    std::vector<std::string> cells;
    auto next = (*isolated)->Next(cells);
    REQUIRE_FALSE(next.ok());
    CHECK(next.error().kind == mt::ErrorKind::kValidation);
    CHECK(next.error().message == "file \"hog.xls\" could not be read: the reader ran out of memory or time");
}
#endif

TEST_CASE("a child that sends nothing is killed and reaped at the timeout", "[xls][errors]") {
    mt::ingest::XlsChildOptions options{.program = MT_XLS_CHILD_PROBE, .timeout = std::chrono::seconds(1)};
    auto isolated = mt::ingest::OpenXlsIsolated("sleep", "slow.xls", {}, options);
    REQUIRE(isolated.ok());
    const auto start = std::chrono::steady_clock::now();
    std::vector<std::string> cells;
    auto next = (*isolated)->Next(cells);
    const auto elapsed = std::chrono::steady_clock::now() - start;
    REQUIRE_FALSE(next.ok());
    CHECK(next.error().kind == mt::ErrorKind::kValidation);
    CHECK(next.error().message == "file \"slow.xls\": reading the .xls file took longer than 1 s");
    CHECK(elapsed >= std::chrono::seconds(1));
    CHECK(elapsed < std::chrono::seconds(2));
    errno = 0;
    CHECK(::waitpid(-1, nullptr, WNOHANG) == -1);  // no child left, not even a zombie
    CHECK(errno == ECHILD);
    auto again = (*isolated)->Next(cells);  // after the failure, the end
    REQUIRE(again.ok());
    CHECK_FALSE(*again);
}

TEST_CASE("a program that cannot be executed fails at open", "[xls][errors]") {
    auto isolated = mt::ingest::OpenXlsIsolated("/dev/null", "x.xls", {}, {.program = "/nonexistent/mt-xls-rows"});
    REQUIRE_FALSE(isolated.ok());
    CHECK(isolated.error().kind == mt::ErrorKind::kInternal);
    CHECK(isolated.error().message ==
          "cannot start the .xls reader process /nonexistent/mt-xls-rows: No such file or directory");
}

TEST_CASE("the child obeys the parent's limits: a row over max_row_bytes fails at its line", "[xls][errors]") {
    mt::ingest::ReaderLimits limits;
    limits.max_row_bytes = 32;  // the header row of typed.xls holds 52 bytes
    auto isolated =
        mt::ingest::OpenXlsIsolated(std::string(MT_INGEST_TEST_DATA) + "/excel/typed.xls", "typed.xls", limits, Tool());
    REQUIRE(isolated.ok());
    std::vector<std::string> cells;
    auto next = (*isolated)->Next(cells);
    REQUIRE_FALSE(next.ok());
    CHECK(next.error().kind == mt::ErrorKind::kValidation);
    CHECK(next.error().message == "file \"typed.xls\", line 1: a row is larger than 32 bytes");
    REQUIRE(next.error().location.has_value());
    CHECK(next.error().location->file == "typed.xls");
    CHECK(next.error().location->line == 1);
}
