// SPEC §8: POST /:id/query (filters, projections, sorts, cursors, counts), GET /:id/data?filter=&cursor=, and
// PATCH/DELETE /:id/data by filter.
#include <atomic>
#include <map>
#include <thread>

#include "e2e.hpp"
#include "mt/core/json.hpp"

namespace e2e {
namespace {

/// A provisioned tenant with a table of every type; `Seed` adds five known rows (e has NULL everywhere it can).
struct Products : Tenant {
    std::string id;
    Products() {
        Provision();
        id = CreateTable("products", Columns({{"name", "text", false},
                                              {"qty", "integer"},
                                              {"amount", "decimal"},
                                              {"ok", "boolean"},
                                              {"day", "date"},
                                              {"at", "datetime"}}));
    }
    void Seed() {
        Insert(id, R"([
          {"name": "a", "qty": 1, "amount": 1.10, "ok": true, "day": "2026-01-01", "at": "2026-01-01T00:00:00Z"},
          {"name": "b", "qty": 5, "amount": 12345678901234567890.10, "ok": false, "day": "2026-01-15",
           "at": "2026-01-15T10:30:00.500Z"},
          {"name": "c", "qty": 10, "amount": 12345678901234567890.11, "ok": true, "day": "2026-02-01",
           "at": "2026-02-01T00:00:00Z"},
          {"name": "d", "qty": 5, "amount": 7, "ok": true, "day": "2026-02-01", "at": "2026-02-01T00:00:00Z"},
          {"name": "e"}])");
    }
    std::string Url(std::string_view suffix) { return Api("/" + id + std::string(suffix)); }
    Response Query(std::string_view body) { return http.Post(Url("/query"), token, body); }
    Response PatchData(std::string_view body) { return http.Patch(Url("/data"), token, body); }
    Response DeleteData(std::string_view body) {
        return http.Request("DELETE", Url("/data"), body, {{"Authorization", "Bearer " + token}});
    }
    /// Names of the records a query returns, in order ("" on failure).
    std::string Names(std::string_view body) {
        auto r = Query(body);
        INFO(body);
        REQUIRE_STATUS(r, 200);
        return NamesOf(r.Json());
    }
    static std::string NamesOf(const rapidjson::Value& j) {
        std::string out;
        for (const auto& row : j["records"].GetArray()) out += Str(row["name"]);
        return out;
    }
};

std::string UrlEncode(std::string_view s) {
    static const char* hex = "0123456789ABCDEF";
    std::string out;
    for (unsigned char c : s) {
        if (std::isalnum(c) || c == '-' || c == '_' || c == '.' || c == '~') {
            out.push_back(static_cast<char>(c));
        } else {
            out += '%';
            out += hex[c >> 4];
            out += hex[c & 15];
        }
    }
    return out;
}

TEST_CASE("query: every filter operator end to end", "[query]") {
    Products t;
    t.Seed();
    auto f = [&](std::string_view filter) { return t.Names(R"({"filter": )" + std::string(filter) + "}"); };
    CHECK(f("{}") == "abcde");
    CHECK(f(R"({"qty": 5})") == "bd");
    CHECK(f(R"({"qty": {"$eq": 5}})") == "bd");
    CHECK(f(R"({"qty": {"$ne": 5}})") == "ace");  // NULL rows match $ne
    CHECK(f(R"({"qty": null})") == "e");
    CHECK(f(R"({"qty": {"$gt": 1}})") == "bcd");
    CHECK(f(R"({"qty": {"$gte": 5, "$lt": 10}})") == "bd");
    CHECK(f(R"({"qty": {"$lte": 5}})") == "abd");
    CHECK(f(R"({"qty": {"$in": [1, 10]}})") == "ac");
    CHECK(f(R"({"qty": {"$nin": [1, 10]}})") == "bde");
    CHECK(f(R"({"qty": {"$exists": false}})") == "e");
    CHECK(f(R"({"qty": {"$exists": true}})") == "abcd");
    CHECK(f(R"({"qty": {"$not": {"$gt": 5}}})") == "abde");
    CHECK(f(R"({"amount": {"$gt": 12345678901234567890.10}})") == "c");  // exact decimals
    CHECK(f(R"({"amount": "1.1"})") == "a");
    CHECK(f(R"({"ok": false})") == "b");
    CHECK(f(R"({"day": {"$gte": "2026-01-15", "$lt": "2026-02-01"}})") == "b");
    CHECK(f(R"({"day": "2026-02-01"})") == "cd");
    CHECK(f(R"({"at": "2026-01-15T07:30:00.5-03:00"})") == "b");
    CHECK(f(R"({"name": {"$regex": "^[A-C]$", "$options": "i"}})") == "abc");
    CHECK(f(R"({"name": {"$regex": "^[A-C]$"}})") == "");
    CHECK(f(R"({"$or": [{"qty": 1}, {"name": "c"}]})") == "ac");
    CHECK(f(R"({"$and": [{"qty": 5}, {"day": "2026-02-01"}]})") == "d");
    CHECK(f(R"({"$nor": [{"qty": 5}, {"ok": true}]})") == "e");
    auto all = t.Query("{}").Json();
    std::string c_id = Str(all["records"][2]["id"]);
    CHECK(f(R"({"id": ")" + c_id + R"("})") == "c");
}

TEST_CASE("query: errors name the path and never run", "[query]") {
    Products t;
    t.Seed();
    auto r = t.Query(R"({"filter": {"$or": [{"qty": 1}, {"amount": {"$gte": "lots"}}]}})");
    CHECK_ERROR(r, 400, "QUERY_SYNTAX_ERROR");
    CHECK(DetailFields(r) == std::vector<std::string>{"filter.$or[1].amount.$gte"});
    CHECK(DetailFields(t.Query(R"({"filter": {"nope": 1}})")) == std::vector<std::string>{"filter.nope"});
    CHECK(DetailFields(t.Query(R"({"filter": {"qty": {"$where": 1}}})")) ==
          std::vector<std::string>{"filter.qty.$where"});
    CHECK(DetailFields(t.Query(R"({"filter": {"id": "1"}})")) == std::vector<std::string>{"filter.id"});
    CHECK(DetailFields(t.Query(R"({"projection": {"qty": 1, "name": 0}})")) ==
          std::vector<std::string>{"projection.name"});
    CHECK(DetailFields(t.Query(R"({"sort": {"qty": 2}})")) == std::vector<std::string>{"sort.qty"});
    CHECK(DetailFields(t.Query(R"({"count": "maybe"})")) == std::vector<std::string>{"count"});
    CHECK(DetailFields(t.Query(R"({"limit": 0})")) == std::vector<std::string>{"limit"});
    CHECK(DetailFields(t.Query(R"({"offset": -1})")) == std::vector<std::string>{"offset"});
    CHECK(DetailFields(t.Query(R"({"offset": 100000001})")) == std::vector<std::string>{"offset"});
    CHECK(DetailFields(t.Query(R"({"offset": 1.5})")) == std::vector<std::string>{"offset"});
    CHECK_STATUS(t.Query(R"({"limit": 99999999999999999999999})"), 200);  // read as 1000
    CHECK(DetailFields(t.Query(R"({"fliter": {}})")) == std::vector<std::string>{"fliter"});
    // An invalid regular expression is the client's mistake, not a 500.
    CHECK_ERROR(t.Query(R"({"filter": {"name": {"$regex": "(unclosed"}}})"), 400, "QUERY_SYNTAX_ERROR");
    CHECK_ERROR(t.Query(R"({"filter": {"name": {"$regex": "(unclosed"}}, "count": "estimated"})"), 400,
                "QUERY_SYNTAX_ERROR");
    // Injection attempts are data: an unknown column, or a value that matches nothing.
    CHECK_ERROR(t.Query(R"({"filter": {"name\" = name OR 1=1 --": 1}})"), 400, "QUERY_SYNTAX_ERROR");
    CHECK(t.Names(R"({"filter": {"name": "' OR 1=1 --"}})").empty());
    CHECK(t.RowCount(t.id) == 5);
    CHECK_ERROR(t.http.Post(Api("/000000000000000000000000/query"), t.token, "{}"), 404, "TABLE_NOT_FOUND");
}

TEST_CASE("query: projection both ways and id 0", "[query]") {
    Products t;
    t.Seed();
    auto inc = t.Query(R"({"projection": {"qty": 1, "name": 1}, "limit": 1})").Json();
    CHECK(Keys(inc["records"][0]) == std::set<std::string>{"id", "name", "qty"});
    auto exc = t.Query(R"({"projection": {"qty": 0, "at": 0, "id": 0}, "limit": 1})").Json();
    CHECK(Keys(exc["records"][0]) == std::set<std::string>{"name", "amount", "ok", "day"});
    auto only = t.Query(R"({"projection": {"name": 1, "id": 0}, "sort": {"name": -1}})").Json();
    CHECK(Keys(only["records"][0]) == std::set<std::string>{"name"});
    CHECK(Products::NamesOf(only) == "edcba");
    // A cursor still works when the sort keys are not projected.
    auto page = t.Query(R"({"projection": {"name": 1}, "sort": {"qty": 1}, "limit": 2})");
    REQUIRE_STATUS(page, 200);
    auto j = page.Json();
    CHECK(Products::NamesOf(j) == "ab");
    REQUIRE(j["next_cursor"].IsString());
    auto next = t.Query(R"({"projection": {"name": 1}, "sort": {"qty": 1}, "limit": 2, "cursor": ")" +
                        Str(j["next_cursor"]) + "\"}");
    REQUIRE_STATUS(next, 200);
    CHECK(Products::NamesOf(next.Json()) == "dc");  // order a1 b5 d5 c10 e(null)
}

TEST_CASE("query: multi-key sort with ties, NULLs and mixed directions, by cursor", "[query]") {
    Products t;
    t.Seed();
    // qty: a1 b5 c10 d5 e(null). ASC puts NULL last, DESC first; ties by day, then by id (insertion order).
    CHECK(t.Names(R"({"sort": {"qty": 1}})") == "abdce");
    CHECK(t.Names(R"({"sort": {"qty": -1}})") == "ecbda");
    CHECK(t.Names(R"({"sort": {"qty": -1, "day": -1}})") == "ecdba");
    CHECK(t.Names(R"({"sort": {"day": 1, "qty": -1}})") == "abcde");
    CHECK(t.Names(R"({"sort": {"ok": -1, "qty": 1}})") == "eadcb");
    // Walking each order one row at a time by cursor gives the same order.
    for (std::string sort : {R"({"qty": 1})", R"({"qty": -1})", R"({"qty": -1, "day": -1})", R"({"day": 1, "qty": -1})",
                             R"({"ok": -1, "qty": 1})", R"({"at": -1, "name": 1})", R"({"id": -1})"}) {
        INFO(sort);
        std::string walked, cursor;
        for (int i = 0; i < 10; ++i) {
            std::string body =
                R"({"limit": 1, "sort": )" + sort + (cursor.empty() ? "" : R"(, "cursor": ")" + cursor + "\"") + "}";
            auto r = t.Query(body);
            REQUIRE_STATUS(r, 200);
            auto j = r.Json();
            walked += Products::NamesOf(j);
            if (j["next_cursor"].IsNull()) break;
            cursor = Str(j["next_cursor"]);
        }
        CHECK(walked == t.Names(R"({"sort": )" + sort + "}"));
        CHECK(walked.size() == 5);
    }
}

TEST_CASE("query: walking all pages by cursor sees every row once while rows are inserted", "[query]") {
    Products t;
    std::string rows = "[";
    for (int i = 0; i < 1000; ++i) {
        rows += std::string(i ? "," : "") + R"({"name": "r)" + std::to_string(i) + R"(", "qty": )" +
                std::to_string(i % 7) + "}";
    }
    t.Insert(t.id, rows + "]");
    std::atomic<bool> stop{false};
    std::atomic<int> inserted{0};
    std::thread writer([&] {
        HttpClient http(t.http.base_url());
        for (int i = 0; !stop && i < 200; ++i) {
            auto r = http.Post(
                Api("/" + t.id + "/data"), t.token,
                R"({"rows": [{"name": "new)" + std::to_string(i) + R"(", "qty": )" + std::to_string(i % 9 - 1) + "}]}");
            if (r.status == 201) ++inserted;
        }
    });
    std::map<std::string, int> seen;
    std::string cursor;
    int pages = 0;
    for (; pages < 1000; ++pages) {
        std::string body = R"({"limit": 37, "sort": {"qty": -1}, "count": "none")" +
                           (cursor.empty() ? "" : R"(, "cursor": ")" + cursor + "\"") + "}";
        auto r = t.Query(body);
        REQUIRE_STATUS(r, 200);
        auto j = r.Json();
        CHECK_FALSE(j.HasMember("total"));
        for (const auto& row : j["records"].GetArray()) ++seen[Str(row["name"])];
        if (j["next_cursor"].IsNull()) break;
        cursor = Str(j["next_cursor"]);
    }
    stop = true;
    writer.join();
    for (int i = 0; i < 1000; ++i) CHECK(seen["r" + std::to_string(i)] == 1);
    for (const auto& [name, n] : seen) CHECK(n == 1);
    CHECK(pages >= 1000 / 37);
    CHECK(inserted > 0);
}

TEST_CASE("query: count modes, limit and offset", "[query]") {
    Products t;
    t.Seed();
    auto exact = t.Query(R"({"filter": {"qty": 5}, "limit": 1})").Json();
    CHECK(Keys(exact) == std::set<std::string>{"total", "quantity", "records", "next_cursor"});
    CHECK(exact["total"].GetInt64() == 2);
    CHECK(exact["quantity"].GetInt64() == 1);
    CHECK(t.Query("{}").Json()["total"].GetInt64() == 5);
    auto est = t.Query(R"({"count": "estimated"})").Json();
    CHECK(est["total"].GetInt64() >= 0);
    auto est_f = t.Query(R"({"filter": {"qty": 5}, "count": "estimated"})").Json();
    CHECK(est_f["total"].GetInt64() >= 0);
    CHECK(est_f["quantity"].GetInt64() == 2);
    // An estimate with a filter and a cursor: the cursor's values are not the filter's.
    auto est_page = t.Query(R"({"filter": {"qty": 5}, "count": "estimated", "limit": 1})").Json();
    REQUIRE(est_page["next_cursor"].IsString());
    auto est_next = t.Query(R"({"filter": {"qty": 5}, "count": "estimated", "limit": 1, "cursor": ")" +
                            Str(est_page["next_cursor"]) + "\"}");
    REQUIRE_STATUS(est_next, 200);
    CHECK(Products::NamesOf(est_next.Json()) == "d");
    CHECK(est_next.Json()["total"].GetInt64() >= 0);
    auto none = t.Query(R"({"count": "none"})").Json();
    CHECK(Keys(none) == std::set<std::string>{"quantity", "records", "next_cursor"});
    auto off = t.Query(R"({"offset": 3, "limit": 1})").Json();
    CHECK(Products::NamesOf(off) == "d");
    CHECK(off["next_cursor"].IsString());
    CHECK(t.Query(R"({"offset": 4, "limit": 1})").Json()["next_cursor"].IsNull());
    auto past = t.Query(R"({"offset": 50})").Json();
    CHECK(past["quantity"].GetInt64() == 0);
    CHECK(past["total"].GetInt64() == 5);
    CHECK(t.Query(R"({"limit": 5000})").Json()["quantity"].GetInt64() == 5);  // clamped to 1000
}

TEST_CASE("query: a cursor for another sort, a tampered one, or with an offset is refused", "[query]") {
    Products t;
    t.Seed();
    auto j = t.Query(R"({"limit": 2, "sort": {"qty": 1}})").Json();
    std::string cursor = Str(j["next_cursor"]);
    REQUIRE_FALSE(cursor.empty());
    auto check = [&](std::string_view body) {
        auto r = t.Query(body);
        CHECK_ERROR(r, 400, "QUERY_SYNTAX_ERROR");
        CHECK(DetailFields(r) == std::vector<std::string>{"cursor"});
    };
    check(R"({"limit": 2, "sort": {"qty": -1}, "cursor": ")" + cursor + "\"}");
    check(R"({"limit": 2, "cursor": ")" + cursor + "\"}");
    check(R"({"limit": 2, "sort": {"qty": 1}, "offset": 2, "cursor": ")" + cursor + "\"}");
    check(R"({"sort": {"qty": 1}, "cursor": "garbage!"})");
    std::string tampered = cursor;
    tampered[tampered.size() / 2] = tampered[tampered.size() / 2] == 'x' ? 'y' : 'x';
    auto r = t.Query(R"({"limit": 2, "sort": {"qty": 1}, "cursor": ")" + tampered + "\"}");
    CHECK((r.status == 200 || r.status == 400));  // a flip may still decode to a valid cursor, never to a 500
}

TEST_CASE("GET data: filter and cursor", "[query]") {
    Products t;
    t.Seed();
    std::string filter = UrlEncode(R"({"qty": {"$gte": 5}})");
    auto r = t.http.Get(t.Url("/data?per_page=2&sort_by=-qty&filter=" + filter), t.token);
    REQUIRE_STATUS(r, 200);
    auto j = r.Json();
    CHECK(Keys(j) == std::set<std::string>{"total", "quantity", "records", "next_cursor"});
    CHECK(j["total"].GetInt64() == 3);
    CHECK(Products::NamesOf(j) == "cb");
    REQUIRE(j["next_cursor"].IsString());
    auto next = t.http.Get(t.Url("/data?per_page=2&sort_by=-qty&filter=" + filter + "&cursor=" + Str(j["next_cursor"])),
                           t.token);
    REQUIRE_STATUS(next, 200);
    auto jn = next.Json();
    CHECK(Products::NamesOf(jn) == "d");
    CHECK(jn["next_cursor"].IsNull());
    CHECK_ERROR(t.http.Get(t.Url("/data?page=2&cursor=" + Str(j["next_cursor"])), t.token), 400, "QUERY_SYNTAX_ERROR");
    CHECK_ERROR(t.http.Get(t.Url("/data?filter=" + UrlEncode("{nope")), t.token), 400, "QUERY_SYNTAX_ERROR");
    auto bad = t.http.Get(t.Url("/data?filter=" + UrlEncode(R"({"qty": "x"})")), t.token);
    CHECK_ERROR(bad, 400, "QUERY_SYNTAX_ERROR");
    CHECK(DetailFields(bad) == std::vector<std::string>{"filter.qty"});
    // Without a filter, page/per_page work as before.
    auto page2 = t.http.Get(t.Url("/data?page=2&per_page=2"), t.token).Json();
    CHECK(Products::NamesOf(page2) == "cd");
    CHECK(page2["total"].GetInt64() == 5);
}

TEST_CASE("update by filter: $set $inc $unset with matched and modified counts", "[query]") {
    Products t;
    t.Seed();
    auto r = t.PatchData(R"({"filter": {"qty": 5}, "update": {"$set": {"ok": true}, "$inc": {"amount": 0.01}}})");
    REQUIRE_STATUS(r, 200);
    CHECK(r.body == R"({"matched_count":2,"modified_count":2,"upserted_id":null})");
    CHECK(t.Names(R"({"filter": {"amount": 12345678901234567890.11}})") == "bc");  // exact decimal arithmetic
    // Setting what is already there matches but modifies nothing.
    r = t.PatchData(R"({"filter": {"qty": 5}, "update": {"$set": {"ok": true}}})");
    CHECK(r.body == R"({"matched_count":2,"modified_count":0,"upserted_id":null})");
    r = t.PatchData(
        R"({"filter": {"name": {"$in": ["a", "e"]}}, "update": {"$inc": {"qty": 2}, "$unset": {"day": 1}}})");
    REQUIRE_STATUS(r, 200);
    CHECK(r.body == R"({"matched_count":2,"modified_count":2,"upserted_id":null})");
    CHECK(t.Names(R"({"filter": {"qty": 2, "day": null}})") == "e");  // $inc on NULL starts from 0
    CHECK(t.Names(R"({"filter": {"qty": 3, "day": null}})") == "a");
    r = t.PatchData(R"({"filter": {"qty": 999}, "update": {"$set": {"ok": false}}})");
    CHECK(r.body == R"({"matched_count":0,"modified_count":0,"upserted_id":null})");
    CHECK(t.RowCount(t.id) == 5);
}

TEST_CASE("update by filter: refusals", "[query]") {
    Products t;
    t.Seed();
    auto field = [&](std::string_view body) {
        auto r = t.PatchData(body);
        CHECK_ERROR(r, 400, "QUERY_SYNTAX_ERROR");
        auto fields = DetailFields(r);
        return fields.empty() ? std::string() : fields[0];
    };
    CHECK(field(R"({"filter": {}, "update": {"$set": {"ok": true}}})") == "filter");
    CHECK(field(R"({"update": {"$set": {"ok": true}}})") == "filter");
    CHECK(field(R"({"filter": {"qty": 1}, "update": {"$set": {"ok": "yes"}}})") == "update.$set.ok");
    CHECK(field(R"({"filter": {"qty": 1}, "update": {"$inc": {"name": 1}}})") == "update.$inc.name");
    CHECK(field(R"({"filter": {"qty": 1}, "update": {"$set": {"qty": 2}, "$inc": {"qty": 1}}})") == "update.$inc.qty");
    CHECK(field(R"({"filter": {"qty": 1}, "update": {"$set": {"nope": 2}}})") == "update.$set.nope");
    CHECK(field(R"({"filter": {"qty": 1}, "update": {"$set": {"id": "x"}}})") == "update.$set.id");
    CHECK(field(R"({"filter": {"qty": 1}, "update": {"$push": {"qty": 1}}})") == "update.$push");
    CHECK(field(R"({"filter": {"qty": 1}, "update": {}})") == "update");
    CHECK(field(R"({"filter": {"qty": 1}, "update": {"$set": {"ok": true}}, "limit": 0})") == "limit");
    CHECK(field(R"({"filter": {"qty": 1}, "update": {"$set": {"ok": true}}, "upsert": "yes"})") == "upsert");
    // $unset and null on a NOT NULL column: 422 like an inserted value.
    auto r = t.PatchData(R"({"filter": {"qty": 1}, "update": {"$unset": {"name": ""}}})");
    CHECK_ERROR(r, 422, "VALIDATION_ERROR");
    CHECK(DetailFields(r) == std::vector<std::string>{"update.$unset.name"});
    CHECK_ERROR(t.PatchData(R"({"filter": {"qty": 1}, "update": {"$set": {"name": null}}})"), 422, "VALIDATION_ERROR");
    // Integer overflow is the client's problem, all or nothing.
    t.Insert(t.id, R"([{"name": "big", "qty": 9223372036854775000}])");
    r = t.PatchData(R"({"filter": {"qty": {"$gte": 1}}, "update": {"$inc": {"qty": 1000}}})");
    CHECK(r.status >= 400);
    CHECK(r.status < 500);
    CHECK(t.Names(R"({"filter": {"qty": 1}})") == "a");  // nothing changed
    CHECK(t.Names(R"({"filter": {"name": "a"}})") == "a");
}

TEST_CASE("update by filter: all true, limit by lowest ids, upsert", "[query]") {
    Products t;
    t.Seed();
    auto r = t.PatchData(R"({"filter": {}, "all": true, "update": {"$set": {"ok": false}}, "limit": 2})");
    REQUIRE_STATUS(r, 200);
    CHECK(r.body == R"({"matched_count":2,"modified_count":1,"upserted_id":null})");  // a changes, b already false
    CHECK(t.Names(R"({"filter": {"ok": false}})") == "ab");
    r = t.PatchData(R"({"filter": {}, "all": true, "update": {"$set": {"ok": true}}})");
    CHECK(r.body == R"({"matched_count":5,"modified_count":3,"upserted_id":null})");  // a, b and e change
    // Upsert: no match inserts the filter's equalities plus $set; a match updates and inserts nothing.
    r = t.PatchData(R"({"filter": {"name": "z", "qty": {"$eq": 42}, "amount": {"$gt": 1}},
                        "update": {"$set": {"day": "2026-05-05"}, "$inc": {"amount": 3.5}}, "upsert": true})");
    REQUIRE_STATUS(r, 200);
    auto j = r.Json();
    CHECK(j["matched_count"].GetInt64() == 0);
    CHECK(j["modified_count"].GetInt64() == 0);
    REQUIRE(j["upserted_id"].IsString());
    auto row = t.Query(R"({"filter": {"id": ")" + Str(j["upserted_id"]) + R"("}})");
    CHECK(row.body.find(R"("name":"z","qty":42,"amount":3.5,"ok":null,"day":"2026-05-05","at":null)") !=
          std::string::npos);
    r = t.PatchData(R"({"filter": {"name": "z"}, "update": {"$inc": {"qty": 1}}, "upsert": true})");
    CHECK(r.body == R"({"matched_count":1,"modified_count":1,"upserted_id":null})");
    CHECK(t.RowCount(t.id) == 6);
    // An upsert whose row would lack a NOT NULL column: 422, nothing inserted.
    r = t.PatchData(R"({"filter": {"qty": 77}, "update": {"$set": {"ok": true}}, "upsert": true})");
    CHECK_ERROR(r, 422, "VALIDATION_ERROR");
    CHECK(DetailFields(r) == std::vector<std::string>{"update.$set.name"});
    CHECK(t.RowCount(t.id) == 6);
}

TEST_CASE("delete by filter: counts, limit, the empty-filter refusal and all true", "[query]") {
    Products t;
    t.Seed();
    auto r = t.DeleteData(R"({"filter": {"qty": 5}})");
    REQUIRE_STATUS(r, 200);
    CHECK(r.body == R"({"deleted_count":2})");
    CHECK(t.Names("{}") == "ace");
    r = t.DeleteData(R"({"filter": {"qty": {"$ne": 999}}, "limit": 1})");
    CHECK(r.body == R"({"deleted_count":1})");
    CHECK(t.Names("{}") == "ce");  // the lowest id (a, inserted first) went
    CHECK_ERROR(t.DeleteData(R"({"filter": {}})"), 400, "QUERY_SYNTAX_ERROR");
    CHECK_ERROR(t.DeleteData(""), 400, "BAD_REQUEST");
    CHECK_ERROR(t.DeleteData(R"({"filter": {"name": {"$regex": "["}}})"), 400, "QUERY_SYNTAX_ERROR");
    CHECK(t.RowCount(t.id) == 2);
    r = t.DeleteData(R"({"filter": {}, "all": true})");
    CHECK(r.body == R"({"deleted_count":2})");
    CHECK(t.RowCount(t.id) == 0);
    CHECK(t.Query("{}").Json()["total"].GetInt64() == 0);
}

}  // namespace
}  // namespace e2e
