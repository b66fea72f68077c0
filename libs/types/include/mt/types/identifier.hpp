#pragma once
/// Identifier rules (SPEC §6) and header normalization (SPEC §7). Pure functions, thread-safe.
#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

#include "mt/core/result.hpp"

namespace mt::types {

inline constexpr std::size_t kMaxIdentifierBytes = 63;
/// The physical row-id column every managed table has; user columns may not use it.
inline constexpr std::string_view kRowIdColumn = "id";

/// `name` matches ^[a-z_][a-z0-9_]*$ and is 1..63 bytes. On failure: a kValidation error whose single
/// FieldError has `field` as given and a message saying which rule failed.
Status ValidateIdentifier(std::string_view name, std::string_view field);
/// ValidateIdentifier plus: not the reserved row id column `id`.
Status ValidateColumnName(std::string_view name, std::string_view field);

/// Double-quoted PostgreSQL identifier, embedded quotes doubled. Works for any legacy name; a name containing
/// a NUL byte cannot be quoted and must have been rejected before (ValidateIdentifier does).
std::string QuoteIdentifier(std::string_view name);

/// One header cell turned into an identifier: UTF-8 accents stripped (á→a, ç→c, ñ→n, ß→ss …), lowercase,
/// every run of other characters → one `_`, leading/trailing `_` trimmed, a leading digit prefixed with `_`,
/// truncated to 63 bytes. Returns "" when nothing is left (the caller names it column_N).
std::string NormalizeHeader(std::string_view header);

/// Normalize a whole header row: empty results become `column_N` (N = 1-based position), a header that
/// normalizes to `id` becomes `source_id`, duplicates get `_2`, `_3`… (still at most 63 bytes, still unique).
std::vector<std::string> NormalizeHeaders(const std::vector<std::string>& headers);

}  // namespace mt::types
