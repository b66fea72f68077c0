#include "mt/store/databases.hpp"

#include <algorithm>
#include <vector>

#include "mt/store/role_secrets.hpp"

namespace mt::store {

namespace {

pg::PoolOptions Options(const DatabaseSettings& s, std::size_t size) { return {size, s.acquire_timeout, s.session}; }

}  // namespace

Databases::Databases(DatabaseSettings settings)
    : settings_(std::move(settings)),
      budget_(std::make_shared<pg::ConnectionBudget>(settings_.max_connections)),
      control_(
          std::make_unique<pg::Pool>(settings_.control_url, Options(settings_, settings_.control_pool_size), budget_)),
      admin_(std::make_unique<pg::Pool>(settings_.company_server_url, Options(settings_, 4), budget_)),
      reaper_([this] { RunReaper(); }) {}

Databases::~Databases() {
    {
        std::lock_guard lock(reaper_mu_);
        stopping_ = true;
    }
    reaper_cv_.notify_all();
    reaper_.join();
}

void Databases::RunReaper() {
    // Often enough that a connection is closed within about a quarter of the idle setting past it.
    const auto period =
        std::clamp(settings_.idle_connection / 4, std::chrono::milliseconds(50), std::chrono::milliseconds(5000));
    std::unique_lock lock(reaper_mu_);
    while (!reaper_cv_.wait_for(lock, period, [this] { return stopping_; })) {
        lock.unlock();
        Reap();
        lock.lock();
    }
}

void Databases::Reap() {
    budget_->CloseIdle(settings_.idle_connection);
    std::vector<std::shared_ptr<pg::Pool>> dropped;  // destroyed outside the lock
    std::lock_guard lock(mu_);
    for (auto it = companies_.begin(); it != companies_.end();) {
        if (it->second.pool->open() == 0) {
            company_lru_.erase(it->second.lru);
            dropped.push_back(std::move(it->second.pool));
            it = companies_.erase(it);
        } else {
            ++it;
        }
    }
}

std::size_t Databases::company_pools() const {
    std::lock_guard lock(mu_);
    return companies_.size();
}

Result<std::string> Databases::CompanyUrl(const ConnectionRecord& c) const {
    if (settings_.role_key.empty()) return Internal("no role key (MT_DB_ROLE_KEY_FILE) to connect as a company");
    std::vector<std::pair<std::string, std::string>> overrides = {
        {"dbname", c.database_name},
        {"user", c.role_name},
        {"password", DeriveRolePassword(settings_.role_key, c.role_name)}};
    return pg::WithOverrides(settings_.company_server_url, overrides);
}

Result<std::string> Databases::CompanyAdminUrl(const ConnectionRecord& c) const {
    return pg::WithOverrides(settings_.company_server_url, {{"dbname", c.database_name}});
}

Result<pg::Lease> Databases::Company(const ConnectionRecord& connection) {
    std::shared_ptr<pg::Pool> pool;
    std::vector<std::shared_ptr<pg::Pool>> dropped;  // declared before the lock: destroyed after it
    {
        std::lock_guard lock(mu_);
        auto it = companies_.find(connection.id);
        if (it == companies_.end()) {
            MT_ASSIGN_OR_RETURN(std::string url, CompanyUrl(connection));
            auto made = std::make_shared<pg::Pool>(url, Options(settings_, settings_.company_pool_size), budget_);
            company_lru_.push_front(connection.id);
            it = companies_.emplace(connection.id, CompanyPool{std::move(made), company_lru_.begin()}).first;
        } else {
            company_lru_.splice(company_lru_.begin(), company_lru_, it->second.lru);
        }
        pool = it->second.pool;
        // Over the cap: forget the least recently used pools. Their idle connections close now; a request still
        // holding one of their connections keeps it (the lease owns the pool's state) and closes it when done.
        while (companies_.size() > settings_.max_company_pools) {
            auto victim = companies_.find(company_lru_.back());
            dropped.push_back(std::move(victim->second.pool));
            companies_.erase(victim);
            company_lru_.pop_back();
        }
    }
    return pool->Acquire();
}

std::optional<ConnectionRecord> Databases::CachedConnection(const std::string& company_id) const {
    std::lock_guard lock(mu_);
    auto it = ready_connections_.find(company_id);
    if (it == ready_connections_.end()) return std::nullopt;
    return it->second;
}

void Databases::CacheConnection(const ConnectionRecord& connection) {
    if (connection.status != "ready") return;
    std::lock_guard lock(mu_);
    ready_connections_[connection.company_id] = connection;
}

std::optional<TableRecord> Databases::CachedTable(const std::string& company_id, const std::string& table_id,
                                                  std::chrono::milliseconds max_age) const {
    std::lock_guard lock(mu_);
    auto it = tables_.find(table_id);
    if (it == tables_.end() || it->second.table.company_id != company_id ||
        std::chrono::steady_clock::now() - it->second.at > max_age) {
        return std::nullopt;
    }
    return it->second.table;
}

void Databases::CacheTable(const TableRecord& table) {
    std::lock_guard lock(mu_);
    if (tables_.size() > 10'000) tables_.clear();  // bounded: a cache, not a registry
    tables_[table.id] = {table, std::chrono::steady_clock::now()};
}

void Databases::ForgetTable(const std::string& table_id) {
    std::lock_guard lock(mu_);
    tables_.erase(table_id);
}

std::size_t Databases::in_use() const {
    std::size_t n = control_->in_use() + admin_->in_use();
    std::lock_guard lock(mu_);
    for (const auto& [id, company] : companies_) n += company.pool->in_use();
    return n;
}

}  // namespace mt::store
