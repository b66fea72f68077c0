#pragma once
/// Workflow 1: one PostgreSQL database (and one role of its own) per company.
#include <optional>
#include <string>

#include "mt/store/databases.hpp"

namespace mt::store {

/// The company's connection, ready or not; std::nullopt when it never provisioned.
Result<std::optional<ConnectionRecord>> FindConnection(Databases& dbs, const std::string& company_id);

/// The company's ready connection, or 400 DATABASE_NOT_PROVISIONED.
Result<ConnectionRecord> RequireConnection(Databases& dbs, const std::string& company_id);

/// Create (or finish creating) the company's role and database. Idempotent and safe under concurrent calls from
/// any number of processes: callers serialize on a session advisory lock per company, the first does the work,
/// the rest find it done. A run interrupted half-way (crash, lost connection) is completed by the next call.
Result<ConnectionRecord> Provision(Databases& dbs, const std::string& company_id);

}  // namespace mt::store
