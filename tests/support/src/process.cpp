#include "mt/testing/process.hpp"

#include <fcntl.h>
#include <signal.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <deque>
#include <fstream>
#include <sstream>
#include <stdexcept>
#include <thread>

extern char** environ;

namespace mt::testing {
namespace {

/// The environment of the child: ours, with `extra` added or replacing. The superuser URL of the test server
/// (MT_TEST_PG_URL, and MT_PG_ADMIN_URL of the scripts) is left out: a service gets exactly the credentials its
/// deployment would.
std::vector<std::string> ChildEnvironment(const std::map<std::string, std::string>& extra) {
    std::map<std::string, std::string> merged;
    for (char** e = environ; e && *e; ++e) {
        std::string_view entry(*e);
        if (entry.rfind("MT_TEST_PG_URL=", 0) == 0 || entry.rfind("MT_PG_ADMIN_URL=", 0) == 0) continue;
        auto eq = entry.find('=');
        if (eq != std::string_view::npos) merged[std::string(entry.substr(0, eq))] = std::string(entry.substr(eq + 1));
    }
    for (const auto& [k, v] : extra) merged[k] = v;
    std::vector<std::string> out;
    for (const auto& [k, v] : merged) out.push_back(k + "=" + v);
    return out;
}

std::vector<char*> Pointers(std::vector<std::string>& strings) {
    std::vector<char*> out;
    for (auto& s : strings) out.push_back(s.data());
    out.push_back(nullptr);
    return out;
}

int DecodeStatus(int status) {
    if (WIFEXITED(status)) return WEXITSTATUS(status);
    if (WIFSIGNALED(status)) return 128 + WTERMSIG(status);
    return -1;
}

}  // namespace

Process::Process(ProcessSpec spec) : spec_(std::move(spec)) {
    // Everything the child needs is prepared before fork: between fork and exec only async-signal-safe calls
    // are allowed (the test process has other threads, e.g. HTTP clients).
    std::vector<std::string> argv_strings{spec_.binary.string()};
    argv_strings.insert(argv_strings.end(), spec_.args.begin(), spec_.args.end());
    std::vector<std::string> env_strings = ChildEnvironment(spec_.env);
    std::vector<char*> argv = Pointers(argv_strings);
    std::vector<char*> envp = Pointers(env_strings);

    int log_fd = ::open(spec_.log_path.c_str(), O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0644);
    if (log_fd < 0) throw std::runtime_error("cannot open " + spec_.log_path.string() + ": " + std::strerror(errno));
    int report[2];  // exec failure → errno written here; a successful exec closes it (O_CLOEXEC)
    if (::pipe2(report, O_CLOEXEC) != 0) {
        ::close(log_fd);
        throw std::runtime_error(std::string("pipe2: ") + std::strerror(errno));
    }
    pid_t parent = ::getpid();
    pid_t pid = ::fork();
    if (pid == 0) {
        ::prctl(PR_SET_PDEATHSIG, SIGKILL);
        if (::getppid() != parent) ::_exit(127);  // the parent died before prctl took effect
        sigset_t none;
        sigemptyset(&none);
        ::sigprocmask(SIG_SETMASK, &none, nullptr);  // do not inherit the test thread's blocked signals
        ::dup2(log_fd, STDOUT_FILENO);
        ::dup2(log_fd, STDERR_FILENO);
        int devnull = ::open("/dev/null", O_RDONLY);
        if (devnull >= 0) ::dup2(devnull, STDIN_FILENO);
        // Sockets the test process opened without O_CLOEXEC (client connections) must not live on in the child;
        // the report pipe stays open until exec closes it.
        ::close_range(3, static_cast<unsigned>(report[1]) - 1, 0);
        ::close_range(static_cast<unsigned>(report[1]) + 1, ~0u, 0);
        ::execve(argv[0], argv.data(), envp.data());
        int err = errno;
        (void)!::write(report[1], &err, sizeof err);
        ::_exit(127);
    }
    int fork_errno = errno;
    ::close(log_fd);
    ::close(report[1]);
    if (pid < 0) {
        ::close(report[0]);
        throw std::runtime_error(std::string("fork: ") + std::strerror(fork_errno));
    }
    pid_ = pid;
    int exec_errno = 0;
    ssize_t n;
    do {
        n = ::read(report[0], &exec_errno, sizeof exec_errno);
    } while (n < 0 && errno == EINTR);
    ::close(report[0]);
    if (n == static_cast<ssize_t>(sizeof exec_errno)) {
        Reap(true);
        throw std::runtime_error("cannot start " + spec_.binary.string() + ": " + std::strerror(exec_errno));
    }
}

Process::~Process() {
    if (pid_ > 0 && !exit_status_) {
        ::kill(pid_, SIGKILL);
        Reap(true);
    }
}

bool Process::Reap(bool block) {
    if (exit_status_) return true;
    int status = 0;
    pid_t r;
    do {
        r = ::waitpid(pid_, &status, block ? 0 : WNOHANG);
    } while (r < 0 && errno == EINTR);
    if (r == pid_) {
        exit_status_ = DecodeStatus(status);
        return true;
    }
    if (r < 0) exit_status_ = -1;  // not our child any more (ECHILD): treat as gone
    return exit_status_.has_value();
}

bool Process::Running() { return !Reap(false); }

bool Process::Kill(int signal) {
    if (!Running()) return false;
    return ::kill(pid_, signal) == 0;
}

std::optional<int> Process::Wait(std::chrono::milliseconds timeout) {
    auto deadline = std::chrono::steady_clock::now() + timeout;
    auto pause = std::chrono::milliseconds(1);
    while (Running()) {
        if (std::chrono::steady_clock::now() >= deadline) return std::nullopt;
        std::this_thread::sleep_for(pause);
        pause = std::min(pause * 2, std::chrono::milliseconds(20));
    }
    return exit_status_;
}

int Process::Stop(std::chrono::milliseconds grace) {
    if (Kill(SIGTERM)) {
        if (auto status = Wait(grace)) return *status;
        Kill(SIGKILL);
    }
    Reap(true);
    return exit_status_.value_or(-1);
}

std::string Process::Log() const {
    std::ifstream in(spec_.log_path, std::ios::binary);
    std::ostringstream out;
    out << in.rdbuf();
    return out.str();
}

std::string Process::LogTail(std::size_t max_lines) const {
    std::ifstream in(spec_.log_path, std::ios::binary);
    std::deque<std::string> lines;
    std::string line;
    while (std::getline(in, line)) {
        lines.push_back(std::move(line));
        if (lines.size() > max_lines) lines.pop_front();
    }
    std::string out;
    for (const auto& l : lines) out += l + "\n";
    return out;
}

}  // namespace mt::testing
