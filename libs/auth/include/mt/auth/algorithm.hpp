#pragma once
/// The JWS signature algorithms the service accepts; exactly one is configured per deployment.
#include <optional>
#include <string_view>

namespace mt::auth {

enum class Algorithm { kHS256, kRS256 };

/// The JOSE name, "HS256" or "RS256".
std::string_view Name(Algorithm alg);

/// The algorithm of a JOSE name; exact match, as RFC 7518 names are case-sensitive.
std::optional<Algorithm> ParseAlgorithm(std::string_view name);

}  // namespace mt::auth
