// SPEC/issue "Operate it": an invalid setting stops a service at start, with a message naming the variable.
#include <fstream>

#include "e2e.hpp"

#include "mt/testing/wait.hpp"

namespace e2e {
namespace {

using namespace std::chrono_literals;

struct BadSetting {
    std::string binary;
    std::string variable;
    std::string value;
    std::string expected;  // in the log's message
};

TEST_CASE("each service exits at start on an invalid setting, naming the variable", "[startup]") {
    mt::testing::StackOptions options;
    options.name = "startup";
    options.gateway = false;
    Stack& stack = SharedStack(options);
    std::string short_key = (stack.scratch_dir() / "short-role-key").string();
    std::ofstream(short_key) << "a key of fewer than 32 bytes\n";
    const std::string short_secret = (stack.scratch_dir() / "short-jwt-secret").string();
    std::ofstream(short_secret) << std::string(31, 'k');
    const std::vector<BadSetting> cases = {
        {"services/gateway/mt-gateway", "MT_DB_ROLE_KEY_FILE", short_key, "holds fewer than 32 bytes"},
        {"services/inserter/mt-inserter", "MT_DB_ROLE_KEY_FILE", short_key, "holds fewer than 32 bytes"},
        {"services/gateway/mt-gateway", "MT_DB_ROLE_KEY_FILE", "/nonexistent/key", "cannot read the role key file"},
        {"services/provisioner/mt-provisioner", "MT_PROVISION_POLL_MS", "1", "MT_PROVISION_POLL_MS=\"1\""},
        {"services/gateway/mt-gateway", "MT_HTTP_THREADS", "eight", "MT_HTTP_THREADS=\"eight\" is not an integer"},
        {"services/gateway/mt-gateway", "MT_MAX_UPLOAD_BYTES", "0", "MT_MAX_UPLOAD_BYTES=\"0\" is not an integer"},
        {"services/gateway/mt-gateway", "MT_JWT_ALG", "none", "MT_JWT_ALG=\"none\" must be one of"},
        {"services/gateway/mt-gateway", "MT_CORS_ALLOWED_ORIGINS", "http://localhost:3000,*",
         "MT_CORS_ALLOWED_ORIGINS: \"*\" is not an origin"},
        {"services/gateway/mt-gateway", "MT_JWT_KEY_FILE", short_secret, "MT_JWT_KEY_FILE: the HS256 secret in"},
        {"services/gateway/mt-gateway", "MT_SCRATCH_DIR", "/nonexistent/mt", "MT_SCRATCH_DIR \"/nonexistent/mt\""},
        {"services/analyzer/mt-analyzer", "MT_LEASE_SECONDS", "1", "MT_LEASE_SECONDS=\"1\" is not an integer"},
        {"services/analyzer/mt-analyzer", "MT_UNCONFIRMED_JOB_TTL_HOURS", "-5", "MT_UNCONFIRMED_JOB_TTL_HOURS"},
        {"services/inserter/mt-inserter", "MT_SWEEP_INTERVAL_MS", "soon", "MT_SWEEP_INTERVAL_MS=\"soon\""},
        {"services/inserter/mt-inserter", "MT_CONTROL_DB_URL", "", "MT_CONTROL_DB_URL is required"},
    };
    int n = 0;
    for (const auto& c : cases) {
        INFO(c.binary << " with " << c.variable << "=" << c.value);
        auto& p = stack.StartProcess("bad-setting-" + std::to_string(n++), Stack::Binary(c.binary), {},
                                     {{c.variable, c.value}, {"MT_HTTP_PORT", "0"}});
        auto status = p.Wait(20s);
        INFO("log:\n" << p.LogTail());
        REQUIRE(status.has_value());
        CHECK(*status != 0);
        std::string in_json;  // log lines are JSON: the message's quotes are escaped
        for (char ch : c.expected) in_json += ch == '"' ? std::string("\\\"") : std::string(1, ch);
        CHECK_THAT(p.Log(), Catch::Contains(in_json));
    }
}

}  // namespace
}  // namespace e2e
