#pragma once
/// Start-up migration and the readiness probe of the gateway (PostgreSQL and Kafka reachable).
#include "mt/kafka/config.hpp"
#include "mt/ops/metrics.hpp"
#include "mt/ops/ops_server.hpp"
#include "mt/store/databases.hpp"

namespace mt::gateway {

Status MigrateControl(store::Databases& databases);
/// Also refreshes the connections-in-use gauge on every probe/scrape of readiness.
ops::ReadinessCheck ReadinessCheck(store::Databases& databases, ops::Metrics& metrics, kafka::KafkaConfig kafka);

}  // namespace mt::gateway
