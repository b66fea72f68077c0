#pragma once
/// Control-database schema, applied at service start-up.
///
/// Migrations are numbered and recorded in `mt_schema_migrations`; `Migrate` takes a transaction-level advisory
/// lock first, so any number of gateways and workers starting at once apply each migration exactly once, and a
/// starter that loses the race simply finds the work done.
#include "mt/core/result.hpp"
#include "mt/pg/connection.hpp"

namespace mt::store {

Status Migrate(pg::Connection& control);

/// SQL run (as the database owner) inside every new company database: internal schema, exact row counters,
/// versions and row caps kept by statement-level triggers, and the ledger of applied upload jobs that makes
/// inserts exactly-once. Idempotent: run again over a database prepared by an older release it upgrades it
/// (new counter columns, new trigger functions, the update trigger on tables made before versions existed).
Status PrepareCompanyDatabase(pg::Connection& company_admin, std::string_view owner_role);

}  // namespace mt::store
