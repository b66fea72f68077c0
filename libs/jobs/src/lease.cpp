#include "mt/jobs/lease.hpp"

#include "mt/core/log.hpp"

namespace mt::jobs {

LeaseKeeper::LeaseKeeper(pg::Pool& control, std::string extend_sql, pg::Params params,
                         std::chrono::milliseconds interval)
    : control_(control), sql_(std::move(extend_sql)), params_(std::move(params)), interval_(interval), thread_([this] {
          Loop();
      }) {}

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
            auto rows = (*conn)->Exec(sql_, params_);
            // A failed UPDATE (database away) is not a lost lease: the lease may still be ours when it comes back.
            if (rows && rows->affected() == 0) lost_.store(true);
            if (!rows) log::Warn("lease extension failed", {{"error", rows.error().message}});
        }
        lock.lock();
    }
}

}  // namespace mt::jobs
