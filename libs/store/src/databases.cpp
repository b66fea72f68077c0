#include "mt/store/databases.hpp"

#include "mt/store/role_secrets.hpp"

namespace mt::store {

Databases::Databases(DatabaseSettings settings)
    : settings_(std::move(settings)),
      control_(settings_.control_url, settings_.control_pool_size),
      admin_(settings_.company_server_url, 4) {}

Result<std::string> Databases::CompanyUrl(const ConnectionRecord& c) const {
    if (settings_.role_key.empty()) return Internal("no role key (MT_DB_ROLE_KEY_FILE) to connect as a company");
    std::vector<std::pair<std::string, std::string>> overrides = {
        {"dbname", c.database_name},
        {"user", c.role_name},
        {"password", DeriveRolePassword(settings_.role_key, c.role_name)}};
    if (!settings_.company_options.empty()) overrides.emplace_back("options", settings_.company_options);
    return pg::WithOverrides(settings_.company_server_url, overrides);
}

Result<std::string> Databases::CompanyAdminUrl(const ConnectionRecord& c) const {
    return pg::WithOverrides(settings_.company_server_url, {{"dbname", c.database_name}});
}

Result<pg::Lease> Databases::Company(const ConnectionRecord& connection) {
    pg::Pool* pool = nullptr;
    {
        std::lock_guard lock(mu_);
        auto it = companies_.find(connection.id);
        if (it == companies_.end()) {
            MT_ASSIGN_OR_RETURN(std::string url, CompanyUrl(connection));
            it = companies_.emplace(connection.id, std::make_unique<pg::Pool>(url, settings_.company_pool_size)).first;
        }
        pool = it->second.get();
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
    std::size_t n = control_.in_use() + admin_.in_use();
    std::lock_guard lock(mu_);
    for (const auto& [id, pool] : companies_) n += pool->in_use();
    return n;
}

}  // namespace mt::store
