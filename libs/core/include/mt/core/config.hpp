#pragma once
/// Typed configuration from environment variables.
///
/// Each service declares its settings as `Setting` constants (name, default, description together) and reads
/// them once at start-up through a `ConfigReader`, which collects every problem; `Finish()` returns them all in
/// one error naming each variable, and the service exits. `--help-config` prints the table the README carries.
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "mt/core/result.hpp"

namespace mt::config {

struct Setting {
    std::string_view name;
    std::string_view default_value;  // "" with required=true means: must be set
    std::string_view description;
    bool required = false;
};

class ConfigReader {
public:
    std::string String(const Setting& s);
    std::int64_t Int(const Setting& s, std::int64_t min, std::int64_t max);
    bool Bool(const Setting& s);
    /// One of `allowed` (exact match).
    std::string Choice(const Setting& s, const std::vector<std::string_view>& allowed);

    /// All problems found, as one kValidation error, or Ok.
    Status Finish() const;
    /// Markdown table of every setting read so far (name, default, description).
    [[nodiscard]] std::string Table() const;

private:
    std::string Raw(const Setting& s);
    std::vector<Setting> seen_;
    std::vector<std::string> problems_;
};

}  // namespace mt::config
