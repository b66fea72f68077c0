// SPEC §7b for files: every input is bounded while it is read. Amplifying files (a ZIP of many large members, an
// XLSX whose cells all expand one huge shared string) and uploads past the job budget end in a failed job with a
// precise message within a minute, the analyzer's memory stays small, and another company's upload at the same
// time is not affected.
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <thread>

#include "inputs.hpp"
#include "mt/testing/env.hpp"
#include "mt/testing/wait.hpp"
#include "pipeline.hpp"

namespace pipeline {
namespace {

/// Peak resident memory (VmHWM) of a running process, in MiB.
std::int64_t PeakRssMiB(pid_t pid) {
    std::ifstream status("/proc/" + std::to_string(pid) + "/status");
    std::string line;
    while (std::getline(status, line)) {
        if (line.rfind("VmHWM:", 0) == 0) return std::stoll(line.substr(6)) / 1024;
    }
    return -1;
}

/// Uploads `hostile` for one company and a normal file for another at the same time; the hostile job fails with
/// INVALID_FILE within a minute and a message containing every piece of `message_parts`, the other is done with its
/// rows, the hostile company has nothing new, and the analyzer stays under 512 MiB.
void ExpectBoundedFailure(Stack& stack, const MultipartFile& hostile, const std::vector<std::string>& message_parts) {
    Uploader attacker(stack);
    Uploader neighbour(stack);
    auto before = Snapshot(stack, attacker.company);
    const auto started = std::chrono::steady_clock::now();
    std::string bad_job = attacker.Start({hostile});
    std::string good_job;
    neighbour.Analyzed({File("vizinho.csv", NumberedCsv(1, 500))}, &good_job);
    auto done = neighbour.ConfirmDone(good_job);
    CHECK(done["progress"]["processed_rows"].GetInt64() == 500);

    auto job = attacker.WaitJob(bad_job, kAnalyzed, 60s);
    INFO("took " << std::chrono::duration_cast<std::chrono::seconds>(std::chrono::steady_clock::now() - started).count()
                 << " s");
    REQUIRE_JOB_STATUS(stack, job, "failed");
    CHECK(e2e::Str(job["error"]["code"]) == "INVALID_FILE");
    const std::string message = e2e::Str(job["error"]["message"]);
    for (const auto& part : message_parts) {
        INFO("message: " << message);
        CHECK(message.find(part) != std::string::npos);
    }
    CHECK(std::chrono::steady_clock::now() - started < 60s);
    CHECK(Snapshot(stack, attacker.company) == before);
    Process* analyzer = stack.FindProcess("mt-analyzer");
    REQUIRE(analyzer != nullptr);
    REQUIRE(analyzer->Running());  // never a crash: it goes on serving every company
    const std::int64_t rss = PeakRssMiB(analyzer->pid());
    INFO("analyzer peak RSS " << rss << " MiB");
    CHECK(rss > 0);
    CHECK(rss < 512);
}

TEST_CASE("a 2 MB ZIP of 32 members × 64 MiB is refused while it expands", "[pipeline][budget][zip]") {
    Stack& stack = PipelineStack({"budget-zip-ratio"});
    std::string members;
    for (int i = 0; i < 32; ++i) {
        if (i) members += ",";
        members += R"({"name": "parte)" + std::to_string(i) +
                   R"(.csv", "header": "a,b\n", "line": "1,2\n", "bytes": 67108864})";
    }
    std::string zip = Zip(stack, R"({"members": [)" + members + "]}");
    INFO("zip of " << zip.size() << " bytes");
    CHECK(zip.size() < 4'000'000);
    ExpectBoundedFailure(stack, File("amplifica.zip", zip), {"amplifica.zip", "times its compressed size"});
}

TEST_CASE("an XLSX whose cells repeat one 1 MiB shared string fails on the row limit", "[pipeline][budget][xlsx]") {
    Stack& stack = PipelineStack({"budget-sst"});
    auto path = stack.scratch_dir() / "sst-bomb.xlsx";
    const std::string cmd =
        "python3 " MT_SOURCE_DIR "/tests/pipeline/make_sst_bomb.py " + path.string() + " 1048576 256 100";
    REQUIRE(std::system(cmd.c_str()) == 0);
    std::ifstream in(path, std::ios::binary);
    std::string bytes((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
    CHECK(bytes.size() < 100'000);
    ExpectBoundedFailure(stack, File("bomba.xlsx", bytes), {"bomba.xlsx", "line 1", "a row is larger than 16 MiB"});
}

TEST_CASE("the members of a ZIP together past the job budget → failed", "[pipeline][budget][zip]") {
    PipelineOptions options{"budget-job-zip"};
    options.worker_env = {{"MT_MAX_JOB_BYTES", std::to_string(16 << 20)}};
    Stack& stack = PipelineStack(options);
    // Three members of ~7.5 MiB each (numbers: they compress only a few times): every one alone is within the
    // budget, together they are not.
    auto member = ScratchFile(stack, "membro.csv", NumberedCsv(1, 250'000));
    std::string zip = Zip(stack, R"({"members": [{"name": "a.csv", "path": ")" + member.string() +
                                     R"("}, {"name": "b.csv", "path": ")" + member.string() +
                                     R"("}, {"name": "c.csv", "path": ")" + member.string() + R"("}]})");
    ExpectBoundedFailure(stack, File("tres.zip", zip), {"tres.zip", "16 MiB"});
}

TEST_CASE("CSV files together past the job budget → failed at the row that crosses it", "[pipeline][budget]") {
    PipelineOptions options{"budget-job-csv"};
    options.worker_env = {{"MT_MAX_JOB_BYTES", std::to_string(4 << 20)}};
    Stack& stack = PipelineStack(options);
    Uploader attacker(stack);
    std::string rows = NumberedCsv(1, 60'000);  // ~1.9 MiB each
    std::string job = attacker.Start({File("um.csv", rows), File("dois.csv", rows), File("tres.csv", rows)});
    auto failed = attacker.WaitJob(job, kAnalyzed, 60s);
    REQUIRE_JOB_STATUS(stack, failed, "failed");
    CHECK(e2e::Str(failed["error"]["code"]) == "INVALID_FILE");
    const std::string message = e2e::Str(failed["error"]["message"]);
    INFO(message);
    CHECK(message.rfind("file \"tres.csv\", line ", 0) == 0);
    CHECK(message.find("more than 4 MiB of data once decoded (all files and ZIP members together)") !=
          std::string::npos);
    CHECK(e2e::Str(failed["error"]["details"]["file"]) == "tres.csv");
}

TEST_CASE("sample cells and the listing of jobs stay small whatever the cells hold", "[pipeline][budget]") {
    Uploader u(PipelineStack({"budget-samples"}));
    const std::string huge(600'000, 'z');
    std::string job_id;
    auto job = u.Analyzed({File("largas.csv", "nome,texto\nAna," + huge + "\nBia," + huge + "\n")}, &job_id);
    const auto& samples = job["inferred_schema"]["sample_rows"];
    REQUIRE(samples.Size() == 2);
    CHECK(e2e::Str(samples[0]["texto"]).size() == 200);
    auto list = u.http.Get(Api("/upload-jobs/active"), u.token);
    REQUIRE(list.status == 200);
    CHECK(list.body.size() < 10'000);
    // The load still stores the whole cell.
    auto done = u.ConfirmDone(job_id);
    auto rows = u.RowTexts(e2e::Str(done["user_table_id"]));
    REQUIRE(rows.size() == 2);
    CHECK(rows[0].size() > 600'000);
}

}  // namespace
}  // namespace pipeline

namespace pipeline {
namespace {

/// A 1 MiB tmpfs mounted for the test's lifetime (needs root, as CI runs; otherwise `mounted` is false).
struct TinyDisk {
    std::filesystem::path dir;
    bool mounted = false;
    explicit TinyDisk(const std::filesystem::path& where) : dir(where) {
        std::filesystem::create_directories(dir);
        mounted = std::system(("mount -t tmpfs -o size=1m tmpfs " + dir.string() + " 2>/dev/null").c_str()) == 0;
    }
    ~TinyDisk() {
        if (mounted) (void)std::system(("umount -l " + dir.string()).c_str());
    }
};

TEST_CASE("a full scratch disk fails the job with a clear message and the analyzer goes on", "[pipeline][budget]") {
    const auto where = std::filesystem::path(std::getenv("MT_TEST_SCRATCH") ? std::getenv("MT_TEST_SCRATCH") : "/tmp") /
                       ("tiny-disk-" + mt::testing::RandomSuffix());
    TinyDisk disk(where);
    if (!disk.mounted) {
        WARN("cannot mount a tmpfs here (not root): the full-disk case is not exercised");
        return;
    }
    PipelineOptions options{"budget-full-disk"};
    options.worker_env = {{"MT_SCRATCH_DIR", disk.dir.string()}};
    Uploader u(PipelineStack(options));
    std::string job = u.Start({File("grande.csv", NumberedCsv(1, 100'000))});  // ~3 MB: more than the disk holds
    auto failed = u.WaitJob(job, kAnalyzed, 60s);
    REQUIRE_JOB_STATUS(u.stack, failed, "failed");
    CHECK(e2e::Str(failed["error"]["code"]) == "ANALYSIS_FAILED");
    CHECK(e2e::Str(failed["error"]["message"]) ==
          "The service's scratch space is full, so the files could not be read; upload them again later");
    Process* analyzer = u.stack.FindProcess("mt-analyzer");
    REQUIRE(analyzer != nullptr);
    CHECK(analyzer->Running());
    // Its scratch folder went with the job, so a file that fits is read.
    std::string small;
    u.Analyzed({File("pequeno.csv", NumberedCsv(1, 1'000))}, &small);
    CHECK(e2e::Str(u.ConfirmDone(small)["status"]) == "done");
}

}  // namespace
}  // namespace pipeline
