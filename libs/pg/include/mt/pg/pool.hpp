#pragma once
/// A bounded pool of connections to one database. Thread-safe.
///
/// `Acquire` hands out a `Lease`; when the lease dies the connection returns to the pool, unless it broke or was
/// left inside a transaction, in which case it is rolled back or dropped. Connections are opened lazily up to
/// `max_size`; callers beyond that wait up to the timeout and then get kUnavailable.
#include <chrono>
#include <condition_variable>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "mt/pg/connection.hpp"

namespace mt::pg {

class Pool;

class Lease {
public:
    Lease(Pool* pool, std::unique_ptr<Connection> conn) : pool_(pool), conn_(std::move(conn)) {}
    Lease(Lease&&) noexcept = default;
    Lease& operator=(Lease&&) = delete;
    ~Lease();
    Connection& operator*() { return *conn_; }
    Connection* operator->() { return conn_.get(); }

private:
    Pool* pool_;
    std::unique_ptr<Connection> conn_;
};

class Pool {
public:
    Pool(std::string conninfo, std::size_t max_size,
         std::chrono::milliseconds acquire_timeout = std::chrono::seconds(10));
    Pool(const Pool&) = delete;
    Pool& operator=(const Pool&) = delete;

    Result<Lease> Acquire();
    [[nodiscard]] std::size_t in_use() const;
    [[nodiscard]] const std::string& conninfo() const { return conninfo_; }

private:
    friend class Lease;
    void Release(std::unique_ptr<Connection> conn);

    const std::string conninfo_;
    const std::size_t max_size_;
    const std::chrono::milliseconds acquire_timeout_;
    mutable std::mutex mu_;
    std::condition_variable cv_;
    std::vector<std::unique_ptr<Connection>> idle_;
    std::size_t open_ = 0;  // idle + leased
    std::size_t leased_ = 0;
};

}  // namespace mt::pg
