// Listener classes of Catch2 v2 are only declared with external interfaces enabled.
#define CATCH_CONFIG_EXTERNAL_INTERFACES
#include "pipeline.hpp"

#include <csignal>
#include <cstdio>
#include <stdexcept>

#include "mt/core/json.hpp"
#include "mt/testing/wait.hpp"

namespace pipeline {
namespace {

using mt::testing::WaitUntil;

Stack* g_stack = nullptr;  // set by PipelineStack; the e2e listener destroys the stack at the end of the run

/// On a failed test case, print the workers' logs too (the e2e listener prints the gateway's).
struct WorkerLogListener : Catch::TestEventListenerBase {
    using TestEventListenerBase::TestEventListenerBase;
    void testCaseEnded(const Catch::TestCaseStats& stats) override {
        if (stats.totals.assertions.allOk() || !g_stack) return;
        std::fprintf(stderr, "---- worker logs ----\n%s---- end of worker logs ----\n",
                     WorkerLogs(*g_stack, 25).c_str());
    }
    void testRunEnded(const Catch::TestRunStats&) override { g_stack = nullptr; }
};

std::string Str(const rapidjson::Value& v) {
    return v.IsString() ? std::string(v.GetString(), v.GetStringLength()) : "";
}

bool StatusIn(const rapidjson::Value& job, const std::vector<std::string>& statuses) {
    if (!job.IsObject() || !job.HasMember("status")) return false;
    std::string status = Str(job["status"]);
    for (const auto& s : statuses)
        if (s == status) return true;
    return false;
}

}  // namespace

CATCH_REGISTER_LISTENER(WorkerLogListener)

PipelineOptions g_options;  // of the executable's stack (the first options win)

std::map<std::string, std::string> WorkerEnv() {
    std::map<std::string, std::string> env = {
        {"MT_LEASE_SECONDS", "3"},
        {"MT_INSERT_PART_ROWS", std::to_string(g_options.part_rows)},
        // Appends of up to 1,000 rows load as one part straight into the table; larger ones use parts.
        {"MT_APPEND_DIRECT_MAX_ROWS", "1000"},
        {"MT_SWEEP_INTERVAL_MS", "300"},
        {"MT_QUEUED_GRACE_SECONDS", "1"},
        // The dev broker answers a rejoin only after the session timeout (services/kafka-dev/README.md).
        {"MT_KAFKA_PROP_SESSION_TIMEOUT_MS", "6000"}};
    for (const auto& [k, v] : g_options.worker_env) env[k] = v;
    return env;
}

Process& StartWorker(Stack& stack, const std::string& name) {
    std::string binary = name == "mt-analyzer" ? "services/analyzer/mt-analyzer" : "services/inserter/mt-inserter";
    Process& p = stack.StartProcess(name, Stack::Binary(binary), {}, WorkerEnv());
    WaitUntil([&] { return !p.Running() || p.Log().find("\"msg\":\"started\"") != std::string::npos; }, 30s,
              name + " to start");
    if (!p.Running()) throw std::runtime_error(name + " exited at start-up:\n" + p.LogTail());
    return p;
}

void KillAndForget(Stack& stack, const std::string& name) {
    if (Process* p = stack.FindProcess(name)) {
        p->Kill(SIGKILL);
        (void)p->Wait(10s);
        stack.StopProcess(name);
    }
}

Stack& PipelineStack(const PipelineOptions& options) {
    StackOptions stack_options;
    stack_options.name = options.name;
    stack_options.kafka = true;
    Stack& stack = e2e::SharedStack(stack_options);
    if (g_stack == nullptr) g_options = options;
    g_stack = &stack;
    for (const auto& name : kWorkers) {
        Process* p = stack.FindProcess(name);
        if (p && p->Running()) continue;
        if (p) {
            std::fprintf(stderr, "[pipeline] %s had exited (status %d); starting it again\n", name.c_str(),
                         p->exit_status().value_or(-1));
            stack.StopProcess(name);
        }
        StartWorker(stack, name);
    }
    return stack;
}

std::string WorkerLogs(Stack& stack, std::size_t lines) {
    std::string out;
    for (const auto& name : kWorkers) {
        Process* p = stack.FindProcess(name);
        out += "-- " + name + (p ? " (" + p->log_path().string() + ")" : " (not running)") + "\n";
        if (p) out += p->LogTail(lines);
    }
    return out;
}

Uploader::Uploader(Stack& s) : Tenant(s) { Provision(); }

Response Uploader::Upload(const std::vector<MultipartFile>& files, const std::vector<MultipartField>& fields,
                          std::string_view table_id) {
    std::string path = table_id.empty() ? Api("/upload") : Api("/" + std::string(table_id) + "/upload");
    return http.PostMultipart(path, token, files, fields);
}

std::string Uploader::Start(const std::vector<MultipartFile>& files, const std::vector<MultipartField>& fields,
                            std::string_view table_id) {
    auto r = Upload(files, fields, table_id);
    REQUIRE_STATUS(r, 201);
    auto j = r.Json();
    REQUIRE(e2e::Keys(j) == std::set<std::string>{"job_id", "status"});
    CHECK(Str(j["status"]) == "queued");
    std::string id = Str(j["job_id"]);
    REQUIRE(e2e::IsObjectIdText(id));
    return id;
}

rapidjson::Document Uploader::Job(std::string_view job_id) {
    auto r = http.Get(Api("/upload-jobs/" + std::string(job_id)), token);
    REQUIRE_STATUS(r, 200);
    return r.Json();
}

rapidjson::Document Uploader::WaitJob(std::string_view job_id, const std::vector<std::string>& statuses,
                                      std::chrono::milliseconds timeout) {
    rapidjson::Document last;
    std::string last_text;
    try {
        WaitUntil(
            [&] {
                auto r = http.Get(Api("/upload-jobs/" + std::string(job_id)), token);
                last_text = r.Describe(4000);
                if (r.status != 200) return false;
                last = r.Json();
                return StatusIn(last, statuses);
            },
            timeout, "job " + std::string(job_id));
    } catch (const std::exception& e) {
        INFO("last answer: " << last_text);
        INFO("workers:\n" << WorkerLogs(stack));
        FAIL(e.what());
    }
    return last;
}

rapidjson::Document Uploader::Analyzed(const std::vector<MultipartFile>& files, std::string* job_id,
                                       const std::vector<MultipartField>& fields, std::string_view table_id) {
    std::string id = Start(files, fields, table_id);
    if (job_id) *job_id = id;
    auto job = WaitJob(id, kAnalyzed);
    REQUIRE_JOB_STATUS(stack, job, "waiting_confirm");
    return job;
}

Response Uploader::Confirm(std::string_view job_id, std::string_view body) {
    return http.Post(Api("/upload-jobs/" + std::string(job_id) + "/confirm"), token, body);
}

rapidjson::Document Uploader::ConfirmDone(std::string_view job_id, std::string_view body,
                                          std::chrono::milliseconds timeout) {
    auto r = Confirm(job_id, body);
    REQUIRE_STATUS(r, 200);
    CHECK(r.body == R"({"status":"inserting"})");
    auto job = WaitJob(job_id, kFinished, timeout);
    REQUIRE_JOB_STATUS(stack, job, "done");
    return job;
}

std::vector<std::string> Uploader::RowTexts(std::string_view table_id) {
    std::vector<std::string> out;
    for (int page = 1;; ++page) {
        auto r = http.Get(Api("/" + std::string(table_id) + "/data?per_page=1000&page=" + std::to_string(page)), token);
        REQUIRE_STATUS(r, 200);
        auto doc = r.ExactJson();
        const auto& records = doc["records"];
        for (const auto& rec : records.GetArray()) {
            rapidjson::StringBuffer sb;
            mt::json::Writer w(sb);
            w.StartObject();
            for (const auto& m : rec.GetObject()) {
                std::string_view key(m.name.GetString(), m.name.GetStringLength());
                if (key == "id") continue;
                mt::json::WriteKey(w, key);
                mt::json::WriteValue(w, m.value);
            }
            w.EndObject();
            out.emplace_back(sb.GetString(), sb.GetSize());
        }
        if (records.Empty() || records.Size() < 1000) return out;
    }
}

rapidjson::Document Uploader::Table(std::string_view table_id) {
    auto r = http.Get(Api("/" + std::string(table_id)), token);
    REQUIRE_STATUS(r, 200);
    return r.Json();
}

std::vector<std::string> Snapshot(Stack& stack, std::string_view company) {
    std::vector<std::string> out;
    auto tables_rows = stack.ControlQuery(
        "SELECT id || ' ' || display_name || ' ' || status || ' ' || columns::text"
        " FROM mt_tables WHERE company_id = $1 ORDER BY id",
        {std::string(company)});
    for (const auto& row : tables_rows) out.push_back("mt_tables: " + row[0].value_or("NULL"));
    if (!stack.CompanyDatabase(company)) return out;
    auto tables = stack.CompanyQuery(company,
                                     "SELECT schemaname, tablename FROM pg_tables WHERE schemaname IN "
                                     "('public', 'mt_internal', 'mt_archive') ORDER BY 1, 2");
    for (const auto& t : tables) {
        std::string name = mt::testing::QuoteIdent(*t[0]) + "." + mt::testing::QuoteIdent(*t[1]);
        auto sum = stack.CompanyQuery(company,
                                      "SELECT count(*) || ' ' || md5(coalesce(string_agg(x::text, '|' "
                                      "ORDER BY x::text), '')) FROM " +
                                          name + " x");
        out.push_back(name + ": " + sum[0][0].value_or("NULL"));
    }
    return out;
}

std::vector<std::string> LoadTables(Stack& stack, std::string_view company) {
    std::vector<std::string> out;
    for (const auto& row : stack.CompanyQuery(company,
                                              "SELECT tablename FROM pg_tables WHERE schemaname = "
                                              "'mt_internal' AND tablename LIKE 'load\\_%' ORDER BY 1"))
        out.push_back(*row[0]);
    return out;
}

MultipartFile File(std::string filename, std::string content, std::string content_type) {
    MultipartFile f;
    f.filename = std::move(filename);
    f.content = std::move(content);
    f.content_type = std::move(content_type);
    return f;
}

std::string ToJson(const rapidjson::Value& v) {
    rapidjson::StringBuffer sb;
    rapidjson::Writer<rapidjson::StringBuffer> w(sb);
    v.Accept(w);
    return {sb.GetString(), sb.GetSize()};
}

std::string ToCp1252(std::string_view utf8) {
    // UTF-8 → code point → Windows-1252 byte: Latin-1 for U+00A0..U+00FF, plus the few 0x80..0x9F glyphs used here.
    static const std::map<char32_t, unsigned char> kSpecial = {{U'€', 0x80}, {U'“', 0x93}, {U'”', 0x94}, {U'–', 0x96}};
    std::string out;
    for (std::size_t i = 0; i < utf8.size();) {
        auto c = static_cast<unsigned char>(utf8[i]);
        char32_t cp;
        std::size_t len = c < 0x80 ? 1 : c < 0xE0 ? 2 : c < 0xF0 ? 3 : 4;
        if (len == 1) {
            cp = c;
        } else {
            cp = c & (0xFF >> (len + 1));
            for (std::size_t k = 1; k < len; ++k) cp = (cp << 6) | (static_cast<unsigned char>(utf8[i + k]) & 0x3F);
        }
        i += len;
        if (cp < 0x80 || (cp >= 0xA0 && cp <= 0xFF)) {
            out.push_back(static_cast<char>(cp));
        } else if (auto it = kSpecial.find(cp); it != kSpecial.end()) {
            out.push_back(static_cast<char>(it->second));
        } else {
            throw std::runtime_error("ToCp1252: character not in the test's table");
        }
    }
    return out;
}

}  // namespace pipeline
