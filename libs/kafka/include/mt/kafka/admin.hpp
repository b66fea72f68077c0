#pragma once
/// Start-up topic provisioning.
#include <chrono>
#include <string>
#include <vector>

#include "mt/core/result.hpp"
#include "mt/kafka/config.hpp"

namespace mt::kafka {

struct TopicSpec {
    std::string name;
    int partitions = 1;
    int replication_factor = -1;  // -1: the broker's default.replication.factor
};

/// Makes sure every topic exists. Topics that already exist count as success whatever their partition count
/// (a running cluster's layout is never changed here). Only missing topics are sent to CreateTopics, so a
/// service without create permission still starts on a cluster whose topics were provisioned by operators.
/// Blocking; safe to call from any thread; kUnavailable if the cluster cannot be reached within `timeout`.
Status EnsureTopics(const KafkaConfig& config, const std::vector<TopicSpec>& topics,
                    std::chrono::milliseconds timeout = std::chrono::seconds(30));

}  // namespace mt::kafka
