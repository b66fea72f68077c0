#pragma once
/// Scratch folders of a worker: one per piece of work, removed with everything in it when its holder ends, and —
/// for a worker that died (kill -9, out of memory) and so never removed its own — at the next start of any worker
/// sharing the scratch root.
#include <string>

#include "mt/core/result.hpp"

namespace mt::worker {

class ScratchDir {
public:
    /// Creates `<root>/<prefix>-<pid>-<random>`; the pid tells a later start whose folder it was.
    static Result<ScratchDir> Create(const std::string& root, const std::string& prefix);
    ScratchDir(ScratchDir&& other) noexcept : path_(std::move(other.path_)) { other.path_.clear(); }
    ScratchDir& operator=(ScratchDir&&) = delete;
    ~ScratchDir();
    [[nodiscard]] const std::string& path() const { return path_; }

private:
    explicit ScratchDir(std::string path) : path_(std::move(path)) {}
    std::string path_;
};

/// Removes folders under `root` named `<prefix>-<pid>-<random>` (as ScratchDir::Create names them, any prefix
/// without '-') whose process no longer runs on this host. Returns how many it removed.
int RemoveDeadScratch(const std::string& root);

}  // namespace mt::worker
