#include "mt/store/provisioning.hpp"

#include "mt/store/audit.hpp"

#include <thread>

#include "mt/core/ids.hpp"
#include "mt/core/log.hpp"
#include "mt/store/audit.hpp"
#include "mt/store/migrations.hpp"
#include "mt/store/role_secrets.hpp"
#include "mt/types/identifier.hpp"

namespace mt::store {
namespace {

constexpr const char* kSelectConnection =
    "SELECT id, company_id, database_name, role_name, status FROM mt_connections WHERE company_id = $1";

ConnectionRecord FromRow(const pg::Rows& rows, int r = 0) {
    return {std::string(rows.Get(r, 0)), std::string(rows.Get(r, 1)), std::string(rows.Get(r, 2)),
            std::string(rows.Get(r, 3)), std::string(rows.Get(r, 4))};
}

/// The role exists, logs in with the derived password (sent as a SCRAM verifier: the clear password is in no SQL
/// text), and has the connection limit and timeouts of `s`. Each statement is idempotent.
Status EnsureRole(pg::Connection& admin, const std::string& role_name, const std::string& key, const RoleSettings& s) {
    std::string role = types::QuoteIdentifier(role_name);
    MT_ASSIGN_OR_RETURN(auto verifier, ScramVerifier(admin, role_name, DeriveRolePassword(key, role_name)));
    MT_ASSIGN_OR_RETURN(auto role_rows, admin.Exec("SELECT 1 FROM pg_roles WHERE rolname = $1", {role_name}));
    // The role attributes take no parameters; the limit is an integer and the verifier is libpq's output.
    std::string attributes = " LOGIN NOSUPERUSER NOCREATEDB NOCREATEROLE NOREPLICATION NOBYPASSRLS CONNECTION LIMIT " +
                             std::to_string(s.connection_limit) + " PASSWORD " + pg::QuoteLiteral(verifier);
    MT_TRY(admin.Run((role_rows.empty() ? "CREATE ROLE " : "ALTER ROLE ") + role + attributes));
    MT_TRY(admin.Run("ALTER ROLE " + role + " SET statement_timeout = " + std::to_string(s.statement_timeout_ms)));
    MT_TRY(admin.Run("ALTER ROLE " + role + " SET lock_timeout = " + std::to_string(s.lock_timeout_ms)));
    MT_TRY(admin.Run("ALTER ROLE " + role +
                     " SET idle_in_transaction_session_timeout = " + std::to_string(s.idle_in_transaction_timeout_ms)));
    return Ok();
}

/// Role and database on the company server; each step checks first, so a retry after a crash completes it.
Status CreateRoleAndDatabase(Databases& dbs, const ConnectionRecord& c, const RoleSettings& s) {
    MT_ASSIGN_OR_RETURN(auto admin, dbs.admin().Acquire());
    MT_TRY(EnsureRole(*admin, c.role_name, dbs.settings().role_key, s));
    std::string role = types::QuoteIdentifier(c.role_name);
    std::string db = types::QuoteIdentifier(c.database_name);
    MT_ASSIGN_OR_RETURN(auto db_rows, admin->Exec("SELECT 1 FROM pg_database WHERE datname = $1", {c.database_name}));
    if (db_rows.empty()) {
        // CREATE DATABASE cannot run inside a transaction block; it is its own statement.
        MT_TRY(admin->Run("CREATE DATABASE " + db + " OWNER " + role + " ENCODING 'UTF8' TEMPLATE template0"));
    }
    // Only the company's role (and administrators) may connect.
    MT_TRY(admin->Run("REVOKE ALL ON DATABASE " + db + " FROM PUBLIC"));
    MT_TRY(admin->Run("GRANT CONNECT, TEMPORARY ON DATABASE " + db + " TO " + role));
    MT_ASSIGN_OR_RETURN(std::string url, dbs.CompanyAdminUrl(c));
    MT_ASSIGN_OR_RETURN(auto company_admin, pg::Connection::Open(url, dbs.session()));
    return PrepareCompanyDatabase(company_admin, c.role_name);
}

/// Provisions one company under its advisory lock (another provisioner may be at it: the second finds it done).
Status ProvisionOne(Databases& dbs, const std::string& company_id, const RoleSettings& s) {
    MT_ASSIGN_OR_RETURN(auto lock_conn, dbs.control().Acquire());
    // A session lock (not a transaction lock) because CREATE DATABASE cannot run in a transaction; if this process
    // dies the session ends and the lock is released, and the next run finishes the work.
    MT_TRY(lock_conn->Exec("SELECT pg_advisory_lock(7301002, hashtext($1))", {company_id}));
    struct Unlock {
        pg::Lease& conn;
        std::string company;
        ~Unlock() { (void)conn->Exec("SELECT pg_advisory_unlock(7301002, hashtext($1))", {company}); }
    } unlock{lock_conn, company_id};
    MT_ASSIGN_OR_RETURN(auto rows, lock_conn->Exec(kSelectConnection, {company_id}));
    if (rows.empty()) return Ok();
    auto record = FromRow(rows);
    if (record.status == "ready") return Ok();
    MT_TRY(CreateRoleAndDatabase(dbs, record, s));
    // Ready and its `provisioned` event (naming who asked) commit together.
    return pg::InTransaction(*lock_conn, [&]() -> Status {
        MT_ASSIGN_OR_RETURN(auto ready, lock_conn->Exec("UPDATE mt_connections SET status = 'ready', role_password = "
                                                        "'', updated_at = now() WHERE id = $1 AND status <> 'ready' "
                                                        "RETURNING requested_by, request_id",
                                                        {record.id}));
        if (ready.empty()) return Ok();
        return AppendAuditEvent(*lock_conn, {record.company_id, "provisioned", std::string(ready.Get(0, 0)),
                                             "connection", record.id, std::string(ready.Get(0, 1)),
                                             AuditDetails({{"database_name", AuditJsonString(record.database_name)}})});
    });
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

Result<ConnectionRecord> Provision(Databases& dbs, const std::string& company_id, const AuditContext& who,
                                   std::chrono::milliseconds wait) {
    MT_ASSIGN_OR_RETURN(auto found, FindConnection(dbs, company_id));
    if (found && found->status == "ready") return *found;  // the common case takes no lock

    if (!found) {
        MT_ASSIGN_OR_RETURN(auto conn, dbs.control().Acquire());
        std::string id = NewObjectId();
        // company_id is UNIQUE: of concurrent callers (on any gateway) one inserts, the others keep its row.
        MT_TRY(
            conn->Exec("INSERT INTO mt_connections (id, company_id, database_name, role_name, role_password, status,"
                       " requested_by, request_id) VALUES ($1, $2, $3, $4, '', 'provisioning', $5, $6)"
                       " ON CONFLICT (company_id) DO NOTHING",
                       {id, company_id, "mt_company_" + id, "mt_company_" + id, who.actor, who.request_id}));
    }
    {
        MT_ASSIGN_OR_RETURN(auto conn, dbs.control().Acquire());
        MT_TRY(conn->Exec("SELECT pg_notify('mt_provision', $1)", {company_id}));
    }
    auto deadline = std::chrono::steady_clock::now() + wait;
    auto pause = std::chrono::milliseconds(10);
    for (;;) {
        {
            MT_ASSIGN_OR_RETURN(auto conn, dbs.control().Acquire());
            MT_ASSIGN_OR_RETURN(auto rows, conn->Exec(kSelectConnection, {company_id}));
            if (!rows.empty()) {
                auto record = FromRow(rows);
                if (record.status == "ready") {
                    dbs.CacheConnection(record);
                    return record;
                }
            }
        }
        if (std::chrono::steady_clock::now() >= deadline) break;
        std::this_thread::sleep_for(pause);
        pause = std::min(pause * 2, std::chrono::milliseconds(100));
    }
    return Unavailable("The company database is still being created; retry in a few seconds");
}

Result<int> ProvisionPending(Databases& dbs, const RoleSettings& settings) {
    pg::Rows rows(nullptr);
    {
        MT_ASSIGN_OR_RETURN(auto conn, dbs.control().Acquire());
        MT_ASSIGN_OR_RETURN(rows, conn->Exec("SELECT company_id FROM mt_connections WHERE status = 'provisioning'"
                                             " ORDER BY created_at"));
    }
    // One company failing (its run is retried next time) does not hold up the others.
    int done = 0;
    std::optional<Error> first_error;
    for (int r = 0; r < rows.size(); ++r) {
        if (auto one = ProvisionOne(dbs, std::string(rows.Get(r, 0)), settings); !one) {
            if (!first_error) first_error = one.error();
        } else {
            ++done;
        }
    }
    if (first_error) return *first_error;
    return done;
}

Result<int> SecureExistingRoles(Databases& dbs, const RoleSettings& settings) {
    pg::Rows rows(nullptr);
    {
        MT_ASSIGN_OR_RETURN(auto conn, dbs.control().Acquire());
        MT_ASSIGN_OR_RETURN(rows, conn->Exec("SELECT id, role_name FROM mt_connections WHERE status = 'ready'"));
    }
    MT_ASSIGN_OR_RETURN(auto admin, dbs.admin().Acquire());
    int updated = 0;
    for (int r = 0; r < rows.size(); ++r) {
        std::string role(rows.Get(r, 1));
        MT_ASSIGN_OR_RETURN(auto exists, admin->Exec("SELECT 1 FROM pg_roles WHERE rolname = $1", {role}));
        if (exists.empty()) continue;  // dropped by an operator: nothing to secure
        MT_TRY(EnsureRole(*admin, role, dbs.settings().role_key, settings));
        // Only after the role has the derived password, so a crash in between leaves a working row.
        MT_ASSIGN_OR_RETURN(auto control, dbs.control().Acquire());
        MT_TRY(
            control->Exec("UPDATE mt_connections SET role_password = '', updated_at = now()"
                          " WHERE id = $1 AND role_password <> ''",
                          {std::string(rows.Get(r, 0))}));
        ++updated;
    }
    return updated;
}

Result<int> UpgradeCompanyDatabases(Databases& dbs) {
    pg::Rows rows(nullptr);
    {
        MT_ASSIGN_OR_RETURN(auto conn, dbs.control().Acquire());
        MT_ASSIGN_OR_RETURN(rows, conn->Exec("SELECT id, company_id, database_name, role_name, status FROM "
                                             "mt_connections WHERE status = 'ready' ORDER BY created_at"));
    }
    int upgraded = 0;
    for (int r = 0; r < rows.size(); ++r) {
        auto record = FromRow(rows, r);
        Status prepared = [&]() -> Status {
            MT_ASSIGN_OR_RETURN(std::string url, dbs.CompanyAdminUrl(record));
            MT_ASSIGN_OR_RETURN(auto company_admin, pg::Connection::Open(url, dbs.session()));
            return PrepareCompanyDatabase(company_admin, record.role_name);
        }();
        if (!prepared) {
            log::Warn("company database not upgraded; the next start tries again",
                      {{"company_id", record.company_id}, {"error", prepared.error().message}});
            continue;
        }
        ++upgraded;
    }
    return upgraded;
}

Status HardenControlDatabase(pg::Connection& control) {
    return control.Run(R"SQL(
DO $$
BEGIN
    EXECUTE format('GRANT CONNECT, TEMPORARY ON DATABASE %I TO %I', current_database(), current_user);
    EXECUTE format('REVOKE ALL ON DATABASE %I FROM PUBLIC', current_database());
    REVOKE CREATE ON SCHEMA public FROM PUBLIC;
END $$)SQL");
}

}  // namespace mt::store
