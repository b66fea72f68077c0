#pragma once
/// Connections to the control database and to the company databases. Thread-safe; one per process.
///
/// The control pool is fixed. Company pools are created on first use, one per company database, and connect as
/// that company's own role (which can touch nothing but its database), so a bug in a query can never reach
/// another company's data. `admin` connects as company_server_url's role: in mt-provisioner, one with rights to
/// create roles and databases; nothing else uses it.
///
/// Every pool shares one budget of `max_connections` server connections (README "Connections"). A reaper
/// thread closes connections idle for `idle_connection` and forgets company pools left without connections;
/// beyond `max_company_pools` the least recently used company pool is dropped at once (its leases stay valid).
#include <chrono>
#include <condition_variable>
#include <list>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <thread>

#include "mt/pg/pool.hpp"
#include "mt/store/records.hpp"

namespace mt::store {

struct DatabaseSettings {
    std::string control_url;  // the control database
    /// The server holding company databases. Request-serving processes need only its host and port (user,
    /// password and database are replaced by the company's); only mt-provisioner's is a role with CREATEDB and
    /// CREATEROLE (admin()).
    std::string company_server_url;
    std::string role_key;  // master key of the company role passwords (MT_DB_ROLE_KEY_FILE)
    std::size_t control_pool_size = 16;
    std::size_t company_pool_size = 8;  // per company database
    std::size_t max_connections = 64;   // every pool of the process together (leased + idle)
    std::size_t max_company_pools = 100;
    std::chrono::milliseconds idle_connection{60'000};  // an idle pooled connection is closed after this
    std::chrono::milliseconds acquire_timeout{10'000};  // wait for a connection at most this, then 503
    pg::SessionSettings session;  // bounds and application_name of every session, pooled or dedicated
    /// How long a schema change (PUT/PATCH/DELETE of a table) waits for its locks before answering 409
    /// TABLE_BUSY, so that a long reader never makes every later reader queue behind the DDL's lock request.
    std::chrono::milliseconds ddl_lock_timeout{2000};
};

class Databases {
public:
    explicit Databases(DatabaseSettings settings);
    ~Databases();
    Databases(const Databases&) = delete;
    Databases& operator=(const Databases&) = delete;

    [[nodiscard]] const DatabaseSettings& settings() const { return settings_; }
    pg::Pool& control() { return *control_; }
    pg::Pool& admin() { return *admin_; }
    /// What a dedicated (unpooled) session opens with: pg::Connection::Open(url, session()).
    [[nodiscard]] const pg::SessionSettings& session() const { return settings_.session; }
    /// A connection to the company database, as the company role.
    Result<pg::Lease> Company(const ConnectionRecord& connection);
    /// A conninfo for the company database as the company's role (for workers' dedicated connections).
    Result<std::string> CompanyUrl(const ConnectionRecord& connection) const;
    /// A conninfo for the company database as the administrator (provisioning its internals).
    Result<std::string> CompanyAdminUrl(const ConnectionRecord& connection) const;
    /// Ready company connections never change (ids, role, password), so each process keeps the ones it has seen.
    std::optional<ConnectionRecord> CachedConnection(const std::string& company_id) const;
    void CacheConnection(const ConnectionRecord& connection);
    /// Table metadata for reads, kept `max_age` at most. This process forgets a table as soon as it changes it;
    /// another gateway's change shows here within `max_age` (and at once where the old metadata no longer fits
    /// the physical table: callers retry with fresh metadata on undefined-table/column errors).
    std::optional<TableRecord> CachedTable(const std::string& company_id, const std::string& table_id,
                                           std::chrono::milliseconds max_age) const;
    void CacheTable(const TableRecord& table);
    void ForgetTable(const std::string& table_id);
    /// Connections leased right now across every pool (for metrics).
    [[nodiscard]] std::size_t in_use() const;
    /// Server connections open now (leased + idle) across every pool; never above max_connections.
    [[nodiscard]] std::size_t open_connections() const { return budget_->open(); }
    /// Company pools held now.
    [[nodiscard]] std::size_t company_pools() const;
    /// One pass of the reaper: closes connections idle for `idle_connection`, forgets empty company pools.
    void Reap();

private:
    struct CompanyPool {
        std::shared_ptr<pg::Pool> pool;  // shared: a request keeps it alive while an eviction drops it
        std::list<std::string>::iterator lru;
    };
    void RunReaper();

    DatabaseSettings settings_;
    std::shared_ptr<pg::ConnectionBudget> budget_;
    std::unique_ptr<pg::Pool> control_;
    std::unique_ptr<pg::Pool> admin_;
    mutable std::mutex mu_;
    std::map<std::string, CompanyPool> companies_;  // by connection id
    std::list<std::string> company_lru_;            // connection ids, most recently used first
    std::map<std::string, ConnectionRecord, std::less<>> ready_connections_;  // by company id
    struct CachedTableEntry {
        TableRecord table;
        std::chrono::steady_clock::time_point at;
    };
    std::map<std::string, CachedTableEntry, std::less<>> tables_;  // by table id
    std::mutex reaper_mu_;
    std::condition_variable reaper_cv_;
    bool stopping_ = false;
    std::thread reaper_;  // last: started once everything above exists
};

}  // namespace mt::store
