// What compiled filters match on a real PostgreSQL: every operator on every type, NULLs, dates, exact decimals.
#include <algorithm>

#include "mt/core/json.hpp"
#include "mt/store/filter.hpp"
#include "mt/types/identifier.hpp"
#include "test_env.hpp"

using mt::pg::testing::ScratchDatabase;
using mt::types::ColumnType;

namespace {

const std::vector<mt::types::Column> kColumns = {
    {"name", "Name", ColumnType::kText, true},        {"qty", "Qty", ColumnType::kInteger, true},
    {"amount", "Amount", ColumnType::kDecimal, true}, {"ok", "Ok", ColumnType::kBoolean, true},
    {"day", "Day", ColumnType::kDate, false},         {"at", "At", ColumnType::kDatetime, true},
};

/// Four rows labelled a, b, c, n (n holds NULL in every nullable column).
class Fixture {
public:
    Fixture() {
        auto conn = mt::pg::Connection::Open(db_.url());
        REQUIRE(conn.ok());
        conn_ = std::move(*conn);
        REQUIRE(conn_->Run("SET TimeZone = 'UTC'").ok());
        REQUIRE(conn_
                    ->Run("CREATE TABLE t (id uuid PRIMARY KEY DEFAULT gen_random_uuid(), label text, name text, "
                          "qty bigint, amount numeric, ok boolean, day date NOT NULL, at timestamptz);"
                          "INSERT INTO t (label, name, qty, amount, ok, day, at) VALUES "
                          "('a', 'apple', 1, 1.10, true, '2026-01-01', '2026-01-01T00:00:00Z'),"
                          "('b', 'Banana', 5, 12345678901234567890.10, false, '2026-01-15', "
                          "'2026-01-15T10:30:00.5Z'),"
                          "('c', 'cherry', 10, 12345678901234567890.11, true, '2026-02-01', '2026-02-01T00:00:00Z'),"
                          "('n', NULL, NULL, NULL, NULL, '2026-03-01', NULL)")
                    .ok());
    }

    /// The labels of the rows `filter` matches, sorted, e.g. "ac".
    std::string Match(std::string_view filter) {
        INFO(filter);
        auto doc = mt::json::ParseJson(filter);
        REQUIRE(doc.ok());
        mt::pg::Params params;
        auto sql = mt::store::CompileFilter(*doc, kColumns, params);
        REQUIRE(sql.ok());
        auto rows = conn_->Exec("SELECT label FROM t WHERE " + *sql + " ORDER BY label", params);
        INFO(*sql);
        REQUIRE(rows.ok());
        std::string out;
        for (int r = 0; r < rows->size(); ++r) out += rows->Get(r, 0);
        return out;
    }

    /// The SQLSTATE running `filter` fails with ("" when it runs).
    std::string Fails(std::string_view filter) {
        auto doc = mt::json::ParseJson(filter);
        REQUIRE(doc.ok());
        mt::pg::Params params;
        auto sql = mt::store::CompileFilter(*doc, kColumns, params);
        REQUIRE(sql.ok());
        auto rows = conn_->Exec("SELECT label FROM t WHERE " + *sql, params);
        return rows.ok() ? "" : rows.error().code;
    }

    std::string IdOf(std::string_view label) {
        auto rows = conn_->Exec("SELECT id FROM t WHERE label = $1", {std::string(label)});
        REQUIRE(rows.ok());
        return std::string(rows->Get(0, 0));
    }

private:
    ScratchDatabase db_;
    std::optional<mt::pg::Connection> conn_;
};

}  // namespace

TEST_CASE("filter semantics: integer operators and NULLs", "[filter][pg]") {
    Fixture f;
    CHECK(f.Match(R"({})") == "abcn");
    CHECK(f.Match(R"({"qty": 5})") == "b");
    CHECK(f.Match(R"({"qty": "5"})") == "b");
    CHECK(f.Match(R"({"qty": {"$ne": 5}})") == "acn");  // $ne matches NULL rows
    CHECK(f.Match(R"({"qty": null})") == "n");
    CHECK(f.Match(R"({"qty": {"$ne": null}})") == "abc");
    CHECK(f.Match(R"({"qty": {"$gt": 1}})") == "bc");
    CHECK(f.Match(R"({"qty": {"$gte": 5}})") == "bc");
    CHECK(f.Match(R"({"qty": {"$lt": 5}})") == "a");
    CHECK(f.Match(R"({"qty": {"$lte": 5}})") == "ab");
    CHECK(f.Match(R"({"qty": {"$gt": 1, "$lt": 10}})") == "b");
    CHECK(f.Match(R"({"qty": {"$in": [1, 10]}})") == "ac");
    CHECK(f.Match(R"({"qty": {"$in": [1, null]}})") == "an");
    CHECK(f.Match(R"({"qty": {"$in": []}})") == "");
    CHECK(f.Match(R"({"qty": {"$nin": [1]}})") == "bcn");  // $nin matches NULL rows
    CHECK(f.Match(R"({"qty": {"$nin": [1, null]}})") == "bc");
    CHECK(f.Match(R"({"qty": {"$nin": []}})") == "abcn");
    CHECK(f.Match(R"({"qty": {"$exists": true}})") == "abc");
    CHECK(f.Match(R"({"qty": {"$exists": false}})") == "n");
    CHECK(f.Match(R"({"qty": {"$not": {"$gt": 5}}})") == "abn");  // $not matches where the inner is unknown
    CHECK(f.Match(R"({"qty": {"$not": {"$in": [1, 5]}}})") == "cn");
}

TEST_CASE("filter semantics: decimals compare exactly", "[filter][pg]") {
    Fixture f;
    // Both differ only in the 22nd significant digit: a double could not tell them apart.
    CHECK(f.Match(R"({"amount": {"$gt": 12345678901234567890.10}})") == "c");
    CHECK(f.Match(R"({"amount": 12345678901234567890.1})") == "b");
    CHECK(f.Match(R"({"amount": "1.1"})") == "a");
    CHECK(f.Match(R"({"amount": {"$lte": "12345678901234567890.10"}})") == "ab");
}

TEST_CASE("filter semantics: booleans, dates and datetimes", "[filter][pg]") {
    Fixture f;
    CHECK(f.Match(R"({"ok": true})") == "ac");
    CHECK(f.Match(R"({"ok": {"$ne": true}})") == "bn");
    CHECK(f.Match(R"({"ok": {"$gt": false}})") == "ac");  // false < true
    CHECK(f.Match(R"({"day": "2026-01-15"})") == "b");
    CHECK(f.Match(R"({"day": {"$gte": "2026-01-15", "$lt": "2026-02-02"}})") == "bc");
    CHECK(f.Match(R"({"day": {"$exists": false}})") == "");
    CHECK(f.Match(R"({"at": {"$gt": "2026-01-15T10:30:00Z"}})") == "bc");
    CHECK(f.Match(R"({"at": "2026-01-15T07:30:00.5-03:00"})") == "b");   // the same instant, another offset
    CHECK(f.Match(R"({"at": {"$lt": "2026-01-15T10:30:00"}})") == "a");  // no offset means UTC
}

TEST_CASE("filter semantics: text, regex and id", "[filter][pg]") {
    Fixture f;
    CHECK(f.Match(R"({"name": "apple"})") == "a");
    CHECK(f.Match(R"({"name": {"$gte": "c"}})") == "c");
    CHECK(f.Match(R"({"name": {"$regex": "^b"}})") == "");
    CHECK(f.Match(R"({"name": {"$regex": "^b", "$options": "i"}})") == "b");
    CHECK(f.Match(R"({"name": {"$regex": "an"}})") == "b");
    CHECK(f.Match(R"({"name": {"$not": {"$regex": "an"}}})") == "acn");
    CHECK(f.Match(R"({"name": "'; DELETE FROM t; --"})") == "");
    CHECK(f.Fails(R"({"name": {"$regex": "("}})") == "2201B");  // callers turn it into a 400
    CHECK(f.Match(R"({"id": ")" + f.IdOf("c") + R"("})") == "c");
    CHECK(f.Match(R"({"id": {"$nin": [")" + f.IdOf("c") + R"("]}})") == "abn");
}

TEST_CASE("filter semantics: $and $or $nor", "[filter][pg]") {
    Fixture f;
    CHECK(f.Match(R"({"$or": [{"qty": 1}, {"name": "cherry"}]})") == "ac");
    CHECK(f.Match(R"({"$and": [{"qty": {"$gt": 1}}, {"ok": true}]})") == "c");
    CHECK(f.Match(R"({"$nor": [{"qty": 1}, {"qty": 5}]})") == "cn");  // NULL rows match a $nor
    CHECK(f.Match(R"({"ok": true, "$or": [{"qty": 1}, {"qty": 5}]})") == "a");
    CHECK(f.Match(R"({"$or": [{"$and": [{"qty": null}, {"day": "2026-03-01"}]}, {"qty": 10}]})") == "cn");
}
