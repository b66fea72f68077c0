// ConfigReader: defaults, values from the environment, and one error naming every bad variable.
#include "mt/core/config.hpp"

#include <catch2/catch.hpp>
#include <cstdlib>

using mt::config::ConfigReader;
using mt::config::Setting;

namespace {

/// Sets an environment variable for one scope.
struct EnvVar {
    EnvVar(const char* name, const char* value) : name_(name) { ::setenv(name, value, 1); }
    ~EnvVar() { ::unsetenv(name_); }
    const char* name_;
};

constexpr Setting kPort{"MT_TEST_CFG_PORT", "3100", "port"};
constexpr Setting kUrl{"MT_TEST_CFG_URL", "", "database URL", true};
constexpr Setting kFlag{"MT_TEST_CFG_FLAG", "false", "a flag"};
constexpr Setting kAlg{"MT_TEST_CFG_ALG", "HS256", "algorithm"};

}  // namespace

TEST_CASE("unset settings take their defaults, set ones their values") {
    EnvVar url("MT_TEST_CFG_URL", "postgresql://x");
    ConfigReader r;
    CHECK(r.Int(kPort, 1, 65535) == 3100);
    CHECK(r.String(kUrl) == "postgresql://x");
    CHECK_FALSE(r.Bool(kFlag));
    CHECK(r.Choice(kAlg, {"HS256", "RS256"}) == "HS256");
    CHECK(r.Finish());
    EnvVar port("MT_TEST_CFG_PORT", "8080");
    EnvVar flag("MT_TEST_CFG_FLAG", "yes");
    EnvVar alg("MT_TEST_CFG_ALG", "RS256");
    ConfigReader again;
    CHECK(again.Int(kPort, 1, 65535) == 8080);
    CHECK(again.Bool(kFlag));
    CHECK(again.Choice(kAlg, {"HS256", "RS256"}) == "RS256");
    (void)again.String(kUrl);
    CHECK(again.Finish());
}

TEST_CASE("every invalid or missing value is reported at once, each naming its variable") {
    EnvVar port("MT_TEST_CFG_PORT", "80x");
    EnvVar flag("MT_TEST_CFG_FLAG", "maybe");
    EnvVar alg("MT_TEST_CFG_ALG", "none");
    ConfigReader r;
    (void)r.Int(kPort, 1, 65535);
    (void)r.String(kUrl);  // required, unset
    (void)r.Bool(kFlag);
    (void)r.Choice(kAlg, {"HS256", "RS256"});
    auto status = r.Finish();
    REQUIRE_FALSE(status);
    const std::string& message = status.error().message;
    CHECK_THAT(message, Catch::Contains("MT_TEST_CFG_PORT=\"80x\" is not an integer in [1, 65535]"));
    CHECK_THAT(message, Catch::Contains("MT_TEST_CFG_URL is required"));
    CHECK_THAT(message, Catch::Contains("MT_TEST_CFG_FLAG=\"maybe\" is not a boolean"));
    CHECK_THAT(message, Catch::Contains("MT_TEST_CFG_ALG=\"none\" must be one of: HS256, RS256"));
}

TEST_CASE("integers outside their range are invalid") {
    EnvVar port("MT_TEST_CFG_PORT", "70000");
    ConfigReader r;
    (void)r.Int(kPort, 1, 65535);
    CHECK_FALSE(r.Finish());
}

TEST_CASE("the configuration table lists every setting read, required ones marked") {
    ConfigReader r;
    (void)r.Int(kPort, 1, 65535);
    (void)r.String(kUrl);
    CHECK(r.Table() ==
          "| variable | default | description |\n|---|---|---|\n"
          "| `MT_TEST_CFG_PORT` | `3100` | port |\n"
          "| `MT_TEST_CFG_URL` | (required) | database URL |\n");
}
