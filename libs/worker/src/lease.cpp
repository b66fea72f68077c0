#include "mt/worker/lease.hpp"

#include "mt/core/log.hpp"

namespace mt::worker {

LeaseKeeper::LeaseKeeper(pg::Pool& control, Extend extend, std::chrono::milliseconds interval)
    : control_(control), extend_(std::move(extend)), interval_(interval), thread_([this] { Loop(); }) {}

LeaseKeeper::~LeaseKeeper() {
    {
        std::lock_guard lock(mu_);
        stopping_ = true;
    }
    cv_.notify_all();
    thread_.join();
}

void LeaseKeeper::Loop() {
    std::unique_lock lock(mu_);
    while (!cv_.wait_for(lock, interval_, [this] { return stopping_; })) {
        lock.unlock();
        auto conn = control_.Acquire();
        if (conn) {
            auto ours = extend_(**conn);
            // A failed UPDATE (database away) is not a lost lease: the lease may still be ours when it comes back.
            if (ours && !*ours) lost_.store(true);
            if (!ours) log::Warn("lease extension failed", {{"error", ours.error().message}});
        }
        lock.lock();
    }
}

}  // namespace mt::worker
