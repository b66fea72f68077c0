#pragma once
/// The analyzer worker's job handling: claim a queued job (lease), read every file, store the inferred schema,
/// move the job to `waiting_confirm` — or `failed` with a precise error. Handles each job message idempotently.
#include <atomic>

#include "mt/jobs/worker.hpp"
#include "mt/jobs/worker_config.hpp"
#include "mt/ops/metrics.hpp"
#include "mt/store/databases.hpp"

namespace mt::analyzer {

class Analyzer {
public:
    Analyzer(store::Databases& databases, jobs::WorkerConfig config, std::string owner, ops::Metrics& metrics);
    /// One job trigger (from Kafka or a sweep). Never throws.
    void Handle(const jobs::JobMessage& message, const std::atomic<bool>& stop);
    /// Queued jobs whose message never came, and analyses whose worker died. Also expires uploads left
    /// unconfirmed longer than MT_UNCONFIRMED_JOB_TTL_HOURS (their stored files are deleted).
    Result<std::vector<jobs::JobMessage>> Sweep();

private:
    Status Analyze(const std::string& job_id, const std::atomic<bool>& stop);
    void ExpireUnconfirmed(pg::Connection& control);
    store::Databases& databases_;
    jobs::WorkerConfig config_;
    std::string owner_;
    ops::Metrics& metrics_;
};

}  // namespace mt::analyzer
