#pragma once
/// Command-line options of mt-kafka-dev. Pure parsing, no I/O, so it is unit-tested alone.
#include <cstdint>
#include <string>
#include <vector>

#include "mt/core/result.hpp"

namespace mt::kafka_dev {

struct TopicOption {
    std::string name;
    int partitions = 1;
};

struct DevBrokerOptions {
    std::uint16_t port = 9092;  // broker i (0-based) listens on port + i
    int brokers = 1;
    std::vector<TopicOption> topics = {{"mt.jobs.analyze", 4}, {"mt.jobs.insert", 8}};
    std::string ready_file;  // empty: none
};

/// Usage text for --help and for errors.
const char* Usage();

/// Parses `--port N --brokers N --topics name:partitions,... --ready-file PATH` (also `--opt=value`).
/// Errors are kBadRequest with a message naming the bad option.
Result<DevBrokerOptions> ParseOptions(const std::vector<std::string>& args);

}  // namespace mt::kafka_dev
