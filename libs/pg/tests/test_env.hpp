#pragma once
// Tests that need a real PostgreSQL read its admin URL from MT_TEST_PG_URL (scripts/test starts a throwaway
// cluster and sets it). Each test makes its own database so tests never see each other's data.
#include <catch2/catch.hpp>

#include <cstdlib>
#include <string>

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

}  // namespace mt::pg::testing
