#pragma once
/// Settings shared by the analyzer and the inserter, read from the environment (README "Configuration").
#include <chrono>
#include <string>

#include "mt/core/config.hpp"
#include "mt/kafka/config.hpp"
#include "mt/store/databases.hpp"

namespace mt::jobs {

struct WorkerConfig {
    store::DatabaseSettings databases;
    kafka::KafkaConfig kafka;
    std::string scratch_dir;
    std::chrono::seconds lease{30};
    std::chrono::milliseconds sweep_interval{2000};
    std::chrono::seconds queued_grace{5};     // a job waits this long for its Kafka message before a sweep takes it
    int max_attempts = 3;                     // worker crashes tolerated on one job before it fails
    std::chrono::hours unconfirmed_ttl{168};  // analyzer: waiting_confirm jobs older than this expire
    std::string consumer_group;
    std::uint16_t metrics_port = 0;
};

Result<WorkerConfig> LoadWorkerConfig(config::ConfigReader& reader, std::string_view default_group);

}  // namespace mt::jobs
