#include <unistd.h>

#include <catch2/catch.hpp>
#include <filesystem>
#include <fstream>

#include "mt/core/ids.hpp"
#include "mt/worker/scratch.hpp"

namespace mt::worker {
namespace {

namespace fs = std::filesystem;

fs::path TempRoot() {
    fs::path root = fs::temp_directory_path() / ("mt-scratch-test-" + RandomHex(6));
    fs::create_directories(root);
    return root;
}

/// A pid no process has: past the kernel's pid_max (at most 2^22).
constexpr const char* kDeadPid = "4999999";

}  // namespace

TEST_CASE("a scratch folder is named with its owner's pid and removed with its holder", "[worker][scratch]") {
    const fs::path root = TempRoot();
    std::string path;
    {
        auto dir = ScratchDir::Create(root.string(), "analyze");
        REQUIRE(dir);
        path = dir->path();
        CHECK(fs::path(path).filename().string().rfind("analyze-" + std::to_string(::getpid()) + "-", 0) == 0);
        std::ofstream(path + "/file") << "data";
    }
    CHECK_FALSE(fs::exists(path));
    fs::remove_all(root);
}

TEST_CASE("folders of dead workers are removed at start, live ones and others are kept", "[worker][scratch]") {
    const fs::path root = TempRoot();
    const fs::path dead = root / (std::string("analyze-") + kDeadPid + "-abc123");
    const fs::path mine = root / ("insert-" + std::to_string(::getpid()) + "-abc123");
    const fs::path init = root / "analyze-1-abc123";  // pid 1 always runs
    const fs::path other = root / "not-ours";
    for (const auto& d : {dead, mine, init, other}) fs::create_directories(d / "sub");
    std::ofstream(dead / "sub" / "big.csv") << "1,2\n";
    CHECK(RemoveDeadScratch(root.string()) == 1);
    CHECK_FALSE(fs::exists(dead));
    CHECK(fs::exists(mine));
    CHECK(fs::exists(init));
    CHECK(fs::exists(other));
    CHECK(RemoveDeadScratch((root / "missing").string()) == 0);
    fs::remove_all(root);
}

}  // namespace mt::worker
