// POST /upload, POST /:id/upload, GET /upload-jobs/active, GET /upload-jobs/:jobId (Workflows 3 and 4).
#include <algorithm>

#include "handlers.hpp"
#include "mt/core/ids.hpp"
#include "mt/core/log.hpp"
#include "mt/ingest/file_kind.hpp"
#include "mt/jobs/blob_store.hpp"
#include "mt/jobs/job.hpp"
#include "mt/store/provisioning.hpp"
#include "mt/store/rows.hpp"
#include "mt/store/tables.hpp"
#include "multipart.hpp"

namespace mt::gateway {
namespace {

/// upload.created details: the job's mode, target table and file names with their sizes (never contents).
std::string UploadDetails(const jobs::NewJob& job) {
    std::string files;
    for (const auto& f : job.files) {
        files += (files.empty() ? "" : ",") + store::AuditDetails({{"name", store::AuditJsonString(f.original_name)},
                                                                   {"size_bytes", std::to_string(f.size_bytes)}});
    }
    std::vector<std::pair<std::string, std::string>> members{{"mode", store::AuditJsonString(jobs::Name(job.mode))},
                                                             {"files", "[" + files + "]"}};
    if (job.user_table_id) members.emplace_back("table_id", store::AuditJsonString(*job.user_table_id));
    return store::AuditDetails(members);
}

/// Longest file name accepted (the usual file-system limit).
constexpr std::size_t kMaxFilenameBytes = 255;

struct UploadForm {
    std::vector<const FormPart*> files;
    std::string mode = "append";
    std::optional<std::string> key_columns;
    std::string on_schema_error = "abort";
};

Result<UploadForm> ReadForm(const std::vector<FormPart>& parts, const ApiLimits& limits) {
    UploadForm form;
    std::size_t total = 0;
    std::vector<FieldError> details;
    for (const auto& p : parts) {
        if (p.has_filename && (p.name == "files" || p.name == "files[]" || p.name == "file")) {
            form.files.push_back(&p);
            total += p.data.size();
        } else if (p.name == "mode" && !p.has_filename) {
            form.mode = std::string(p.data);
        } else if (p.name == "key_columns" && !p.has_filename) {
            form.key_columns = std::string(p.data);
        } else if (p.name == "on_schema_error" && !p.has_filename) {
            form.on_schema_error = std::string(p.data);
        }
    }
    if (total > limits.max_upload_bytes) {
        return PayloadTooLarge("Upload over the limit of 100 MB in total (" + std::to_string(total) + " bytes)");
    }
    if (form.files.empty()) details.push_back({"files", "at least one file is required (form field \"files\")"});
    if (form.files.size() > limits.max_upload_files) {
        details.push_back({"files", "at most " + std::to_string(limits.max_upload_files) + " files per upload"});
    }
    for (std::size_t i = 0; i < form.files.size(); ++i) {
        const FormPart& f = *form.files[i];
        std::string field = "files[" + std::to_string(i) + "]";
        if (f.filename.size() > kMaxFilenameBytes) {
            // The name is stored in the job record and quoted in every later message about the file.
            details.push_back({field, "file name " + Quoted(f.filename) + " is " + std::to_string(f.filename.size()) +
                                          " bytes; at most " + std::to_string(kMaxFilenameBytes) + " are accepted"});
        } else if (!ingest::KindFromName(f.filename)) {
            details.push_back({field, "unsupported file type " + Quoted(f.filename) +
                                          " (accepted: .csv, .tsv, .txt, .xlsx, .xls, .zip)"});
        } else if (f.data.empty()) {
            details.push_back({field, "file " + Quoted(f.filename) + " is empty"});
        }
    }
    if (!details.empty()) return Validation("Invalid upload", std::move(details));
    return form;
}

std::string MimeFor(const FormPart& f) {
    if (!f.content_type.empty() && f.content_type != "application/octet-stream") return f.content_type;
    switch (*ingest::KindFromName(f.filename)) {
        case ingest::FileKind::kCsv: return "text/csv";
        case ingest::FileKind::kXlsx: return "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet";
        case ingest::FileKind::kXls: return "application/vnd.ms-excel";
        case ingest::FileKind::kZip: return "application/zip";
    }
    return "application/octet-stream";
}

/// `key_columns=a,b`: distinct columns of the table (spaces around names ignored), at most 32.
Result<std::vector<std::string>> ParseKeyColumns(std::string_view text, const store::TableRecord& table) {
    std::vector<std::string> out;
    auto invalid = [](std::string message) {
        return Validation("Invalid upload", {{"key_columns", std::move(message)}});
    };
    while (true) {
        auto comma = text.find(',');
        std::string_view name = text.substr(0, comma);
        while (!name.empty() && name.front() == ' ') name.remove_prefix(1);
        while (!name.empty() && name.back() == ' ') name.remove_suffix(1);
        if (out.size() == store::kMaxConflictColumns) return invalid("at most 32 columns");
        bool known = false;
        for (const auto& c : table.columns) known = known || c.name == name;
        if (!known) return invalid("column " + Quoted(std::string(name.substr(0, 100))) + " is not in the table");
        if (std::find(out.begin(), out.end(), name) != out.end()) {
            return invalid("column " + Quoted(std::string(name)) + " is listed twice");
        }
        out.emplace_back(name);
        if (comma == std::string_view::npos) break;
        text.remove_prefix(comma + 1);
    }
    return out;
}

/// mode, key_columns and on_schema_error of an upload into an existing table (SPEC §8).
Status ReadLoadOptions(ApiServices& s, RequestContext& ctx, const UploadForm& form, const store::TableRecord& table,
                       jobs::NewJob& job) {
    auto mode = jobs::ParseJobMode(form.mode);
    if (!mode || *mode == jobs::JobMode::kCreate) {
        return Validation("Invalid upload", {{"mode", "must be \"append\", \"replace\" or \"upsert\""}});
    }
    if (form.on_schema_error != "abort" && form.on_schema_error != "drop_columns" &&
        form.on_schema_error != "update_schema") {
        return Validation("Invalid upload",
                          {{"on_schema_error", "must be \"abort\", \"drop_columns\" or \"update_schema\""}});
    }
    job.user_table_id = table.id;
    job.mode = *mode;
    job.on_schema_error = form.on_schema_error;
    if (*mode != jobs::JobMode::kUpsert) {
        if (form.key_columns) return Validation("Invalid upload", {{"key_columns", "only with mode=upsert"}});
        return Ok();
    }
    if (!form.key_columns) return Validation("Invalid upload", {{"key_columns", "is required with mode=upsert"}});
    MT_ASSIGN_OR_RETURN(job.key_columns, ParseKeyColumns(*form.key_columns, table));
    MT_ASSIGN_OR_RETURN(auto connection, store::RequireConnection(s.databases, ctx.principal.company_id));
    return store::CheckConflictKey(s.databases, connection, table, job.key_columns, "key_columns");
}

Result<HttpResponse> Upload(ApiServices& s, RequestContext& ctx, bool into_table) {
    if (into_table) MT_TRY(ParseIfMatch(ctx.request));  // a malformed If-Match is a 400 before the body is read
    MT_ASSIGN_OR_RETURN(auto boundary, MultipartBoundary(ctx.request.content_type));
    MT_ASSIGN_OR_RETURN(auto parts, ParseMultipart(ctx.request.Body(), boundary));
    MT_ASSIGN_OR_RETURN(auto form, ReadForm(parts, s.limits));
    MT_TRY(store::RequireConnection(s.databases, ctx.principal.company_id));
    jobs::NewJob job{ctx.principal.company_id,
                     std::nullopt,
                     jobs::JobMode::kCreate,
                     {},
                     ctx.request.request_id,
                     ctx.principal.user_id,
                     {},
                     "abort",
                     std::nullopt,
                     ctx.principal.Actor()};
    if (into_table) {
        MT_ASSIGN_OR_RETURN(auto table, store::GetTableMetadata(s.databases, ctx.principal.company_id, ctx.params[0]));
        MT_TRY(ReadLoadOptions(s, ctx, form, table, job));
        // If-Match: 412 now when already stale; the load commits only if the table is still at that version.
        MT_ASSIGN_OR_RETURN(auto condition, ParseIfMatch(ctx.request));
        if (!condition.any) {
            MT_ASSIGN_OR_RETURN(auto connection, store::RequireConnection(s.databases, ctx.principal.company_id));
            MT_ASSIGN_OR_RETURN(auto company, s.databases.Company(connection));
            MT_TRY(store::CheckVersion(*company, table, condition));
            job.if_match = condition.versions;
        }
    }
    std::vector<std::pair<std::string, const FormPart*>> blobs;
    for (const FormPart* f : form.files) {
        std::string blob_id = NewObjectId();
        job.files.push_back(
            {f->filename, jobs::BlobPath(blob_id), static_cast<std::int64_t>(f->data.size()), MimeFor(*f)});
        blobs.emplace_back(blob_id, f);
    }
    std::string job_id = NewObjectId();
    MT_ASSIGN_OR_RETURN(auto control, s.databases.control().Acquire());
    std::optional<jobs::JobRecord> created;
    MT_TRY(pg::InTransaction(*control, [&]() -> Status {
        for (const auto& [blob_id, part] : blobs) MT_TRY(jobs::StoreBlob(*control, blob_id, part->data));
        // After the blobs, so the company's quota lock is held only for the count and the insert; over a quota the
        // rollback takes the blobs back.
        store::QuotaDemand demand{job.mode == jobs::JobMode::kCreate ? 1 : 0, 1, 0};
        for (const auto& f : job.files) demand.upload_bytes += f.size_bytes;
        MT_TRY(store::ReserveQuota(*control, ctx.principal.company_id, s.limits.quotas, demand));
        MT_ASSIGN_OR_RETURN(auto record, jobs::InsertJob(*control, job_id, job));
        created = std::move(record);
        return store::AppendAuditEvent(*control, {job.company_id, "upload.created", ctx.principal.Actor(), "upload",
                                                  job_id, ctx.request.request_id, UploadDetails(job)});
    }));
    for (const FormPart* f : form.files) s.metrics.upload_bytes().Increment(static_cast<double>(f->data.size()));
    s.metrics.JobTransition(jobs::Name(jobs::JobStatus::kQueued));
    // The job is safe in PostgreSQL now. If the broker is down, the analyzers' sweep finds the queued job anyway.
    if (auto sent = s.publisher.Publish(jobs::kTopicAnalyze, job_id, jobs::MessageJson(*created)); !sent) {
        log::Warn("analyze message not published; the sweep will pick the job up",
                  {{"request_id", ctx.request.request_id}, {"job_id", job_id}, {"error", sent.error().message}});
    }
    rapidjson::StringBuffer sb;
    json::Writer w(sb);
    w.StartObject();
    w.Key("job_id");
    json::WriteString(w, job_id);
    w.Key("status");
    w.String(jobs::Name(jobs::JobStatus::kQueued));
    w.EndObject();
    return JsonResponse(201, sb);
}

Result<HttpResponse> ActiveJobs(ApiServices& s, RequestContext& ctx) {
    MT_ASSIGN_OR_RETURN(auto control, s.databases.control().Acquire());
    MT_ASSIGN_OR_RETURN(auto list, jobs::ListActiveJobs(*control, ctx.principal.company_id));
    rapidjson::StringBuffer sb;
    json::Writer w(sb);
    w.StartObject();
    w.Key("records");
    w.StartArray();
    for (const auto& j : list) jobs::WriteJob(w, j);
    w.EndArray();
    w.EndObject();
    return JsonResponse(200, sb);
}

Result<HttpResponse> GetJob(ApiServices& s, RequestContext& ctx) {
    MT_ASSIGN_OR_RETURN(auto control, s.databases.control().Acquire());
    MT_ASSIGN_OR_RETURN(auto job, jobs::GetJob(*control, ctx.principal.company_id, ctx.params[0]));
    rapidjson::StringBuffer sb;
    json::Writer w(sb);
    jobs::WriteJob(w, job);
    return JsonResponse(200, sb);
}

}  // namespace

Result<HttpResponse> ConfirmJob(ApiServices& s, RequestContext& ctx);  // confirm.cpp

void RegisterUploadRoutes(Router& router, ApiServices& s) {
    using P = auth::Permission;
    router.Add("POST", "/upload", P::kUpload, [&s](RequestContext& ctx) { return Upload(s, ctx, false); });
    router.Add("POST", "/:id/upload", P::kUpload, [&s](RequestContext& ctx) { return Upload(s, ctx, true); });
    router.Add("GET", "/upload-jobs/active", P::kList, [&s](RequestContext& ctx) { return ActiveJobs(s, ctx); });
    router.Add("GET", "/upload-jobs/:jobId", P::kList, [&s](RequestContext& ctx) { return GetJob(s, ctx); });
    router.Add("POST", "/upload-jobs/:jobId/confirm", P::kUpload,
               [&s](RequestContext& ctx) { return ConfirmJob(s, ctx); });
}

}  // namespace mt::gateway
