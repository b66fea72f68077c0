// POST /:id/data with on_conflict (SPEC §8): update or ignore on the key of a unique index, all or nothing, the
// exact row counter kept. Unique indexes are made with admin SQL here: this is about the physical truth.
#include <map>

#include "e2e.hpp"

namespace e2e {
namespace {

/// A provisioned tenant with a products table (sku, name, price, stock) and its company database.
struct Products : Tenant {
    std::string id;
    std::string database;
    std::string physical;
    Products() {
        Provision();
        id = CreateTable("products", Columns({{"sku", "text", false},
                                              {"region", "text"},
                                              {"name", "text"},
                                              {"price", "decimal"},
                                              {"stock", "integer"}}));
        database = Database();
        physical = *stack.ControlQuery("SELECT physical_name FROM mt_tables WHERE id = $1", {id})[0][0];
    }
    /// Admin SQL on the physical table: `{t}` in `sql` stands for its quoted name.
    void Sql(std::string sql) {
        auto at = sql.find("{t}");
        REQUIRE(at != std::string::npos);
        sql.replace(at, 3, "public.\"" + physical + "\"");
        stack.AdminQuery(sql, {}, database);
    }
    Response Post(const std::string& body) { return http.Post(Api("/" + id + "/data"), token, body); }
    /// sku → "name|price|stock" of every row, and the row ids by sku.
    std::map<std::string, std::string> Contents() {
        std::map<std::string, std::string> out;
        auto rows = Rows(id);
        for (const auto& r : rows["records"].GetArray()) {
            auto text = [&](const char* k) -> std::string {
                const auto& v = r[k];
                if (v.IsNull()) return "null";
                if (v.IsString()) return v.GetString();
                if (v.IsInt64()) return std::to_string(v.GetInt64());
                return std::to_string(v.GetDouble());
            };
            out[text("sku") + (r["region"].IsNull() ? "" : "/" + text("region"))] = text("name") + "|" + text("stock");
        }
        return out;
    }
    std::string IdOf(const std::string& sku) {
        auto rows = Rows(id);
        for (const auto& r : rows["records"].GetArray())
            if (r["sku"].IsString() && Str(r["sku"]) == sku) return Str(r["id"]);
        return "";
    }
    /// The exact counter (GET /:id) must equal the physical count.
    void CheckCounter() {
        auto count = stack.AdminQuery("SELECT count(*) FROM public.\"" + physical + "\"", {}, database);
        CHECK(RowCount(id) == std::stoll(*count[0][0]));
    }
};

const char* kSeed = R"([{"sku":"a","name":"A","price":1.50,"stock":1},{"sku":"b","name":"B","price":2,"stock":2},)"
                    R"({"sku":"c","name":"C","price":3,"stock":3}])";

TEST_CASE("upsert: on_conflict update sets the named columns of matching rows and inserts the rest", "[upsert]") {
    Products t;
    t.Sql("CREATE UNIQUE INDEX ON {t} (sku)");
    t.Insert(t.id, kSeed);
    std::string b_id = t.IdOf("b");
    // The request names name and stock, not price: price keeps its value on the updated row.
    auto r = t.Post(R"({"rows":[{"sku":"b","name":"B2","stock":20},{"sku":"d","name":"D","stock":4}],)"
                    R"("on_conflict":["sku"],"on_conflict_action":"update"})");
    REQUIRE_STATUS(r, 201);
    CHECK(r.body == R"({"inserted":1,"updated":1})");
    CHECK(t.Contents() == std::map<std::string, std::string>{{"a", "A|1"}, {"b", "B2|20"}, {"c", "C|3"}, {"d", "D|4"}});
    CHECK(t.IdOf("b") == b_id);  // updated in place: the row id does not change
    auto price =
        t.stack.AdminQuery("SELECT price::text FROM public.\"" + t.physical + "\" WHERE sku = 'b'", {}, t.database);
    CHECK(*price[0][0] == "2");
    CHECK(t.RowCount(t.id) == 4);
    t.CheckCounter();

    // The default action is update; a key column alone in the rows still counts the match as updated.
    r = t.Post(R"({"rows":[{"sku":"a"},{"sku":"e"}],"on_conflict":["sku"]})");
    REQUIRE_STATUS(r, 201);
    CHECK(r.body == R"({"inserted":1,"updated":1})");
    CHECK(t.Contents()["a"] == "A|1");
    CHECK(t.RowCount(t.id) == 5);
    t.CheckCounter();
}

TEST_CASE("upsert: on_conflict ignore leaves matching rows as they are", "[upsert]") {
    Products t;
    t.Sql("CREATE UNIQUE INDEX ON {t} (sku)");
    t.Insert(t.id, kSeed);
    auto r = t.Post(R"({"rows":[{"sku":"a","name":"changed","stock":9},{"sku":"z","name":"Z","stock":26}],)"
                    R"("on_conflict":["sku"],"on_conflict_action":"ignore"})");
    REQUIRE_STATUS(r, 201);
    CHECK(r.body == R"({"inserted":1,"updated":0})");
    CHECK(t.Contents() == std::map<std::string, std::string>{{"a", "A|1"}, {"b", "B|2"}, {"c", "C|3"}, {"z", "Z|26"}});
    // Everything already there: nothing inserted, nothing updated.
    r = t.Post(R"({"rows":[{"sku":"a"},{"sku":"b"}],"on_conflict":["sku"],"on_conflict_action":"ignore"})");
    REQUIRE_STATUS(r, 201);
    CHECK(r.body == R"({"inserted":0,"updated":0})");
    CHECK(t.RowCount(t.id) == 4);
    t.CheckCounter();
}

TEST_CASE("upsert: a composite key in any order, NULL keys never match", "[upsert]") {
    Products t;
    t.Sql("CREATE UNIQUE INDEX ON {t} (sku, region)");
    t.Insert(t.id,
             R"([{"sku":"a","region":"n","name":"An","stock":1},{"sku":"a","region":"s","name":"As","stock":2}])");
    auto r = t.Post(R"({"rows":[{"sku":"a","region":"s","name":"As2","stock":3},)"
                    R"({"sku":"a","region":"w","name":"Aw","stock":4}],"on_conflict":["region","sku"]})");
    REQUIRE_STATUS(r, 201);
    CHECK(r.body == R"({"inserted":1,"updated":1})");
    CHECK(t.Contents() == std::map<std::string, std::string>{{"a/n", "An|1"}, {"a/s", "As2|3"}, {"a/w", "Aw|4"}});
    // region NULL: PostgreSQL's NULLs are distinct, so these two rows are inserted, never matched (not refused).
    r = t.Post(R"({"rows":[{"sku":"a","name":"x"},{"sku":"a","name":"y"}],"on_conflict":["sku","region"]})");
    REQUIRE_STATUS(r, 201);
    CHECK(r.body == R"({"inserted":2,"updated":0})");
    CHECK(t.RowCount(t.id) == 5);
    t.CheckCounter();
}

TEST_CASE("upsert: on_conflict must be exactly the columns of a valid unique index", "[upsert]") {
    Products t;
    t.Insert(t.id, kSeed);
    auto refused = [&](const std::string& body, const std::string& field) {
        auto r = t.Post(body);
        CHECK_ERROR(r, 422, "VALIDATION_ERROR");
        CHECK(DetailFields(r) == std::vector<std::string>{field});
    };
    const std::string rows = R"("rows":[{"sku":"a","name":"x"}])";
    refused("{" + rows + R"(,"on_conflict":["sku"]})", "on_conflict");  // no index at all
    t.Sql("CREATE INDEX ON {t} (sku)");
    refused("{" + rows + R"(,"on_conflict":["sku"]})", "on_conflict");  // not unique
    t.Sql("CREATE UNIQUE INDEX ON {t} (sku) WHERE stock > 0");
    refused("{" + rows + R"(,"on_conflict":["sku"]})", "on_conflict");  // partial
    t.Sql("CREATE UNIQUE INDEX ON {t} (lower(name))");
    refused("{" + rows + R"(,"on_conflict":["name"]})", "on_conflict");  // an expression
    t.Sql("CREATE UNIQUE INDEX ON {t} (sku, region)");
    refused("{" + rows + R"(,"on_conflict":["sku"]})", "on_conflict");  // a prefix of the key is not the key
    refused("{" + rows + R"(,"on_conflict":["sku","region","name"]})", "on_conflict");
    // The request itself.
    refused("{" + rows + R"(,"on_conflict":[]})", "on_conflict");
    refused("{" + rows + R"(,"on_conflict":"sku"})", "on_conflict");
    refused("{" + rows + R"(,"on_conflict":["nope"]})", "on_conflict[0]");
    refused("{" + rows + R"(,"on_conflict":["sku",7]})", "on_conflict[1]");
    refused("{" + rows + R"(,"on_conflict":["sku","sku"]})", "on_conflict[1]");
    refused("{" + rows + R"(,"on_conflict":["id"]})", "on_conflict[0]");
    refused("{" + rows + R"(,"on_conflict_action":"update"})", "on_conflict");
    refused("{" + rows + R"(,"on_conflict":["sku","region"],"on_conflict_action":"merge"})", "on_conflict_action");
    // The bound: at most 32 columns (no index has more), checked before the names.
    std::string many;
    for (int i = 0; i < 33; ++i) many += std::string(i ? "," : "") + "\"c" + std::to_string(i) + "\"";
    refused("{" + rows + R"(,"on_conflict":[)" + many + "]}", "on_conflict");
    CHECK(t.Contents() == std::map<std::string, std::string>{{"a", "A|1"}, {"b", "B|2"}, {"c", "C|3"}});
    // The composite unique index does match its own columns.
    auto r = t.Post("{" + rows + R"(,"on_conflict":["sku","region"]})");
    CHECK_STATUS(r, 201);
}

TEST_CASE("upsert: a key repeated within one request is a 422 naming it and writes nothing", "[upsert]") {
    Products t;
    t.Sql("CREATE UNIQUE INDEX ON {t} (sku)");
    t.Insert(t.id, kSeed);
    for (const char* action : {"update", "ignore"}) {
        INFO(action);
        auto r = t.Post(R"({"rows":[{"sku":"new","stock":1},{"sku":"b","stock":7},{"sku":"b","stock":8}],)"
                        R"("on_conflict":["sku"],"on_conflict_action":")" +
                        std::string(action) + "\"}");
        CHECK_ERROR(r, 422, "VALIDATION_ERROR", "Two rows of the request have the same on_conflict key");
        CHECK(DetailFields(r) == std::vector<std::string>{"on_conflict"});
        CHECK(r.body.find(R"(key (sku = \"b\") appears in more than one row)") != std::string::npos);
    }
    // A long key is cut at 100 bytes on a character boundary (ç is two bytes: 100 is mid-character at 101).
    std::string long_key = "x";
    for (int i = 0; i < 200; ++i) long_key += "ç";
    auto long_r =
        t.Post(R"({"rows":[{"sku":")" + long_key + R"("},{"sku":")" + long_key + R"("}],"on_conflict":["sku"]})");
    CHECK_ERROR(long_r, 422, "VALIDATION_ERROR");
    std::string cut = "x";
    for (int i = 0; i < 49; ++i) cut += "ç";  // 99 bytes: the 50th ç would straddle the limit
    CHECK(long_r.body.find("key (sku = \\\"" + cut + "\\\"...)") != std::string::npos);
    // Equal under the column's type, not as text: 1.0 and "1.00" are the same decimal key.
    t.Sql("CREATE UNIQUE INDEX ON {t} (price)");
    auto r = t.Post(R"({"rows":[{"sku":"x","price":1.0},{"sku":"y","price":"1.00"}],"on_conflict":["price"]})");
    CHECK_ERROR(r, 422, "VALIDATION_ERROR", "Two rows of the request have the same on_conflict key");
    CHECK(r.body.find(R"(key (price = \"1.0)") != std::string::npos);
    CHECK(t.Contents() == std::map<std::string, std::string>{{"a", "A|1"}, {"b", "B|2"}, {"c", "C|3"}});
    t.CheckCounter();
}

TEST_CASE("upsert: all or nothing when a row is bad", "[upsert]") {
    Products t;
    t.Sql("CREATE UNIQUE INDEX ON {t} (sku)");
    t.Sql("CREATE UNIQUE INDEX ON {t} (name)");
    t.Insert(t.id, kSeed);
    const auto before = t.Contents();
    // A value not of its column's type, in the last row: validated before anything is written.
    auto r = t.Post(R"({"rows":[{"sku":"a","name":"A9"},{"sku":"q","name":"Q"},{"sku":"r","stock":"many"}],)"
                    R"("on_conflict":["sku"]})");
    CHECK_ERROR(r, 422, "VALIDATION_ERROR");
    CHECK(DetailFields(r) == std::vector<std::string>{"rows[2].stock"});
    // A missing required column.
    r = t.Post(R"({"rows":[{"sku":"a","name":"A9"},{"name":"nosku"}],"on_conflict":["sku"]})");
    CHECK_ERROR(r, 422, "VALIDATION_ERROR");
    CHECK(DetailFields(r) == std::vector<std::string>{"rows[1].sku"});
    // Found only by the database: the last row's name repeats the key of the other unique index.
    r = t.Post(R"({"rows":[{"sku":"a","name":"A9"},{"sku":"q","name":"Q"},{"sku":"r","name":"C"}],)"
               R"("on_conflict":["sku"]})");
    CHECK_ERROR(r, 422, "VALIDATION_ERROR");
    CHECK(DetailFields(r) == std::vector<std::string>{"rows"});
    CHECK(t.Contents() == before);
    CHECK(t.RowCount(t.id) == 3);
    t.CheckCounter();
    // The same rows without the bad one go through, and the counter follows.
    r = t.Post(R"({"rows":[{"sku":"a","name":"A9"},{"sku":"q","name":"Q"}],"on_conflict":["sku"]})");
    REQUIRE_STATUS(r, 201);
    CHECK(r.body == R"({"inserted":1,"updated":1})");
    CHECK(t.RowCount(t.id) == 4);
    t.CheckCounter();
}

TEST_CASE("upsert: the row counter stays exact over many upserts and deletes", "[upsert]") {
    Products t;
    t.Sql("CREATE UNIQUE INDEX ON {t} (sku)");
    std::int64_t expected = 0;
    for (int round = 0; round < 5; ++round) {
        // 200 keys per round, half of them from the round before.
        std::string rows = "[";
        for (int i = round * 100; i < round * 100 + 200; ++i) {
            rows += (rows.size() > 1 ? "," : "") + std::string(R"({"sku":"k)") + std::to_string(i) + R"(","stock":)" +
                    std::to_string(round) + "}";
        }
        auto r = t.Post(R"({"rows":)" + rows + R"(],"on_conflict":["sku"]})");
        REQUIRE_STATUS(r, 201);
        auto j = r.Json();
        CHECK(j["inserted"].GetInt64() == (round == 0 ? 200 : 100));
        CHECK(j["updated"].GetInt64() == (round == 0 ? 0 : 100));
        expected += j["inserted"].GetInt64();
        CHECK(t.RowCount(t.id) == expected);
    }
    CHECK(expected == 600);
    auto victim = t.IdOf("k0");
    REQUIRE_FALSE(victim.empty());
    CHECK_STATUS(t.http.Delete(Api("/" + t.id + "/data/" + victim), t.token), 204);
    CHECK(t.RowCount(t.id) == 599);
    t.CheckCounter();
}

}  // namespace
}  // namespace e2e
