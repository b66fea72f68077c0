// Listener classes of Catch2 v2 are only declared with external interfaces enabled.
#define CATCH_CONFIG_EXTERNAL_INTERFACES
#include "e2e.hpp"

#include <cstdio>
#include <latch>
#include <memory>
#include <regex>
#include <thread>

namespace e2e {
namespace {

using mt::testing::Process;

std::unique_ptr<Stack>& StackSlot() {
    static std::unique_ptr<Stack> stack;
    return stack;
}

/// On a failed test case, print the tail of the gateway's log: the server side of the failure. At the end of
/// the run, tear the stack down while the process is whole: as a static it would be destroyed after OpenSSL's
/// exit handler, and the cleanup's libpq connections would crash in a deinitialized libcrypto.
struct StackListener : Catch::TestEventListenerBase {
    using TestEventListenerBase::TestEventListenerBase;
    void testRunEnded(const Catch::TestRunStats&) override { StackSlot().reset(); }
    void testCaseEnded(const Catch::TestCaseStats& stats) override {
        auto& stack = StackSlot();
        if (stats.totals.assertions.allOk() || !stack) return;
        Process* gw = stack->FindProcess("mt-gateway");
        if (!gw) return;
        std::fprintf(stderr, "---- tail of %s ----\n%s---- end of gateway log ----\n", gw->log_path().c_str(),
                     gw->LogTail(30).c_str());
    }
};

}  // namespace

CATCH_REGISTER_LISTENER(StackListener)

Stack& SharedStack(const StackOptions& options) {
    auto& stack = StackSlot();
    if (!stack) stack = std::make_unique<Stack>(options);
    // A gateway crashed by an earlier test is reported and replaced, so one crash fails one test, not all after it.
    if (Process* gw = stack->FindProcess("mt-gateway"); gw && !gw->Running()) {
        std::fprintf(stderr, "[e2e] mt-gateway died (exit status %d); restarting it. Its log ends with:\n%s",
                     gw->exit_status().value_or(-1), gw->LogTail(20).c_str());
        stack->RestartGateway();
    }
    return *stack;
}

Tenant::Tenant(Stack& s) : stack(s), company(Stack::NewCompanyId()), token(s.Token(company)), http(s.Client()) {}

std::string Api(std::string_view suffix) { return std::string(kApi) + std::string(suffix); }

std::vector<Response> Parallel(Stack& stack, int n, const std::function<Response(HttpClient&, int)>& request) {
    std::vector<Response> out(static_cast<std::size_t>(n));
    std::latch start(n);
    std::vector<std::thread> threads;
    for (int i = 0; i < n; ++i) {
        threads.emplace_back([&, i] {
            HttpClient client = stack.Client(std::chrono::seconds(60));
            start.arrive_and_wait();  // all requests leave at once
            out[static_cast<std::size_t>(i)] = request(client, i);
        });
    }
    for (auto& t : threads) t.join();
    return out;
}

std::map<int, int> StatusCounts(const std::vector<Response>& responses) {
    std::map<int, int> out;
    for (const auto& r : responses) ++out[r.status];
    return out;
}

std::string Tenant::Provision() {
    auto r = http.Post(Api("/provision"), token);
    REQUIRE_STATUS(r, 200);
    auto j = r.Json();
    REQUIRE(j["provisioned"].IsTrue());
    return j["connection_id"].GetString();
}

std::string Tenant::CreateTable(std::string_view display_name, std::string_view columns_json) {
    std::string body =
        "{\"display_name\":" + JsonString(display_name) + ",\"columns\":" + std::string(columns_json) + "}";
    auto r = http.Post(Api(), token, body);
    REQUIRE_STATUS(r, 201);
    return r.Json()["_id"].GetString();
}

void Tenant::Insert(std::string_view table_id, std::string_view rows_json) {
    auto r = http.Post(Api("/" + std::string(table_id) + "/data"), token, "{\"rows\":" + std::string(rows_json) + "}");
    REQUIRE_STATUS(r, 201);
}

rapidjson::Document Tenant::Rows(std::string_view table_id, std::string_view query) {
    auto r = http.Get(Api("/" + std::string(table_id) + "/data?" + std::string(query)), token);
    REQUIRE_STATUS(r, 200);
    return r.Json();
}

std::int64_t Tenant::RowCount(std::string_view table_id) {
    auto r = http.Get(Api("/" + std::string(table_id)), token);
    REQUIRE_STATUS(r, 200);
    return r.Json()["row_count"].GetInt64();
}

std::string Tenant::Database() {
    auto db = stack.CompanyDatabase(company);
    REQUIRE(db.has_value());
    return *db;
}

bool IsObjectIdText(std::string_view s) {
    static const std::regex re("^[0-9a-f]{24}$");
    return std::regex_match(s.begin(), s.end(), re);
}

bool IsUuidText(std::string_view s) {
    static const std::regex re("^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$");
    return std::regex_match(s.begin(), s.end(), re);
}

bool IsIsoMillisUtc(std::string_view s) {
    static const std::regex re("^\\d{4}-\\d{2}-\\d{2}T\\d{2}:\\d{2}:\\d{2}\\.\\d{3}Z$");
    return std::regex_match(s.begin(), s.end(), re);
}

std::set<std::string> Keys(const rapidjson::Value& object) {
    std::set<std::string> out;
    if (!object.IsObject()) return out;
    for (const auto& m : object.GetObject()) out.emplace(m.name.GetString(), m.name.GetStringLength());
    return out;
}

std::string Str(const rapidjson::Value& v) {
    CHECK(v.IsString());
    return v.IsString() ? std::string(v.GetString(), v.GetStringLength()) : std::string();
}

void ExpectError(const Response& r, int status, std::string_view code, std::string_view message,
                 std::string_view request_id) {
    INFO(r.Describe());
    CHECK(r.status == status);
    rapidjson::Document j;
    j.Parse(r.body.data(), r.body.size());
    REQUIRE_FALSE(j.HasParseError());
    REQUIRE(j.IsObject());
    REQUIRE(j.HasMember("error"));
    REQUIRE(j.HasMember("error_code"));
    REQUIRE(j.HasMember("request_id"));
    CHECK(j["error_code"].IsString());
    CHECK(Str(j["error_code"]) == code);
    CHECK(j["error"].IsString());
    if (!message.empty()) CHECK(Str(j["error"]) == message);
    CHECK(!Str(j["request_id"]).empty());
    if (!request_id.empty()) CHECK(Str(j["request_id"]) == request_id);
    if (status == 422 || code == "QUERY_SYNTAX_ERROR") {  // a query error names its path in details too
        REQUIRE(j.HasMember("details"));
        REQUIRE(j["details"].IsArray());
        for (const auto& d : j["details"].GetArray()) {
            CHECK(Keys(d) == std::set<std::string>{"field", "message"});
            CHECK(d["field"].IsString());
            CHECK(d["message"].IsString());
        }
    } else {
        CHECK(Keys(j) == std::set<std::string>{"error", "error_code", "request_id"});
    }
    CHECK(r.Header("Content-Type").rfind("application/json", 0) == 0);
}

std::vector<std::string> DetailFields(const Response& r) {
    std::vector<std::string> out;
    rapidjson::Document j;
    j.Parse(r.body.data(), r.body.size());
    if (j.HasParseError() || !j.IsObject() || !j.HasMember("details") || !j["details"].IsArray()) return out;
    for (const auto& d : j["details"].GetArray())
        if (d.IsObject() && d.HasMember("field") && d["field"].IsString()) out.emplace_back(d["field"].GetString());
    return out;
}

std::string Columns(const std::vector<Col>& columns) {
    std::string out = "[";
    for (const auto& c : columns) {
        if (out.size() > 1) out += ",";
        out += "{\"name\":" + JsonString(c.name) + ",\"display_name\":" + JsonString(c.name) +
               ",\"type\":" + JsonString(c.type) + ",\"nullable\":" + (c.nullable ? "true" : "false") + "}";
    }
    return out + "]";
}

std::string JsonString(std::string_view s) {
    std::string out = "\"";
    for (unsigned char c : s) {
        switch (c) {
            case '"': out += "\\\""; break;
            case '\\': out += "\\\\"; break;
            case '\n': out += "\\n"; break;
            case '\r': out += "\\r"; break;
            case '\t': out += "\\t"; break;
            default:
                if (c < 0x20) {
                    char buf[8];
                    std::snprintf(buf, sizeof buf, "\\u%04x", c);
                    out += buf;
                } else {
                    out += static_cast<char>(c);
                }
        }
    }
    return out + "\"";
}

}  // namespace e2e
