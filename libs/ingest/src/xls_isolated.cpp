// Framing between the child and the parent, all little-endian host order (same machine):
//   row:   int64 line, uint32 cell_count, then per cell uint32 length + bytes
//   end:   int64 -1
//   error: int64 -2, uint32 length + message
#include "mt/ingest/xls_isolated.hpp"

#include <fcntl.h>
#include <signal.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstdio>
#include <cstring>

#include "mt/ingest/xls.hpp"

extern char** environ;

namespace mt::ingest {
namespace {

constexpr std::int64_t kEnd = -1;
constexpr std::int64_t kError = -2;

bool WriteAll(FILE* out, const void* data, std::size_t n) { return std::fwrite(data, 1, n, out) == n; }

bool WriteString(FILE* out, std::string_view s) {
    auto len = static_cast<std::uint32_t>(s.size());
    return WriteAll(out, &len, sizeof len) && WriteAll(out, s.data(), s.size());
}

/// Reads framed rows from the child's stdout; reaps the child when done.
class PipeReader : public RowReader {
public:
    PipeReader(pid_t child, int fd, std::string display_name, ReaderLimits limits)
        : child_(child), in_(fdopen(fd, "rb")), display_name_(std::move(display_name)), limits_(limits) {}
    ~PipeReader() override {
        if (in_) std::fclose(in_);
        if (child_ > 0) {
            kill(child_, SIGKILL);  // abandoned early: the child may still be writing
            waitpid(child_, nullptr, 0);
        }
    }

    Result<bool> Next(std::vector<std::string>& cells) override {
        if (done_) return false;  // like every reader: after the end, the end again
        std::int64_t line = 0;
        if (!Read(&line, sizeof line)) return ChildFailed();
        if (line == kEnd) return Finish();
        if (line == kError) {
            std::string message;
            if (!ReadString(message)) return ChildFailed();
            Finish();
            return Validation(message);
        }
        std::uint32_t count = 0;
        if (!Read(&count, sizeof count) || count > limits_.max_columns) return ChildFailed();
        cells.resize(count);
        for (auto& c : cells) {
            if (!ReadString(c)) return ChildFailed();
        }
        line_ = line;
        return true;
    }
    [[nodiscard]] std::int64_t line() const override { return line_; }
    [[nodiscard]] std::uint64_t bytes_read() const override { return bytes_; }

private:
    bool Read(void* dst, std::size_t n) {
        bool ok = in_ && std::fread(dst, 1, n, in_) == n;
        bytes_ += ok ? n : 0;
        return ok;
    }
    bool ReadString(std::string& s) {
        std::uint32_t len = 0;
        if (!Read(&len, sizeof len) || len > limits_.max_cell_bytes * 4 + 1024) return false;
        s.resize(len);
        return len == 0 || Read(s.data(), len);
    }
    Result<bool> Finish() {
        done_ = true;
        int status = 0;
        if (child_ > 0) waitpid(child_, &status, 0);
        child_ = -1;
        return false;
    }
    Error ChildFailed() {
        int status = 0;
        if (child_ > 0) waitpid(child_, &status, 0);
        child_ = -1;
        return Validation("file \"" + display_name_ + "\" could not be read: the workbook is corrupt or unsupported");
    }

    pid_t child_;
    FILE* in_;
    std::string display_name_;
    ReaderLimits limits_;
    std::int64_t line_ = 0;
    std::uint64_t bytes_ = 0;
    bool done_ = false;
};

}  // namespace

Result<std::unique_ptr<RowReader>> OpenXlsIsolated(const std::string& path, std::string display_name,
                                                   ReaderLimits limits, std::string program) {
    int fds[2];
    if (pipe2(fds, O_CLOEXEC) != 0) return Internal("pipe failed");
    posix_spawn_file_actions_t actions;
    posix_spawn_file_actions_init(&actions);
    posix_spawn_file_actions_adddup2(&actions, fds[1], STDOUT_FILENO);  // dup2 clears O_CLOEXEC on the copy
    std::string flag = kXlsRowsFlag;
    char* argv[] = {program.data(), flag.data(), const_cast<char*>(path.c_str()), display_name.data(), nullptr};
    pid_t child = -1;
    int rc = posix_spawn(&child, program.c_str(), &actions, nullptr, argv, environ);
    posix_spawn_file_actions_destroy(&actions);
    close(fds[1]);
    if (rc != 0) {
        close(fds[0]);
        return Internal("cannot start the .xls reader process: " + std::string(std::strerror(rc)));
    }
    return std::unique_ptr<RowReader>(std::make_unique<PipeReader>(child, fds[0], std::move(display_name), limits));
}

int RunXlsRowsChild(int argc, char** argv) {
    if (argc < 4) return 2;
    FILE* out = stdout;
    auto reader = OpenXls(argv[2], argv[3]);
    auto fail = [out](const std::string& message) {
        std::int64_t tag = kError;
        WriteAll(out, &tag, sizeof tag);
        WriteString(out, message);
        std::fflush(out);
        return 3;
    };
    if (!reader) return fail(reader.error().message);
    std::vector<std::string> cells;
    while (true) {
        auto more = (*reader)->Next(cells);
        if (!more) return fail(more.error().message);
        if (!*more) break;
        std::int64_t line = (*reader)->line();
        auto count = static_cast<std::uint32_t>(cells.size());
        if (!WriteAll(out, &line, sizeof line) || !WriteAll(out, &count, sizeof count)) return 4;
        for (const auto& c : cells)
            if (!WriteString(out, c)) return 4;
    }
    std::int64_t end = kEnd;
    WriteAll(out, &end, sizeof end);
    return std::fflush(out) == 0 ? 0 : 4;
}

}  // namespace mt::ingest
