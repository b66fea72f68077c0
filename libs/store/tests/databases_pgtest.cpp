// The process's connections: idle ones closed by the reaper, company pools evicted least recently used, one budget.
#include <chrono>
#include <memory>
#include <thread>
#include <vector>

#include "mt/core/ids.hpp"
#include "mt/store/databases.hpp"
#include "mt/store/role_secrets.hpp"
#include "test_env.hpp"

using mt::pg::testing::AdminUrl;
using mt::pg::testing::ScratchDatabase;
using mt::pg::testing::ServerSessions;
using mt::pg::testing::SettledServerSessions;
using mt::store::ConnectionRecord;
using mt::store::Databases;
using mt::store::DatabaseSettings;

namespace {

/// Master key of the scratch roles' passwords (Databases derives each company password from it).
constexpr const char* kRoleKey = "0123456789abcdef0123456789abcdef-test-key";

/// A login role for the company pools (dropped at the end).
class ScratchRole {
public:
    ScratchRole()
        : name_("mt_test_role_" + mt::RandomHex(4)), password_(mt::store::DeriveRolePassword(kRoleKey, name_)) {
        auto admin = mt::pg::Connection::Open(AdminUrl());
        REQUIRE(admin.ok());
        REQUIRE(admin->Run("CREATE ROLE " + name_ + " LOGIN PASSWORD " + mt::pg::QuoteLiteral(password_)).ok());
    }
    ~ScratchRole() {
        auto admin = mt::pg::Connection::Open(AdminUrl());
        if (admin.ok()) (void)admin->Run("DROP ROLE IF EXISTS " + name_);
    }
    ConnectionRecord For(const ScratchDatabase& db) const {
        ConnectionRecord r;
        r.id = "conn_" + db.name();
        r.company_id = db.name();
        r.database_name = db.name();
        r.role_name = name_;
        r.status = "ready";
        return r;
    }

private:
    std::string name_;
    std::string password_;
};

DatabaseSettings Settings(const std::string& control_url, const std::string& name) {
    DatabaseSettings s;
    s.control_url = control_url;
    s.company_server_url = AdminUrl();
    s.role_key = kRoleKey;
    s.session.application_name = name;
    return s;
}

}  // namespace

TEST_CASE("the reaper closes pooled connections idle for MT_DB_IDLE_CONNECTION_MS") {
    ScratchDatabase control;
    const std::string name = "mt-test-reaper-" + mt::RandomHex(4);
    DatabaseSettings settings = Settings(control.url(), name);
    settings.idle_connection = std::chrono::milliseconds(300);
    Databases dbs(settings);
    {
        auto a = dbs.control().Acquire();
        auto b = dbs.control().Acquire();
        REQUIRE(a.ok());
        REQUIRE(b.ok());
        CHECK(ServerSessions(name) == 2);
    }
    CHECK(dbs.open_connections() == 2);  // pooled, idle
    CHECK(SettledServerSessions(name, 0, std::chrono::seconds(10)) == 0);
    CHECK(dbs.open_connections() == 0);
    auto again = dbs.control().Acquire();  // a new one opens as needed
    REQUIRE(again.ok());
    REQUIRE((*again)->Exec("SELECT 1").ok());
}

TEST_CASE("many company databases never hold more than MT_DB_MAX_CONNECTIONS, and old company pools are evicted") {
    ScratchDatabase control;
    ScratchRole role;
    std::vector<std::unique_ptr<ScratchDatabase>> companies;
    for (int i = 0; i < 10; ++i) companies.push_back(std::make_unique<ScratchDatabase>());
    const std::string name = "mt-test-companies-" + mt::RandomHex(4);
    DatabaseSettings settings = Settings(control.url(), name);
    settings.max_connections = 4;
    settings.max_company_pools = 5;
    Databases dbs(settings);
    auto control_lease = dbs.control().Acquire();  // held throughout, as a request holds one
    REQUIRE(control_lease.ok());

    std::optional<mt::Result<mt::pg::Lease>> first(dbs.Company(role.For(*companies[0])));
    REQUIRE(first->ok());
    for (std::size_t i = 1; i < companies.size(); ++i) {
        auto lease = dbs.Company(role.For(*companies[i]));
        REQUIRE(lease.ok());
        auto rows = (*lease)->Exec("SELECT current_database()");
        REQUIRE(rows.ok());
        CHECK(rows->Get(0, 0) == companies[i]->name());
        CHECK(dbs.open_connections() <= 4);
        CHECK(dbs.company_pools() <= 5);
    }
    CHECK(SettledServerSessions(name, 4, std::chrono::seconds(10)) <= 4);
    // The first company's pool was evicted long ago; its lease still works and closes when it is done.
    auto rows = (**first)->Exec("SELECT current_database()");
    REQUIRE(rows.ok());
    CHECK(rows->Get(0, 0) == companies[0]->name());
    first.reset();
    CHECK(dbs.open_connections() <= 3);
}
