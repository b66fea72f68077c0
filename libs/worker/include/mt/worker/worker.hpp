#pragma once
/// The loop both workers run: take trigger messages from Kafka, and sweep the control database for work whose
/// message was lost or whose worker died (expired lease). Either path ends in the same idempotent handler, so a
/// job is never stranded: with the broker down, sweeps alone finish the work.
///
/// Lifecycle: construct, `Run` until `stop` becomes true (set from the signal thread), then return; the handler
/// sees the same flag and gives its work back (lease released) instead of finishing it. One thread.
#include <atomic>
#include <chrono>
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "mt/jobs/job.hpp"
#include "mt/kafka/consumer.hpp"
#include "mt/ops/metrics.hpp"

namespace mt::worker {

struct WorkerSettings {
    std::chrono::milliseconds poll_timeout{250};
    std::chrono::milliseconds sweep_interval{2000};
};

/// Handles one job trigger; never throws; errors are recorded on the job by the handler itself.
using JobHandler = std::function<void(const jobs::JobMessage&, const std::atomic<bool>& stop)>;
/// Called when a handler threw: the job must fail with `error`, once, so the message that caused it is not taken
/// again and again. Memory exhausted by one input is kValidation (the input's fault, said plainly); any other
/// exception is kInternal (a defect; its text is logged, not shown).
using JobPoisoned = std::function<void(const jobs::JobMessage&, const Error& error)>;
/// Work found in the database that no message is driving (the handler re-checks everything it is given).
using JobSweep = std::function<Result<std::vector<jobs::JobMessage>>()>;

class WorkerLoop {
public:
    WorkerLoop(std::optional<kafka::Consumer> consumer, JobHandler handler, JobSweep sweep, JobPoisoned poisoned,
               WorkerSettings settings, ops::Metrics& metrics);
    void Run(const std::atomic<bool>& stop);

private:
    void PollOnce(const std::atomic<bool>& stop);
    void SweepOnce(const std::atomic<bool>& stop);
    /// The handler behind an exception barrier: whatever one message does, the loop goes on.
    void HandleOne(const jobs::JobMessage& message, const std::atomic<bool>& stop);

    std::optional<kafka::Consumer> consumer_;
    JobHandler handler_;
    JobSweep sweep_;
    JobPoisoned poisoned_;
    WorkerSettings settings_;
    ops::Metrics& metrics_;
    std::chrono::steady_clock::time_point last_kafka_error_log_{};
};

/// A unique name for this process's leases: host name, pid and a random suffix.
std::string LeaseOwnerName(std::string_view service);

}  // namespace mt::worker
