// Company quotas (SPEC §9): tables, concurrent upload jobs, stored upload bytes → 429 QUOTA_EXCEEDED naming the
// quota; two requests at quota − 1 never both get through. No broker runs here, so uploads stay queued (unfinished
// jobs, their files kept): exactly what the job and byte quotas count.
#include "e2e.hpp"

namespace e2e {
namespace {

constexpr int kTables = 3;
constexpr int kJobs = 2;
constexpr int kBytes = 1000;

Stack& QuotaStack() {
    StackOptions options;
    options.name = "quotas";
    options.gateway_env = {{"MT_QUOTA_TABLES", std::to_string(kTables)},
                           {"MT_QUOTA_CONCURRENT_JOBS", std::to_string(kJobs)},
                           {"MT_QUOTA_UPLOAD_BYTES", std::to_string(kBytes)}};
    return SharedStack(options);
}

std::string TableBody(std::string_view name) {
    return R"({"display_name":")" + std::string(name) + R"(","columns":[{"name":"a","type":"text"}]})";
}

Response Upload(HttpClient& http, const Tenant& t, std::size_t bytes) {
    std::string csv = "a\n";
    while (csv.size() < bytes) csv += "x\n";
    csv.resize(bytes);
    return http.PostMultipart(Api("/upload"), t.token, {{"files", "f.csv", csv, {}, "text/csv"}});
}

std::string ActiveJobs(const Tenant& t) {
    return t.stack.ControlQuery("SELECT count(*) FROM mt_jobs WHERE company_id = $1", {t.company})[0][0].value_or("");
}

TEST_CASE("Tables quota: the table over it is 429 naming the quota and a deletion frees a place", "[quotas]") {
    Tenant t(QuotaStack());
    t.Provision();
    std::string first;
    for (int i = 0; i < kTables; ++i) {
        std::string id = t.CreateTable("t" + std::to_string(i), Columns({{"a", "text"}}));
        if (i == 0) first = id;
    }
    auto over = t.http.Post(Api(), t.token, TableBody("one_more"));
    CHECK_ERROR(over, 429, "QUOTA_EXCEEDED", "Quota exceeded: tables (3)");
    CHECK(t.http.Get(Api(), t.token).Json()["total"].GetInt64() == kTables);
    CHECK(t.stack.CompanyQuery(t.company, "SELECT to_regclass('public.one_more') IS NULL")[0][0] == "t");
    REQUIRE_STATUS(t.http.Delete(Api("/" + first), t.token), 204);
    REQUIRE_STATUS(t.http.Post(Api(), t.token, TableBody("one_more")), 201);
}

TEST_CASE("Tables quota: two creates at quota - 1 let exactly one through", "[quotas]") {
    Tenant t(QuotaStack());
    t.Provision();
    for (int i = 0; i < kTables - 1; ++i) t.CreateTable("t" + std::to_string(i), Columns({{"a", "text"}}));
    auto responses = Parallel(t.stack, 2, [&](HttpClient& c, int i) {
        return c.Post(Api(), t.token, TableBody("racer" + std::to_string(i)));
    });
    auto counts = StatusCounts(responses);
    CHECK(counts[201] == 1);
    CHECK(counts[429] == 1);
    for (const auto& r : responses) {
        if (r.status != 201) CHECK_ERROR(r, 429, "QUOTA_EXCEEDED", "Quota exceeded: tables (3)");
    }
    CHECK(t.http.Get(Api(), t.token).Json()["total"].GetInt64() == kTables);
}

TEST_CASE("Concurrent jobs quota: the upload over it is 429 and stores nothing", "[quotas]") {
    Tenant t(QuotaStack());
    t.Provision();
    for (int i = 0; i < kJobs; ++i) REQUIRE_STATUS(Upload(t.http, t, 10), 201);
    auto over = Upload(t.http, t, 10);
    CHECK_ERROR(over, 429, "QUOTA_EXCEEDED", "Quota exceeded: concurrent_jobs (2)");
    CHECK(ActiveJobs(t) == std::to_string(kJobs));
}

TEST_CASE("Concurrent jobs quota: two uploads at quota - 1 let exactly one through", "[quotas]") {
    Tenant t(QuotaStack());
    t.Provision();
    REQUIRE_STATUS(Upload(t.http, t, 10), 201);
    auto responses = Parallel(t.stack, 2, [&](HttpClient& c, int) { return Upload(c, t, 10); });
    auto counts = StatusCounts(responses);
    CHECK(counts[201] == 1);
    CHECK(counts[429] == 1);
    for (const auto& r : responses) {
        if (r.status != 201) CHECK_ERROR(r, 429, "QUOTA_EXCEEDED", "Quota exceeded: concurrent_jobs (2)");
    }
    CHECK(ActiveJobs(t) == std::to_string(kJobs));
}

TEST_CASE("Upload bytes quota: files kept by unfinished jobs count and the upload over it stores nothing", "[quotas]") {
    Tenant t(QuotaStack());
    t.Provision();
    REQUIRE_STATUS(Upload(t.http, t, 600), 201);
    const std::string blobs_before = t.stack.ControlQuery("SELECT count(*) FROM mt_blobs")[0][0].value_or("");
    auto over = Upload(t.http, t, 600);
    CHECK_ERROR(over, 429, "QUOTA_EXCEEDED", "Quota exceeded: upload_bytes (1000)");
    CHECK(ActiveJobs(t) == "1");
    CHECK(t.stack.ControlQuery("SELECT count(*) FROM mt_blobs")[0][0] == blobs_before);  // rolled back with the job
    // What fits beside the first upload is still taken.
    REQUIRE_STATUS(Upload(t.http, t, 400), 201);
}

TEST_CASE("Tables quota: uploads that will create a table count as tables", "[quotas]") {
    Tenant t(QuotaStack());
    t.Provision();
    for (int i = 0; i < kTables - 1; ++i) t.CreateTable("t" + std::to_string(i), Columns({{"a", "text"}}));
    REQUIRE_STATUS(Upload(t.http, t, 10), 201);  // the third table, once confirmed
    CHECK_ERROR(t.http.Post(Api(), t.token, TableBody("fourth")), 429, "QUOTA_EXCEEDED", "Quota exceeded: tables (3)");
    CHECK_ERROR(Upload(t.http, t, 10), 429, "QUOTA_EXCEEDED", "Quota exceeded: tables (3)");
}

}  // namespace
}  // namespace e2e
