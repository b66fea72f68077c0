#pragma once
// Helpers shared by the inference tests.
#include <string>
#include <string_view>
#include <vector>

#include "mt/types/inference.hpp"

namespace mt::types::testing {

/// "decimal nullable=false sep=comma order=dmy": every field, so a comparison shows what differs.
inline std::string Describe(const InferredColumn& c) {
    return std::string(Name(c.type)) + " nullable=" + (c.nullable ? "true" : "false") +
           " sep=" + std::string(Name(c.format.decimal_separator)) + " order=" + std::string(Name(c.format.date_order));
}

inline InferredColumn Infer(const std::vector<std::string>& values, InferenceHints hints = {}) {
    ColumnInference inference(hints);
    for (const auto& v : values) inference.Observe(v);
    return inference.Result();
}

}  // namespace mt::types::testing
