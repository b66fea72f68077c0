#pragma once
/// Small text helpers for HTTP header values (case-insensitive names, optional whitespace around values).
#include <algorithm>
#include <cctype>
#include <string>
#include <string_view>

namespace mt::gateway {

/// ASCII lower case: header names and tokens are case-insensitive.
inline std::string AsciiLower(std::string_view s) {
    std::string out(s);
    std::transform(out.begin(), out.end(), out.begin(), [](unsigned char c) { return std::tolower(c); });
    return out;
}

/// Without the spaces and tabs around it (HTTP's optional whitespace).
inline std::string_view TrimSpaces(std::string_view s) {
    while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
    while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) s.remove_suffix(1);
    return s;
}

}  // namespace mt::gateway
