#pragma once
/// The job tables of the control database (mt_jobs, mt_job_parts, mt_blobs), applied at start-up after
/// `store::Migrate` (jobs refer to tables). Numbered and recorded in `mt_jobs_schema_migrations`, serialized by an
/// advisory lock like the store's, so concurrent starters apply each migration once.
#include "mt/core/result.hpp"
#include "mt/pg/connection.hpp"

namespace mt::jobs {

Status Migrate(pg::Connection& control);

}  // namespace mt::jobs
