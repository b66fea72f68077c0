#pragma once
/// The gateway's seam to Kafka: where job trigger messages go. Thread-safe implementations only.
#include <chrono>
#include <string_view>

#include "mt/core/result.hpp"
#include "mt/kafka/producer.hpp"

namespace mt::gateway {

class Publisher {
public:
    virtual ~Publisher() = default;
    virtual Status Publish(std::string_view topic, std::string_view key, std::string_view payload) = 0;
};

/// Publishes through a real Kafka producer (the dev broker locally), waiting for the acknowledgement.
class KafkaPublisher : public Publisher {
public:
    explicit KafkaPublisher(kafka::Producer producer) : producer_(std::move(producer)) {}
    Status Publish(std::string_view topic, std::string_view key, std::string_view payload) override {
        return producer_.Produce(topic, key, payload, std::chrono::seconds(5));
    }

private:
    kafka::Producer producer_;
};

}  // namespace mt::gateway
