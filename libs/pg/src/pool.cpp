#include "mt/pg/pool.hpp"

#include <algorithm>
#include <vector>

namespace mt::pg {

using Clock = std::chrono::steady_clock;

namespace detail {

/// One pool's connections. Every field below `budget` is guarded by budget->mu_.
struct PoolState {
    struct Idle {
        std::unique_ptr<Connection> conn;
        Clock::time_point since;
    };

    PoolState(std::string conninfo, PoolOptions options, std::shared_ptr<ConnectionBudget> budget)
        : conninfo(std::move(conninfo)), options(std::move(options)), budget(std::move(budget)) {}

    Result<Lease> Acquire(const std::shared_ptr<PoolState>& self);
    void Release(std::unique_ptr<Connection> conn);
    /// The pool is going away: close the idle connections; leased ones are closed when they come back.
    void Close();
    /// Idle connections of every pool of the budget idle for `idle_for` or longer (caller holds the lock).
    static void TakeIdle(ConnectionBudget& budget, Clock::time_point older_than,
                         std::vector<std::unique_ptr<Connection>>& out);

    const std::string conninfo;
    const PoolOptions options;
    const std::shared_ptr<ConnectionBudget> budget;
    std::deque<Idle> idle;  // oldest first: reuse takes the newest, so the rest age out
    std::size_t open = 0;   // idle + leased
    std::size_t leased = 0;
    bool closed = false;
};

Result<Lease> PoolState::Acquire(const std::shared_ptr<PoolState>& self) {
    std::vector<std::unique_ptr<Connection>> to_close;  // closed after the lock is released (declared first)
    std::unique_lock lock(budget->mu_);
    const auto deadline = Clock::now() + options.acquire_timeout;
    while (true) {
        while (!idle.empty()) {
            auto conn = std::move(idle.back().conn);
            idle.pop_back();
            if (conn->IdleAndAlive()) {
                ++leased;
                return Lease(self, std::move(conn));
            }
            // The server ended this session while it sat in the pool (restart, failover, its idle timeout).
            --open;
            --budget->open_;
            to_close.push_back(std::move(conn));
        }
        if (open < options.max_size) {
            if (budget->open_ < budget->max_) {
                ++budget->open_;
                break;
            }
            // Over the budget: take the place of the least recently used idle connection of another pool.
            PoolState* victim = nullptr;
            for (PoolState* p : budget->pools_) {
                if (!p->idle.empty() && (!victim || p->idle.front().since < victim->idle.front().since)) victim = p;
            }
            if (victim) {
                to_close.push_back(std::move(victim->idle.front().conn));
                victim->idle.pop_front();
                --victim->open;
                break;  // its place in the budget is ours now
            }
        }
        if (budget->cv_.wait_until(lock, deadline) == std::cv_status::timeout) {
            return Unavailable("No database connection became free in time; try again");
        }
    }
    ++open;
    ++leased;
    lock.unlock();
    // The connection given up is closed before ours opens, so the server never sees more than the budget.
    to_close.clear();
    // Connect outside the lock: it can take a while and must not block other threads' releases.
    auto conn = Connection::Open(conninfo, options.session);
    if (!conn) {
        std::lock_guard relock(budget->mu_);
        --open;
        --leased;
        --budget->open_;
        budget->cv_.notify_all();
        return std::move(conn).error();
    }
    return Lease(self, std::make_unique<Connection>(std::move(*conn)));
}

void PoolState::Release(std::unique_ptr<Connection> conn) {
    if (conn->healthy() && conn->in_transaction()) (void)conn->Run("ROLLBACK");
    bool keep = conn->healthy() && !conn->in_transaction();
    {
        std::lock_guard lock(budget->mu_);
        --leased;
        if (keep && !closed) {
            idle.push_back({std::move(conn), Clock::now()});
        } else {
            --open;
            --budget->open_;
        }
        // Waiters of every pool: this one may have room now, or another may take this idle connection's place.
        budget->cv_.notify_all();
    }
    conn.reset();  // a dropped connection is closed outside the lock
}

void PoolState::Close() {
    std::vector<std::unique_ptr<Connection>> to_close;
    {
        std::lock_guard lock(budget->mu_);
        closed = true;
        budget->pools_.remove(this);
        for (auto& i : idle) to_close.push_back(std::move(i.conn));
        open -= idle.size();
        budget->open_ -= idle.size();
        idle.clear();
        budget->cv_.notify_all();
    }
}

void PoolState::TakeIdle(ConnectionBudget& budget, Clock::time_point older_than,
                         std::vector<std::unique_ptr<Connection>>& out) {
    for (PoolState* p : budget.pools_) {
        while (!p->idle.empty() && p->idle.front().since <= older_than) {
            out.push_back(std::move(p->idle.front().conn));
            p->idle.pop_front();
            --p->open;
            --budget.open_;
        }
    }
}

}  // namespace detail

Lease::~Lease() {
    if (pool_ && conn_) pool_->Release(std::move(conn_));
}

std::size_t ConnectionBudget::CloseIdle(std::chrono::milliseconds idle_for) {
    std::vector<std::unique_ptr<Connection>> to_close;
    {
        std::lock_guard lock(mu_);
        detail::PoolState::TakeIdle(*this, Clock::now() - idle_for, to_close);
        if (!to_close.empty()) cv_.notify_all();
    }
    return to_close.size();
}

std::size_t ConnectionBudget::open() const {
    std::lock_guard lock(mu_);
    return open_;
}

Pool::Pool(std::string conninfo, std::size_t max_size, std::chrono::milliseconds acquire_timeout)
    : Pool(std::move(conninfo), PoolOptions{max_size, acquire_timeout, {}},
           std::make_shared<ConnectionBudget>(max_size)) {}

Pool::Pool(std::string conninfo, PoolOptions options, std::shared_ptr<ConnectionBudget> budget)
    : state_(std::make_shared<detail::PoolState>(std::move(conninfo), std::move(options), std::move(budget))) {
    std::lock_guard lock(state_->budget->mu_);
    state_->budget->pools_.push_back(state_.get());
}

Pool::~Pool() { state_->Close(); }

Result<Lease> Pool::Acquire() { return state_->Acquire(state_); }

std::size_t Pool::in_use() const {
    std::lock_guard lock(state_->budget->mu_);
    return state_->leased;
}

std::size_t Pool::open() const {
    std::lock_guard lock(state_->budget->mu_);
    return state_->open;
}

const std::string& Pool::conninfo() const { return state_->conninfo; }

}  // namespace mt::pg
