#pragma once
/// The gateway's seam to Kafka: where job trigger messages go. Thread-safe implementations only.
#include <string_view>

#include "mt/core/result.hpp"
#include "mt/kafka/producer.hpp"
#include "mt/ops/metrics.hpp"

namespace mt::gateway {

class Publisher {
public:
    virtual ~Publisher() = default;
    virtual Status Publish(std::string_view topic, std::string_view key, std::string_view payload) = 0;
};

/// Publishes through a real Kafka producer (the dev broker locally) without waiting for the broker: a request never
/// stalls on Kafka (issue 8). A trigger that is lost anyway (broker down past librdkafka's message timeout, the
/// gateway stopped with messages still queued) is recovered by the workers' sweeps, which re-trigger queued jobs
/// and pending parts older than MT_QUEUED_GRACE_SECONDS whether or not a message was ever sent.
class KafkaPublisher : public Publisher {
public:
    KafkaPublisher(kafka::Producer producer, ops::Metrics& metrics)
        : producer_(std::move(producer)), metrics_(metrics) {}
    Status Publish(std::string_view topic, std::string_view key, std::string_view payload) override {
        Status sent = producer_.Enqueue(topic, key, payload);
        if (sent)
            metrics_.KafkaProduced();
        else
            metrics_.KafkaError();
        return sent;
    }

private:
    kafka::Producer producer_;
    ops::Metrics& metrics_;
};

}  // namespace mt::gateway
