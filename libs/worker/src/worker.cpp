#include "mt/worker/worker.hpp"

#include <unistd.h>

#include <thread>

#include "mt/core/ids.hpp"
#include "mt/core/log.hpp"

namespace mt::worker {

WorkerLoop::WorkerLoop(std::optional<kafka::Consumer> consumer, JobHandler handler, JobSweep sweep,
                       JobPoisoned poisoned, WorkerSettings settings, ops::Metrics& metrics)
    : consumer_(std::move(consumer)),
      handler_(std::move(handler)),
      sweep_(std::move(sweep)),
      poisoned_(std::move(poisoned)),
      settings_(settings),
      metrics_(metrics) {}

void WorkerLoop::Run(const std::atomic<bool>& stop) {
    auto next_sweep = std::chrono::steady_clock::now();
    while (!stop.load()) {
        if (consumer_) {
            PollOnce(stop);
        } else {
            std::this_thread::sleep_for(settings_.poll_timeout);
        }
        if (std::chrono::steady_clock::now() >= next_sweep) {
            SweepOnce(stop);
            next_sweep = std::chrono::steady_clock::now() + settings_.sweep_interval;
        }
    }
    if (consumer_) consumer_->Close();
}

void WorkerLoop::PollOnce(const std::atomic<bool>& stop) {
    auto polled = consumer_->Poll(settings_.poll_timeout);
    if (!polled) {
        metrics_.KafkaError();
        // The broker being away is survivable (sweeps carry on); say so at most every 30 s.
        auto now = std::chrono::steady_clock::now();
        if (now - last_kafka_error_log_ > std::chrono::seconds(30)) {
            log::Warn("kafka poll failed", {{"error", polled.error().message}});
            last_kafka_error_log_ = now;
        }
        return;
    }
    if (!*polled) return;
    const kafka::Message& message = **polled;
    metrics_.KafkaConsumed();
    auto parsed = jobs::ParseMessage(message.payload);
    if (!parsed) {
        log::Error("unreadable job message skipped", {{"topic", message.topic}, {"error", parsed.error().message}});
    } else {
        HandleOne(*parsed, stop);
    }
    // Committed only after the handler returned: a crash before this point redelivers the message.
    if (!stop.load()) {
        if (auto committed = consumer_->Commit(message); !committed) {
            log::Warn("offset commit failed", {{"error", committed.error().message}});
        }
    }
}

void WorkerLoop::SweepOnce(const std::atomic<bool>& stop) {
    auto found = sweep_();
    if (!found) {
        log::Warn("sweep failed", {{"error", found.error().message}});
        return;
    }
    for (const auto& m : *found) {
        if (stop.load()) return;
        HandleOne(m, stop);
    }
}

void WorkerLoop::HandleOne(const jobs::JobMessage& message, const std::atomic<bool>& stop) {
    Error error = Internal("unknown exception");
    try {
        handler_(message, stop);
        return;
    } catch (const std::bad_alloc&) {
        error = Validation("The files need more memory than a worker has; they could not be processed");
    } catch (const std::exception& e) {
        error = Internal(e.what());
    } catch (...) {
    }
    log::Error("job handler threw; failing the job", {{"job_id", message.job_id}, {"error", error.message}});
    try {
        if (poisoned_) poisoned_(message, error);
    } catch (...) {
        log::Error("could not fail the job after an exception", {{"job_id", message.job_id}});
    }
}

std::string LeaseOwnerName(std::string_view service) {
    char host[256] = {0};
    gethostname(host, sizeof host - 1);
    return std::string(service) + "@" + host + ":" + std::to_string(getpid()) + ":" + RandomHex(3);
}

}  // namespace mt::worker
