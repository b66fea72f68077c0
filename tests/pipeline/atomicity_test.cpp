// SPEC §7: replace swaps the content atomically, a failed append changes nothing; readers never see a mix.
#include <atomic>
#include <mutex>
#include <thread>

#include "inputs.hpp"
#include "mt/testing/wait.hpp"
#include "pipeline.hpp"

namespace pipeline {
namespace {

/// Two threads reading a table over and over while a job runs: one with SQL in the company database
/// (count and smallest n), one through the API (GET /:id/data total and GET /:id row_count). They only record;
/// the test thread asserts (Catch2 assertions are not thread-safe).
class Readers {
public:
    Readers(Uploader& u, std::string table_id, std::string physical)
        : sql_([this, &u, physical] {
              auto url = mt::testing::UrlWithDatabase(u.stack.admin_url(), u.Database());
              std::string sql =
                  "SELECT count(*) || '/' || coalesce(min(n), 0) FROM public." + mt::testing::QuoteIdent(physical);
              while (!stop_.load()) {
                  try {
                      Record("sql " + *mt::testing::QueryAt(url, sql)[0][0]);
                  } catch (const std::exception& e) {
                      Record(std::string("sql error: ") + e.what());
                  }
              }
          }),
          api_([this, &u, table_id] {
              auto http = u.stack.Client(std::chrono::seconds(30));
              while (!stop_.load()) {
                  auto data = http.Get(Api("/" + table_id + "/data?per_page=1"), u.token);
                  Record(data.status == 200 ? "data.total " + std::to_string(data.Json()["total"].GetInt64())
                                            : "data error: " + data.Describe(300));
                  auto table = http.Get(Api("/" + table_id), u.token);
                  Record(table.status == 200 ? "row_count " + std::to_string(table.Json()["row_count"].GetInt64())
                                             : "table error: " + table.Describe(300));
              }
          }) {}
    ~Readers() { Stop(); }

    void Stop() {
        stop_.store(true);
        if (sql_.joinable()) sql_.join();
        if (api_.joinable()) api_.join();
    }
    /// How often each observation was made.
    std::map<std::string, int> Seen() {
        std::lock_guard lock(mu_);
        return seen_;
    }
    int Count(const std::string& observation) {
        std::lock_guard lock(mu_);
        return seen_.count(observation) ? seen_[observation] : 0;
    }

private:
    void Record(const std::string& observation) {
        std::lock_guard lock(mu_);
        ++seen_[observation];
    }

    std::atomic<bool> stop_{false};
    std::mutex mu_;
    std::map<std::string, int> seen_;
    std::thread sql_, api_;
};

std::string Describe(const std::map<std::string, int>& seen) {
    std::string out;
    for (const auto& [k, v] : seen) out += "  " + k + " ×" + std::to_string(v) + "\n";
    return out;
}

std::string Checksum(Uploader& u, const std::string& physical) {
    return *u.stack.CompanyQuery(u.company, TableChecksumSql("public." + mt::testing::QuoteIdent(physical)))[0][0];
}

TEST_CASE("replace of 50,000 rows by 60,000: readers see one or the other, never a mix", "[pipeline][atomic]") {
    Uploader u(PipelineStack());
    std::string create_id;
    u.Analyzed({File("contas.csv", NumberedCsv(1, 50'000))}, &create_id);
    std::string table_id = e2e::Str(u.ConfirmDone(create_id)["user_table_id"]);
    REQUIRE(Checksum(u, "contas") == *u.stack.AdminQuery(ExpectedChecksumSql(1, 50'000))[0][0]);

    std::string job_id;
    u.Analyzed({File("contas_novas.csv", NumberedCsv(100'001, 60'000))}, &job_id, {{"mode", "replace"}}, table_id);
    Readers readers(u, table_id, "contas");
    mt::testing::WaitUntil([&] { return readers.Count("sql 50000/1") > 0 && readers.Count("row_count 50000") > 0; },
                           30s, "readers to see the old content");
    auto confirm = u.Confirm(job_id, "{}");
    REQUIRE_STATUS(confirm, 200);
    auto job = u.WaitJob(job_id, kFinished, 180s);
    REQUIRE_JOB_STATUS(u.stack, job, "done");
    mt::testing::WaitUntil(
        [&] {
            return readers.Count("sql 60000/100001") > 0 && readers.Count("row_count 60000") > 0 &&
                   readers.Count("data.total 60000") > 0;
        },
        30s, "readers to see the new content");
    readers.Stop();
    auto seen = readers.Seen();
    INFO("observations:\n" << Describe(seen));
    std::set<std::string> allowed = {"sql 50000/1",      "sql 60000/100001", "data.total 50000",
                                     "data.total 60000", "row_count 50000",  "row_count 60000"};
    for (const auto& [observation, times] : seen) CHECK(allowed.count(observation) == 1);
    CHECK(Checksum(u, "contas") == *u.stack.AdminQuery(ExpectedChecksumSql(100'001, 60'000))[0][0]);
    CHECK(u.Table(table_id)["row_count"].GetInt64() == 60'000);
    CHECK(ToJson(job["progress"]) == R"({"processed_rows":60000,"total_rows":60000})");
    CHECK(LoadTables(u.stack, u.company).empty());
}

TEST_CASE("progress advances during inserting", "[pipeline][atomic]") {
    Uploader u(PipelineStack());
    std::string job_id;
    u.Analyzed({File("progresso.csv", NumberedCsv(1, 60'000))}, &job_id);
    REQUIRE_STATUS(u.Confirm(job_id, "{}"), 200);
    std::vector<std::int64_t> seen;
    rapidjson::Document job;
    mt::testing::WaitUntil(
        [&] {
            job = u.Job(job_id);
            if (e2e::Str(job["status"]) == "inserting" && job["progress"].IsObject()) {
                CHECK(job["progress"]["total_rows"].GetInt64() == 60'000);
                seen.push_back(job["progress"]["processed_rows"].GetInt64());
            }
            return e2e::Str(job["status"]) != "inserting";
        },
        180s, "the insert to finish");
    REQUIRE_JOB_STATUS(u.stack, job, "done");
    INFO("processed_rows seen while inserting: " << seen.size());
    CHECK(std::is_sorted(seen.begin(), seen.end()));
    CHECK(std::any_of(seen.begin(), seen.end(), [](std::int64_t p) { return p > 0 && p < 60'000; }));
}

TEST_CASE("an append failing in its last part leaves the table exactly as it was", "[pipeline][atomic]") {
    Uploader u(PipelineStack());
    std::string create_id;
    u.Analyzed({File("estoque.csv", NumberedCsv(1, 10'000))}, &create_id);
    std::string table_id = e2e::Str(u.ConfirmDone(create_id)["user_table_id"]);
    std::string expected = *u.stack.AdminQuery(ExpectedChecksumSql(1, 10'000))[0][0];
    REQUIRE(Checksum(u, "estoque") == expected);

    std::string job_id;  // 9,999 good rows, then one whose amount is not a decimal
    u.Analyzed({File("mais.csv", NumberedCsv(20'001, 9'999) + "30000,name-30000,abc,true\n")}, &job_id, {}, table_id);
    auto before = Snapshot(u.stack, u.company);
    Readers readers(u, table_id, "estoque");
    REQUIRE_STATUS(u.Confirm(job_id, "{}"), 200);
    auto job = u.WaitJob(job_id, kFinished, 120s);
    REQUIRE_JOB_STATUS(u.stack, job, "failed");
    CHECK(e2e::Str(job["error"]["code"]) == "VALUE_CONVERSION_FAILED");
    CHECK(ToJson(job["error"]["details"]) == R"({"file":"mais.csv","line":10001,"column":"amount","value":"abc"})");
    mt::testing::WaitUntil([&] { return LoadTables(u.stack, u.company).empty(); }, 30s, "load tables dropped");
    readers.Stop();
    auto seen = readers.Seen();
    INFO("observations:\n" << Describe(seen));
    for (const auto& [observation, times] : seen) {
        CHECK(std::set<std::string>{"sql 10000/1", "data.total 10000", "row_count 10000"}.count(observation) == 1);
    }
    CHECK(Snapshot(u.stack, u.company) == before);
    CHECK(Checksum(u, "estoque") == expected);
    CHECK(u.Table(table_id)["row_count"].GetInt64() == 10'000);
}

TEST_CASE("a load table recreated for a failed job by an inserter that then died is removed by a sweep",
          "[pipeline][atomic]") {
    // A part claimed before another part failed the job may create the load table after that part's clean-up.
    // Its inserter cleans up when it notices; if it dies first, the part it held outlives the job, and a sweep
    // must remove both once the part's lease has run out.
    Uploader u(PipelineStack());
    std::string create_id;
    u.Analyzed({File("base.csv", NumberedCsv(1, 100))}, &create_id);
    std::string table_id = e2e::Str(u.ConfirmDone(create_id)["user_table_id"]);
    std::string job_id;
    u.Analyzed({File("quebrado.csv", NumberedCsv(101, 100) + "201,name-201,abc,true\n")}, &job_id, {}, table_id);
    REQUIRE_STATUS(u.Confirm(job_id, "{}"), 200);
    REQUIRE_JOB_STATUS(u.stack, u.WaitJob(job_id, kFinished, 120s), "failed");
    mt::testing::WaitUntil([&] { return LoadTables(u.stack, u.company).empty(); }, 30s, "load tables dropped");

    std::string load = "load_" + job_id;
    u.stack.CompanyQuery(u.company, "CREATE TABLE mt_internal." + mt::testing::QuoteIdent(load) + " (id uuid)");
    u.stack.ControlQuery(
        "INSERT INTO mt_job_parts (job_id, part, spec, status, lease_owner, lease_expires_at) "
        "VALUES ($1, 99, '{}', 'loading', 'inserter@gone:1:x', now() + interval '2 seconds')",
        {job_id});
    REQUIRE(LoadTables(u.stack, u.company) == std::vector<std::string>{load});
    mt::testing::WaitUntil(
        [&] {
            return LoadTables(u.stack, u.company).empty() &&
                   *u.stack.ControlQuery("SELECT count(*) FROM mt_job_parts WHERE job_id = $1", {job_id})[0][0] == "0";
        },
        30s, "the sweep to remove the dead inserter's load table and part");
    CHECK(e2e::Str(u.Job(job_id)["status"]) == "failed");
}

}  // namespace
}  // namespace pipeline
