#include "mt/kafka/config.hpp"

#include <algorithm>
#include <cctype>
#include <string_view>

#include "client.hpp"

extern char** environ;  // POSIX: the process environment

namespace mt::kafka {
namespace {

constexpr std::string_view kBrokersVariable = "MT_KAFKA_BROKERS";
constexpr std::string_view kPropertyPrefix = "MT_KAFKA_PROP_";

/// MT_KAFKA_PROP_SASL_MECHANISMS -> sasl.mechanisms (librdkafka property names are lowercase and dotted).
std::string PropertyName(std::string_view suffix) {
    std::string name;
    name.reserve(suffix.size());
    for (char c : suffix) {
        name.push_back(c == '_' ? '.' : static_cast<char>(std::tolower(static_cast<unsigned char>(c))));
    }
    return name;
}

Result<detail::Property> ParseProperty(const std::string& variable, const std::string& value,
                                       rd_kafka_conf_t* scratch) {
    std::string name = PropertyName(std::string_view(variable).substr(kPropertyPrefix.size()));
    if (name.empty()) return BadRequest(variable + ": empty property name", "INVALID_KAFKA_CONFIG");
    if (name == "bootstrap.servers") {
        return BadRequest(variable + ": set the brokers with " + std::string(kBrokersVariable), "INVALID_KAFKA_CONFIG");
    }
    // Validate now against a scratch conf so a typo fails at start-up with the variable's name, not later.
    MT_TRY(detail::SetProperty(scratch, name, value, variable));
    return detail::Property{std::move(name), value};
}

}  // namespace

Result<KafkaConfig> KafkaConfigFromVariables(const std::vector<std::pair<std::string, std::string>>& variables) {
    KafkaConfig config;
    bool have_brokers = false;
    detail::ConfHandle scratch(rd_kafka_conf_new());
    for (const auto& [variable, value] : variables) {
        if (variable == kBrokersVariable) {
            config.bootstrap_servers = value;
            have_brokers = true;
        } else if (variable.starts_with(kPropertyPrefix)) {
            MT_ASSIGN_OR_RETURN(auto property, ParseProperty(variable, value, scratch.get()));
            config.properties.push_back(std::move(property));
        }
    }
    if (!have_brokers || config.bootstrap_servers.empty()) {
        return BadRequest(std::string(kBrokersVariable) + " is required (e.g. 127.0.0.1:9092)", "INVALID_KAFKA_CONFIG");
    }
    std::sort(config.properties.begin(), config.properties.end());
    return config;
}

Result<KafkaConfig> KafkaConfigFromEnv() {
    std::vector<std::pair<std::string, std::string>> variables;
    for (char** entry = environ; entry != nullptr && *entry != nullptr; ++entry) {
        std::string_view text(*entry);
        std::size_t eq = text.find('=');
        if (eq == std::string_view::npos || !text.starts_with("MT_KAFKA_")) continue;
        variables.emplace_back(std::string(text.substr(0, eq)), std::string(text.substr(eq + 1)));
    }
    return KafkaConfigFromVariables(variables);
}

}  // namespace mt::kafka
