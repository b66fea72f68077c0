#include "mt/auth/algorithm.hpp"

namespace mt::auth {

std::string_view Name(Algorithm alg) { return alg == Algorithm::kRS256 ? "RS256" : "HS256"; }

std::optional<Algorithm> ParseAlgorithm(std::string_view name) {
    if (name == "HS256") return Algorithm::kHS256;
    if (name == "RS256") return Algorithm::kRS256;
    return std::nullopt;
}

}  // namespace mt::auth
