// Secrets: company role passwords are derived (never stored), set as SCRAM verifiers by mt-provisioner (the only
// process with CREATEROLE), and company roles are fenced in (no control database, a connection limit, timeouts).
#include <fstream>
#include <iterator>
#include <thread>

#include "e2e.hpp"
#include "mt/pg/connection.hpp"
#include "mt/testing/wait.hpp"

namespace e2e {
namespace {

std::string EnvironOf(pid_t pid) {
    std::ifstream in("/proc/" + std::to_string(pid) + "/environ", std::ios::binary);
    return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
}

/// A conninfo for the stack's server as `user` with `password`, in `database`.
std::string UrlAs(Stack& s, const std::string& user, const std::string& password, const std::string& database) {
    auto url = mt::pg::WithOverrides(s.admin_url(), {{"user", user}, {"password", password}, {"dbname", database}});
    REQUIRE(url);
    return *url;
}

struct Role {
    std::string name;
    std::string database;
};

Role RoleOf(Tenant& t) {
    auto r =
        t.stack.ControlQuery("SELECT role_name, database_name FROM mt_connections WHERE company_id = $1", {t.company});
    REQUIRE(r.size() == 1);
    return {*r[0][0], *r[0][1]};
}

TEST_CASE("the control database stores no role password and the server holds only a SCRAM verifier", "[secrets]") {
    Tenant t;
    t.Provision();
    auto stored = t.stack.ControlQuery("SELECT role_password FROM mt_connections WHERE company_id = $1", {t.company});
    REQUIRE(stored.size() == 1);
    CHECK(stored[0][0].value_or("") == "");
    Role role = RoleOf(t);
    auto auth = t.stack.AdminQuery("SELECT rolpassword FROM pg_authid WHERE rolname = $1", {role.name});
    REQUIRE(auth.size() == 1);
    CHECK(auth[0][0].value_or("").rfind("SCRAM-SHA-256$", 0) == 0);
    // The derived password works (it is what the services use) …
    CHECK(mt::testing::QueryAt(UrlAs(t.stack, role.name, t.stack.CompanyRolePassword(role.name), role.database),
                               "SELECT 1")[0][0] == "1");
    // … and the API works through it.
    REQUIRE_STATUS(t.http.Get(Api(""), t.token), 200);
}

TEST_CASE("the gateway holds no admin credentials and provisioning still works", "[secrets]") {
    Tenant t;
    std::string env = EnvironOf(t.stack.gateway().pid());
    REQUIRE_FALSE(env.empty());
    CHECK(env.find("MT_COMPANY_DB_ADMIN_URL") == std::string::npos);
    for (std::size_t at = 0, end; at < env.size(); at = end + 1) {  // NUL-separated NAME=value entries
        end = env.find('\0', at);
        if (end == std::string::npos) end = env.size();
        std::string entry = env.substr(at, end - at);
        INFO(entry);
        CHECK(entry.find(t.stack.admin_url()) == std::string::npos);
    }
    // The gateway's company server URL carries no usable credentials.
    CHECK(env.find("MT_COMPANY_DB_URL=" + t.stack.company_url()) != std::string::npos);
    t.Provision();
    CHECK(t.stack.CompanyDatabase(t.company).has_value());
}

TEST_CASE("a company role reaches only its own database, cannot create in public elsewhere, and is limited",
          "[secrets]") {
    Tenant a, b;
    a.Provision();
    b.Provision();
    Role ra = RoleOf(a), rb = RoleOf(b);
    std::string password = a.stack.CompanyRolePassword(ra.name);
    CHECK_THROWS(mt::testing::QueryAt(UrlAs(a.stack, ra.name, password, rb.database), "SELECT 1"));
    CHECK_THROWS(mt::testing::QueryAt(UrlAs(a.stack, ra.name, password, a.stack.control_database()), "SELECT 1"));
    // The maintenance database (where it may connect): no CREATE in public.
    std::string maintenance = *a.stack.AdminQuery("SELECT current_database()")[0][0];
    CHECK_THROWS(mt::testing::QueryAt(UrlAs(a.stack, ra.name, password, maintenance), "CREATE TABLE public.x (a int)"));

    auto attrs = a.stack.AdminQuery(
        "SELECT rolconnlimit, rolcreaterole, rolcreatedb, array_to_string(rolconfig, ',') FROM pg_roles"
        " WHERE rolname = $1",
        {ra.name});
    REQUIRE(attrs.size() == 1);
    CHECK(*attrs[0][0] == "20");
    CHECK(*attrs[0][1] == "f");
    CHECK(*attrs[0][2] == "f");
    std::string config = attrs[0][3].value_or("");
    CHECK(config.find("statement_timeout=") != std::string::npos);
    CHECK(config.find("lock_timeout=") != std::string::npos);
    CHECK(config.find("idle_in_transaction_session_timeout=") != std::string::npos);
}

TEST_CASE("concurrent provision calls through the provisioner make one database", "[secrets]") {
    Tenant t;
    std::vector<int> statuses(8, 0);
    std::vector<std::string> ids(8);
    std::vector<std::thread> threads;
    for (std::size_t i = 0; i < statuses.size(); ++i) {
        threads.emplace_back([&, i] {
            auto client = t.stack.Client();
            auto r = client.Post(Api("/provision"), t.token);
            statuses[i] = r.status;
            if (r.status == 200) ids[i] = Str(r.Json()["connection_id"]);
        });
    }
    for (auto& th : threads) th.join();
    for (std::size_t i = 0; i < statuses.size(); ++i) {
        CHECK(statuses[i] == 200);
        CHECK(ids[i] == ids[0]);
    }
    auto dbs = t.stack.ControlQuery("SELECT count(*) FROM mt_connections WHERE company_id = $1", {t.company});
    CHECK(*dbs[0][0] == "1");
    auto server = t.stack.AdminQuery("SELECT count(*) FROM pg_database WHERE datname = $1", {t.Database()});
    CHECK(*server[0][0] == "1");
}

TEST_CASE("without a provisioner provision answers 503 after a bounded wait and the provisioner finishes it later",
          "[secrets]") {
    Tenant t;
    t.stack.StopProcess("mt-provisioner");
    auto started = std::chrono::steady_clock::now();
    auto r = t.http.Post(Api("/provision"), t.token);
    auto waited = std::chrono::steady_clock::now() - started;
    CHECK_ERROR(r, 503, "SERVICE_UNAVAILABLE");
    CHECK(waited < std::chrono::seconds(30));
    auto row = t.stack.ControlQuery("SELECT status FROM mt_connections WHERE company_id = $1", {t.company});
    REQUIRE(row.size() == 1);
    CHECK(*row[0][0] == "provisioning");
    // The provisioner picks the recorded request up at start; the retry gets the same connection.
    t.stack.StartProcess("mt-provisioner", Stack::Binary("services/provisioner/mt-provisioner"), {},
                         {{"MT_COMPANY_DB_ADMIN_URL", t.stack.admin_url()}});
    auto again = t.http.Post(Api("/provision"), t.token);
    REQUIRE_STATUS(again, 200);
    CHECK(again.Json()["provisioned"].IsTrue());
    CHECK(t.stack.ControlQuery("SELECT count(*) FROM mt_connections WHERE company_id = $1", {t.company})[0][0] == "1");
}

TEST_CASE("a role from before derived passwords is rotated and its stored password erased", "[secrets]") {
    // What an older release left: a ready row with the password in the clear and a role using it.
    Tenant t;
    std::string id = "0123456789abcdef" + mt::testing::RandomSuffix(8);
    std::string name = "mt_company_" + id;
    std::string old_password = "0123456789abcdef0123456789abcdef";
    t.stack.AdminQuery("CREATE ROLE " + name + " LOGIN PASSWORD '" + old_password + "'");
    t.stack.AdminQuery("CREATE DATABASE " + name + " OWNER " + name);
    t.stack.ControlQuery(
        "INSERT INTO mt_connections (id, company_id, database_name, role_name, role_password, status)"
        " VALUES ($1, $2, $3, $3, $4, 'ready')",
        {id, t.company, name, old_password});
    CHECK(mt::testing::QueryAt(UrlAs(t.stack, name, old_password, name), "SELECT 1")[0][0] == "1");
    // The provisioner secures existing roles when it starts.
    t.stack.StopProcess("mt-provisioner");
    t.stack.StartProcess("mt-provisioner", Stack::Binary("services/provisioner/mt-provisioner"), {},
                         {{"MT_COMPANY_DB_ADMIN_URL", t.stack.admin_url()}});
    mt::testing::WaitUntil(
        [&] {
            return t.stack.ControlQuery("SELECT role_password FROM mt_connections WHERE id = $1", {id})[0][0] == "";
        },
        std::chrono::seconds(30), "the stored password to be erased");
    CHECK_THROWS(mt::testing::QueryAt(UrlAs(t.stack, name, old_password, name), "SELECT 1"));
    CHECK(mt::testing::QueryAt(UrlAs(t.stack, name, t.stack.CompanyRolePassword(name), name), "SELECT 1")[0][0] == "1");
}

}  // namespace
}  // namespace e2e
