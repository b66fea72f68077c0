#include "mt/pg/pool.hpp"

namespace mt::pg {

Lease::~Lease() {
    if (pool_ && conn_) pool_->Release(std::move(conn_));
}

Pool::Pool(std::string conninfo, std::size_t max_size, std::chrono::milliseconds acquire_timeout)
    : conninfo_(std::move(conninfo)), max_size_(max_size), acquire_timeout_(acquire_timeout) {}

Result<Lease> Pool::Acquire() {
    std::unique_lock lock(mu_);
    auto deadline = std::chrono::steady_clock::now() + acquire_timeout_;
    while (true) {
        while (idle_.empty() && open_ >= max_size_) {
            if (cv_.wait_until(lock, deadline) == std::cv_status::timeout && idle_.empty() && open_ >= max_size_) {
                return Unavailable("PostgreSQL pool exhausted: no connection free within the timeout");
            }
        }
        if (idle_.empty()) break;  // room to open a new one
        auto conn = std::move(idle_.back());
        idle_.pop_back();
        if (conn->IdleAndAlive()) {
            ++leased_;
            return Lease(this, std::move(conn));
        }
        // The server ended this session while it sat in the pool (restart, failover): drop it, try the next one.
        --open_;
    }
    ++open_;
    ++leased_;
    lock.unlock();
    // Connect outside the lock: it can take a while and must not block other threads' releases.
    auto conn = Connection::Open(conninfo_);
    if (!conn) {
        std::lock_guard relock(mu_);
        --open_;
        --leased_;
        cv_.notify_one();
        return std::move(conn).error();
    }
    return Lease(this, std::make_unique<Connection>(std::move(*conn)));
}

void Pool::Release(std::unique_ptr<Connection> conn) {
    if (conn->healthy() && conn->in_transaction()) (void)conn->Run("ROLLBACK");
    bool keep = conn->healthy() && !conn->in_transaction();
    if (!keep) conn.reset();  // close outside the lock below is not needed: PQfinish is quick
    std::lock_guard lock(mu_);
    --leased_;
    if (keep) {
        idle_.push_back(std::move(conn));
    } else {
        --open_;
    }
    cv_.notify_one();
}

std::size_t Pool::in_use() const {
    std::lock_guard lock(mu_);
    return leased_;
}

}  // namespace mt::pg
