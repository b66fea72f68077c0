#pragma once
/// Shared pieces of part loading and finalizing: the job's target table and the load table in the company DB.
#include "mt/jobs/job.hpp"
#include "mt/pg/connection.hpp"
#include "mt/store/databases.hpp"

namespace mt::inserter {

struct Target {
    jobs::JobRecord job;
    std::string table_id;
    std::string physical_name;
    std::string table_status;            // creating | active | archived
    std::vector<types::Column> columns;  // of the load table
    std::string company_url;             // as the company role, so everything loaded is owned by it
};

Result<Target> LoadTarget(store::Databases& dbs, pg::Connection& control, const std::string& job_id);
/// `mt_internal."load_<job>"`, created once (concurrent parts serialize on an advisory lock).
Status EnsureLoadTable(pg::Connection& company, const std::string& job_id, const std::vector<types::Column>& columns);
std::string LoadTable(const std::string& job_id);
/// `id, "a", "b"` quoted.
std::string ColumnList(const std::vector<types::Column>& columns);
Result<struct PartRange> ParseRange(std::string_view spec);
/// progress.processed_rows = sum of the parts' rows so far; Unavailable once the job is no longer inserting.
Status UpdateProgress(pg::Connection& control, const std::string& job_id);

}  // namespace mt::inserter
