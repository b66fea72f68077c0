#pragma once
/// Connections to the control database and to the company databases. Thread-safe; one per process.
///
/// The control pool is fixed. Company pools are created on first use, one per company database, and connect as
/// that company's own role (which can touch nothing but its database), so a bug in a query can never reach
/// another company's data. `admin` connects with rights to create roles and databases (provisioning only).
#include <chrono>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>

#include "mt/pg/pool.hpp"
#include "mt/store/records.hpp"

namespace mt::store {

struct DatabaseSettings {
    std::string control_url;         // the control database
    std::string company_server_url;  // any database on the company server, as a role with CREATEDB and CREATEROLE
    std::size_t control_pool_size = 16;
    std::size_t company_pool_size = 8;  // per company database
    /// How long a schema change (PUT/PATCH/DELETE of a table) waits for its locks before answering 409
    /// TABLE_BUSY, so that a long reader never makes every later reader queue behind the DDL's lock request.
    std::chrono::milliseconds ddl_lock_timeout{2000};
};

class Databases {
public:
    explicit Databases(DatabaseSettings settings);

    pg::Pool& control() { return control_; }
    [[nodiscard]] const DatabaseSettings& settings() const { return settings_; }
    pg::Pool& admin() { return admin_; }
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

private:
    DatabaseSettings settings_;
    pg::Pool control_;
    pg::Pool admin_;
    mutable std::mutex mu_;
    std::map<std::string, std::unique_ptr<pg::Pool>> companies_;              // by connection id
    std::map<std::string, ConnectionRecord, std::less<>> ready_connections_;  // by company id
    struct CachedTableEntry {
        TableRecord table;
        std::chrono::steady_clock::time_point at;
    };
    std::map<std::string, CachedTableEntry, std::less<>> tables_;  // by table id
};

}  // namespace mt::store
