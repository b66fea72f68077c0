#pragma once
/// The wording and arithmetic of the limits every reader shares (private): sizes in messages, the row-size
/// error, and the expansion-ratio rule for compressed input.
#include <cstdint>
#include <string>
#include <string_view>

#include "mt/core/error.hpp"

namespace mt::ingest::detail {

/// "2 GiB" or "16 MiB" when `bytes` is a whole number of them, else "1000 bytes": exact either way, since
/// messages say "larger than <limit>".
std::string FormatBytes(std::uint64_t bytes);

/// kValidation `file "<file>", line <line>: a row is larger than <max_row_bytes>`, located at that line.
Error RowTooLarge(std::string_view file, std::int64_t line, std::uint64_t max_row_bytes);

/// The ZIP-bomb rule, checked from the first byte: decompressed bytes may reach `max_ratio` times the
/// compressed bytes consumed to produce them, plus `grace_bytes` (a small file may compress extremely well).
/// Saturates instead of overflowing.
[[nodiscard]] inline bool ExpandsTooMuch(std::uint64_t written, std::uint64_t consumed, std::uint64_t max_ratio,
                                         std::uint64_t grace_bytes) {
    if (written <= grace_bytes) return false;
    const std::uint64_t over = written - grace_bytes;
    return consumed == 0 || over / consumed > max_ratio || (over / consumed == max_ratio && over % consumed != 0);
}

}  // namespace mt::ingest::detail
