// SPEC §7a at the door: malformed upload requests get a clear 4xx and leave nothing behind (no job, no blob).
#include "inputs.hpp"
#include "pipeline.hpp"

namespace pipeline {
namespace {

/// Jobs and blobs of the control database, and the company's snapshot: what a refused request must not change.
struct Footprint {
    std::string jobs, blobs;
    std::vector<std::string> company;
    bool operator==(const Footprint&) const = default;
};

Footprint Measure(Uploader& u) {
    return {*u.stack.ControlQuery("SELECT count(*) FROM mt_jobs WHERE company_id = $1", {u.company})[0][0],
            *u.stack.ControlQuery("SELECT count(*) FROM mt_blobs")[0][0], Snapshot(u.stack, u.company)};
}

const std::string kBoundary = "----mtBoundary7MA4YWxkTrZu0gW";

std::string MultipartBody() {
    return "--" + kBoundary +
           "\r\nContent-Disposition: form-data; name=\"files\"; filename=\"a.csv\"\r\n"
           "Content-Type: text/csv\r\n\r\nnome,valor\nAna,1\n\r\n--" +
           kBoundary +
           "\r\n"
           "Content-Disposition: form-data; name=\"mode\"\r\n\r\nappend\r\n--" +
           kBoundary + "--\r\n";
}

TEST_CASE("truncated multipart bodies and non-multipart requests → 400 BAD_REQUEST", "[pipeline][bad]") {
    Uploader u(PipelineStack());
    auto before = Measure(u);
    mt::testing::Headers multipart =
        mt::testing::WithBearer(u.token, {{"Content-Type", "multipart/form-data; boundary=" + kBoundary}});
    std::string body = MultipartBody();
    // The complete body is accepted: the cuts below fail because they are cuts.
    auto whole = u.http.Request("POST", Api("/upload"), body, multipart);
    REQUIRE_STATUS(whole, 201);
    auto accepted = Measure(u);
    std::size_t closing = body.rfind("--" + kBoundary + "--") + kBoundary.size() + 4;
    for (std::size_t cut = 0; cut < closing; ++cut) {
        INFO("body cut after " << cut << " of " << body.size() << " bytes");
        CHECK_ERROR(u.http.Request("POST", Api("/upload"), body.substr(0, cut), multipart), 400, "BAD_REQUEST");
    }
    CHECK_ERROR(u.http.Post(Api("/upload"), u.token, R"({"files":["a.csv"]})"), 400, "BAD_REQUEST");
    CHECK_ERROR(u.http.Request("POST", Api("/upload"), body,
                               mt::testing::WithBearer(u.token, {{"Content-Type", "multipart/form-data"}})),
                400, "BAD_REQUEST");
    CHECK_ERROR(u.http.Request("POST", Api("/upload"), body,
                               mt::testing::WithBearer(u.token, {{"Content-Type", "text/plain"}})),
                400, "BAD_REQUEST");
    CHECK(Measure(u) == accepted);
    CHECK(accepted.jobs != before.jobs);  // sanity: Measure sees a job when there is one
}

TEST_CASE("file count, size, type and emptiness are checked before anything is stored", "[pipeline][bad]") {
    Uploader u(PipelineStack());
    auto before = Measure(u);
    std::vector<MultipartFile> eleven;
    for (int i = 0; i < 11; ++i) eleven.push_back(File("f" + std::to_string(i) + ".csv", "a\n1\n"));
    auto many = u.Upload(eleven);
    CHECK_ERROR(many, 422, "VALIDATION_ERROR");
    CHECK(e2e::DetailFields(many) == std::vector<std::string>{"files"});

    auto none = u.Upload({}, {{"mode", "append"}});
    CHECK_ERROR(none, 422, "VALIDATION_ERROR");
    CHECK(e2e::DetailFields(none) == std::vector<std::string>{"files"});

    auto pdf = u.Upload({File("ok.csv", "a\n1\n"), File("relatorio.pdf", "%PDF-1.4 ...")});
    CHECK_ERROR(pdf, 422, "VALIDATION_ERROR");
    CHECK(e2e::DetailFields(pdf) == std::vector<std::string>{"files[1]"});
    CHECK(pdf.body.find("relatorio.pdf") != std::string::npos);
    auto noext = u.Upload({File("dados", "a\n1\n")});
    CHECK_ERROR(noext, 422, "VALIDATION_ERROR");

    auto empty = u.Upload({File("vazio.csv", "")});
    CHECK_ERROR(empty, 422, "VALIDATION_ERROR");
    CHECK(e2e::DetailFields(empty) == std::vector<std::string>{"files[0]"});
    CHECK(empty.body.find("vazio.csv") != std::string::npos);

    // Issue 8: a file name is stored in the job record and quoted in messages: at most 255 bytes, quoted cut short.
    auto long_name = u.Upload({File(std::string(100'000, 'n') + ".csv", "a\n1\n")});
    CHECK_ERROR(long_name, 422, "VALIDATION_ERROR");
    CHECK(e2e::DetailFields(long_name) == std::vector<std::string>{"files[0]"});
    CHECK(long_name.body.size() < 1000);

    // 100 MB in total is the limit (SPEC §7): one byte over across two files → 413.
    std::string half(50'000'000, 'x');
    auto over = u.Upload({File("a.csv", "a\n" + half.substr(2)), File("b.csv", "b\n" + half.substr(1))});
    CHECK_ERROR(over, 413, "PAYLOAD_TOO_LARGE");
    half.clear();

    CHECK(Measure(u) == before);
    CHECK(u.stack.gateway().Running());
    auto still = u.Upload({File("ok.csv", "a\n1\n")});  // and the gateway still takes uploads
    CHECK_STATUS(still, 201);
    CHECK_STATUS(u.Upload({File(std::string(251, 'n') + ".csv", "a\n1\n")}), 201);  // 255 bytes is fine
}

// Past what the gateway buffers at all (MT_MAX_REQUEST_BYTES, 105 MiB): refused from Content-Length at once. The
// gateway once answered "100 Continue", took the whole body and answered after ~100 s of a busy core; the client
// here waits 15 s.
TEST_CASE("a body far over the request limit → a prompt 413", "[pipeline][bad]") {
    Uploader u(PipelineStack());
    auto before = Measure(u);
    auto http = u.stack.Client(std::chrono::seconds(15));
    auto started = std::chrono::steady_clock::now();
    auto huge = http.PostMultipart(Api("/upload"), u.token, {File("huge.csv", std::string(120'000'000, 'y'))});
    INFO("answered after "
         << std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::steady_clock::now() - started).count()
         << " ms");
    CHECK_ERROR(huge, 413, "PAYLOAD_TOO_LARGE");
    CHECK(Measure(u) == before);
}

}  // namespace
}  // namespace pipeline
