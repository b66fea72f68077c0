// POST /upload, POST /:id/upload, GET /upload-jobs/active, GET /upload-jobs/:jobId (Workflows 3 and 4).
#include "handlers.hpp"
#include "mt/core/ids.hpp"
#include "mt/core/log.hpp"
#include "mt/ingest/file_kind.hpp"
#include "mt/jobs/blob_store.hpp"
#include "mt/jobs/job.hpp"
#include "mt/store/provisioning.hpp"
#include "mt/store/tables.hpp"
#include "multipart.hpp"

namespace mt::gateway {
namespace {

/// Longest file name accepted (the usual file-system limit).
constexpr std::size_t kMaxFilenameBytes = 255;

struct UploadForm {
    std::vector<const FormPart*> files;
    std::string mode = "append";
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

Result<HttpResponse> Upload(ApiServices& s, RequestContext& ctx, bool into_table) {
    MT_ASSIGN_OR_RETURN(auto boundary, MultipartBoundary(ctx.request.content_type));
    MT_ASSIGN_OR_RETURN(auto parts, ParseMultipart(ctx.request.Body(), boundary));
    MT_ASSIGN_OR_RETURN(auto form, ReadForm(parts, s.limits));
    MT_TRY(store::RequireConnection(s.databases, ctx.principal.company_id));
    jobs::NewJob job{ctx.principal.company_id, std::nullopt,         jobs::JobMode::kCreate, {},
                     ctx.request.request_id,   ctx.principal.user_id};
    if (into_table) {
        MT_ASSIGN_OR_RETURN(auto table, store::GetTableMetadata(s.databases, ctx.principal.company_id, ctx.params[0]));
        if (form.mode != "append" && form.mode != "replace")
            return Validation("Invalid upload", {{"mode", "must be \"append\" or \"replace\""}});
        job.user_table_id = table.id;
        job.mode = form.mode == "replace" ? jobs::JobMode::kReplace : jobs::JobMode::kAppend;
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
        MT_ASSIGN_OR_RETURN(auto record, jobs::InsertJob(*control, job_id, job));
        created = std::move(record);
        return Ok();
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
