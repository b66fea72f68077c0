#pragma once
/// Publishing job messages with a delivery guarantee per call.
#include <chrono>
#include <functional>
#include <memory>
#include <string_view>

#include "mt/core/result.hpp"
#include "mt/kafka/config.hpp"

namespace mt::kafka {

struct ProducerOptions {
    /// If set, receives librdkafka's statistics JSON every `statistics_interval` (on the producer's poll thread;
    /// must not block for long and must not throw — exceptions are caught and logged).
    std::function<void(std::string_view json)> on_statistics;
    std::chrono::milliseconds statistics_interval{0};  // 0: statistics off
    /// How long the destructor waits for outstanding messages before dropping them.
    std::chrono::milliseconds flush_timeout{std::chrono::seconds(10)};
};

/// A Kafka producer with acks=all and idempotence on.
///
/// Lifecycle: `Create` connects lazily (no broker needs to be up yet); the destructor flushes outstanding
/// messages for up to `flush_timeout`, then drops what is left. Thread-safety: `Produce` may be called from any number
/// of threads at once. Ownership: move-only; owns the librdkafka handle and a background thread that serves delivery
/// reports, logs and statistics.
class Producer {
public:
    static Result<Producer> Create(const KafkaConfig& config, ProducerOptions options = {});

    Producer(Producer&&) noexcept;
    Producer& operator=(Producer&&) noexcept;
    ~Producer();

    /// Sends one message and returns once the cluster acknowledged it (all in-sync replicas have it).
    /// Fails with kUnavailable if it was not acknowledged within `timeout`, or was rejected. After a timeout the
    /// message may still be delivered later: Kafka messages are triggers, consumers must be idempotent.
    /// kInternal only after librdkafka declared the producer dead (a fatal idempotence error): restart the process.
    /// An empty `key` sends a null key.
    Status Produce(std::string_view topic, std::string_view key, std::string_view payload,
                   std::chrono::milliseconds timeout);

    /// Hands one message to librdkafka's local queue and returns at once, never waiting for the broker: for
    /// triggers whose loss a sweep repairs. Fails with kUnavailable when the local queue is full (it does not
    /// wait for room either), kInternal as Produce. A message that is later not delivered is only logged.
    Status Enqueue(std::string_view topic, std::string_view key, std::string_view payload);

private:
    class Impl;
    explicit Producer(std::unique_ptr<Impl> impl);
    std::unique_ptr<Impl> impl_;
};

}  // namespace mt::kafka
