#include "target.hpp"

#include "inserter.hpp"
#include "mt/store/provisioning.hpp"
#include "mt/store/tables.hpp"
#include "mt/types/identifier.hpp"
#include "part_stream.hpp"

namespace mt::inserter {

std::string LoadTable(const std::string& job_id) { return store::QualifiedName("load_" + job_id, "mt_internal"); }

std::string ColumnList(const std::vector<types::Column>& columns) {
    std::string out = "id";
    for (const auto& c : columns) out += ", " + types::QuoteIdentifier(c.name);
    return out;
}

Result<PartRange> ParseRange(std::string_view spec) {
    MT_ASSIGN_OR_RETURN(auto doc, json::ParseJson(spec));
    auto num = [&](const char* key) -> std::int64_t {
        const auto* v = json::Find(doc, key);
        return v ? std::stoll(std::string(json::Text(*v))) : 0;
    };
    return PartRange{num("first_row"), num("end_row"), static_cast<std::uint64_t>(num("id_base_ms"))};
}

Result<Target> LoadTarget(store::Databases& dbs, pg::Connection& control, const std::string& job_id) {
    MT_ASSIGN_OR_RETURN(auto job, jobs::LoadJob(control, job_id));
    if (!job || !job->target_table_id) return Internal("job " + job_id + " has no target table");
    MT_ASSIGN_OR_RETURN(auto rows,
                        control.Exec("SELECT physical_name, status, columns::text FROM mt_tables WHERE id = $1",
                                     {*job->target_table_id}));
    if (rows.empty() || rows.Get(0, 1) == "archived") {
        return Validation("The table this upload was loading into was deleted");
    }
    Target t;
    t.table_id = *job->target_table_id;
    t.physical_name = rows.Get(0, 0);
    t.table_status = rows.Get(0, 1);
    store::TableRecord table;
    MT_ASSIGN_OR_RETURN(table.columns, store::ColumnsFromJson(rows.Get(0, 2)));
    MT_ASSIGN_OR_RETURN(t.columns, TargetColumns(*job, table));
    MT_ASSIGN_OR_RETURN(auto connection, store::RequireConnection(dbs, job->company_id));
    MT_ASSIGN_OR_RETURN(t.company_url, dbs.CompanyUrl(connection));
    t.job = std::move(*job);
    return t;
}

Status EnsureLoadTable(pg::Connection& company, const std::string& job_id, const std::vector<types::Column>& columns) {
    return pg::InTransaction(company, [&]() -> Status {
        MT_TRY(company.Exec("SELECT pg_advisory_xact_lock(7301003, hashtext($1))", {job_id}));
        MT_ASSIGN_OR_RETURN(auto exists, company.Exec("SELECT to_regclass($1) IS NOT NULL", {LoadTable(job_id)}));
        if (exists.Get(0, 0) == "t") return Ok();
        return store::CreateBareTable(company, LoadTable(job_id), columns);
    });
}

Status UpdateProgress(pg::Connection& control, const std::string& job_id) {
    MT_ASSIGN_OR_RETURN(
        auto updated,
        control.Exec(
            "UPDATE mt_jobs SET progress = json_build_object('processed_rows', (SELECT coalesce(sum(rows_loaded), 0) "
            "FROM mt_job_parts WHERE job_id = $1), 'total_rows', coalesce((progress->>'total_rows')::bigint, 0)), "
            "updated_at = now() WHERE id = $1 AND status = 'inserting' RETURNING 1",
            {job_id}));
    // Another part failed the job: stop copying rows nobody will see.
    if (updated.empty()) return Unavailable("job is no longer inserting");
    return Ok();
}

}  // namespace mt::inserter
