// Framing between the child and the parent, all little-endian host order (same machine):
//   row:   int64 line, uint32 cell_count, then per cell uint32 length + bytes
//   end:   int64 -1
//   error: int64 -2, uint32 length + message, int64 line of the error's location (0: none)
#include "mt/ingest/xls_isolated.hpp"

#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <array>
#include <cerrno>
#include <charconv>
#include <climits>
#include <cstdio>
#include <cstring>

#include "child_process.hpp"
#include "mt/ingest/xls.hpp"

namespace mt::ingest {
namespace {

using Clock = std::chrono::steady_clock;

constexpr std::int64_t kEnd = -1;
constexpr std::int64_t kError = -2;

bool WriteAll(FILE* out, const void* data, std::size_t n) { return std::fwrite(data, 1, n, out) == n; }

bool WriteString(FILE* out, std::string_view s) {
    auto len = static_cast<std::uint32_t>(s.size());
    return WriteAll(out, &len, sizeof len) && WriteAll(out, s.data(), s.size());
}

/// "300 s" for whole seconds, else "1500 ms".
std::string FormatDuration(std::chrono::milliseconds duration) {
    if (duration.count() % 1000 == 0) return std::to_string(duration.count() / 1000) + " s";
    return std::to_string(duration.count()) + " ms";
}

/// Reads framed rows from the child's stdout, waiting at most the timeout in total; owns the child until it
/// is reaped (on the end frame, an error, or destruction).
class PipeReader final : public RowReader {
public:
    PipeReader(pid_t child, int fd, std::string display_name, ReaderLimits limits, std::chrono::milliseconds timeout)
        : child_(child),
          fd_(fd),
          display_name_(std::move(display_name)),
          limits_(limits),
          timeout_(timeout),
          wait_left_(timeout) {}
    PipeReader(const PipeReader&) = delete;
    PipeReader& operator=(const PipeReader&) = delete;
    ~PipeReader() override {
        ::close(fd_);
        if (child_ > 0) detail::KillAndReap(child_);  // abandoned early: the child may still be writing
    }

    Result<bool> Next(std::vector<std::string>& cells) override {
        if (done_) return false;  // like every reader: after the end, the end again
        std::int64_t line = 0;
        MT_TRY(ReadExact(&line, sizeof line));
        if (line == kEnd) {
            Finish();
            return false;
        }
        if (line == kError) {
            std::string message;
            std::int64_t error_line = 0;
            MT_TRY(ReadString(message, limits_.max_cell_bytes * 4 + 1024));
            MT_TRY(ReadExact(&error_line, sizeof error_line));
            Finish();
            Error error = Validation(std::move(message));
            if (error_line > 0) error.location = ValueLocation{display_name_, error_line, {}, {}};
            return error;
        }
        std::uint32_t count = 0;
        MT_TRY(ReadExact(&count, sizeof count));
        if (count > limits_.max_columns) return Garbled();
        cells.resize(count);
        std::size_t row_bytes = 0;  // the child obeys the same limit; a frame over it is not from a sane child
        for (auto& cell : cells) {
            MT_TRY(ReadString(cell, std::min(limits_.max_cell_bytes * 4 + 1024, limits_.max_row_bytes - row_bytes)));
            row_bytes += cell.size();
        }
        line_ = line;
        return true;
    }
    [[nodiscard]] std::int64_t line() const override { return line_; }
    [[nodiscard]] std::uint64_t bytes_read() const override { return bytes_; }

private:
    enum class Fill { kBytes, kEnd, kTimeout };

    /// Waits for the next bytes of the pipe, charging the wait to wait_left_.
    Fill FillBuffer() {
        while (wait_left_ > Clock::duration::zero()) {
            const auto wait_ms = std::chrono::ceil<std::chrono::milliseconds>(wait_left_).count();
            pollfd pfd{fd_, POLLIN, 0};
            const Clock::time_point start = Clock::now();
            const int ready = ::poll(&pfd, 1, static_cast<int>(std::min<std::int64_t>(wait_ms, INT_MAX)));
            wait_left_ -= Clock::now() - start;
            if (ready < 0 && errno != EINTR) return Fill::kEnd;
            if (ready <= 0) continue;
            const ssize_t n = ::read(fd_, buffer_.data(), buffer_.size());
            if (n < 0 && (errno == EINTR || errno == EAGAIN)) continue;
            if (n <= 0) return Fill::kEnd;
            begin_ = 0;
            end_ = static_cast<std::size_t>(n);
            return Fill::kBytes;
        }
        return Fill::kTimeout;
    }

    Status ReadExact(void* dst, std::size_t n) {
        auto* out = static_cast<char*>(dst);
        while (n > 0) {
            if (begin_ == end_) {
                const Fill fill = FillBuffer();
                if (fill == Fill::kTimeout) return TimedOut();
                if (fill == Fill::kEnd) return ChildDied();
            }
            const std::size_t take = std::min(n, end_ - begin_);
            std::memcpy(out, buffer_.data() + begin_, take);
            begin_ += take;
            out += take;
            n -= take;
            bytes_ += take;
        }
        return Ok();
    }

    /// A length-prefixed string of at most `max_bytes` (checked before allocating).
    Status ReadString(std::string& s, std::size_t max_bytes) {
        std::uint32_t len = 0;
        MT_TRY(ReadExact(&len, sizeof len));
        if (len > max_bytes) return Garbled();
        s.resize(len);
        return len == 0 ? Ok() : ReadExact(s.data(), len);
    }

    /// Reaps the child once its frames are all read; returns its wait status.
    int Finish() {
        done_ = true;
        const int status = child_ > 0 ? detail::KillAndReap(child_) : 0;
        child_ = -1;
        return status;
    }

    Error CouldNotRead(const std::string& why) const {
        return Validation("file \"" + display_name_ + "\" could not be read: " + why);
    }

    /// The pipe ended without an end frame. At end of file the child is exiting (its descriptors close after
    /// its exit status is fixed), so the kill in Finish does not change what the status says.
    Error ChildDied() {
        const int status = Finish();
        if (WIFSIGNALED(status)) {
            const int signal = WTERMSIG(status);
            // SIGKILL: the kernel's OOM killer or the hard CPU limit; SIGXCPU: the soft CPU limit; SIGABRT:
            // std::bad_alloc under RLIMIT_AS ends in std::terminate.
            if (signal == SIGKILL || signal == SIGXCPU || signal == SIGABRT) {
                return CouldNotRead("the reader ran out of memory or time");
            }
        }
        return CouldNotRead("the workbook is corrupt or unsupported");
    }

    /// A frame no sane child writes (a memory corruption in FreeXL may garble its output).
    Error Garbled() {
        Finish();
        return CouldNotRead("the workbook is corrupt or unsupported");
    }

    Error TimedOut() {
        Finish();
        return Validation("file \"" + display_name_ + "\": reading the .xls file took longer than " +
                          FormatDuration(timeout_));
    }

    pid_t child_;
    int fd_;
    std::string display_name_;
    ReaderLimits limits_;
    std::chrono::milliseconds timeout_;
    Clock::duration wait_left_;
    std::array<char, 64 * 1024> buffer_;
    std::size_t begin_ = 0, end_ = 0;
    std::int64_t line_ = 0;
    std::uint64_t bytes_ = 0;
    bool done_ = false;
};

bool ParseSize(const char* text, std::size_t& out) {
    const char* end = text + std::strlen(text);
    const auto [ptr, ec] = std::from_chars(text, end, out);
    return ec == std::errc() && ptr == end;
}

}  // namespace

Result<std::unique_ptr<RowReader>> OpenXlsIsolated(const std::string& path, std::string display_name,
                                                   ReaderLimits limits, XlsChildOptions options) {
    int fds[2];
    if (::pipe2(fds, O_CLOEXEC) != 0) return Internal("cannot start the .xls reader process: pipe failed");
    const std::vector<std::string> argv = {options.program,
                                           kXlsRowsFlag,
                                           path,
                                           display_name,
                                           std::to_string(limits.max_cell_bytes),
                                           std::to_string(limits.max_columns),
                                           std::to_string(limits.max_row_bytes)};
    Result<pid_t> child = detail::SpawnLimitedChild(argv, fds[1]);
    ::close(fds[1]);
    if (!child) {
        ::close(fds[0]);
        return std::move(child).error();
    }
    return std::unique_ptr<RowReader>(
        std::make_unique<PipeReader>(*child, fds[0], std::move(display_name), limits, options.timeout));
}

int RunXlsRowsChild(int argc, char** argv) {
    if (argc < 4) return 2;
    ReaderLimits limits;
    if (argc >= 7 && !(ParseSize(argv[4], limits.max_cell_bytes) && ParseSize(argv[5], limits.max_columns) &&
                       ParseSize(argv[6], limits.max_row_bytes))) {
        return 2;
    }
    FILE* out = stdout;
    auto reader = OpenXls(argv[2], argv[3], limits);
    auto fail = [out](const Error& error) {
        std::int64_t tag = kError;
        const std::int64_t line = error.location ? error.location->line : 0;
        WriteAll(out, &tag, sizeof tag);
        WriteString(out, error.message);
        WriteAll(out, &line, sizeof line);
        std::fflush(out);
        return 3;
    };
    if (!reader) return fail(reader.error());
    std::vector<std::string> cells;
    while (true) {
        auto more = (*reader)->Next(cells);
        if (!more) return fail(more.error());
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
