// Uploads into tables with versions and row caps (SPEC §8): appends and replaces raise the version, a replace keeps
// the cap, and an upload over the cap fails its job with nothing written.
#include "inputs.hpp"
#include "mt/testing/wait.hpp"
#include "pipeline.hpp"

namespace pipeline {
namespace {

std::int64_t Version(Uploader& u, const std::string& table_id) { return u.Table(table_id)["version"].GetInt64(); }

TEST_CASE("append and replace uploads raise the version and a replace keeps the cap and the indexes",
          "[pipeline][governance]") {
    Uploader u(PipelineStack());
    std::string table_id = u.CreateTable("items", e2e::Columns({{"name", "text", false}, {"qty", "integer"}}));
    REQUIRE_STATUS(u.http.Patch(e2e::Api("/" + table_id), u.token,
                                R"({"max_rows":5,"indexes":[{"name":"by_name","columns":["name"],"unique":true}]})"),
                   200);
    const auto v0 = Version(u, table_id);

    std::string append_id;
    u.Analyzed({File("a.csv", "name,qty\na,1\nb,2\n")}, &append_id, {{"mode", "append"}}, table_id);
    u.ConfirmDone(append_id);
    const auto v1 = Version(u, table_id);
    CHECK(v1 > v0);

    std::string replace_id;
    u.Analyzed({File("r.csv", "name,qty\nx,1\ny,2\nz,3\n")}, &replace_id, {{"mode", "replace"}}, table_id);
    u.ConfirmDone(replace_id);
    auto table = u.Table(table_id);
    CHECK(table["version"].GetInt64() > v1);
    CHECK(table["max_rows"].GetInt64() == 5);
    CHECK(table["row_count"].GetInt64() == 3);
    // The new table got the table's index back.
    CHECK(table["indexes"].Size() == 1);
    CHECK(u.stack.CompanyQuery(u.company,
                               "SELECT count(*) FROM pg_index WHERE indrelid = 'public.items'::regclass "
                               "AND indisunique AND indisvalid AND NOT indisprimary")[0][0] == "1");
    // A replace whose rows repeat a unique key fails whole.
    std::string dup_id;
    u.Analyzed({File("d.csv", "name,qty\nx,1\nx,2\n")}, &dup_id, {{"mode", "replace"}}, table_id);
    REQUIRE_STATUS(u.Confirm(dup_id), 200);
    auto failed = u.WaitJob(dup_id, kFinished);
    CHECK(e2e::Str(failed["status"]) == "failed");
    CHECK(u.Table(table_id)["row_count"].GetInt64() == 3);
    // The replaced table has the triggers: a SQL client's change raises the version, the cap still holds.
    const auto v2 = table["version"].GetInt64();
    u.stack.CompanyQuery(u.company, R"(UPDATE public."items" SET qty = 7)");
    CHECK(Version(u, table_id) == v2 + 1);
    CHECK_ERROR(u.http.Post(e2e::Api("/" + table_id + "/data"), u.token,
                            R"({"rows":[{"name":"p"},{"name":"q"},{"name":"r"}]})"),
                400, "MANAGED_TABLE_ROW_LIMIT", "Table has reached its maximum row limit of 5");
}

TEST_CASE("an upload over the cap fails its job with the cap's message and writes nothing", "[pipeline][governance]") {
    Uploader u(PipelineStack());
    std::string table_id = u.CreateTable("items", e2e::Columns({{"name", "text", false}, {"qty", "integer"}}));
    REQUIRE_STATUS(u.http.Patch(e2e::Api("/" + table_id), u.token, R"({"max_rows":3})"), 200);
    u.Insert(table_id, R"([{"name":"a","qty":1},{"name":"b","qty":2}])");
    const auto version = Version(u, table_id);

    for (const char* mode : {"append", "replace"}) {
        INFO(mode);
        auto before = Snapshot(u.stack, u.company);
        std::string job_id;
        u.Analyzed({File("big.csv", "name,qty\nc,3\nd,4\ne,5\nf,6\n")}, &job_id, {{"mode", mode}}, table_id);
        REQUIRE_STATUS(u.Confirm(job_id), 200);
        auto job = u.WaitJob(job_id, kFinished);
        REQUIRE(e2e::Str(job["status"]) == "failed");
        CHECK(e2e::Str(job["error"]["message"]) == "Table has reached its maximum row limit of 3");
        CHECK(e2e::Str(job["error"]["code"]) == "MANAGED_TABLE_ROW_LIMIT");
        CHECK(u.Table(table_id)["row_count"].GetInt64() == 2);
        CHECK(Version(u, table_id) == version);
        // The failed job's load table goes right after the job is marked failed.
        mt::testing::WaitUntil([&] { return LoadTables(u.stack, u.company).empty(); }, std::chrono::seconds(30),
                               "the failed job's load table to be dropped");
        CHECK(Snapshot(u.stack, u.company) == before);
    }
}

mt::testing::Headers IfMatch(std::int64_t version) { return {{"If-Match", "\"" + std::to_string(version) + "\""}}; }

TEST_CASE("an upload with If-Match loads only while the table is at that version", "[pipeline][governance]") {
    Uploader u(PipelineStack());
    std::string table_id = u.CreateTable("items", e2e::Columns({{"name", "text", false}, {"qty", "integer"}}));
    u.Insert(table_id, R"([{"name":"a","qty":1}])");
    const auto version = Version(u, table_id);
    const std::string path = e2e::Api("/" + table_id + "/upload");
    const std::vector<MultipartFile> file = {File("more.csv", "name,qty\nb,2\nc,3\n")};

    SECTION("a stale If-Match is refused at once, before a job exists") {
        CHECK_ERROR(u.http.PostMultipart(path, u.token, file, {{"mode", "append"}}, IfMatch(version - 1)), 412,
                    "PRECONDITION_FAILED");
        CHECK_ERROR(u.http.PostMultipart(path, u.token, file, {{"mode", "append"}}, {{"If-Match", "7"}}), 400,
                    "BAD_REQUEST");  // unquoted
        CHECK(u.Table(table_id)["row_count"].GetInt64() == 1);
    }
    for (const char* mode : {"append", "replace"}) {
        DYNAMIC_SECTION("mode " << mode
                                << ": a change between the upload and its load fails the job, nothing written") {
            auto r = u.http.PostMultipart(path, u.token, file, {{"mode", mode}}, IfMatch(version));
            REQUIRE_STATUS(r, 201);
            std::string job_id = e2e::Str(r.Json()["job_id"]);
            u.WaitJob(job_id, kAnalyzed);
            u.Insert(table_id, R"([{"name":"z","qty":9}])");  // the table moves on before the confirm
            REQUIRE_STATUS(u.Confirm(job_id), 200);
            auto job = u.WaitJob(job_id, kFinished);
            REQUIRE(e2e::Str(job["status"]) == "failed");
            CHECK(e2e::Str(job["error"]["code"]) == "PRECONDITION_FAILED");
            auto table = u.Table(table_id);
            CHECK(table["row_count"].GetInt64() == 2);
            CHECK(table["version"].GetInt64() == version + 1);
        }
        DYNAMIC_SECTION("mode " << mode << ": the current If-Match loads") {
            auto r = u.http.PostMultipart(path, u.token, file, {{"mode", mode}}, IfMatch(version));
            REQUIRE_STATUS(r, 201);
            std::string job_id = e2e::Str(r.Json()["job_id"]);
            u.WaitJob(job_id, kAnalyzed);
            u.ConfirmDone(job_id);
            auto table = u.Table(table_id);
            CHECK(table["row_count"].GetInt64() == (std::string(mode) == "append" ? 3 : 2));
            CHECK(table["version"].GetInt64() > version);
        }
    }
}

}  // namespace
}  // namespace pipeline
