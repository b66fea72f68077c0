#include "mt/worker/scratch.hpp"

#include <sys/types.h>
#include <unistd.h>

#include <cerrno>
#include <csignal>
#include <filesystem>

#include "mt/core/ids.hpp"

namespace mt::worker {
namespace {

/// The pid in "<prefix>-<pid>-<random>", or 0.
pid_t PidOf(const std::string& name) {
    const auto last = name.rfind('-');
    if (last == std::string::npos || last == 0) return 0;
    const auto before = name.rfind('-', last - 1);
    if (before == std::string::npos) return 0;
    const std::string digits = name.substr(before + 1, last - before - 1);
    if (digits.empty() || digits.size() > 9 || digits.find_first_not_of("0123456789") != std::string::npos) return 0;
    return static_cast<pid_t>(std::stol(digits));
}

bool Running(pid_t pid) { return ::kill(pid, 0) == 0 || errno == EPERM; }

}  // namespace

Result<ScratchDir> ScratchDir::Create(const std::string& root, const std::string& prefix) {
    std::string path = root + "/" + prefix + "-" + std::to_string(::getpid()) + "-" + RandomHex(6);
    std::error_code ec;
    std::filesystem::create_directories(path, ec);
    if (ec) return Unavailable("cannot create scratch folder " + path + ": " + ec.message());
    return ScratchDir(path);
}

ScratchDir::~ScratchDir() {
    if (path_.empty()) return;
    std::error_code ec;
    std::filesystem::remove_all(path_, ec);  // best effort: a leftover is removed at a later start
}

int RemoveDeadScratch(const std::string& root) {
    int removed = 0;
    std::error_code ec;
    for (const auto& entry : std::filesystem::directory_iterator(root, ec)) {
        if (!entry.is_directory(ec)) continue;
        const pid_t pid = PidOf(entry.path().filename().string());
        if (pid <= 0 || pid == ::getpid() || Running(pid)) continue;
        std::error_code rm;
        std::filesystem::remove_all(entry.path(), rm);
        if (!rm) ++removed;
    }
    return removed;
}

}  // namespace mt::worker
