#pragma once
/// Bounded pools of connections, one per database, that share one connection budget per process. Thread-safe.
///
/// `Acquire` hands out a `Lease`; when the lease dies the connection returns to its pool, unless it broke or was
/// left inside a transaction, in which case it is rolled back or dropped. Connections are opened lazily up to the
/// pool's `max_size` and the budget's `max_connections` (every pool of the budget together). An Acquire that
/// would go over the budget first closes the least recently used idle connection of any pool of the budget;
/// when none is idle it waits up to the acquire timeout and then fails with kUnavailable.
///
/// Ownership: a Pool may be destroyed while leases are out. Each lease shares ownership of the pool's state, so
/// it stays valid; its connection is closed (not pooled) when it comes back, and counts against the budget until
/// then. A budget lives as long as any pool state that uses it.
#include <chrono>
#include <condition_variable>
#include <cstddef>
#include <deque>
#include <list>
#include <memory>
#include <mutex>
#include <string>

#include "mt/pg/connection.hpp"

namespace mt::pg {

class ConnectionBudget;

namespace detail {
struct PoolState;
}

class Lease {
public:
    Lease(std::shared_ptr<detail::PoolState> pool, std::unique_ptr<Connection> conn)
        : pool_(std::move(pool)), conn_(std::move(conn)) {}
    Lease(Lease&&) noexcept = default;
    Lease& operator=(Lease&&) = delete;
    ~Lease();
    Connection& operator*() { return *conn_; }
    Connection* operator->() { return conn_.get(); }

private:
    std::shared_ptr<detail::PoolState> pool_;
    std::unique_ptr<Connection> conn_;
};

/// The most server connections the pools of one process may hold together (leased + idle). Shared by pools
/// through std::shared_ptr; thread-safe. All pools of a budget share its mutex: acquiring and releasing are a
/// few pointer moves, and one lock keeps the cross-pool eviction free of lock-order problems.
class ConnectionBudget {
public:
    explicit ConnectionBudget(std::size_t max_connections) : max_(max_connections) {}
    ConnectionBudget(const ConnectionBudget&) = delete;
    ConnectionBudget& operator=(const ConnectionBudget&) = delete;

    /// Closes every idle connection, of any pool, that has been idle for `idle_for` or longer; returns how many.
    std::size_t CloseIdle(std::chrono::milliseconds idle_for);
    /// Server connections open now (leased + idle) across the pools.
    [[nodiscard]] std::size_t open() const;
    [[nodiscard]] std::size_t max_connections() const { return max_; }

private:
    friend struct detail::PoolState;
    friend class Pool;

    const std::size_t max_;
    mutable std::mutex mu_;
    std::condition_variable cv_;  // a connection came back or was closed: waiters of any pool look again
    std::size_t open_ = 0;
    std::list<detail::PoolState*> pools_;  // live pools (a destroyed pool leaves; its leases still count)
};

struct PoolOptions {
    std::size_t max_size = 8;  // connections of this pool (leased + idle)
    std::chrono::milliseconds acquire_timeout = std::chrono::seconds(10);
    SessionSettings session;
};

class Pool {
public:
    /// A pool with a budget of its own (`max_size` connections).
    Pool(std::string conninfo, std::size_t max_size,
         std::chrono::milliseconds acquire_timeout = std::chrono::seconds(10));
    /// A pool that shares `budget` with other pools.
    Pool(std::string conninfo, PoolOptions options, std::shared_ptr<ConnectionBudget> budget);
    ~Pool();
    Pool(const Pool&) = delete;
    Pool& operator=(const Pool&) = delete;

    Result<Lease> Acquire();
    /// Connections leased now.
    [[nodiscard]] std::size_t in_use() const;
    /// Connections open now (leased + idle).
    [[nodiscard]] std::size_t open() const;
    [[nodiscard]] const std::string& conninfo() const;

private:
    std::shared_ptr<detail::PoolState> state_;
};

}  // namespace mt::pg
