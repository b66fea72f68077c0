#pragma once
/// Starting and ending the sandboxed helper process of the .xls reader (private).
#include <sys/types.h>

#include <string>
#include <vector>

#include "mt/core/result.hpp"

namespace mt::ingest::detail {

/// Starts `argv[0]` (a path, not searched) with arguments `argv`, its stdout on `stdout_fd`, and:
///  - an empty environment (nothing of the worker's configuration or secrets reaches a parser of uploads);
///  - no other descriptor of the parent (all close at exec); signals unblocked and SIGXCPU, SIGPIPE at their
///    default action, SIGXFSZ ignored (a write to a file fails instead of killing it);
///  - resource limits, set after fork and before exec: RLIMIT_AS 1 GiB (unset in AddressSanitizer builds,
///    whose shadow memory needs terabytes of address space), RLIMIT_CPU 120 s (SIGXCPU; SIGKILL 5 s later),
///    RLIMIT_FSIZE 0, RLIMIT_NOFILE 64, RLIMIT_CORE 0 — never above the parent's own hard limits.
/// Returns the child's pid, which the caller must reap (KillAndReap). kInternal when the process cannot be
/// created or the program cannot be executed (the child reports a failed exec through a close-on-exec pipe).
/// Safe in a multi-threaded parent: between fork and exec the child makes async-signal-safe calls only.
Result<pid_t> SpawnLimitedChild(const std::vector<std::string>& argv, int stdout_fd);

/// Sends SIGKILL to `pid` (a no-op for a child that already exited: its status is kept until reaped) and
/// reaps it; returns its wait status.
int KillAndReap(pid_t pid);

}  // namespace mt::ingest::detail
