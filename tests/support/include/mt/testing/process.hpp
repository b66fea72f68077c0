#pragma once
/// A child process under test (a service binary), with its output captured in a log file.
#include <sys/types.h>

#include <chrono>
#include <filesystem>
#include <map>
#include <optional>
#include <string>
#include <vector>

namespace mt::testing {

struct ProcessSpec {
    std::string name;                        // for messages ("mt-gateway")
    std::filesystem::path binary;            // absolute path
    std::vector<std::string> args;           // argv[1..]
    std::map<std::string, std::string> env;  // added to (and overriding) the test process's environment
    std::filesystem::path log_path;          // stdout and stderr are appended here
};

/// One running child (fork + exec).
///
/// Lifecycle: the constructor starts the child or throws std::runtime_error (bad binary, exec failure); the
/// destructor SIGKILLs it if still running and reaps it, so no test leaves a process behind. The child also gets
/// SIGKILL if the *thread* that started it exits (PR_SET_PDEATHSIG), which covers a test runner killed by a
/// timeout: start processes from a long-lived thread (the main thread). Not thread-safe: one owner at a time.
class Process {
public:
    explicit Process(ProcessSpec spec);
    ~Process();
    Process(const Process&) = delete;
    Process& operator=(const Process&) = delete;

    [[nodiscard]] pid_t pid() const { return pid_; }
    [[nodiscard]] const std::string& name() const { return spec_.name; }
    [[nodiscard]] const std::filesystem::path& log_path() const { return spec_.log_path; }

    /// True until the child has exited (reaps it without blocking).
    bool Running();
    /// Sends `signal`; false when the child is already gone.
    bool Kill(int signal);
    /// Waits up to `timeout` for the child to exit; its status (exit code, or 128 + signal number), or nullopt.
    std::optional<int> Wait(std::chrono::milliseconds timeout);
    /// SIGTERM, up to `grace` for a clean exit, then SIGKILL. Returns the exit status.
    int Stop(std::chrono::milliseconds grace = std::chrono::seconds(5));
    /// Exit status once the child has exited.
    [[nodiscard]] std::optional<int> exit_status() const { return exit_status_; }

    /// The last `max_lines` lines of the log (what a failing test prints).
    [[nodiscard]] std::string LogTail(std::size_t max_lines = 40) const;
    /// The whole log so far.
    [[nodiscard]] std::string Log() const;

private:
    bool Reap(bool block);

    ProcessSpec spec_;
    pid_t pid_ = -1;
    std::optional<int> exit_status_;
};

}  // namespace mt::testing
