// mt_xls_child_probe --xls-rows MODE NAME …: a stand-in for the .xls child, for xls_isolated_test. It answers
// in the child's framing (row: int64 line, uint32 count, uint32 length + bytes per cell; end: int64 -1) with
// what it sees of the process OpenXlsIsolated started, or misbehaves on purpose:
//   env     one row: the number of environment variables, then each "NAME=value"
//   limits  one row: soft RLIMIT_AS, RLIMIT_CPU, RLIMIT_FSIZE, RLIMIT_NOFILE, RLIMIT_CORE ("unlimited" or a
//           number), then how many descriptors above 2 are open
//   hog     allocates 2 GiB (over RLIMIT_AS: std::bad_alloc, std::terminate, SIGABRT); a row if it got it
//   sleep   writes nothing and sleeps for an hour
#include <fcntl.h>
#include <sys/resource.h>
#include <unistd.h>

#include <cstdint>
#include <cstdio>
#include <cstring>
#include <memory>
#include <string>
#include <vector>

extern char** environ;

namespace {

void Write(const void* data, std::size_t n) { std::fwrite(data, 1, n, stdout); }

void WriteRowAndEnd(const std::vector<std::string>& cells) {
    const std::int64_t line = 1;
    const auto count = static_cast<std::uint32_t>(cells.size());
    Write(&line, sizeof line);
    Write(&count, sizeof count);
    for (const std::string& cell : cells) {
        const auto length = static_cast<std::uint32_t>(cell.size());
        Write(&length, sizeof length);
        Write(cell.data(), cell.size());
    }
    const std::int64_t end = -1;
    Write(&end, sizeof end);
    std::fflush(stdout);
}

std::string Soft(int resource) {
    rlimit limit{};
    if (getrlimit(resource, &limit) != 0) return "error";
    return limit.rlim_cur == RLIM_INFINITY ? "unlimited" : std::to_string(limit.rlim_cur);
}

}  // namespace

int main(int argc, char** argv) {
    if (argc < 4 || std::strcmp(argv[1], "--xls-rows") != 0) return 2;
    const std::string mode = argv[2];
    if (mode == "env") {
        std::vector<std::string> cells = {"0"};
        for (char** entry = environ; *entry != nullptr; ++entry) cells.emplace_back(*entry);
        cells[0] = std::to_string(cells.size() - 1);
        WriteRowAndEnd(cells);
    } else if (mode == "limits") {
        int open_fds = 0;
        for (int fd = 3; fd < 1024; ++fd) open_fds += fcntl(fd, F_GETFD) != -1 ? 1 : 0;
        WriteRowAndEnd({Soft(RLIMIT_AS), Soft(RLIMIT_CPU), Soft(RLIMIT_FSIZE), Soft(RLIMIT_NOFILE), Soft(RLIMIT_CORE),
                        std::to_string(open_fds)});
    } else if (mode == "hog") {
        const std::size_t size = std::size_t{2} << 30;
        std::unique_ptr<char[]> block(new char[size]);
        block[size - 1] = 1;
        WriteRowAndEnd({"allocated", std::to_string(block[size - 1])});  // used: the allocation is not elided
    } else if (mode == "sleep") {
        sleep(3600);
    } else {
        return 2;
    }
    return 0;
}
