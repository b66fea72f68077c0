#pragma once
/// Null tokens and booleans of file cells (private header). Both take a cell already trimmed of spaces.
#include <string_view>

namespace mt::types::detail {

/// Empty, NULL, null, N/A, n/a, NA.
bool IsNullTokenTrimmed(std::string_view s);

/// 1 for true/sim/yes, 0 for false/não/nao/no (ASCII case-insensitive, "NÃO" too), -1 for anything else.
int BooleanValue(std::string_view s);

}  // namespace mt::types::detail
