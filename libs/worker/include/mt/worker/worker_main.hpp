#pragma once
/// The common `main` of the workers: configuration, control-database migration, Kafka topics and consumer,
/// signal handling (SIGTERM/SIGINT stop the loop; the current job is handed back), the worker loop.
#include <functional>
#include <memory>
#include <string>

#include "mt/ops/metrics.hpp"
#include "mt/worker/worker.hpp"
#include "mt/worker/worker_config.hpp"

namespace mt::worker {

struct WorkerParts {
    JobHandler handler;
    JobSweep sweep;
    JobPoisoned poisoned;
};
using WorkerFactory =
    std::function<WorkerParts(store::Databases&, const WorkerConfig&, const std::string& owner, ops::Metrics&)>;

int RunWorkerMain(int argc, char** argv, std::string_view service, std::string_view default_group,
                  std::string_view topic, const WorkerFactory& factory);

}  // namespace mt::worker
