// Pools sharing a connection budget, idle connections closed, and the bounds every session gets at connect.
#include <chrono>
#include <memory>
#include <thread>
#include <vector>

#include "mt/core/ids.hpp"
#include "mt/pg/pool.hpp"
#include "test_env.hpp"

using mt::pg::ConnectionBudget;
using mt::pg::Pool;
using mt::pg::PoolOptions;
using mt::pg::testing::AdminUrl;
using mt::pg::testing::ScratchDatabase;
using mt::pg::testing::ServerSessions;
using mt::pg::testing::SettledServerSessions;

namespace {

PoolOptions Named(const std::string& name, std::size_t max_size = 4,
                  std::chrono::milliseconds acquire_timeout = std::chrono::seconds(10)) {
    PoolOptions o;
    o.max_size = max_size;
    o.acquire_timeout = acquire_timeout;
    o.session.application_name = name;
    return o;
}

}  // namespace

TEST_CASE("idle pooled connections are closed once idle for the given time, leased ones never") {
    ScratchDatabase db;
    const std::string name = "mt-test-idle-" + mt::RandomHex(4);
    auto budget = std::make_shared<ConnectionBudget>(8);
    Pool pool(db.url(), Named(name), budget);
    {
        auto a = pool.Acquire();
        auto b = pool.Acquire();
        REQUIRE(a.ok());
        REQUIRE(b.ok());
    }
    auto held = pool.Acquire();  // reuses one of the two; the other stays idle
    REQUIRE(held.ok());
    CHECK(ServerSessions(name) == 2);
    CHECK(budget->CloseIdle(std::chrono::hours(1)) == 0);  // not idle long enough
    CHECK(budget->CloseIdle(std::chrono::milliseconds(0)) == 1);
    CHECK(pool.open() == 1);
    CHECK(budget->open() == 1);
    CHECK(SettledServerSessions(name, 1, std::chrono::seconds(5)) == 1);
    REQUIRE((*held)->Exec("SELECT 1").ok());  // the leased one was left alone
}

TEST_CASE("pools of many databases sharing a budget of N never hold more than N server connections") {
    constexpr std::size_t kBudget = 3;
    const std::string name = "mt-test-budget-" + mt::RandomHex(4);
    std::vector<std::unique_ptr<ScratchDatabase>> dbs;
    for (int i = 0; i < 8; ++i) dbs.push_back(std::make_unique<ScratchDatabase>());
    auto budget = std::make_shared<ConnectionBudget>(kBudget);
    std::vector<std::unique_ptr<Pool>> pools;
    for (auto& db : dbs) pools.push_back(std::make_unique<Pool>(db->url(), Named(name, 2), budget));

    // One at a time: each acquire past the budget takes the place of the least recently used idle connection.
    for (auto& pool : pools) {
        auto lease = pool->Acquire();
        REQUIRE(lease.ok());
        REQUIRE((*lease)->Exec("SELECT 1").ok());
        CHECK(budget->open() <= kBudget);
    }
    CHECK(pools[0]->open() == 0);  // the oldest idle connections were closed for the newer pools
    CHECK(pools[7]->open() == 1);
    CHECK(SettledServerSessions(name, kBudget, std::chrono::seconds(5)) <= static_cast<int>(kBudget));

    // Concurrently, from more threads than the budget, every request still gets a connection.
    std::atomic<int> ok{0};
    std::atomic<std::size_t> most{0};
    std::vector<std::thread> threads;
    for (int t = 0; t < 6; ++t) {
        threads.emplace_back([&, t] {
            for (int i = 0; i < 10; ++i) {
                auto lease = pools[static_cast<std::size_t>(t + i) % pools.size()]->Acquire();
                if (!lease.ok()) continue;
                std::size_t now = budget->open();
                std::size_t seen = most.load();
                while (now > seen && !most.compare_exchange_weak(seen, now)) {
                }
                if ((*lease)->Exec("SELECT pg_sleep(0.005)").ok()) ++ok;
            }
        });
    }
    for (auto& t : threads) t.join();
    CHECK(ok == 60);
    CHECK(most <= kBudget);
    CHECK(SettledServerSessions(name, kBudget, std::chrono::seconds(5)) <= static_cast<int>(kBudget));
}

TEST_CASE("with every connection of the budget leased, an acquire waits its timeout, then fails as retryable") {
    ScratchDatabase a_db;
    ScratchDatabase b_db;
    auto budget = std::make_shared<ConnectionBudget>(2);
    Pool a(a_db.url(), Named("mt-test-full", 4), budget);
    Pool b(b_db.url(), Named("mt-test-full", 4, std::chrono::milliseconds(300)), budget);
    auto one = a.Acquire();
    std::optional<mt::Result<mt::pg::Lease>> two(a.Acquire());
    REQUIRE(one.ok());
    REQUIRE(two->ok());
    auto started = std::chrono::steady_clock::now();
    auto refused = b.Acquire();
    REQUIRE_FALSE(refused.ok());
    CHECK(refused.error().Retryable());
    CHECK(std::chrono::steady_clock::now() - started < std::chrono::seconds(3));
    two.reset();  // back to a's idle list: b may now take its place
    auto granted = b.Acquire();
    REQUIRE(granted.ok());
    CHECK(a.open() == 1);
    CHECK(budget->open() == 2);
}

TEST_CASE("a pool destroyed while a lease is out leaves the lease working, then closes its connection") {
    ScratchDatabase db;
    const std::string name = "mt-test-evict-" + mt::RandomHex(4);
    auto budget = std::make_shared<ConnectionBudget>(4);
    auto pool = std::make_unique<Pool>(db.url(), Named(name), budget);
    {
        auto idle = pool->Acquire();
        auto lease = pool->Acquire();
        REQUIRE(idle.ok());
        REQUIRE(lease.ok());
        {
            auto drop = std::move(*idle);  // returns to the pool: idle
        }
        pool.reset();                // what an eviction does
        CHECK(budget->open() == 1);  // the idle one closed; the leased one still counts
        auto rows = (*lease)->Exec("SELECT 41 + 1");
        REQUIRE(rows.ok());
        CHECK(rows->Get(0, 0) == "42");
    }
    CHECK(budget->open() == 0);
    CHECK(SettledServerSessions(name, 0, std::chrono::seconds(5)) == 0);
}

TEST_CASE(
    "pooled sessions carry statement, lock and idle-in-transaction timeouts, and a statement they cut is a clear "
    "retryable error") {
    ScratchDatabase db;
    PoolOptions options = Named("mt-test-timeouts");
    options.session.statement_timeout_ms = 300;
    options.session.lock_timeout_ms = 200;
    options.session.idle_in_transaction_ms = 5000;
    Pool pool(db.url(), options, std::make_shared<ConnectionBudget>(4));
    auto lease = pool.Acquire();
    REQUIRE(lease.ok());
    auto shown = (*lease)->Exec(
        "SELECT current_setting('statement_timeout'), current_setting('lock_timeout'), "
        "current_setting('idle_in_transaction_session_timeout'), current_setting('TimeZone')");
    REQUIRE(shown.ok());
    CHECK(shown->Get(0, 0) == "300ms");
    CHECK(shown->Get(0, 1) == "200ms");
    CHECK(shown->Get(0, 2) == "5s");
    CHECK(shown->Get(0, 3) == "UTC");

    auto started = std::chrono::steady_clock::now();
    auto slow = (*lease)->Exec("SELECT pg_sleep(5)");
    REQUIRE_FALSE(slow.ok());
    CHECK(std::chrono::steady_clock::now() - started < std::chrono::seconds(3));
    CHECK(slow.error().code == "57014");
    CHECK(slow.error().Retryable());
    CHECK(slow.error().message.find("statement") == std::string::npos);  // no server wording
    CHECK(slow.error().message.find("in time") != std::string::npos);

    REQUIRE((*lease)->Run("CREATE TABLE t (k int)").ok());
    auto holder = mt::pg::Connection::Open(db.url());
    REQUIRE(holder.ok());
    REQUIRE(holder->Run("BEGIN; LOCK TABLE t IN ACCESS EXCLUSIVE MODE").ok());
    auto blocked = (*lease)->Exec("SELECT count(*) FROM t");
    REQUIRE_FALSE(blocked.ok());
    CHECK(blocked.error().code == "55P03");
    CHECK(blocked.error().Retryable());
    REQUIRE(holder->Run("ROLLBACK").ok());
}
