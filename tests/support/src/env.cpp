#include "mt/testing/env.hpp"

#include <cstdlib>
#include <stdexcept>

#include "mt/core/ids.hpp"

namespace mt::testing {

std::string RequireEnv(std::string_view name) {
    const char* value = std::getenv(std::string(name).c_str());
    if (!value || !*value) {
        throw std::runtime_error(std::string(name) +
                                 " is not set: run the end-to-end tests through scripts/test "
                                 "(or set MT_TEST_PG_URL, MT_TEST_BIN_DIR and MT_TEST_SCRATCH yourself)");
    }
    return value;
}

std::string AdminUrl() { return RequireEnv("MT_TEST_PG_URL"); }

std::filesystem::path BinDir() { return RequireEnv("MT_TEST_BIN_DIR"); }

std::filesystem::path NewScratchDir(std::string_view prefix) {
    std::filesystem::path dir =
        std::filesystem::path(RequireEnv("MT_TEST_SCRATCH")) / (std::string(prefix) + "-" + RandomSuffix());
    std::filesystem::create_directories(dir);
    return dir;
}

std::string RandomSuffix(std::size_t n) { return RandomHex((n + 1) / 2).substr(0, n); }

}  // namespace mt::testing
