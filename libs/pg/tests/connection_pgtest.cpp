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
