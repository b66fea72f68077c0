#pragma once
/// Connection settings shared by every Kafka client of a service.
#include <string>
#include <utility>
#include <vector>

#include "mt/core/result.hpp"

namespace mt::kafka {

/// Where the cluster is and how to talk to it. A plain value; copy freely.
struct KafkaConfig {
    std::string bootstrap_servers;  // "host:port,host:port"
    /// Extra librdkafka properties (name, value), applied in order to every client, e.g.
    /// {"security.protocol", "SASL_SSL"}. They override the library's defaults but not the settings its
    /// guarantees depend on (acks, idempotence, manual commits); see README.md.
    std::vector<std::pair<std::string, std::string>> properties;
};

/// Reads `MT_KAFKA_BROKERS` (required) and every `MT_KAFKA_PROP_<NAME>` variable of the process environment.
/// See `KafkaConfigFromVariables`.
Result<KafkaConfig> KafkaConfigFromEnv();

/// Same as `KafkaConfigFromEnv` over an explicit list of (name, value) variables; other names are ignored.
/// `MT_KAFKA_PROP_SASL_MECHANISMS=PLAIN` becomes the property `sasl.mechanisms=PLAIN` (lowercase, '_' -> '.').
/// Each property is checked against librdkafka; an unknown name or invalid value is a kBadRequest error naming
/// the variable. Properties are sorted by name so the result does not depend on the environment's order.
Result<KafkaConfig> KafkaConfigFromVariables(const std::vector<std::pair<std::string, std::string>>& variables);

}  // namespace mt::kafka
