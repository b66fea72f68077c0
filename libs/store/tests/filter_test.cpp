// The filter compiler's SQL, parameters, bounds and error paths (no database: see filter_pgtest.cpp for semantics).
#include <catch2/catch.hpp>

#include "mt/core/json.hpp"
#include "mt/store/filter.hpp"
#include "mt/store/query.hpp"

using mt::store::CompileFilter;
using mt::store::FilterLimits;
using mt::types::ColumnType;

namespace {

const std::vector<mt::types::Column> kColumns = {
    {"name", "Name", ColumnType::kText, true},        {"qty", "Qty", ColumnType::kInteger, true},
    {"amount", "Amount", ColumnType::kDecimal, true}, {"ok", "Ok", ColumnType::kBoolean, true},
    {"day", "Day", ColumnType::kDate, false},         {"at", "At", ColumnType::kDatetime, true},
    {"select", "Reserved", ColumnType::kText, true},
};

struct Compiled {
    mt::Result<std::string> sql;
    mt::pg::Params params;
};

Compiled Compile(std::string_view filter, const FilterLimits& limits = {}, mt::pg::Params params = {}) {
    auto doc = mt::json::ParseJson(filter);
    REQUIRE(doc.ok());
    auto sql = CompileFilter(*doc, kColumns, params, limits);
    return {std::move(sql), std::move(params)};
}

std::string Sql(std::string_view filter) {
    auto c = Compile(filter);
    INFO(filter);
    REQUIRE(c.sql.ok());
    return *c.sql;
}

/// The single detail of a QUERY_SYNTAX_ERROR: "field: message".
std::string ErrorOf(std::string_view filter, const FilterLimits& limits = {}) {
    auto c = Compile(filter, limits);
    INFO(filter);
    REQUIRE_FALSE(c.sql.ok());
    const mt::Error& e = c.sql.error();
    CHECK(e.kind == mt::ErrorKind::kBadRequest);
    CHECK(e.code == "QUERY_SYNTAX_ERROR");
    REQUIRE(e.details.size() == 1);
    CHECK(c.params.empty());  // nothing half-appended on failure
    return e.details[0].field + ": " + e.details[0].message;
}

std::string FieldOf(std::string_view filter, const FilterLimits& limits = {}) {
    std::string e = ErrorOf(filter, limits);
    return e.substr(0, e.find(": "));
}

}  // namespace

TEST_CASE("query compiler: equality and comparisons become typed parameters", "[filter]") {
    auto c = Compile(R"({"qty": 5, "amount": {"$gte": 12345678901234567890.10}, "day": {"$lt": "2026-02-01"}})");
    REQUIRE(c.sql.ok());
    CHECK(*c.sql == R"((("qty" = $1::BIGINT) AND ("amount" >= $2::NUMERIC) AND ("day" < $3::DATE)))");
    REQUIRE(c.params.size() == 3);
    CHECK(*c.params[0] == "5");
    CHECK(*c.params[1] == "12345678901234567890.10");  // exact digits, no float rounding
    CHECK(*c.params[2] == "2026-02-01");
    CHECK(Sql(R"({"ok": true})") == R"(("ok" = $1::BOOLEAN))");
    CHECK(Sql(R"({"at": {"$gt": "2026-01-15T10:30:00-03:00"}})") == R"(("at" > $1::TIMESTAMPTZ))");
    CHECK(*Compile(R"({"at": {"$gt": "2026-01-15T10:30:00-03:00"}})").params[0] == "2026-01-15T13:30:00Z");
    CHECK(Sql(R"({"name": {"$ne": "x"}})") == R"(("name" IS DISTINCT FROM $1::TEXT))");
    CHECK(Sql(R"({"qty": {"$gt": 1, "$lte": 9}})") == R"((("qty" > $1::BIGINT) AND ("qty" <= $2::BIGINT)))");
    CHECK(Sql(R"({"name": {"$eq": "a"}, "select": "b"})") == R"((("name" = $1::TEXT) AND ("select" = $2::TEXT)))");
}

TEST_CASE("query compiler: an empty filter matches every row", "[filter]") {
    CHECK(Sql("{}") == "TRUE");
    CHECK(mt::store::IsEmptyFilter(*mt::json::ParseJson("{}")));
    CHECK_FALSE(mt::store::IsEmptyFilter(*mt::json::ParseJson(R"({"qty":1})")));
}

TEST_CASE("query compiler: parameters continue the caller's list", "[filter]") {
    auto c = Compile(R"({"qty": 5})", {}, {std::string("first"), std::nullopt});
    REQUIRE(c.sql.ok());
    CHECK(*c.sql == R"(("qty" = $3::BIGINT))");
    CHECK(c.params.size() == 3);
}

TEST_CASE("query compiler: NULL semantics are Mongo's", "[filter]") {
    CHECK(Sql(R"({"qty": null})") == R"(("qty" IS NULL))");
    CHECK(Sql(R"({"qty": {"$eq": null}})") == R"(("qty" IS NULL))");
    CHECK(Sql(R"({"qty": {"$ne": null}})") == R"(("qty" IS NOT NULL))");
    CHECK(Sql(R"({"qty": {"$exists": false}})") == R"(("qty" IS NULL))");
    CHECK(Sql(R"({"qty": {"$exists": true}})") == R"(("qty" IS NOT NULL))");
    CHECK(Sql(R"({"qty": {"$in": [1, null]}})") == R"(("qty" IN ($1::BIGINT) OR "qty" IS NULL))");
    CHECK(Sql(R"({"qty": {"$nin": [1, 2]}})") == R"(("qty" IS NULL OR NOT "qty" IN ($1::BIGINT, $2::BIGINT)))");
    CHECK(Sql(R"({"qty": {"$nin": [1, null]}})") == R"(("qty" IS NOT NULL AND NOT "qty" IN ($1::BIGINT)))");
    CHECK(Sql(R"({"qty": {"$in": []}})") == "FALSE");
    CHECK(Sql(R"({"qty": {"$nin": []}})") == "TRUE");
    CHECK(Sql(R"({"qty": {"$in": [null]}})") == R"(("qty" IS NULL))");
    CHECK(Sql(R"({"qty": {"$not": {"$gt": 5}}})") == R"((NOT coalesce(("qty" > $1::BIGINT), false)))");
    CHECK(ErrorOf(R"({"qty": {"$gt": null}})") == "filter.qty.$gt: cannot compare with null");
}

TEST_CASE("query compiler: $and $or $nor nest and name their paths", "[filter]") {
    CHECK(Sql(R"({"$or": [{"qty": 1}, {"name": "a"}]})") == R"((("qty" = $1::BIGINT) OR ("name" = $2::TEXT)))");
    CHECK(Sql(R"({"$and": [{"qty": 1}]})") == R"(("qty" = $1::BIGINT))");
    CHECK(Sql(R"({"$nor": [{"qty": 1}, {"qty": 2}]})") ==
          R"((NOT coalesce((("qty" = $1::BIGINT) OR ("qty" = $2::BIGINT)), false)))");
    CHECK(ErrorOf(R"({"$or": [{"qty": 1}, {"amount": {"$gte": "abc"}}]})") ==
          R"(filter.$or[1].amount.$gte: expected decimal, got string "abc")");
    CHECK(FieldOf(R"({"$or": []})") == "filter.$or");
    CHECK(FieldOf(R"({"$and": {}})") == "filter.$and");
    CHECK(FieldOf(R"({"$nor": [1]})") == "filter.$nor[0]");
    CHECK(FieldOf(R"({"$and": [{"$or": [{"nope": 1}]}]})") == "filter.$and[0].$or[0].nope");
}

TEST_CASE("query compiler: regex on text only, with $options i", "[filter]") {
    CHECK(Sql(R"({"name": {"$regex": "^a.*z$"}})") == R"(("name" ~ $1::TEXT))");
    CHECK(Sql(R"({"name": {"$regex": "^a", "$options": "i"}})") == R"(("name" ~* $1::TEXT))");
    CHECK(FieldOf(R"({"name": {"$regex": "a", "$options": "x"}})") == "filter.name.$options");
    CHECK(FieldOf(R"({"name": {"$options": "i"}})") == "filter.name.$options");
    CHECK(FieldOf(R"({"qty": {"$regex": "1"}})") == "filter.qty.$regex");
    CHECK(FieldOf(R"({"name": {"$regex": 1}})") == "filter.name.$regex");
}

TEST_CASE("query compiler: id is filterable as a uuid", "[filter]") {
    auto c = Compile(R"({"id": "0190f5a8-7b3c-7def-8123-456789abcdef"})");
    REQUIRE(c.sql.ok());
    CHECK(*c.sql == R"((id = $1::uuid))");
    CHECK(Sql(R"({"id": {"$in": ["0190f5a8-7b3c-7def-8123-456789abcdef"]}})") == R"((id IN ($1::uuid)))");
    CHECK(ErrorOf(R"({"id": "not-a-uuid"})") == "filter.id: expected a row id (uuid)");
    CHECK(FieldOf(R"({"id": {"$regex": "a"}})") == "filter.id.$regex");
}

TEST_CASE("query compiler: every value is parsed with its column's type", "[filter]") {
    CHECK(FieldOf(R"({"qty": "abc"})") == "filter.qty");
    CHECK(FieldOf(R"({"qty": 1.5})") == "filter.qty");
    CHECK(FieldOf(R"({"qty": 99999999999999999999})") == "filter.qty");
    CHECK(FieldOf(R"({"ok": "true"})") == "filter.ok");
    CHECK(FieldOf(R"({"day": "2026-02-30"})") == "filter.day");
    CHECK(FieldOf(R"({"day": "15/01/2026"})") == "filter.day");
    CHECK(FieldOf(R"({"at": "yesterday"})") == "filter.at");
    CHECK(FieldOf(R"({"name": 5})") == "filter.name");
    CHECK(FieldOf(R"({"amount": "NaN"})") == "filter.amount");
    CHECK(FieldOf(R"({"qty": {"$in": [1, "x"]}})") == "filter.qty.$in[1]");
    CHECK(FieldOf(R"({"qty": {"$in": [1, [2]]}})") == "filter.qty.$in[1]");
    CHECK(FieldOf(R"({"qty": {"$in": 1}})") == "filter.qty.$in");
    CHECK(FieldOf(R"({"qty": {"$eq": [1]}})") == "filter.qty.$eq");
    CHECK(FieldOf(R"({"qty": {"$exists": 1}})") == "filter.qty.$exists");
    // Integers may come as digit strings, as when inserted; the canonical text is what travels.
    CHECK(*Compile(R"({"qty": "42"})").params[0] == "42");
}

TEST_CASE("query compiler: bad shapes name their path", "[filter]") {
    CHECK(FieldOf(R"([])") == "filter");
    CHECK(FieldOf(R"({"nope": 1})") == "filter.nope");
    CHECK(FieldOf(R"({"$where": "1"})") == "filter.$where");
    CHECK(FieldOf(R"({"qty": {"$foo": 1}})") == "filter.qty.$foo");
    CHECK(FieldOf(R"({"qty": {"nested": 1}})") == "filter.qty.nested");
    CHECK(FieldOf(R"({"qty": {}})") == "filter.qty");
    CHECK(FieldOf(R"({"qty": {"$not": 5}})") == "filter.qty.$not");
    CHECK(FieldOf(R"({"qty": {"$not": {"$bad": 5}}})") == "filter.qty.$not.$bad");
    CHECK(FieldOf(R"({"ID": "x"})") == "filter.ID");  // names are exact
}

TEST_CASE("query compiler: injection attempts stay data", "[filter]") {
    // A key is only ever compared with the table's column names.
    CHECK(FieldOf(R"({"name\" = '' OR 1=1 --": 1})") == R"(filter.name" = '' OR 1=1 --)");
    CHECK(FieldOf(R"({"qty; DROP TABLE x": 1})") == "filter.qty; DROP TABLE x");
    // A value travels as a parameter, whatever it holds.
    auto c = Compile(R"({"name": "'; DROP TABLE t; --", "select": {"$regex": "$1"}})");
    REQUIRE(c.sql.ok());
    CHECK(c.sql->find("DROP") == std::string::npos);
    CHECK(*c.params[0] == "'; DROP TABLE t; --");
    CHECK(*c.params[1] == "$1");
    CHECK(*c.sql == R"((("name" = $1::TEXT) AND ("select" ~ $2::TEXT)))");  // reserved word quoted
    // A long key is cut in the path, never echoed whole.
    std::string key(5000, 'k');
    CHECK(FieldOf("{\"" + key + "\": 1}") == "filter." + std::string(100, 'k') + "...");
}

TEST_CASE("query compiler: each bound is enforced", "[filter]") {
    FilterLimits small;
    small.max_depth = 3;
    small.max_nodes = 5;
    small.max_in_values = 3;
    small.max_regex_bytes = 4;
    small.max_params = 4;
    small.max_filter_bytes = 120;
    CHECK(Compile(R"({"$or": [{"$or": [{"$or": [{"qty": 1}]}]}]})", small).sql.ok());
    CHECK(ErrorOf(R"({"$or": [{"$or": [{"$or": [{"$or": [{"qty": 1}]}]}]}]})", small) ==
          "filter.$or[0].$or[0].$or[0].$or[0]: nesting deeper than 3");
    CHECK(ErrorOf(R"({"qty": {"$not": {"$not": {"$not": {"$not": {"$gt": 1}}}}}})", small) ==
          "filter.qty.$not.$not.$not.$not: nesting deeper than 3");
    CHECK(ErrorOf(R"({"qty": 1, "name": "a", "ok": true, "day": "2026-01-01", "at": null, "amount": 1})", small) ==
          "filter.amount: more than 5 conditions");
    CHECK(Compile(R"({"qty": {"$in": [1, 2, 3]}})", small).sql.ok());
    CHECK(ErrorOf(R"({"qty": {"$in": [1, 2, 3, 4]}})", small) == "filter.qty.$in: more than 3 values");
    CHECK(ErrorOf(R"({"qty": {"$nin": [1, 2, 3, 4]}})", small) == "filter.qty.$nin: more than 3 values");
    CHECK(ErrorOf(R"({"name": {"$regex": "abcde"}})", small) == "filter.name.$regex: longer than 4 bytes");
    CHECK(ErrorOf(R"({"qty": {"$in": [1, 2, 3]}, "amount": {"$in": [1, 2]}})", small) ==
          "filter.amount.$in[1]: more than 4 values in the filter");
    CHECK(ErrorOf(R"({"name": {"$in": [")" + std::string(120, 'a') + R"("]}})", small) ==
          "filter: larger than 120 bytes");
}

TEST_CASE("query compiler: the default bounds hold against large inputs", "[filter]") {
    // 120 levels of $and (the JSON parser's own limit is 256 levels): refused at level 17.
    std::string deep;
    for (int i = 0; i < 120; ++i) deep += R"({"$and": [)";
    deep += "{}";
    for (int i = 0; i < 120; ++i) deep += "]}";
    CHECK(ErrorOf(deep).find("nesting deeper than 16") != std::string::npos);
    // 1,001 values in one $in.
    std::string in = R"({"qty": {"$in": [0)";
    for (int i = 1; i <= 1000; ++i) in += "," + std::to_string(i);
    in += "]}}";
    CHECK(ErrorOf(in) == "filter.qty.$in: more than 1000 values");
    // 11 lists of 1,000 values: over 10,000 parameters, well under libpq's 65,535.
    std::string many = R"({"$or": [)";
    for (int l = 0; l < 11; ++l) {
        many += std::string(l ? "," : "") + R"({"qty": {"$in": [0)";
        for (int i = 1; i < 1000; ++i) many += ",1";
        many += "]}}";
    }
    many += "]}";
    CHECK(ErrorOf(many).find("more than 10000 values in the filter") != std::string::npos);
    // 1,001 conditions.
    std::string wide = R"({"$or": [)";
    for (int i = 0; i < 1001; ++i) wide += std::string(i ? "," : "") + R"({"qty": 1})";
    wide += "]}";
    CHECK(ErrorOf(wide).find("more than 1000 conditions") != std::string::npos);
    // A 1,001-byte pattern, and a filter over 64 KiB.
    CHECK(ErrorOf(R"({"name": {"$regex": ")" + std::string(1001, 'a') + "\"}}") ==
          "filter.name.$regex: longer than 1000 bytes");
    CHECK(ErrorOf(R"({"name": ")" + std::string(70'000, 'a') + "\"}") == "filter: larger than 65536 bytes");
}

TEST_CASE("query compiler: projection includes or excludes, id unless id 0", "[filter]") {
    auto parse = [](std::string_view text) {
        auto doc = mt::json::ParseJson(text);
        REQUIRE(doc.ok());
        return mt::store::ParseProjection(*doc, kColumns);
    };
    auto names = [](const mt::store::Projection& p) {
        std::string out = p.include_id ? "id" : "-";
        for (const auto& c : p.columns) out += "," + c.name;
        return out;
    };
    CHECK(names(*parse(R"({"qty": 1, "name": 1})")) == "id,name,qty");  // metadata order
    CHECK(names(*parse(R"({"qty": 1, "id": 0})")) == "-,qty");
    CHECK(names(*parse(R"({"qty": 0, "name": false})")) == "id,amount,ok,day,at,select");
    CHECK(names(*parse(R"({"id": 0})")) == "-,name,qty,amount,ok,day,at,select");
    CHECK(names(*parse(R"({"id": 1})")) == "id");
    CHECK(names(*parse(R"({})")) == "id,name,qty,amount,ok,day,at,select");
    CHECK(parse(R"({"qty": 1, "name": 0})").error().details[0].field == "projection.name");
    CHECK(parse(R"({"nope": 1})").error().details[0].field == "projection.nope");
    CHECK(parse(R"({"qty": 2})").error().details[0].field == "projection.qty");
    CHECK(parse(R"({"qty": "1"})").error().details[0].field == "projection.qty");
    CHECK(parse(R"([])").error().details[0].field == "projection");
    CHECK(parse(R"({"qty": 1, "name": 0})").error().kind == mt::ErrorKind::kBadRequest);
}

TEST_CASE("query compiler: sort keeps key order and refuses bad keys", "[filter]") {
    auto parse = [](std::string_view text) {
        auto doc = mt::json::ParseJson(text);
        REQUIRE(doc.ok());
        return mt::store::ParseSortObject(*doc, kColumns);
    };
    auto keys = parse(R"({"qty": -1, "name": 1, "id": -1})");
    REQUIRE(keys.ok());
    REQUIRE(keys->size() == 3);
    CHECK((keys->at(0).column == "qty" && keys->at(0).descending));
    CHECK((keys->at(1).column == "name" && !keys->at(1).descending));
    CHECK((keys->at(2).column == "id" && keys->at(2).descending));
    CHECK(parse(R"({"nope": 1})").error().details[0].field == "sort.nope");
    CHECK(parse(R"({"qty": 0})").error().details[0].field == "sort.qty");
    CHECK(parse(R"({"qty": "asc"})").error().details[0].field == "sort.qty");
    CHECK(parse(R"({"qty": true})").error().details[0].field == "sort.qty");
    CHECK(parse(R"(1)").error().details[0].field == "sort");
    std::string many = "{";
    for (int i = 0; i < 17; ++i) many += std::string(i ? "," : "") + "\"k" + std::to_string(i) + "\": 1";
    CHECK(parse(many + "}").error().details[0].field == "sort");
}

TEST_CASE("query compiler: top-level equalities seed an upsert", "[filter]") {
    auto doc = mt::json::ParseJson(
        R"({"name": "a", "qty": {"$eq": "7"}, "amount": {"$gt": 1}, "$or": [{"ok": true}], "day": null})");
    REQUIRE(doc.ok());
    auto eq = mt::store::TopLevelEqualities(*doc, kColumns);
    REQUIRE(eq.size() == 3);
    CHECK((eq[0].first == "name" && *eq[0].second == "a"));
    CHECK((eq[1].first == "qty" && *eq[1].second == "7"));
    CHECK((eq[2].first == "day" && !eq[2].second));
}

TEST_CASE("query cursor: round trip and refusals", "[filter]") {
    std::vector<mt::store::SortKey> keys = {{"ok", true}, {"at", false}, {"day", false}, {"id", false}};
    mt::pg::Params values = {std::string("t"), std::nullopt, std::string("2026-01-15"),
                             std::string("0190f5a8-7b3c-7def-8123-456789abcdef")};
    std::string cursor = mt::store::EncodeCursor(keys, values, kColumns);
    CHECK(cursor.find_first_not_of("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_") ==
          std::string::npos);
    auto back = mt::store::DecodeCursor(cursor, keys, kColumns);
    REQUIRE(back.ok());
    CHECK(*back == mt::pg::Params{std::string("true"), std::nullopt, std::string("2026-01-15"),
                                  std::string("0190f5a8-7b3c-7def-8123-456789abcdef")});
    // A datetime as PostgreSQL writes it (UTC session) survives with its microseconds.
    std::vector<mt::store::SortKey> by_at = {{"at", false}, {"id", false}};
    auto at = mt::store::DecodeCursor(
        mt::store::EncodeCursor(by_at, {std::string("2026-01-15 10:30:00.123456+00"), *values[3]}, kColumns), by_at,
        kColumns);
    REQUIRE(at.ok());
    CHECK(*at->at(0) == "2026-01-15T10:30:00.123456Z");

    auto field = [&](std::string_view c, const std::vector<mt::store::SortKey>& k) {
        auto r = mt::store::DecodeCursor(c, k, kColumns);
        REQUIRE_FALSE(r.ok());
        CHECK(r.error().code == "QUERY_SYNTAX_ERROR");
        return r.error().details.at(0).field;
    };
    CHECK(field(cursor, {{"id", false}}) == "cursor");                                                // another sort
    CHECK(field(cursor, {{"ok", false}, {"at", false}, {"day", false}, {"id", false}}) == "cursor");  // direction
    CHECK(field("not base64!", keys) == "cursor");
    CHECK(field("", keys) == "cursor");
    CHECK(field(std::string(20'000, 'A'), keys) == "cursor");
    // Tampered: a key value that is not of its column's type.
    std::vector<mt::store::SortKey> by_day = {{"day", false}, {"id", false}};
    CHECK(field(mt::store::EncodeCursor(by_day, {std::string("2026-13-45"), *values[3]}, kColumns), by_day) ==
          "cursor");
    CHECK(field(mt::store::EncodeCursor(by_day, {std::string("2026-01-01"), std::string("x")}, kColumns), by_day) ==
          "cursor");
    // Flipping any character yields a refusal or a valid cursor, never a crash.
    for (std::size_t i = 0; i < cursor.size(); ++i) {
        std::string t = cursor;
        t[i] = t[i] == 'A' ? 'B' : 'A';
        (void)mt::store::DecodeCursor(t, keys, kColumns);
    }
}
