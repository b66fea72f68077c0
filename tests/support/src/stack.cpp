#include "mt/testing/stack.hpp"

#include <sys/stat.h>

#include <cstdlib>
#include <fstream>
#include <stdexcept>

#include "mt/core/ids.hpp"
#include "mt/pg/connection.hpp"
#include "mt/store/role_secrets.hpp"
#include "mt/testing/env.hpp"
#include "mt/testing/wait.hpp"

namespace mt::testing {
namespace {

constexpr int kGatewayStartAttempts = 3;  // a free port can be taken by someone else before the gateway binds it

std::string ReadFile(const std::filesystem::path& path) {
    std::ifstream in(path, std::ios::binary);
    return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
}

std::string TrimNewlines(std::string s) {
    while (!s.empty() && (s.back() == '\n' || s.back() == '\r')) s.pop_back();
    return s;
}

}  // namespace

Stack::Stack(StackOptions options) : options_(std::move(options)) {
    admin_url_ = AdminUrl();
    scratch_ = NewScratchDir(options_.name);
    try {
        control_database_ = "mt_ctl_" + RandomSuffix(12);
        ExecAt(admin_url_, "CREATE DATABASE " + QuoteIdent(control_database_));
        control_url_ = UrlWithDatabase(admin_url_, control_database_);

        jwt_secret_ = RandomHex(32);
        jwt_key_file_ = scratch_ / "jwt-secret";
        std::ofstream(jwt_key_file_) << jwt_secret_;
        ::chmod(jwt_key_file_.c_str(), 0600);
        role_key_ = RandomHex(32);
        role_key_file_ = scratch_ / "db-role-key";
        std::ofstream(role_key_file_) << role_key_;
        ::chmod(role_key_file_.c_str(), 0600);
        // The company server without credentials: what request-serving processes get (only the provisioner
        // holds the admin URL).
        auto plain = pg::WithOverrides(admin_url_, {{"user", "mt_no_such_user"}, {"password", ""}});
        if (!plain) throw std::runtime_error(plain.error().message);
        company_url_ = *plain;

        if (options_.kafka) {
            StartKafka();
        } else {
            kafka_brokers_ = "127.0.0.1:" + std::to_string(FreePort());  // nothing listens there
        }
        if (options_.gateway) {
            StartProvisioner();
            StartGateway();
        }
    } catch (...) {
        Cleanup();
        throw;
    }
}

Stack::~Stack() { Cleanup(); }

std::string Stack::NewCompanyId() { return "e2e-" + RandomSuffix(16); }

std::filesystem::path Stack::Binary(std::string_view relative) { return BinDir() / relative; }

std::map<std::string, std::string> Stack::ServiceEnv() const {
    return {{"MT_CONTROL_DB_URL", control_url_},
            {"MT_COMPANY_DB_URL", company_url_},
            {"MT_DB_ROLE_KEY_FILE", role_key_file_.string()},
            {"MT_JWT_KEY_FILE", jwt_key_file_.string()},
            {"MT_KAFKA_BROKERS", kafka_brokers_},
            {"MT_SCRATCH_DIR", (scratch_ / "service-scratch").string()}};
}

Process& Stack::StartProcess(const std::string& name, const std::filesystem::path& binary,
                             std::vector<std::string> args, std::map<std::string, std::string> env) {
    if (FindProcess(name)) throw std::runtime_error("a process named " + name + " already runs in this stack");
    std::filesystem::create_directories(scratch_ / "service-scratch");
    auto merged = ServiceEnv();
    for (auto& [k, v] : env) merged[k] = std::move(v);
    // Each start gets its own log file, so the log of a crashed process survives its restart.
    int starts = starts_[name]++;
    std::string log_name = name + (starts == 0 ? "" : "-" + std::to_string(starts)) + ".log";
    ProcessSpec spec{name, binary, std::move(args), std::move(merged), scratch_ / log_name};
    processes_.push_back(std::make_unique<Process>(std::move(spec)));
    return *processes_.back();
}

Process* Stack::FindProcess(std::string_view name) {
    for (auto& p : processes_)
        if (p->name() == name) return p.get();
    return nullptr;
}

void Stack::StopProcess(std::string_view name) {
    for (auto it = processes_.begin(); it != processes_.end(); ++it) {
        if ((*it)->name() != name) continue;
        (*it)->Stop();
        processes_.erase(it);
        return;
    }
}

Process& Stack::gateway() {
    Process* p = FindProcess("mt-gateway");
    if (!p) throw std::runtime_error("this stack runs no gateway");
    return *p;
}

void Stack::StartKafka() {
    auto ready = scratch_ / "kafka.ready";
    std::string port = std::to_string(FreePort());
    Process& broker = StartProcess("mt-kafka-dev", Binary("services/kafka-dev/mt-kafka-dev"),
                                   {"--port", port, "--ready-file", ready.string()});
    WaitUntil([&] { return std::filesystem::exists(ready) || !broker.Running(); }, options_.startup_timeout,
              "the dev Kafka broker's ready file");
    if (!broker.Running()) throw std::runtime_error("mt-kafka-dev exited at start-up:\n" + broker.LogTail());
    kafka_brokers_ = TrimNewlines(ReadFile(ready));
}

void Stack::StartProvisioner() {
    Process& p = StartProcess("mt-provisioner", Binary("services/provisioner/mt-provisioner"), {},
                              {{"MT_COMPANY_DB_ADMIN_URL", admin_url_}, {"MT_PROVISION_POLL_MS", "100"}});
    // Up once it has migrated the control database (the gateway's own migration would race it otherwise).
    WaitUntil(
        [&] {
            if (!p.Running()) return true;
            try {
                return ControlQuery("SELECT to_regclass('mt_connections') IS NOT NULL")[0][0] == "t";
            } catch (const std::exception&) {
                return false;
            }
        },
        options_.startup_timeout, "mt-provisioner to migrate the control database");
    if (!p.Running()) throw std::runtime_error("mt-provisioner exited at start-up:\n" + p.LogTail());
}

std::string Stack::CompanyRolePassword(std::string_view role) const {
    return store::DeriveRolePassword(role_key_, role);
}

std::map<std::string, std::string> Stack::GatewayLimitsEnv() {
    const char* redis = std::getenv("MT_TEST_REDIS_URL");
    // Rate limits and quotas no suite reaches: the rate-limit and quota suites set low ones themselves. Without a
    // test Redis the limiter is off.
    return {{"MT_RATE_LIMIT_ENABLED", redis != nullptr && *redis != '\0' ? "true" : "false"},
            {"MT_REDIS_URL", redis != nullptr && *redis != '\0' ? redis : "redis://127.0.0.1:6379"},
            {"MT_RATE_LIMIT_READS_PER_MINUTE", "100000000"},
            {"MT_RATE_LIMIT_WRITES_PER_MINUTE", "100000000"},
            {"MT_QUOTA_TABLES", "1000000"},
            {"MT_QUOTA_CONCURRENT_JOBS", "1000000"},
            {"MT_QUOTA_UPLOAD_BYTES", "1125899906842624"}};
}

void Stack::StartGateway() {
    for (int attempt = 1;; ++attempt) {
        std::uint16_t port = FreePort();
        std::map<std::string, std::string> env = {{"MT_HTTP_PORT", std::to_string(port)},
                                                  {"MT_HTTP_ADDRESS", "127.0.0.1"}};
        for (auto& [k, v] : GatewayLimitsEnv()) env[k] = std::move(v);
        for (const auto& [k, v] : options_.gateway_env) env[k] = v;
        Process& gw = StartProcess("mt-gateway", Binary("services/gateway/mt-gateway"), {}, std::move(env));
        base_url_ = "http://127.0.0.1:" + std::to_string(port);
        HttpClient probe(base_url_, std::chrono::seconds(2));
        std::string status_path = std::string(kApi) + "/status";
        bool answered = false;
        WaitUntil([&] { return !gw.Running() || (answered = probe.Get(status_path, "").status != 0); },
                  options_.startup_timeout, "mt-gateway to answer on " + base_url_);
        if (answered) return;
        std::string tail = gw.LogTail();
        StopProcess("mt-gateway");
        if (attempt == kGatewayStartAttempts) throw std::runtime_error("mt-gateway exited at start-up:\n" + tail);
    }
}

void Stack::RestartGateway() {
    StopProcess("mt-gateway");
    StartGateway();
}

bool Stack::EnsureGateway() {
    Process* gw = FindProcess("mt-gateway");
    if (gw && gw->Running()) return true;
    RestartGateway();
    return false;
}

std::string Stack::Token(std::string_view company, const std::vector<std::string>& grants, std::chrono::seconds ttl,
                         std::string_view user) const {
    return SignHs256(jwt_secret_, company, grants, ttl, user);
}

HttpClient Stack::Client(std::chrono::milliseconds timeout) const { return HttpClient(base_url_, timeout); }

SqlRows Stack::AdminQuery(std::string_view sql, const SqlParams& params, std::string_view database) const {
    return QueryAt(database.empty() ? admin_url_ : UrlWithDatabase(admin_url_, database), sql, params);
}

SqlRows Stack::ControlQuery(std::string_view sql, const SqlParams& params) const {
    return QueryAt(control_url_, sql, params);
}

std::optional<std::string> Stack::CompanyDatabase(std::string_view company) const {
    auto rows = ControlQuery("SELECT database_name FROM mt_connections WHERE company_id = $1", {std::string(company)});
    if (rows.empty()) return std::nullopt;
    return rows[0][0];
}

SqlRows Stack::CompanyQuery(std::string_view company, std::string_view sql, const SqlParams& params) const {
    auto database = CompanyDatabase(company);
    if (!database) throw std::runtime_error("company " + std::string(company) + " has no database");
    return AdminQuery(sql, params, *database);
}

void Stack::Cleanup() noexcept {
    // Processes first (reverse start order: workers before the gateway before the broker), so nothing holds
    // connections to the databases dropped next.
    while (!processes_.empty()) {
        processes_.back()->Stop();
        processes_.pop_back();
    }
    if (control_database_.empty()) return;
    const char* keep = std::getenv("MT_TEST_KEEP_DATABASES");
    if (keep && std::string_view(keep) == "1") return;
    try {
        SqlRows companies;
        try {
            companies = ControlQuery("SELECT database_name, role_name FROM mt_connections");
        } catch (const std::exception&) {
            // No mt_connections: the gateway never migrated the control database.
        }
        for (const auto& row : companies) {
            if (row[0]) ExecAt(admin_url_, "DROP DATABASE IF EXISTS " + QuoteIdent(*row[0]) + " WITH (FORCE)");
            if (row[1]) ExecAt(admin_url_, "DROP ROLE IF EXISTS " + QuoteIdent(*row[1]));
        }
        ExecAt(admin_url_, "DROP DATABASE IF EXISTS " + QuoteIdent(control_database_) + " WITH (FORCE)");
    } catch (const std::exception& e) {
        std::fprintf(stderr, "[mt-test] cleanup of %s failed: %s\n", control_database_.c_str(), e.what());
    }
}

}  // namespace mt::testing
