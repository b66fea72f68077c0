#pragma once
/// A whole Managed Tables deployment for one test executable: a fresh control database on the throwaway
/// PostgreSQL server (MT_TEST_PG_URL), a JWT secret, a role key, and the service processes from MT_TEST_BIN_DIR
/// (mt-provisioner, the only one given the admin URL, then mt-gateway).
#include <chrono>
#include <filesystem>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "mt/testing/http_client.hpp"
#include "mt/testing/process.hpp"
#include "mt/testing/sql.hpp"
#include "mt/testing/tokens.hpp"

namespace mt::testing {

/// The API prefix of SPEC §4 (and its alias).
inline constexpr std::string_view kApi = "/api/v1/managed-tables";
inline constexpr std::string_view kApiAlias = "/v1/managed-tables";

struct StackOptions {
    std::string name = "stack";  // prefix of the scratch directory
    bool gateway = true;         // start mt-gateway (and wait until it answers)
    /// Start the dev Kafka broker (services/kafka-dev/mt-kafka-dev) and point every service at it. Without it the
    /// services get a broker address where nothing listens: enough for endpoints that publish nothing.
    bool kafka = false;
    /// Extra environment of mt-gateway, overriding the defaults (e.g. {"MT_MAX_JSON_BYTES", "65536"}).
    std::map<std::string, std::string> gateway_env;
    std::chrono::milliseconds startup_timeout = std::chrono::seconds(30);
};

/// Lifecycle: the constructor creates the databases and starts the processes (throws std::runtime_error, after
/// cleaning up, when something does not come up); the destructor stops the processes (SIGTERM, then SIGKILL),
/// then drops every company database and role listed in its control database, and the control database
/// itself (set MT_TEST_KEEP_DATABASES=1 to keep them for a post-mortem). Logs stay in scratch_dir().
/// Destroy it before `exit` (not as a static): OpenSSL's exit handler would otherwise run first and the
/// cleanup's PostgreSQL connections would crash.
/// Thread-safety: the accessors, Token, Client and the *Query helpers may be called from any thread; starting
/// and stopping processes belongs to the thread that created the Stack.
class Stack {
public:
    explicit Stack(StackOptions options = {});
    ~Stack();
    Stack(const Stack&) = delete;
    Stack& operator=(const Stack&) = delete;

    /// "http://127.0.0.1:<port>" of the gateway (changes when it is restarted).
    [[nodiscard]] const std::string& base_url() const { return base_url_; }
    [[nodiscard]] const std::string& admin_url() const { return admin_url_; }
    [[nodiscard]] const std::string& control_url() const { return control_url_; }
    [[nodiscard]] const std::string& control_database() const { return control_database_; }
    [[nodiscard]] const std::string& kafka_brokers() const { return kafka_brokers_; }
    [[nodiscard]] const std::filesystem::path& scratch_dir() const { return scratch_; }
    [[nodiscard]] const std::filesystem::path& jwt_key_file() const { return jwt_key_file_; }
    [[nodiscard]] const std::string& jwt_secret() const { return jwt_secret_; }
    /// The company server's URL without credentials, as the gateway and the workers get it (MT_COMPANY_DB_URL).
    [[nodiscard]] const std::string& company_url() const { return company_url_; }
    [[nodiscard]] const std::filesystem::path& role_key_file() const { return role_key_file_; }
    /// The password of a company role (derived from the stack's MT_DB_ROLE_KEY_FILE, as the services do).
    [[nodiscard]] std::string CompanyRolePassword(std::string_view role) const;

    /// A valid token for `company` (default: every permission, one hour).
    [[nodiscard]] std::string Token(std::string_view company, const std::vector<std::string>& grants = AllPermissions(),
                                    std::chrono::seconds ttl = std::chrono::hours(1),
                                    std::string_view user = "e2e-user") const;
    /// A new client on base_url().
    [[nodiscard]] HttpClient Client(std::chrono::milliseconds timeout = std::chrono::seconds(120)) const;
    /// A company id nobody used yet.
    static std::string NewCompanyId();

    /// SQL as the superuser, in `database` (default: the admin URL's database).
    SqlRows AdminQuery(std::string_view sql, const SqlParams& params = {}, std::string_view database = {}) const;
    SqlRows ControlQuery(std::string_view sql, const SqlParams& params = {}) const;
    /// The company's database name from the control database, nullopt when it never provisioned.
    [[nodiscard]] std::optional<std::string> CompanyDatabase(std::string_view company) const;
    /// SQL as the superuser in the company's database (throws when the company has none).
    SqlRows CompanyQuery(std::string_view company, std::string_view sql, const SqlParams& params = {}) const;

    /// What every service reads: databases, JWT key, Kafka brokers, scratch directory.
    [[nodiscard]] std::map<std::string, std::string> ServiceEnv() const;
    /// `relative` under MT_TEST_BIN_DIR, e.g. "services/gateway/mt-gateway".
    static std::filesystem::path Binary(std::string_view relative);
    /// Starts another process (a worker) with ServiceEnv() plus `env`; its log is scratch_dir()/<name>.log
    /// (<name>-N.log for the N-th restart).
    /// Names are unique within the stack; the stack stops its processes in reverse start order.
    Process& StartProcess(const std::string& name, const std::filesystem::path& binary,
                          std::vector<std::string> args = {}, std::map<std::string, std::string> env = {});
    /// The process of that name, or nullptr.
    Process* FindProcess(std::string_view name);
    /// Stops and forgets the process of that name (no-op when absent).
    void StopProcess(std::string_view name);

    /// The rate-limit and quota settings every gateway of a stack starts with: the test Redis (MT_TEST_REDIS_URL;
    /// none: the limiter is off), limits and quotas far above what any suite uses. StackOptions::gateway_env
    /// overrides them.
    static std::map<std::string, std::string> GatewayLimitsEnv();

    Process& gateway();
    /// Stops the gateway if it runs and starts a new one on a fresh port (base_url() changes).
    void RestartGateway();
    /// Restarts the gateway when it has died (a crash found by an earlier test); returns false when it had to.
    bool EnsureGateway();

private:
    void StartKafka();
    void StartProvisioner();
    void StartGateway();
    void Cleanup() noexcept;

    StackOptions options_;
    std::string admin_url_;
    std::filesystem::path scratch_;
    std::string control_database_;
    std::string control_url_;
    std::string jwt_secret_;
    std::string company_url_;
    std::string role_key_;
    std::filesystem::path role_key_file_;
    std::filesystem::path jwt_key_file_;
    std::string kafka_brokers_;
    std::string base_url_;
    std::map<std::string, int> starts_;  // by process name, for distinct log files
    std::vector<std::unique_ptr<Process>> processes_;
};

}  // namespace mt::testing
