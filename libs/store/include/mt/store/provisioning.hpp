#pragma once
/// Workflow 1: one PostgreSQL database (and one role of its own) per company.
///
/// Split by privilege: the request-serving gateway only records that a company wants a database (a
/// 'provisioning' row in mt_connections) and waits for it; mt-provisioner, the only process holding a role with
/// CREATEROLE and CREATEDB, creates the role and database and marks the row 'ready'.
#include <chrono>
#include <optional>
#include <string>

#include "mt/store/audit.hpp"
#include "mt/store/databases.hpp"

namespace mt::store {

/// The company's connection, ready or not; std::nullopt when it never provisioned.
Result<std::optional<ConnectionRecord>> FindConnection(Databases& dbs, const std::string& company_id);

/// The company's ready connection, or 400 DATABASE_NOT_PROVISIONED.
Result<ConnectionRecord> RequireConnection(Databases& dbs, const std::string& company_id);

/// Gateway side: the ready connection, after recording the request (one row per company, whatever the number of
/// concurrent callers), waking the provisioners (NOTIFY mt_provision) and waiting up to `wait` for one of them.
/// 503 (kUnavailable) when it is not ready in time; a retry waits again for the same row. The request that
/// records the row (`who`) is named by the `provisioned` event the provisioner writes when the row becomes ready.
Result<ConnectionRecord> Provision(Databases& dbs, const std::string& company_id, const AuditContext& who,
                                   std::chrono::milliseconds wait = std::chrono::seconds(15));

/// How every company role is set up (applied on each provisioning and, for existing roles, at provisioner start).
struct RoleSettings {
    int connection_limit = 20;  // sizing: gateway replicas × MT_COMPANY_DB_POOL + worker replicas × 4 must fit
    long statement_timeout_ms = 300'000;
    long lock_timeout_ms = 30'000;
    long idle_in_transaction_timeout_ms = 60'000;
};

/// Provisioner side: create (or finish creating) the role and database of every 'provisioning' row. Idempotent
/// and safe under concurrent provisioners (a session advisory lock per company); a run interrupted half-way is
/// completed by the next. Needs dbs.admin() to be a role with CREATEROLE and CREATEDB. Returns how many it made
/// ready.
Result<int> ProvisionPending(Databases& dbs, const RoleSettings& settings);

/// Provisioner start-up: every existing company role gets the derived password (as a SCRAM verifier), the
/// connection limit and the timeouts, and any password still stored in mt_connections (rows from before
/// passwords were derived) is erased. Idempotent. Returns the number of roles updated.
Result<int> SecureExistingRoles(Databases& dbs, const RoleSettings& settings);

/// Provisioner start-up: every ready company database gets PrepareCompanyDatabase again (idempotent), which
/// upgrades the internals of databases made by older releases (versions, row caps). Returns how many it
/// prepared; a database that cannot be reached is logged and left for the next start.
Result<int> UpgradeCompanyDatabases(Databases& dbs);

/// Provisioner start-up: nobody but the roles granted it may connect to the control database or create in its
/// public schema (company roles included). Grants CONNECT to the control URL's own role first.
Status HardenControlDatabase(pg::Connection& control);

}  // namespace mt::store
