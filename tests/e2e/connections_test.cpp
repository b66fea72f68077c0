// Database connections (issue 8 item 4, SPEC §7b): one budget of server connections per gateway however many
// companies are active, and every session bounded by statement and lock timeouts.
#include "e2e.hpp"

#include <atomic>
#include <memory>
#include <mutex>
#include <thread>

#include "mt/pg/connection.hpp"
#include "mt/testing/sql.hpp"

namespace e2e {
namespace {

constexpr int kBudget = 12;  // MT_DB_MAX_CONNECTIONS of this suite's gateway
constexpr int kCompanies = 30;

Stack& ConnectionsStack() {
    StackOptions options;
    options.name = "connections";
    options.gateway_env = {{"MT_DB_MAX_CONNECTIONS", std::to_string(kBudget)},
                           {"MT_DB_MAX_COMPANY_POOLS", "10"},
                           {"MT_DB_LOCK_TIMEOUT_MS", "500"},
                           {"MT_DB_STATEMENT_TIMEOUT_MS", "5000"}};
    return SharedStack(options);
}

/// Server sessions in `databases` right now, but those of mt-provisioner (its own process and budget): only the
/// gateway connects to this stack's control and company databases while the requests run (no worker runs).
int Sessions(Stack& stack, const std::string& databases) {
    auto rows = stack.AdminQuery(
        "SELECT count(*) FROM pg_stat_activity WHERE datname = ANY($1::text[]) "
        "AND application_name IS DISTINCT FROM 'mt-provisioner'",
        {databases});
    return std::stoi(*rows.at(0).at(0));
}

}  // namespace

TEST_CASE("30 active companies on a gateway with MT_DB_MAX_CONNECTIONS=12 all succeed within 12 connections",
          "[connections]") {
    Stack& stack = ConnectionsStack();
    std::vector<std::unique_ptr<Tenant>> tenants;
    std::vector<std::string> tables;
    for (int i = 0; i < kCompanies; ++i) {
        tenants.push_back(std::make_unique<Tenant>(stack));
        tenants.back()->Provision();
        tables.push_back(tenants.back()->CreateTable("t", Columns({{"v", "integer"}})));
    }

    std::string databases = "{" + stack.control_database();
    for (auto& t : tenants) databases += "," + t->Database();
    databases += "}";

    std::atomic<bool> done{false};
    std::atomic<int> most{0};
    std::thread sampler([&] {
        while (!done) {
            int n = Sessions(stack, databases);
            if (n > most) most = n;
            std::this_thread::sleep_for(std::chrono::milliseconds(10));
        }
    });
    // Every company reads and writes, from as many client threads as the gateway has request threads.
    std::mutex mu;
    std::vector<std::string> failures;
    std::vector<std::thread> clients;
    for (int c = 0; c < 8; ++c) {
        clients.emplace_back([&, c] {
            auto http = stack.Client();
            for (int round = 0; round < 2; ++round) {
                for (int i = c; i < kCompanies; i += 8) {
                    Tenant& t = *tenants[static_cast<std::size_t>(i)];
                    const std::string& id = tables[static_cast<std::size_t>(i)];
                    auto w = http.Post(Api("/" + id + "/data"), t.token, R"({"rows":[{"v":1}]})");
                    auto r = http.Get(Api("/" + id + "/data"), t.token);
                    if (w.status != 201 || r.status != 200) {
                        std::lock_guard lock(mu);
                        failures.push_back(w.Describe() + "\n" + r.Describe());
                    }
                }
            }
        });
    }
    for (auto& t : clients) t.join();
    done = true;
    sampler.join();
    std::string described;
    for (const auto& f : failures) described += f + "\n";
    INFO(described);
    CHECK(failures.empty());
    CHECK(most <= kBudget);
    CHECK(Sessions(stack, databases) <= kBudget);
    // The gateway names its sessions, so pg_stat_activity tells whose connections these are.
    auto names =
        stack.AdminQuery("SELECT DISTINCT application_name FROM pg_stat_activity WHERE datname = $1 ORDER BY 1",
                         {stack.control_database()});
    CHECK(names == mt::testing::SqlRows{{"mt-gateway"}, {"mt-provisioner"}});
    for (int i = 0; i < kCompanies; ++i) CHECK(tenants[static_cast<std::size_t>(i)]->RowCount(tables[i]) == 2);
}

TEST_CASE(
    "a read blocked behind a lock answers 503 SERVICE_UNAVAILABLE with Retry-After after MT_DB_LOCK_TIMEOUT_MS instead "
    "of waiting",
    "[connections]") {
    Tenant t(ConnectionsStack());
    t.Provision();
    std::string id = t.CreateTable("locked", Columns({{"v", "integer"}}));
    t.Insert(id, R"([{"v":1}])");
    // Another session (a schema change, say) holds the table.
    auto holder = mt::pg::Connection::Open(mt::testing::UrlWithDatabase(t.stack.admin_url(), t.Database()));
    REQUIRE(holder.ok());
    REQUIRE(holder->Run("BEGIN; LOCK TABLE public.locked IN ACCESS EXCLUSIVE MODE").ok());
    auto http = t.stack.Client(std::chrono::seconds(10));
    auto started = std::chrono::steady_clock::now();
    auto r = http.Get(Api("/" + id + "/data"), t.token);
    CHECK(std::chrono::steady_clock::now() - started < std::chrono::seconds(5));
    CHECK_STATUS(r, 503);
    CHECK(r.body.find("try again") != std::string::npos);
    CHECK(r.body.find("lock") == std::string::npos);  // PostgreSQL's own wording stays in the log
    CHECK(r.body.find("\"error_code\":\"SERVICE_UNAVAILABLE\"") != std::string::npos);  // not the SQLSTATE
    CHECK(r.body.find("55P03") == std::string::npos);
    CHECK(r.headers["retry-after"] == "1");
    REQUIRE(holder->Run("ROLLBACK").ok());
    CHECK(t.RowCount(id) == 1);  // and the table answers again at once
}

}  // namespace e2e
