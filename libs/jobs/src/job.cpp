#include "mt/jobs/job.hpp"

#include <charconv>

#include "mt/core/ids.hpp"

namespace mt::jobs {
namespace {

constexpr const char* kJobColumns =
    "id, company_id, user_table_id, target_table_id, mode, status, files::text, inferred_schema::text, "
    "confirmed_schema::text, progress::text, error::text, coalesce(request_id, ''), "
    "created_by_user_id, to_char(created_at AT TIME ZONE 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS.MS\"Z\"'), "
    "to_char(updated_at AT TIME ZONE 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS.MS\"Z\"'), attempts, "
    "coalesce(id_base_ms, 0), coalesce(key_columns::text, '[]'), on_schema_error, "
    "coalesce(dropped_columns::text, '[]'), array_to_string(if_match, ','), coalesce(warnings::text, '[]'), "
    "warning_count";

std::string NamesJson(const std::vector<std::string>& names) {
    rapidjson::StringBuffer sb;
    json::Writer w(sb);
    w.StartArray();
    for (const auto& n : names) json::WriteString(w, n);
    w.EndArray();
    return {sb.GetString(), sb.GetSize()};
}

/// `{7,8}` for a bigint[] parameter; nullopt (NULL) without an If-Match.
std::optional<std::string> IfMatchArray(const std::optional<std::vector<std::int64_t>>& versions) {
    if (!versions) return std::nullopt;
    std::string out = "{";
    for (std::int64_t v : *versions) out += (out.size() > 1 ? "," : "") + std::to_string(v);
    return out + "}";
}

Result<std::vector<std::string>> NamesFromJson(std::string_view text) {
    MT_ASSIGN_OR_RETURN(auto doc, json::ParseJson(text));
    if (!doc.IsArray()) return Internal("job column list is not an array");
    std::vector<std::string> out;
    for (const auto& n : doc.GetArray()) out.emplace_back(json::Text(n));
    return out;
}

std::string FilesJson(const std::vector<FileRef>& files) {
    rapidjson::StringBuffer sb;
    json::Writer w(sb);
    w.StartArray();
    for (const auto& f : files) {
        w.StartObject();
        w.Key("original_name");
        json::WriteString(w, f.original_name);
        w.Key("storage_path");
        json::WriteString(w, f.storage_path);
        w.Key("size_bytes");
        w.Int64(f.size_bytes);
        w.Key("mime_type");
        json::WriteString(w, f.mime_type);
        w.EndObject();
    }
    w.EndArray();
    return {sb.GetString(), sb.GetSize()};
}

Result<std::vector<FileRef>> FilesFromJson(std::string_view text) {
    MT_ASSIGN_OR_RETURN(auto doc, json::ParseJson(text));
    std::vector<FileRef> out;
    if (!doc.IsArray()) return Internal("job files are not an array");
    for (const auto& f : doc.GetArray()) {
        const auto* name = json::Find(f, "original_name");
        const auto* path = json::Find(f, "storage_path");
        const auto* size = json::Find(f, "size_bytes");
        const auto* mime = json::Find(f, "mime_type");
        if (!name || !path || !size || !mime) return Internal("job file entry is incomplete");
        std::int64_t bytes = 0;
        const std::string_view size_text = json::Text(*size);
        const auto [end, ec] = std::from_chars(size_text.data(), size_text.data() + size_text.size(), bytes);
        if (ec != std::errc() || end != size_text.data() + size_text.size()) {
            return Internal("job file entry with a bad size");
        }
        out.push_back(
            {std::string(json::Text(*name)), std::string(json::Text(*path)), bytes, std::string(json::Text(*mime))});
    }
    return out;
}

Result<JobRecord> FromRow(const pg::Rows& rows, int r) {
    JobRecord j;
    j.id = rows.Get(r, 0);
    j.company_id = rows.Get(r, 1);
    j.user_table_id = rows.GetOptional(r, 2);
    j.target_table_id = rows.GetOptional(r, 3);
    auto mode = ParseJobMode(rows.Get(r, 4));
    auto status = ParseJobStatus(rows.Get(r, 5));
    if (!mode || !status) return Internal("job " + j.id + " has an unknown mode or status");
    j.mode = *mode;
    j.status = *status;
    MT_ASSIGN_OR_RETURN(j.files, FilesFromJson(rows.Get(r, 6)));
    j.inferred_schema = rows.GetOptional(r, 7);
    j.confirmed_schema = rows.GetOptional(r, 8);
    j.progress = rows.GetOptional(r, 9);
    j.error = rows.GetOptional(r, 10);
    j.request_id = rows.Get(r, 11);
    j.created_by_user_id = rows.Get(r, 12);
    j.created_at = rows.Get(r, 13);
    j.updated_at = rows.Get(r, 14);
    j.attempts = std::stoi(std::string(rows.Get(r, 15)));
    j.id_base_ms = std::stoull(std::string(rows.Get(r, 16)));
    MT_ASSIGN_OR_RETURN(j.key_columns, NamesFromJson(rows.Get(r, 17)));
    j.on_schema_error = rows.Get(r, 18);
    MT_ASSIGN_OR_RETURN(j.dropped_columns, NamesFromJson(rows.Get(r, 19)));
    j.warnings = rows.Get(r, 21);
    j.warning_count = std::stoll(std::string(rows.Get(r, 22)));
    if (auto versions = rows.GetOptional(r, 20)) {
        j.if_match.emplace();
        for (std::string_view rest = *versions; !rest.empty();) {
            auto comma = rest.find(',');
            std::int64_t v = 0;
            std::string_view item = rest.substr(0, comma);
            if (std::from_chars(item.data(), item.data() + item.size(), v).ec != std::errc()) {
                return Internal("job " + j.id + " has an unreadable if_match");
            }
            j.if_match->push_back(v);
            rest = comma == std::string_view::npos ? std::string_view() : rest.substr(comma + 1);
        }
    }
    return j;
}

void WriteRawOrNull(json::Writer& w, const std::optional<std::string>& json_text) {
    if (json_text)
        w.RawValue(json_text->data(), json_text->size(), rapidjson::kObjectType);
    else
        w.Null();
}

}  // namespace

const char* Name(JobStatus status) {
    switch (status) {
        case JobStatus::kQueued: return "queued";
        case JobStatus::kAnalyzing: return "analisando";
        case JobStatus::kWaitingConfirm: return "waiting_confirm";
        case JobStatus::kInserting: return "inserting";
        case JobStatus::kDone: return "done";
        case JobStatus::kFailed: return "failed";
    }
    return "failed";
}

std::optional<JobStatus> ParseJobStatus(std::string_view text) {
    for (auto s : {JobStatus::kQueued, JobStatus::kAnalyzing, JobStatus::kWaitingConfirm, JobStatus::kInserting,
                   JobStatus::kDone, JobStatus::kFailed}) {
        if (text == Name(s)) return s;
    }
    return std::nullopt;
}

const char* Name(JobMode mode) {
    switch (mode) {
        case JobMode::kCreate: return "create";
        case JobMode::kAppend: return "append";
        case JobMode::kReplace: return "replace";
        case JobMode::kUpsert: return "upsert";
    }
    return "create";
}

std::optional<JobMode> ParseJobMode(std::string_view text) {
    for (auto m : {JobMode::kCreate, JobMode::kAppend, JobMode::kReplace, JobMode::kUpsert}) {
        if (text == Name(m)) return m;
    }
    return std::nullopt;
}

void WriteJob(json::Writer& w, const JobRecord& j) {
    auto str = [&](const char* key, const std::string& v) {
        w.Key(key);
        json::WriteString(w, v);
    };
    w.StartObject();
    str("_id", j.id);
    str("company_id", j.company_id);
    w.Key("user_table_id");
    if (j.user_table_id)
        json::WriteString(w, *j.user_table_id);
    else
        w.Null();
    w.Key("files");
    std::string files = FilesJson(j.files);
    w.RawValue(files.data(), files.size(), rapidjson::kArrayType);
    str("mode", Name(j.mode));
    w.Key("key_columns");  // null unless mode is upsert
    if (j.mode == JobMode::kUpsert) {
        std::string keys = NamesJson(j.key_columns);
        w.RawValue(keys.data(), keys.size(), rapidjson::kArrayType);
    } else {
        w.Null();
    }
    str("on_schema_error", j.on_schema_error);
    w.Key("dropped_columns");
    std::string dropped = NamesJson(j.dropped_columns);
    w.RawValue(dropped.data(), dropped.size(), rapidjson::kArrayType);
    str("status", Name(j.status));
    w.Key("inferred_schema");
    WriteRawOrNull(w, j.inferred_schema);
    w.Key("confirmed_schema");
    WriteRawOrNull(w, j.confirmed_schema);
    w.Key("progress");
    WriteRawOrNull(w, j.progress);
    w.Key("error");
    WriteRawOrNull(w, j.error);
    w.Key("warnings");
    w.RawValue(j.warnings.data(), j.warnings.size(), rapidjson::kArrayType);
    w.Key("warning_count");
    w.Int64(j.warning_count);
    str("created_by_user_id", j.created_by_user_id);
    str("created_at", j.created_at);
    str("updated_at", j.updated_at);
    w.EndObject();
}

std::string WarningsJson(const std::vector<ImportWarning>& warnings) {
    rapidjson::StringBuffer sb;
    json::Writer w(sb);
    w.StartArray();
    for (const auto& warning : warnings) {
        w.StartObject();
        w.Key("file");
        json::WriteString(w, json::SanitizeUtf8(warning.file));
        w.Key("line");
        w.Int64(warning.line);
        w.Key("message");
        json::WriteString(w, json::SanitizeUtf8(warning.message));
        w.EndObject();
    }
    w.EndArray();
    return {sb.GetString(), sb.GetSize()};
}

std::string LocationJson(const ValueLocation& l) {
    rapidjson::StringBuffer sb;
    json::Writer w(sb);
    w.StartObject();
    w.Key("file");
    json::WriteString(w, json::SanitizeUtf8(l.file));
    w.Key("line");
    w.Int64(l.line);
    if (!l.column.empty()) {
        w.Key("column");
        json::WriteString(w, json::SanitizeUtf8(l.column));
        w.Key("value");
        json::WriteString(w, json::SanitizeUtf8(l.value));
    }
    w.EndObject();
    return {sb.GetString(), sb.GetSize()};
}

std::string ErrorJson(std::string_view message, std::string_view code, const std::optional<std::string>& details) {
    rapidjson::StringBuffer sb;
    json::Writer w(sb);
    w.StartObject();
    w.Key("message");
    json::WriteString(w, json::SanitizeUtf8(message));
    w.Key("code");
    json::WriteString(w, code);
    w.Key("details");
    if (details)
        w.RawValue(details->data(), details->size(), rapidjson::kObjectType);
    else
        w.Null();
    w.EndObject();
    return {sb.GetString(), sb.GetSize()};
}

Result<JobRecord> InsertJob(pg::Connection& control, const std::string& id, const NewJob& job) {
    MT_ASSIGN_OR_RETURN(
        auto rows,
        control.Exec(
            std::string("INSERT INTO mt_jobs (id, company_id, user_table_id, target_table_id, mode, status, files, "
                        "request_id, created_by_user_id, key_columns, on_schema_error, if_match, actor) VALUES ($1, "
                        "$2, $3, $3, $4, 'queued', $5::json, $6, $7, $8::json, $9, $10::bigint[], $11) RETURNING ") +
                kJobColumns,
            {id, job.company_id, job.user_table_id, Name(job.mode), FilesJson(job.files), job.request_id,
             job.created_by_user_id,
             job.key_columns.empty() ? std::nullopt : std::optional<std::string>(NamesJson(job.key_columns)),
             job.on_schema_error, IfMatchArray(job.if_match), job.actor.empty() ? job.created_by_user_id : job.actor}));
    return FromRow(rows, 0);
}

Status RecordDroppedColumns(pg::Connection& control, const std::string& job_id, const std::vector<std::string>& names) {
    MT_TRY(control.Exec("UPDATE mt_jobs SET dropped_columns = $2::json WHERE id = $1", {job_id, NamesJson(names)}));
    return Ok();
}

Result<std::optional<JobRecord>> LoadJob(pg::Connection& control, const std::string& job_id) {
    MT_ASSIGN_OR_RETURN(auto rows,
                        control.Exec(std::string("SELECT ") + kJobColumns + " FROM mt_jobs WHERE id = $1", {job_id}));
    if (rows.empty()) return std::optional<JobRecord>();
    MT_ASSIGN_OR_RETURN(auto job, FromRow(rows, 0));
    return std::optional<JobRecord>(std::move(job));
}

Result<JobRecord> GetJob(pg::Connection& control, const std::string& company_id, const std::string& job_id) {
    if (!IsObjectId(job_id)) return NotFound("JOB_NOT_FOUND", "Job não encontrado");
    MT_ASSIGN_OR_RETURN(auto job, LoadJob(control, job_id));
    if (!job || job->company_id != company_id) return NotFound("JOB_NOT_FOUND", "Job não encontrado");
    return std::move(*job);
}

Result<ActiveUsage> LoadActiveUsage(pg::Connection& control, const std::string& company_id) {
    MT_ASSIGN_OR_RETURN(
        auto rows, control.Exec("SELECT count(*), coalesce(sum((SELECT coalesce(sum((f->>'size_bytes')::bigint), 0) "
                                "FROM json_array_elements(files) f)), 0), count(*) FILTER (WHERE mode = 'create') "
                                "FROM mt_jobs WHERE company_id = $1 AND status NOT IN ('done', 'failed')",
                                {company_id}));
    ActiveUsage usage;
    usage.jobs = std::stoll(std::string(rows.Get(0, 0)));
    usage.upload_bytes = std::stoll(std::string(rows.Get(0, 1)));
    usage.creates = std::stoll(std::string(rows.Get(0, 2)));
    return usage;
}

Result<std::vector<JobRecord>> ListActiveJobs(pg::Connection& control, const std::string& company_id) {
    // The schema without its samples: a listing stays small however wide the files' cells were.
    std::string columns(kJobColumns);
    columns.replace(columns.find("inferred_schema::text"), std::string_view("inferred_schema::text").size(),
                    "CASE WHEN inferred_schema IS NULL THEN NULL ELSE json_build_object('suggested_table_name', "
                    "inferred_schema->'suggested_table_name', 'columns', inferred_schema->'columns', 'sample_rows', "
                    "'[]'::json, 'sample_rows_raw', '[]'::json, 'total_row_count_estimate', "
                    "inferred_schema->'total_row_count_estimate')::text END");
    MT_ASSIGN_OR_RETURN(auto rows, control.Exec("SELECT " + columns +
                                                    " FROM mt_jobs WHERE company_id = $1 AND status NOT IN "
                                                    "('done', 'failed') ORDER BY created_at DESC, id DESC LIMIT 100",
                                                {company_id}));
    std::vector<JobRecord> out;
    for (int r = 0; r < rows.size(); ++r) {
        MT_ASSIGN_OR_RETURN(auto job, FromRow(rows, r));
        out.push_back(std::move(job));
    }
    return out;
}

std::string MessageJson(const JobRecord& job, std::optional<int> part) {
    rapidjson::StringBuffer sb;
    json::Writer w(sb);
    w.StartObject();
    w.Key("job_id");
    json::WriteString(w, job.id);
    w.Key("company_id");
    json::WriteString(w, job.company_id);
    w.Key("request_id");
    json::WriteString(w, job.request_id);
    if (part) {
        w.Key("part");
        w.Int(*part);
    }
    w.EndObject();
    return {sb.GetString(), sb.GetSize()};
}

Result<JobMessage> ParseMessage(std::string_view payload) {
    MT_ASSIGN_OR_RETURN(auto doc, json::ParseJson(payload));
    const auto* id = json::Find(doc, "job_id");
    const auto* company = json::Find(doc, "company_id");
    if (!id || json::KindOf(*id) != json::Kind::kString || !company) return BadRequest("job message without job_id");
    JobMessage m{std::string(json::Text(*id)), std::string(json::Text(*company)), "", std::nullopt};
    if (const auto* rid = json::Find(doc, "request_id"); rid && json::KindOf(*rid) == json::Kind::kString)
        m.request_id = json::Text(*rid);
    if (const auto* part = json::Find(doc, "part"); part && json::KindOf(*part) == json::Kind::kNumber) {
        const std::string_view text = json::Text(*part);
        int number = 0;
        const auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), number);
        if (ec != std::errc() || end != text.data() + text.size() || number < 0) {
            return BadRequest("job message with a bad part number");
        }
        m.part = number;
    }
    return m;
}

}  // namespace mt::jobs
