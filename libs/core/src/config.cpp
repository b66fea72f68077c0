#include "mt/core/config.hpp"

#include <charconv>
#include <cstdlib>

namespace mt::config {

std::string ConfigReader::Raw(const Setting& s) {
    seen_.push_back(s);
    const char* v = std::getenv(std::string(s.name).c_str());
    if (v && *v) return v;
    if (s.required) problems_.push_back(std::string(s.name) + " is required (" + std::string(s.description) + ")");
    return std::string(s.default_value);
}

std::string ConfigReader::String(const Setting& s) { return Raw(s); }

std::int64_t ConfigReader::Int(const Setting& s, std::int64_t min, std::int64_t max) {
    std::string raw = Raw(s);
    std::int64_t value = 0;
    auto [end, ec] = std::from_chars(raw.data(), raw.data() + raw.size(), value);
    if (ec != std::errc() || end != raw.data() + raw.size() || value < min || value > max) {
        problems_.push_back(std::string(s.name) + "=\"" + raw + "\" is not an integer in [" + std::to_string(min) +
                            ", " + std::to_string(max) + "]");
        return min;
    }
    return value;
}

bool ConfigReader::Bool(const Setting& s) {
    std::string raw = Raw(s);
    if (raw == "true" || raw == "1" || raw == "yes") return true;
    if (raw == "false" || raw == "0" || raw == "no") return false;
    problems_.push_back(std::string(s.name) + "=\"" + raw + "\" is not a boolean (true/false)");
    return false;
}

std::string ConfigReader::Choice(const Setting& s, const std::vector<std::string_view>& allowed) {
    std::string raw = Raw(s);
    std::string list;
    for (auto a : allowed) {
        if (raw == a) return raw;
        list += (list.empty() ? "" : ", ") + std::string(a);
    }
    problems_.push_back(std::string(s.name) + "=\"" + raw + "\" must be one of: " + list);
    return raw;
}

Status ConfigReader::Finish() const {
    if (problems_.empty()) return Ok();
    std::string message = "Invalid configuration:";
    for (const auto& p : problems_) message += "\n  - " + p;
    return Validation(message);
}

std::string ConfigReader::Table() const {
    std::string out = "| variable | default | description |\n|---|---|---|\n";
    for (const auto& s : seen_) {
        out += "| `" + std::string(s.name) + "` | " +
               (s.required ? std::string("(required)") : "`" + std::string(s.default_value) + "`") + " | " +
               std::string(s.description) + " |\n";
    }
    return out;
}

}  // namespace mt::config
