#pragma once
// Tests that need a real PostgreSQL read its admin URL from MT_TEST_PG_URL (scripts/test starts a throwaway
// cluster and sets it). Each test makes its own database so tests never see each other's data.
#include <catch2/catch.hpp>

#include <chrono>
#include <cstdlib>
#include <string>
#include <thread>

#include "mt/core/ids.hpp"
#include "mt/pg/connection.hpp"

namespace mt::pg::testing {

inline std::string AdminUrl() {
    const char* url = std::getenv("MT_TEST_PG_URL");
    if (!url || !*url) FAIL("MT_TEST_PG_URL is not set: run the tests through scripts/test");
    return url;
}

/// Creates a fresh database on construction and drops it on destruction.
class ScratchDatabase {
public:
    ScratchDatabase() : name_("mt_test_" + mt::RandomHex(6)) {
        auto admin = Connection::Open(AdminUrl());
        REQUIRE(admin.ok());
        REQUIRE(admin->Run("CREATE DATABASE " + name_).ok());
        auto url = WithOverrides(AdminUrl(), {{"dbname", name_}});
        REQUIRE(url.ok());
        url_ = *url;
    }
    ~ScratchDatabase() {
        auto admin = Connection::Open(AdminUrl());
        if (admin.ok()) (void)admin->Run("DROP DATABASE IF EXISTS " + name_ + " WITH (FORCE)");
    }
    const std::string& url() const { return url_; }
    const std::string& name() const { return name_; }

private:
    std::string name_;
    std::string url_;
};

/// Server sessions (any database) whose application_name is `name`, as pg_stat_activity shows them.
inline int ServerSessions(const std::string& name) {
    auto admin = Connection::Open(AdminUrl());
    REQUIRE(admin.ok());
    auto rows = admin->Exec("SELECT count(*) FROM pg_stat_activity WHERE application_name = $1", {name});
    REQUIRE(rows.ok());
    return std::stoi(std::string(rows->Get(0, 0)));
}

/// Waits up to `wait` until at most `at_most` sessions named `name` remain and returns the last count: a closed
/// session leaves pg_stat_activity when its backend has exited, a moment after the client hung up.
inline int SettledServerSessions(const std::string& name, int at_most, std::chrono::milliseconds wait) {
    auto deadline = std::chrono::steady_clock::now() + wait;
    int n = ServerSessions(name);
    while (n > at_most && std::chrono::steady_clock::now() < deadline) {
        std::this_thread::sleep_for(std::chrono::milliseconds(20));
        n = ServerSessions(name);
    }
    return n;
}

}  // namespace mt::pg::testing
