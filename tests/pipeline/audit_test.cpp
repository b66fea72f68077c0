// The audit events of an upload (SPEC §9): upload.created and upload.confirmed by the gateway, upload.done and
// upload.failed by the workers in the transaction that ends the job, each naming the uploader and the upload
// request's id, and each recorded once.
#include "pipeline.hpp"

namespace pipeline {
namespace {

using e2e::Str;

/// The company's events with `action`, newest first.
std::vector<rapidjson::Document> Events(Uploader& u, std::string_view action) {
    auto r = u.http.Get(Api("/audit-logs?limit=200&action=" + std::string(action)), u.token);
    REQUIRE_STATUS(r, 200);
    auto j = r.Json();
    std::vector<rapidjson::Document> out;
    for (const auto& e : j["records"].GetArray()) {
        rapidjson::Document one;
        one.CopyFrom(e, one.GetAllocator());
        out.push_back(std::move(one));
    }
    return out;
}

void CheckUploadEvent(const rapidjson::Value& e, std::string_view job_id, std::string_view request_id) {
    CHECK(Str(e["actor"]) == "e2e-user");
    CHECK(Str(e["resource_type"]) == "upload");
    CHECK(Str(e["resource_id"]) == job_id);
    CHECK(Str(e["request_id"]) == request_id);
    CHECK(e2e::IsIsoMillisUtc(Str(e["at"])));
}

std::string StartWithId(Uploader& u, const std::vector<MultipartFile>& files, const std::vector<MultipartField>& fields,
                        const std::string& path, const std::string& request_id) {
    auto r = u.http.PostMultipart(path, u.token, files, fields, {{"X-Request-Id", request_id}});
    REQUIRE_STATUS(r, 201);
    return Str(r.Json()["job_id"]);
}

TEST_CASE("an upload records created confirmed and done once each with the uploader and its request ids",
          "[pipeline][audit]") {
    Uploader u(PipelineStack());
    std::string job_id =
        StartWithId(u, {File("vendas.csv", "produto,qtd\nCamisa,2\nCalça,3\n")}, {}, Api("/upload"), "rid-upload");
    REQUIRE_JOB_STATUS(u.stack, u.WaitJob(job_id, kAnalyzed), "waiting_confirm");
    auto created = Events(u, "upload.created");
    REQUIRE(created.size() == 1);
    CheckUploadEvent(created[0], job_id, "rid-upload");
    CHECK(Str(created[0]["details"]["mode"]) == "create");
    CHECK(Str(created[0]["details"]["files"][0]["name"]) == "vendas.csv");
    CHECK(Events(u, "upload.done").empty());

    REQUIRE_STATUS(
        u.http.Post(Api("/upload-jobs/" + job_id + "/confirm"), u.token, "{}", {{"X-Request-Id", "rid-confirm"}}), 200);
    auto job = u.WaitJob(job_id, kFinished);
    REQUIRE_JOB_STATUS(u.stack, job, "done");
    std::string table_id = Str(job["user_table_id"]);
    auto confirmed = Events(u, "upload.confirmed");
    REQUIRE(confirmed.size() == 1);
    CheckUploadEvent(confirmed[0], job_id, "rid-confirm");
    CHECK(Str(confirmed[0]["details"]["table_id"]) == table_id);

    auto done = Events(u, "upload.done");
    REQUIRE(done.size() == 1);
    CheckUploadEvent(done[0], job_id, "rid-upload");  // the worker names the upload's request
    CHECK(done[0]["details"]["total_rows"].GetInt64() == 2);
    CHECK(Str(done[0]["details"]["table_id"]) == table_id);
    CHECK(Str(done[0]["details"]["files"][0]) == "vendas.csv");
    CHECK(Events(u, "upload.failed").empty());

    // A confirm sent again is refused and records nothing.
    CHECK_ERROR(u.http.Post(Api("/upload-jobs/" + job_id + "/confirm"), u.token, "{}"), 400, "JOB_NOT_WAITING_CONFIRM");
    CHECK(Events(u, "upload.confirmed").size() == 1);
    CHECK(Events(u, "upload.done").size() == 1);
}

TEST_CASE("a failed load records upload.failed with its error code and nothing else", "[pipeline][audit]") {
    Uploader u(PipelineStack());
    std::string table_id = u.CreateTable("items", e2e::Columns({{"name", "text", false}, {"qty", "integer"}}));
    REQUIRE_STATUS(u.http.Patch(Api("/" + table_id), u.token, R"({"max_rows":1})"), 200);
    std::string job_id = StartWithId(u, {File("big.csv", "name,qty\na,1\nb,2\nc,3\n")}, {{"mode", "append"}},
                                     Api("/" + table_id + "/upload"), "rid-over-cap");
    REQUIRE_JOB_STATUS(u.stack, u.WaitJob(job_id, kAnalyzed), "waiting_confirm");
    REQUIRE_STATUS(u.Confirm(job_id), 200);
    auto job = u.WaitJob(job_id, kFinished);
    REQUIRE_JOB_STATUS(u.stack, job, "failed");
    auto failed = Events(u, "upload.failed");
    REQUIRE(failed.size() == 1);
    CheckUploadEvent(failed[0], job_id, "rid-over-cap");
    CHECK(Str(failed[0]["details"]["error_code"]) == Str(job["error"]["code"]));
    CHECK(Str(failed[0]["details"]["mode"]) == "append");
    CHECK(Events(u, "upload.done").empty());
}

}  // namespace
}  // namespace pipeline
