#include <catch2/catch.hpp>

#include "mt/pg/connection.hpp"

TEST_CASE("COPY text fields escape the characters COPY treats specially") {
    std::string out;
    mt::pg::AppendCopyField(out, "a\\b\tc\nd\re");
    CHECK(out == "a\\\\b\\tc\\nd\\re");
    out.clear();
    mt::pg::AppendCopyField(out, std::nullopt);
    CHECK(out == "\\N");
    out.clear();
    mt::pg::AppendCopyField(out, "\\N");
    CHECK(out == "\\\\N");
}

TEST_CASE("conninfo overrides replace keywords and keep the rest") {
    auto s = mt::pg::WithOverrides("postgresql://u:p%40ss@127.0.0.1:5433/db1?sslmode=disable", {{"dbname", "db2"}});
    REQUIRE(s.ok());
    CHECK(s->find("dbname='db2'") != std::string::npos);
    CHECK(s->find("password='p@ss'") != std::string::npos);
    CHECK(s->find("port='5433'") != std::string::npos);
    CHECK(s->find("db1") == std::string::npos);
    CHECK(mt::pg::QuoteLiteral("it's") == "'it''s'");
}
