// POST /upload-jobs/:jobId/confirm: validate the edited schema, reserve the table, move the job to `inserting` and
// trigger the inserters, one message per part the analysis planned.
#include <map>
#include <set>

#include "handlers.hpp"
#include "mt/core/ids.hpp"
#include "mt/core/log.hpp"
#include "mt/jobs/job.hpp"
#include "mt/jobs/lifecycle.hpp"
#include "mt/store/provisioning.hpp"
#include "mt/store/tables.hpp"
#include "mt/types/identifier.hpp"

namespace mt::gateway {
namespace {

struct Inferred {
    std::string suggested_name;
    std::vector<types::Column> columns;
    std::int64_t total_rows = 0;
};

Result<Inferred> ReadInferred(const jobs::JobRecord& job) {
    if (!job.inferred_schema) return Internal("job in waiting_confirm without inferred_schema");
    MT_ASSIGN_OR_RETURN(auto doc, json::ParseJson(*job.inferred_schema));
    Inferred out;
    if (const auto* n = json::Find(doc, "suggested_table_name")) out.suggested_name = json::Text(*n);
    if (const auto* t = json::Find(doc, "total_row_count_estimate"))
        out.total_rows = std::stoll(std::string(json::Text(*t)));
    const auto* cols = json::Find(doc, "columns");
    if (!cols) return Internal("inferred_schema without columns");
    MT_ASSIGN_OR_RETURN(out.columns, store::ColumnsFromJson(json::Serialize(*cols)));
    return out;
}

/// For each confirmed column, the inferred column it takes its values from: every same-name match first, then
/// the same position among the inferred columns no name claimed (a renamed column). A confirmed column with
/// neither is an error for a new table; into an existing table it gets no source ("": NULL, and MatchTable
/// refuses it if it is NOT NULL).
Result<std::vector<std::string>> MatchSources(const std::vector<types::Column>& confirmed, const Inferred& inferred,
                                              bool into_table) {
    std::map<std::string, std::size_t> by_name;
    for (std::size_t i = 0; i < inferred.columns.size(); ++i) by_name[inferred.columns[i].name] = i;
    constexpr std::size_t kNone = static_cast<std::size_t>(-1);
    std::vector<std::size_t> source(confirmed.size(), kNone);
    std::set<std::size_t> used;
    for (std::size_t i = 0; i < confirmed.size(); ++i) {
        auto it = by_name.find(confirmed[i].name);
        if (it != by_name.end() && used.insert(it->second).second) source[i] = it->second;
    }
    for (std::size_t i = 0; i < confirmed.size(); ++i) {
        if (source[i] == kNone && i < inferred.columns.size() && !by_name.count(confirmed[i].name) &&
            used.insert(i).second) {
            source[i] = i;
        }
    }
    std::vector<std::string> sources;
    std::vector<FieldError> details;
    for (std::size_t i = 0; i < confirmed.size(); ++i) {
        if (source[i] != kNone) {
            sources.push_back(inferred.columns[source[i]].name);
        } else if (into_table) {
            sources.emplace_back();
        } else {
            details.push_back({"columns[" + std::to_string(i) + "].name",
                               "column \"" + confirmed[i].name + "\" is not in the uploaded files"});
        }
    }
    if (!details.empty()) return Validation("Confirmed schema does not match the upload", std::move(details));
    return sources;
}

/// Uploads into an existing table: the confirmed columns must be the table's (names), with its types; a NOT NULL
/// column needs a source in the files. With on_schema_error=drop_columns a confirmed column the table lacks is
/// left out (its source with it) and named in `dropped`; an upsert's key columns all need a source.
Result<std::vector<types::Column>> MatchTable(const std::vector<types::Column>& confirmed,
                                              std::vector<std::string>& sources, const store::TableRecord& table,
                                              const jobs::JobRecord& job, std::vector<std::string>& dropped) {
    std::vector<FieldError> details;
    std::vector<types::Column> out;
    std::vector<std::string> kept_sources;
    std::set<std::string> named;
    for (std::size_t i = 0; i < confirmed.size(); ++i) {
        const types::Column* col = nullptr;
        for (const auto& c : table.columns)
            if (c.name == confirmed[i].name) col = &c;
        if (!col && job.on_schema_error == "drop_columns") {
            dropped.push_back(confirmed[i].name);
            continue;
        }
        if (job.on_schema_error == "update_schema") {
            // The table's column widened to hold the file's type, or a new nullable column (store::UpdatedSchema
            // gives the inserter the same table columns from these).
            std::string field = "columns[" + std::to_string(i) + "].name";
            if (!col) {
                if (auto valid = types::ValidateColumnName(confirmed[i].name, field); !valid) {
                    for (const auto& d : valid.error().details) details.push_back(d);
                    if (valid.error().details.empty()) details.push_back({field, valid.error().message});
                    continue;
                }
            }
            types::Column widened = col ? *col : confirmed[i];
            if (col) widened.type = types::Widen(col->type, confirmed[i].type);
            if (!col) widened.nullable = true;
            if (!sources[i].empty()) named.insert(widened.name);
            out.push_back(std::move(widened));
            kept_sources.push_back(sources[i]);
            continue;
        }
        if (!col) {
            details.push_back(
                {"columns[" + std::to_string(i) + "].name",
                 "column \"" + confirmed[i].name + "\" does not exist in table \"" + table.display_name + "\""});
            continue;
        }
        if (!sources[i].empty()) named.insert(col->name);
        out.push_back(*col);
        kept_sources.push_back(sources[i]);
    }
    for (const auto& c : table.columns) {
        if (!c.nullable && !named.count(c.name))
            details.push_back({"columns", "table column \"" + c.name + "\" is NOT NULL and missing from the upload"});
    }
    for (const auto& k : job.key_columns) {
        if (!named.count(k)) details.push_back({"key_columns", "key column \"" + k + "\" is missing from the upload"});
    }
    sources = std::move(kept_sources);
    if (!details.empty()) return Validation("Confirmed schema does not match the table", std::move(details));
    return out;
}

std::string ConfirmedJson(const std::string& display_name, const std::vector<types::Column>& columns,
                          const std::vector<std::string>& sources) {
    rapidjson::StringBuffer sb;
    json::Writer w(sb);
    w.StartObject();
    w.Key("display_name");
    json::WriteString(w, display_name);
    w.Key("columns");
    w.StartArray();
    for (std::size_t i = 0; i < columns.size(); ++i) {
        w.StartObject();
        w.Key("name");
        json::WriteString(w, columns[i].name);
        w.Key("display_name");
        json::WriteString(w, columns[i].display_name);
        w.Key("type");
        json::WriteString(w, types::Name(columns[i].type));
        w.Key("nullable");
        w.Bool(columns[i].nullable);
        w.Key("source");
        json::WriteString(w, sources[i]);
        w.EndObject();
    }
    w.EndArray();
    w.EndObject();
    return {sb.GetString(), sb.GetSize()};
}

struct Plan {
    std::string display_name;
    std::vector<types::Column> columns;
    std::vector<std::string> sources;
    std::optional<store::TableRecord> existing;
    std::vector<std::string> dropped;  // on_schema_error=drop_columns: file columns the table lacks
};

Result<Plan> PlanConfirm(ApiServices& s, RequestContext& ctx, const jobs::JobRecord& job,
                         const rapidjson::Value& body) {
    MT_ASSIGN_OR_RETURN(auto inferred, ReadInferred(job));
    std::vector<FieldError> details;
    auto name = StringMember(body, "display_name", details, false);
    if (!details.empty()) return Validation("Invalid schema", std::move(details));
    Plan plan;
    if (json::Find(body, "columns")) {
        MT_ASSIGN_OR_RETURN(plan.columns, ParseColumns(json::Find(body, "columns")));
    } else {
        plan.columns = inferred.columns;
    }
    MT_ASSIGN_OR_RETURN(plan.sources, MatchSources(plan.columns, inferred, job.user_table_id.has_value()));
    if (job.user_table_id) {
        MT_ASSIGN_OR_RETURN(auto table, store::GetTableMetadata(s.databases, job.company_id, *job.user_table_id));
        MT_ASSIGN_OR_RETURN(plan.columns, MatchTable(plan.columns, plan.sources, table, job, plan.dropped));
        plan.display_name = table.display_name;  // the legacy name is reused, regex not enforced
        plan.existing = std::move(table);
        return plan;
    }
    plan.display_name = name.value_or(inferred.suggested_name);
    MT_TRY(store::ValidateSchema(plan.display_name, plan.columns, false));
    return plan;
}

}  // namespace

Result<HttpResponse> ConfirmJob(ApiServices& s, RequestContext& ctx) {
    MT_ASSIGN_OR_RETURN(auto body, ParseJsonObject(ctx.request, s.limits));
    MT_ASSIGN_OR_RETURN(auto control, s.databases.control().Acquire());
    MT_ASSIGN_OR_RETURN(auto job, jobs::GetJob(*control, ctx.principal.company_id, ctx.params[0]));
    // Not idempotent: a repeated confirm (even an identical one) is told what the job is doing now, because its
    // body may differ from the confirm that won and only one of them was applied.
    auto not_waiting = [](std::string_view current) {
        return BadRequest("Job não está aguardando confirmação (status atual: " + std::string(current) +
                              "; só um job em waiting_confirm pode ser confirmado)",
                          "JOB_NOT_WAITING_CONFIRM");
    };
    if (job.status != jobs::JobStatus::kWaitingConfirm) return not_waiting(jobs::Name(job.status));
    MT_ASSIGN_OR_RETURN(auto plan, PlanConfirm(s, ctx, job, body));
    MT_ASSIGN_OR_RETURN(auto connection, store::RequireConnection(s.databases, job.company_id));
    MT_ASSIGN_OR_RETURN(auto inferred, ReadInferred(job));
    std::string target = plan.existing ? plan.existing->id : NewObjectId();
    std::vector<int> parts;
    MT_TRY(pg::InTransaction(*control, [&]() -> Status {
        if (!plan.existing) {
            auto reserved = control->Exec(
                "INSERT INTO mt_tables (id, company_id, connection_id, display_name, physical_name, columns, source,"
                " status, created_by_user_id) VALUES ($1, $2, $3, $4, $4, $5::jsonb, 'upload', 'creating', $6)",
                {target, job.company_id, connection.id, plan.display_name, store::ColumnsToJson(plan.columns),
                 ctx.principal.user_id});
            if (!reserved) {
                if (reserved.error().code == "23505")
                    return BadRequest("Já existe uma tabela ativa com este nome", "MANAGED_TABLE_DUPLICATE_NAME");
                return std::move(reserved).error();
            }
            MT_TRY(store::CheckNameFree(*control, job.company_id, plan.display_name));
        } else {
            // Shares the table's row lock with schema changes: either this confirm commits first (a later change
            // sees the job and answers 409) or the change's intent does (this answers 409), never both.
            MT_TRY(store::LockTableForLoad(*control, job.company_id, target, plan.existing->columns));
            if (!plan.dropped.empty()) MT_TRY(jobs::RecordDroppedColumns(*control, job.id, plan.dropped));
        }
        MT_ASSIGN_OR_RETURN(
            auto confirmed,
            jobs::ConfirmJob(*control, job.id, ConfirmedJson(plan.display_name, plan.columns, plan.sources), target,
                             inferred.total_rows));
        if (!confirmed.confirmed) return not_waiting(confirmed.current_status);  // a concurrent confirm won
        parts = std::move(confirmed.parts);
        std::string columns;
        for (const auto& c : plan.columns) columns += (columns.empty() ? "" : ",") + store::AuditJsonString(c.name);
        return store::AppendAuditEvent(
            *control,
            {job.company_id, "upload.confirmed", ctx.principal.Actor(), "upload", job.id, ctx.request.request_id,
             store::AuditDetails({{"job_id", store::AuditJsonString(job.id)},
                                  {"mode", store::AuditJsonString(jobs::Name(job.mode))},
                                  {"table_id", store::AuditJsonString(target)},
                                  {"display_name", store::AuditJsonString(plan.display_name)},
                                  {"columns", "[" + columns + "]"}})});
    }));
    s.metrics.JobTransition(jobs::Name(jobs::JobStatus::kInserting));
    for (int p : parts) {
        auto sent =
            s.publisher.Publish(jobs::kTopicInsert, job.id + ":" + std::to_string(p), jobs::MessageJson(job, p));
        if (!sent) {
            log::Warn("insert message not published; the sweep will pick the part up",
                      {{"request_id", ctx.request.request_id}, {"job_id", job.id}, {"error", sent.error().message}});
        }
    }
    return HttpResponse{200, "{\"status\":\"inserting\"}", "application/json", 0};
}

}  // namespace mt::gateway
