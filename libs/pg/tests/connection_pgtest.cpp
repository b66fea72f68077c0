#include <algorithm>
#include <chrono>
#include <thread>

#include "mt/pg/pool.hpp"
#include "test_env.hpp"

using mt::pg::Connection;
using mt::pg::testing::ScratchDatabase;

TEST_CASE("parameters travel as text and NULLs stay NULL") {
    ScratchDatabase db;
    auto conn = Connection::Open(db.url());
    REQUIRE(conn.ok());
    auto rows = conn->Exec("SELECT $1::text || '!', $2::bigint + 1, $3::text IS NULL",
                           {std::string("a'b\"c; DROP TABLE x"), std::string("41"), std::nullopt});
    REQUIRE(rows.ok());
    CHECK(rows->Get(0, 0) == "a'b\"c; DROP TABLE x!");
    CHECK(rows->Get(0, 1) == "42");
    CHECK(rows->Get(0, 2) == "t");
}

TEST_CASE("sessions run in UTC with ISO dates") {
    ScratchDatabase db;
    auto conn = Connection::Open(db.url());
    REQUIRE(conn.ok());
    auto rows = conn->Exec("SELECT '2026-01-15T10:30:00-03:00'::timestamptz, '2026-01-15'::date");
    REQUIRE(rows.ok());
    CHECK(rows->Get(0, 0) == "2026-01-15 13:30:00+00");
    CHECK(rows->Get(0, 1) == "2026-01-15");
}

TEST_CASE("errors carry the SQLSTATE and whether a retry can help") {
    ScratchDatabase db;
    auto conn = Connection::Open(db.url());
    REQUIRE(conn.ok());
    REQUIRE(conn->Run("CREATE TABLE t (k int PRIMARY KEY)").ok());
    REQUIRE(conn->Exec("INSERT INTO t VALUES (1)").ok());
    auto dup = conn->Exec("INSERT INTO t VALUES (1)");
    REQUIRE_FALSE(dup.ok());
    CHECK(dup.error().code == "23505");
    CHECK_FALSE(dup.error().Retryable());
    auto bad = conn->Exec("SELECT 'x'::bigint");
    REQUIRE_FALSE(bad.ok());
    CHECK(bad.error().code == "22P02");
    auto unreachable = Connection::Open("postgresql://nobody@127.0.0.1:1/none", 2);
    REQUIRE_FALSE(unreachable.ok());
    CHECK(unreachable.error().Retryable());
}

TEST_CASE("a failed transaction body rolls everything back") {
    ScratchDatabase db;
    auto conn = Connection::Open(db.url());
    REQUIRE(conn.ok());
    REQUIRE(conn->Run("CREATE TABLE t (k int)").ok());
    auto status = mt::pg::InTransaction(*conn, [&]() -> mt::Status {
        MT_TRY(conn->Exec("INSERT INTO t VALUES (1)"));
        return mt::Internal("boom");
    });
    CHECK_FALSE(status.ok());
    CHECK_FALSE(conn->in_transaction());
    auto rows = conn->Exec("SELECT count(*) FROM t");
    REQUIRE(rows.ok());
    CHECK(rows->Get(0, 0) == "0");
}

TEST_CASE("COPY streams rows and an aborted COPY leaves nothing") {
    ScratchDatabase db;
    auto conn = Connection::Open(db.url());
    REQUIRE(conn.ok());
    REQUIRE(conn->Run("CREATE TABLE t (a text, b bigint)").ok());
    int chunks = 0;
    auto copied = conn->CopyIn("COPY t FROM STDIN", [&](std::string& out) -> mt::Result<bool> {
        for (int i = 0; i < 1000; ++i) {
            mt::pg::AppendCopyField(out, "tab\there\nnewline\\");
            out.push_back('\t');
            mt::pg::AppendCopyField(out, i % 2 ? std::optional<std::string_view>("7") : std::nullopt);
            out.push_back('\n');
        }
        return ++chunks < 5;
    });
    REQUIRE(copied.ok());
    CHECK(*copied == 5000);
    auto rows = conn->Exec("SELECT a, count(*), count(b) FROM t GROUP BY a");
    REQUIRE(rows.ok());
    CHECK(rows->Get(0, 0) == "tab\there\nnewline\\");
    CHECK(rows->Get(0, 1) == "5000");
    CHECK(rows->Get(0, 2) == "2500");

    auto failed = conn->CopyIn("COPY t FROM STDIN", [&](std::string& out) -> mt::Result<bool> {
        out.append("x\t1\n");
        return mt::Validation("bad value in line 2");
    });
    REQUIRE_FALSE(failed.ok());
    CHECK(failed.error().message == "bad value in line 2");
    auto count = conn->Exec("SELECT count(*) FROM t");
    REQUIRE(count.ok());
    CHECK(count->Get(0, 0) == "5000");
}

TEST_CASE("the pool bounds connections and reuses them across threads") {
    ScratchDatabase db;
    mt::pg::Pool pool(db.url(), 3);
    std::vector<std::thread> threads;
    std::atomic<int> ok{0};
    for (int t = 0; t < 8; ++t) {
        threads.emplace_back([&] {
            for (int i = 0; i < 5; ++i) {
                auto lease = pool.Acquire();
                if (!lease.ok()) continue;
                if ((*lease)->Exec("SELECT pg_sleep(0.01)").ok()) ++ok;
            }
        });
    }
    for (auto& t : threads) t.join();
    CHECK(ok == 40);
    CHECK(pool.in_use() == 0);
    auto rows = mt::pg::Connection::Open(db.url())->Exec(
        "SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() AND application_name = "
        "'managed-tables'");
    REQUIRE(rows.ok());
    CHECK(std::stoi(std::string(rows->Get(0, 0))) <= 4);
}

TEST_CASE("sessions the server ended while pooled are dropped, not handed out") {
    ScratchDatabase db;
    mt::pg::Pool pool(db.url(), 2);
    std::vector<std::string> pids;
    {
        auto a = pool.Acquire();
        auto b = pool.Acquire();
        REQUIRE(a.ok());
        REQUIRE(b.ok());
        for (auto* lease : {&*a, &*b}) pids.emplace_back((*lease)->Exec("SELECT pg_backend_pid()")->Get(0, 0));
    }  // both idle in the pool now
    // What a restart or failover does to idle sessions.
    auto admin = mt::pg::Connection::Open(db.url());
    REQUIRE(admin.ok());
    for (const auto& pid : pids) REQUIRE(admin->Exec("SELECT pg_terminate_backend($1::int)", {pid}).ok());
    for (int i = 0;
         i < 50 &&
         admin->Exec("SELECT 1 FROM pg_stat_activity WHERE pid IN ($1::int, $2::int)", {pids[0], pids[1]})->size() > 0;
         ++i) {
        std::this_thread::sleep_for(std::chrono::milliseconds(20));
    }
    for (int i = 0; i < 3; ++i) {  // every request after it succeeds: none gets a dead session
        auto lease = pool.Acquire();
        REQUIRE(lease.ok());
        auto pid = (*lease)->Exec("SELECT pg_backend_pid()");
        REQUIRE(pid.ok());
        CHECK(std::find(pids.begin(), pids.end(), std::string(pid->Get(0, 0))) == pids.end());
    }
}
