#pragma once
/// Keeps a lease alive while a worker holds it: a background thread calls a lease-extending transition of the job
/// module every `interval`. If it stops matching (the lease was lost to another worker after a stall), `lost()` turns
/// true and the holder must abandon its work without committing anything.
///
/// Lifecycle: starts in the constructor, stops and joins in the destructor. `lost()` is thread-safe.
#include <atomic>
#include <chrono>
#include <condition_variable>
#include <functional>
#include <mutex>
#include <string>
#include <thread>

#include "mt/pg/connection.hpp"
#include "mt/pg/pool.hpp"

namespace mt::worker {

class LeaseKeeper {
public:
    /// `extend` returns true while the lease is ours (e.g. jobs::ExtendPartLease).
    using Extend = std::function<Result<bool>(pg::Connection&)>;
    LeaseKeeper(pg::Pool& control, Extend extend, std::chrono::milliseconds interval);
    ~LeaseKeeper();
    LeaseKeeper(const LeaseKeeper&) = delete;
    LeaseKeeper& operator=(const LeaseKeeper&) = delete;
    [[nodiscard]] bool lost() const { return lost_.load(); }

private:
    void Loop();
    pg::Pool& control_;
    Extend extend_;
    std::chrono::milliseconds interval_;
    std::atomic<bool> lost_{false};
    std::mutex mu_;
    std::condition_variable cv_;
    bool stopping_ = false;
    std::thread thread_;
};

}  // namespace mt::worker
