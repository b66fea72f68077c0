#pragma once
/// The environment scripts/test gives the end-to-end tests (see tests/support/README.md).
#include <filesystem>
#include <string>
#include <string_view>

namespace mt::testing {

/// The variable's value; throws std::runtime_error naming it when unset or empty, so a test run outside
/// scripts/test fails with a message that says what to set.
std::string RequireEnv(std::string_view name);

/// MT_TEST_PG_URL: admin URL (superuser) of the throwaway PostgreSQL server.
std::string AdminUrl();
/// MT_TEST_BIN_DIR: the build directory holding the binaries under test.
std::filesystem::path BinDir();
/// A new directory under MT_TEST_SCRATCH named `<prefix>-<random>`; kept after the run for post-mortems.
std::filesystem::path NewScratchDir(std::string_view prefix);

/// `n` random lowercase hex digits (n even), for unique names.
std::string RandomSuffix(std::size_t n = 8);

}  // namespace mt::testing
