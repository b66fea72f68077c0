#pragma once
/// Keeps a lease alive while a worker holds it: a background thread re-runs a lease-extending UPDATE every
/// `interval`. If the UPDATE stops matching (the lease was lost to another worker after a stall), `lost()` turns
/// true and the holder must abandon its work without committing anything.
///
/// Lifecycle: starts in the constructor, stops and joins in the destructor. `lost()` is thread-safe.
#include <atomic>
#include <chrono>
#include <condition_variable>
#include <mutex>
#include <string>
#include <thread>

#include "mt/pg/connection.hpp"
#include "mt/pg/pool.hpp"

namespace mt::jobs {

class LeaseKeeper {
public:
    /// `extend_sql` must be an UPDATE … RETURNING 1 (or affect rows) that matches only while the lease is ours.
    LeaseKeeper(pg::Pool& control, std::string extend_sql, pg::Params params, std::chrono::milliseconds interval);
    ~LeaseKeeper();
    LeaseKeeper(const LeaseKeeper&) = delete;
    LeaseKeeper& operator=(const LeaseKeeper&) = delete;
    [[nodiscard]] bool lost() const { return lost_.load(); }

private:
    void Loop();
    pg::Pool& control_;
    std::string sql_;
    pg::Params params_;
    std::chrono::milliseconds interval_;
    std::atomic<bool> lost_{false};
    std::mutex mu_;
    std::condition_variable cv_;
    bool stopping_ = false;
    std::thread thread_;
};

}  // namespace mt::jobs
