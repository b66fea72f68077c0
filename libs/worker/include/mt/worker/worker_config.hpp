#pragma once
/// Settings shared by the analyzer and the inserter, read from the environment (README "Configuration").
#include <chrono>
#include <string>

#include "mt/core/config.hpp"
#include "mt/kafka/config.hpp"
#include "mt/store/databases.hpp"

namespace mt::worker {

struct WorkerConfig {
    store::DatabaseSettings databases;
    kafka::KafkaConfig kafka;
    std::string scratch_dir;
    std::chrono::seconds lease{30};
    std::chrono::milliseconds sweep_interval{2000};
    std::chrono::seconds queued_grace{5};         // a job waits this long for its Kafka message before a sweep takes it
    int max_attempts = 3;                         // worker crashes tolerated on one job before it fails
    std::chrono::hours unconfirmed_ttl{168};      // analyzer: waiting_confirm jobs older than this expire
    std::int64_t part_rows = 250'000;             // analyzer: rows per part of a load (parts load in parallel)
    std::int64_t append_direct_rows = 5'000'000;  // analyzer: an append up to this many rows is one part, written once
    std::uint64_t max_job_bytes = 2ull << 30;     // analyzer: decoded bytes of one upload, all files together
    std::int64_t max_job_rows = 50'000'000;       // analyzer: rows of one upload, all files together
    std::size_t max_row_bytes = 16u << 20;        // analyzer: bytes of one row
    std::string consumer_group;
    std::uint16_t metrics_port = 0;
};

Result<WorkerConfig> LoadWorkerConfig(config::ConfigReader& reader, std::string_view default_group);

}  // namespace mt::worker
