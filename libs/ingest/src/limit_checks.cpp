#include "limit_checks.hpp"

namespace mt::ingest::detail {

std::string FormatBytes(std::uint64_t bytes) {
    constexpr std::uint64_t kMiB = 1u << 20;
    constexpr std::uint64_t kGiB = 1u << 30;
    if (bytes != 0 && bytes % kGiB == 0) return std::to_string(bytes / kGiB) + " GiB";
    if (bytes != 0 && bytes % kMiB == 0) return std::to_string(bytes / kMiB) + " MiB";
    return std::to_string(bytes) + " bytes";
}

Error RowTooLarge(std::string_view file, std::int64_t line, std::uint64_t max_row_bytes) {
    Error error = Validation("file \"" + std::string(file) + "\", line " + std::to_string(line) +
                             ": a row is larger than " + FormatBytes(max_row_bytes));
    error.location = ValueLocation{std::string(file), line, {}, {}};
    return error;
}

}  // namespace mt::ingest::detail
