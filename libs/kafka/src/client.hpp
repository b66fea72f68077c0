#pragma once
/// Internal: building librdkafka clients the same way for the producer, the consumer and the admin calls.
#include <chrono>
#include <functional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "handles.hpp"
#include "mt/core/result.hpp"
#include "mt/kafka/config.hpp"

namespace mt::kafka::detail {

using Property = std::pair<std::string, std::string>;

/// State the C callbacks of one client reach through the handle's opaque pointer. The owner keeps it at a
/// stable address (inside a heap-allocated Impl) for the whole life of the rd_kafka_t.
struct ClientContext {
    std::function<void(std::string_view)> on_statistics;
};

/// Which settings a client gets, in the order they are applied: `defaults`, then the user's
/// `KafkaConfig::properties`, then `required` (settings the wrapper's guarantees depend on, so they win).
struct ClientSettings {
    std::vector<Property> defaults;
    std::vector<Property> required;
    std::chrono::milliseconds statistics_interval{0};
    /// Producers only: the delivery report callback (receives the ClientContext* as its opaque).
    void (*delivery_report)(rd_kafka_t*, const rd_kafka_message_t*, void*) = nullptr;
};

/// Sets one property; kBadRequest naming it (and `origin`, e.g. the environment variable) when rejected.
Status SetProperty(rd_kafka_conf_t* conf, const std::string& name, const std::string& value,
                   std::string_view origin = {});

/// Creates a client of `type` with JSON logging, error logging and (if `context->on_statistics` is set and the
/// interval is positive) statistics. `context` may be null (no statistics) and must outlive the handle.
Result<KafkaHandle> NewClient(rd_kafka_type_t type, const KafkaConfig& config, const ClientSettings& settings,
                              ClientContext* context);

/// "Broker: Unknown topic or partition (UNKNOWN_TOPIC_OR_PART)" — for error messages.
std::string Describe(rd_kafka_resp_err_t err);

}  // namespace mt::kafka::detail
