#include "child_process.hpp"

#include <fcntl.h>
#include <signal.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

#include <array>
#include <cerrno>
#include <cstring>

namespace mt::ingest::detail {
namespace {

struct ChildLimit {
    int resource;
    rlimit value;
};

#if defined(__SANITIZE_ADDRESS__)
constexpr rlim_t kAddressSpace = RLIM_INFINITY;  // ASan reserves terabytes of shadow memory at start
#else
constexpr rlim_t kAddressSpace = rlim_t{1} << 30;
#endif
constexpr rlim_t kCpuSeconds = 120;
constexpr rlim_t kCpuKillAfter = 5;  // SIGXCPU at the soft limit; the kernel sends SIGKILL at the hard one
constexpr rlim_t kOpenFiles = 64;

/// The limits, computed before fork (getrlimit): never above the parent's hard limits, which an unprivileged
/// process cannot raise — asking would make setrlimit fail and the child with it.
std::array<ChildLimit, 5> ChildLimits() {
    std::array<ChildLimit, 5> limits = {{
        {RLIMIT_AS, {kAddressSpace, kAddressSpace}},
        {RLIMIT_CPU, {kCpuSeconds, kCpuSeconds + kCpuKillAfter}},
        {RLIMIT_FSIZE, {0, 0}},
        {RLIMIT_NOFILE, {kOpenFiles, kOpenFiles}},
        {RLIMIT_CORE, {0, 0}},
    }};
    for (ChildLimit& limit : limits) {
        rlimit current{};
        if (getrlimit(limit.resource, &current) != 0 || current.rlim_max == RLIM_INFINITY) continue;
        if (limit.value.rlim_max == RLIM_INFINITY || limit.value.rlim_max > current.rlim_max) {
            limit.value.rlim_max = current.rlim_max;
        }
        if (limit.value.rlim_cur == RLIM_INFINITY || limit.value.rlim_cur > limit.value.rlim_max) {
            limit.value.rlim_cur = limit.value.rlim_max;
        }
    }
    return limits;
}

/// In the child after a failure: tells the parent why through the status pipe, then exits.
[[noreturn]] void ReportAndExit(int status_fd) {
    const int error = errno;
    [[maybe_unused]] const ssize_t n = ::write(status_fd, &error, sizeof error);
    ::_exit(127);
}

/// The child between fork and exec. The parent may have other threads, whose locks (malloc's among them) were
/// copied in whatever state they were: only async-signal-safe calls here, on data prepared before the fork.
[[noreturn]] void ExecChild(char* const argv[], int stdout_fd, int status_fd, const std::array<ChildLimit, 5>& limits) {
    if (stdout_fd == STDOUT_FILENO) {
        if (::fcntl(stdout_fd, F_SETFD, 0) != 0) ReportAndExit(status_fd);  // dup2 onto itself keeps O_CLOEXEC
    } else if (::dup2(stdout_fd, STDOUT_FILENO) < 0) {
        ReportAndExit(status_fd);
    }
    // Every other descriptor of the worker (sockets, database connections, uploads) closes at exec; best
    // effort on kernels without CLOSE_RANGE_CLOEXEC (5.11+), where descriptors opened O_CLOEXEC still close.
    ::close_range(3, ~0U, CLOSE_RANGE_CLOEXEC);
    sigset_t none;
    ::sigemptyset(&none);
    ::sigprocmask(SIG_SETMASK, &none, nullptr);  // the worker may block signals it waits for in a thread
    struct sigaction action {};
    action.sa_handler = SIG_DFL;
    ::sigaction(SIGXCPU, &action, nullptr);
    ::sigaction(SIGPIPE, &action, nullptr);
    // RLIMIT_FSIZE 0 sends SIGXFSZ on a write to a file — stderr may be a log file: fail the write instead.
    action.sa_handler = SIG_IGN;
    ::sigaction(SIGXFSZ, &action, nullptr);
    for (const ChildLimit& limit : limits) {
        if (::setrlimit(limit.resource, &limit.value) != 0) ReportAndExit(status_fd);
    }
    char* const empty_environment[] = {nullptr};
    ::execve(argv[0], argv, empty_environment);
    ReportAndExit(status_fd);
}

}  // namespace

Result<pid_t> SpawnLimitedChild(const std::vector<std::string>& argv, int stdout_fd) {
    std::vector<std::string> args = argv;  // execve wants char*; copies keep the caller's strings const
    std::vector<char*> pointers;
    for (std::string& arg : args) pointers.push_back(arg.data());
    pointers.push_back(nullptr);
    const std::array<ChildLimit, 5> limits = ChildLimits();

    int status_pipe[2];
    if (::pipe2(status_pipe, O_CLOEXEC) != 0) {
        return Internal(std::string("cannot start the .xls reader process: pipe: ") + std::strerror(errno));
    }
    const pid_t pid = ::fork();
    if (pid == 0) ExecChild(pointers.data(), stdout_fd, status_pipe[1], limits);
    const int fork_errno = errno;
    ::close(status_pipe[1]);
    if (pid < 0) {
        ::close(status_pipe[0]);
        return Internal(std::string("cannot start the .xls reader process: fork: ") + std::strerror(fork_errno));
    }
    // exec closes the write end (O_CLOEXEC): end of file means the program is running.
    int child_errno = 0;
    ssize_t n = 0;
    do {
        n = ::read(status_pipe[0], &child_errno, sizeof child_errno);
    } while (n < 0 && errno == EINTR);
    ::close(status_pipe[0]);
    if (n == static_cast<ssize_t>(sizeof child_errno)) {
        KillAndReap(pid);
        return Internal("cannot start the .xls reader process " + argv.at(0) + ": " + std::strerror(child_errno));
    }
    return pid;
}

int KillAndReap(pid_t pid) {
    ::kill(pid, SIGKILL);
    int status = 0;
    while (::waitpid(pid, &status, 0) < 0 && errno == EINTR) {
    }
    return status;
}

}  // namespace mt::ingest::detail
