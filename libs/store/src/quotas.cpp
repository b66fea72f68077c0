#include "mt/store/quotas.hpp"

#include "mt/jobs/job.hpp"

namespace mt::store {
namespace {

Error Exceeded(std::string_view quota, std::int64_t limit) {
    return QuotaExceeded("Quota exceeded: " + std::string(quota) + " (" + std::to_string(limit) + ")");
}

}  // namespace

Status ReserveQuota(pg::Connection& control, const std::string& company_id, const Quotas& quotas,
                    const QuotaDemand& demand) {
    // One lock per company (its own key space: the text is hashed with a prefix no other advisory lock uses),
    // released by COMMIT or ROLLBACK. Held only for the count and the insert that follows it.
    MT_TRY(control.Exec("SELECT pg_advisory_xact_lock(hashtextextended('mt-quota:' || $1, 0))", {company_id}));
    MT_ASSIGN_OR_RETURN(auto usage, jobs::LoadActiveUsage(control, company_id));
    if (demand.jobs > 0 && usage.jobs + demand.jobs > quotas.concurrent_jobs) {
        return Exceeded("concurrent_jobs", quotas.concurrent_jobs);
    }
    if (demand.upload_bytes > 0 && usage.upload_bytes + demand.upload_bytes > quotas.upload_bytes) {
        return Exceeded("upload_bytes", quotas.upload_bytes);
    }
    if (demand.tables > 0) {
        MT_ASSIGN_OR_RETURN(auto rows, control.Exec("SELECT count(*) FROM mt_tables WHERE company_id = $1 AND "
                                                    "status = 'active'",
                                                    {company_id}));
        const std::int64_t tables = std::stoll(std::string(rows.Get(0, 0))) + usage.creates;
        if (tables + demand.tables > quotas.tables) return Exceeded("tables", quotas.tables);
    }
    return Ok();
}

}  // namespace mt::store
