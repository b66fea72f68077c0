#pragma once
/// Company quotas (SPEC §9): tables, concurrent upload jobs, stored upload bytes; over one → 429 QUOTA_EXCEEDED
/// naming it, e.g. `Quota exceeded: tables (1000)`.
///
/// Race-free: ReserveQuota runs inside the control-database transaction that inserts the table or the job and
/// first takes the company's quota lock (a transaction-scoped advisory lock), so of two requests at quota − 1 the
/// second counts after the first has committed or rolled back: exactly one gets through.
#include <cstdint>
#include <string>

#include "mt/core/result.hpp"
#include "mt/pg/connection.hpp"

namespace mt::store {

struct Quotas {
    /// Active tables plus uploads on their way to creating one (jobs of mode create not yet done or failed).
    std::int64_t tables = 1000;
    std::int64_t concurrent_jobs = 10;       // upload jobs not yet done or failed
    std::int64_t upload_bytes = 10ll << 30;  // size_bytes of the files those jobs keep stored
};

/// What a request adds: a table, a job, its files' bytes.
struct QuotaDemand {
    std::int64_t tables = 0;
    std::int64_t jobs = 0;
    std::int64_t upload_bytes = 0;
};

/// Inside the caller's control-database transaction, before its insert: locks the company's quotas until the
/// transaction ends and checks usage + demand against each quota.
Status ReserveQuota(pg::Connection& control, const std::string& company_id, const Quotas& quotas,
                    const QuotaDemand& demand);

}  // namespace mt::store
