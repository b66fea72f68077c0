#include "mt/store/provisioning.hpp"

#include "mt/core/ids.hpp"
#include "mt/store/migrations.hpp"
#include "mt/types/identifier.hpp"

namespace mt::store {
namespace {

constexpr const char* kSelectConnection =
    "SELECT id, company_id, database_name, role_name, role_password, status FROM mt_connections "
    "WHERE company_id = $1";

ConnectionRecord FromRow(const pg::Rows& rows) {
    return {std::string(rows.Get(0, 0)), std::string(rows.Get(0, 1)), std::string(rows.Get(0, 2)),
            std::string(rows.Get(0, 3)), std::string(rows.Get(0, 4)), std::string(rows.Get(0, 5))};
}

/// Role and database on the company server; each step checks first, so a retry after a crash completes it.
Status CreateRoleAndDatabase(Databases& dbs, const ConnectionRecord& c) {
    MT_ASSIGN_OR_RETURN(auto admin, dbs.admin().Acquire());
    std::string role = types::QuoteIdentifier(c.role_name);
    std::string db = types::QuoteIdentifier(c.database_name);
    MT_ASSIGN_OR_RETURN(auto role_rows, admin->Exec("SELECT 1 FROM pg_roles WHERE rolname = $1", {c.role_name}));
    if (role_rows.empty()) {
        // CREATE ROLE takes no parameters; the password is 32 hex digits we generated, never client input.
        MT_TRY(admin->Run("CREATE ROLE " + role + " LOGIN NOSUPERUSER NOCREATEDB NOCREATEROLE PASSWORD " +
                          pg::QuoteLiteral(c.role_password)));
    }
    MT_ASSIGN_OR_RETURN(auto db_rows, admin->Exec("SELECT 1 FROM pg_database WHERE datname = $1", {c.database_name}));
    if (db_rows.empty()) {
        // CREATE DATABASE cannot run inside a transaction block; it is its own statement.
        MT_TRY(admin->Run("CREATE DATABASE " + db + " OWNER " + role + " ENCODING 'UTF8' TEMPLATE template0"));
    }
    // Only the company's role (and administrators) may connect.
    MT_TRY(admin->Run("REVOKE ALL ON DATABASE " + db + " FROM PUBLIC"));
    MT_TRY(admin->Run("GRANT CONNECT, TEMPORARY ON DATABASE " + db + " TO " + role));
    MT_ASSIGN_OR_RETURN(std::string url, dbs.CompanyAdminUrl(c));
    MT_ASSIGN_OR_RETURN(auto company_admin, pg::Connection::Open(url));
    return PrepareCompanyDatabase(company_admin, c.role_name);
}

}  // namespace

Result<std::optional<ConnectionRecord>> FindConnection(Databases& dbs, const std::string& company_id) {
    if (auto cached = dbs.CachedConnection(company_id)) return cached;
    MT_ASSIGN_OR_RETURN(auto conn, dbs.control().Acquire());
    MT_ASSIGN_OR_RETURN(auto rows, conn->Exec(kSelectConnection, {company_id}));
    if (rows.empty()) return std::optional<ConnectionRecord>();
    auto record = FromRow(rows);
    dbs.CacheConnection(record);
    return std::optional<ConnectionRecord>(std::move(record));
}

Result<ConnectionRecord> RequireConnection(Databases& dbs, const std::string& company_id) {
    MT_ASSIGN_OR_RETURN(auto found, FindConnection(dbs, company_id));
    if (!found || found->status != "ready") {
        return BadRequest("Base de dados não provisionada. Ative \"Meus Dados\" primeiro.", "DATABASE_NOT_PROVISIONED");
    }
    return *found;
}

Result<ConnectionRecord> Provision(Databases& dbs, const std::string& company_id) {
    MT_ASSIGN_OR_RETURN(auto found, FindConnection(dbs, company_id));
    if (found && found->status == "ready") return *found;  // the common case takes no lock

    MT_ASSIGN_OR_RETURN(auto lock_conn, dbs.control().Acquire());
    // A session lock (not a transaction lock) because CREATE DATABASE cannot run in a transaction; if this process
    // dies the session ends and the lock is released, and the next caller finishes the work.
    MT_TRY(lock_conn->Exec("SELECT pg_advisory_lock(7301002, hashtext($1))", {company_id}));
    struct Unlock {
        pg::Lease& conn;
        std::string company;
        ~Unlock() { (void)conn->Exec("SELECT pg_advisory_unlock(7301002, hashtext($1))", {company}); }
    } unlock{lock_conn, company_id};

    MT_ASSIGN_OR_RETURN(auto rows, lock_conn->Exec(kSelectConnection, {company_id}));
    ConnectionRecord record;
    if (rows.empty()) {
        std::string id = NewObjectId();
        record = {id, company_id, "mt_company_" + id, "mt_company_" + id, RandomHex(16), "provisioning"};
        MT_TRY(lock_conn->Exec(
            "INSERT INTO mt_connections (id, company_id, database_name, role_name, role_password,"
            " status) VALUES ($1, $2, $3, $4, $5, 'provisioning')",
            {record.id, record.company_id, record.database_name, record.role_name, record.role_password}));
    } else {
        record = FromRow(rows);
        if (record.status == "ready") return record;
    }
    MT_TRY(CreateRoleAndDatabase(dbs, record));
    MT_TRY(
        lock_conn->Exec("UPDATE mt_connections SET status = 'ready', updated_at = now() WHERE id = $1", {record.id}));
    record.status = "ready";
    return record;
}

}  // namespace mt::store
