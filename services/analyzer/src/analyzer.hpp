#pragma once
/// The analyzer worker's job handling: claim a queued job (lease), read every file, store the inferred schema,
/// move the job to `waiting_confirm` — or `failed` with a precise error. Handles each job message idempotently.
#include <atomic>

#include "analysis.hpp"
#include "mt/jobs/job.hpp"
#include "mt/ops/metrics.hpp"
#include "mt/store/databases.hpp"
#include "mt/worker/worker_config.hpp"

namespace mt::analyzer {

class Analyzer {
public:
    Analyzer(store::Databases& databases, worker::WorkerConfig config, std::string owner, ops::Metrics& metrics);
    /// One job trigger (from Kafka or a sweep). Never throws.
    void Handle(const jobs::JobMessage& message, const std::atomic<bool>& stop);
    /// Queued jobs whose message never came, and analyses whose worker died. Also expires uploads left
    /// unconfirmed longer than MT_UNCONFIRMED_JOB_TTL_HOURS (their stored files are deleted).
    Result<std::vector<jobs::JobMessage>> Sweep();
    /// A handler threw on this message: the job fails, once.
    void Poisoned(const jobs::JobMessage& message, const Error& error);

private:
    Status Analyze(const std::string& job_id, const std::atomic<bool>& stop);
    void ExpireUnconfirmed(pg::Connection& control);
    void Fail(pg::Connection& control, const jobs::JobMessage& message, const Error& error);
    store::Databases& databases_;
    worker::WorkerConfig config_;
    AnalysisLimits limits_;
    std::string owner_;
    ops::Metrics& metrics_;
};

}  // namespace mt::analyzer
