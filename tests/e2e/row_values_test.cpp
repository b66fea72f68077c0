// SPEC §6 values through the API: exact round trips, strict validation with field paths, all-or-nothing inserts.
#include "e2e.hpp"

#include "mt/core/json.hpp"

namespace e2e {
namespace {

/// A table with one column of each type.
struct Typed : Tenant {
    std::string id;
    Typed() {
        Provision();
        id = CreateTable("typed", Columns({{"t", "text"},
                                           {"i", "integer"},
                                           {"d", "decimal"},
                                           {"b", "boolean"},
                                           {"dt", "date"},
                                           {"ts", "datetime"},
                                           {"req", "text", false}}));
    }
    Response Insert(const std::string& rows) {
        return http.Post(Api("/" + id + "/data"), token, R"({"rows":)" + rows + "}");
    }
    /// Inserts one row with `column` = `json_value` and returns that value as read back (exact JSON text).
    std::string RoundTrip(const std::string& column, const std::string& json_value) {
        auto r = Insert(R"([{"req":"x",")" + column + "\":" + json_value + "}]");
        REQUIRE_STATUS(r, 201);
        auto list = http.Get(Api("/" + id + "/data?sort_by=-id&per_page=1"), token);
        REQUIRE_STATUS(list, 200);
        auto doc = list.ExactJson();
        return mt::json::Serialize(doc["records"][0][column.c_str()]);
    }
    /// Expects a 422 whose details name exactly `field`, and no new row.
    void Rejected(const std::string& rows, const std::string& field) {
        std::int64_t before = RowCount(id);
        auto r = Insert(rows);
        CHECK_ERROR(r, 422, "VALIDATION_ERROR");
        auto fields = DetailFields(r);
        INFO(r.Describe());
        CHECK(std::find(fields.begin(), fields.end(), field) != fields.end());
        CHECK(RowCount(id) == before);
    }
};

TEST_CASE("values round-trip exactly (SPEC §6)", "[rows][values]") {
    Typed t;
    SECTION("decimal keeps its digits") {
        CHECK(t.RoundTrip("d", "89.90") == "89.90");
        CHECK(t.RoundTrip("d", "159.90") == "159.90");
        CHECK(t.RoundTrip("d", "\"89.90\"") == "89.90");
        CHECK(t.RoundTrip("d", "12345678901234567890.123456789012345") == "12345678901234567890.123456789012345");
        CHECK(t.RoundTrip("d", "-0.000001") == "-0.000001");
        CHECK(t.RoundTrip("d", "0") == "0");
        CHECK(t.RoundTrip("d", "30") == "30");
    }
    SECTION("integer: numbers and digit strings, int64 range") {
        CHECK(t.RoundTrip("i", "42") == "42");
        CHECK(t.RoundTrip("i", "\"42\"") == "42");
        CHECK(t.RoundTrip("i", "-9223372036854775808") == "-9223372036854775808");
        CHECK(t.RoundTrip("i", "9223372036854775807") == "9223372036854775807");
        CHECK(t.RoundTrip("i", "\"-7\"") == "-7");
    }
    SECTION("datetime: offsets converted to UTC with milliseconds") {
        CHECK(t.RoundTrip("ts", "\"2026-01-15T10:30:00Z\"") == "\"2026-01-15T10:30:00.000Z\"");
        CHECK(t.RoundTrip("ts", "\"2026-01-15T10:30:00-03:00\"") == "\"2026-01-15T13:30:00.000Z\"");
        CHECK(t.RoundTrip("ts", "\"2026-01-15T23:30:00.250+05:30\"") == "\"2026-01-15T18:00:00.250Z\"");
        CHECK(t.RoundTrip("ts", "\"2026-01-15T10:30:00\"") == "\"2026-01-15T10:30:00.000Z\"");  // no offset = UTC
        CHECK(t.RoundTrip("ts", "\"2025-12-31T23:59:59.999-01:00\"") == "\"2026-01-01T00:59:59.999Z\"");
    }
    SECTION("date, boolean, text, null") {
        CHECK(t.RoundTrip("dt", "\"2026-01-15\"") == "\"2026-01-15\"");
        CHECK(t.RoundTrip("dt", "\"2024-02-29\"") == "\"2024-02-29\"");
        CHECK(t.RoundTrip("b", "true") == "true");
        CHECK(t.RoundTrip("b", "false") == "false");
        CHECK(t.RoundTrip("t", "\"Camisa ação 👕\"") == "\"Camisa ação 👕\"");
        CHECK(t.RoundTrip("t", "\"\"") == "\"\"");
        CHECK(t.RoundTrip("i", "null") == "null");
        auto omitted = t.Insert(R"([{"req":"only"}])");
        REQUIRE_STATUS(omitted, 201);
    }
}

TEST_CASE("values of the wrong type → 422 with the field path rows[i].col", "[rows][values]") {
    Typed t;
    t.Rejected(R"([{"req":"x","i":"abc"}])", "rows[0].i");
    t.Rejected(R"([{"req":"x","i":1.5}])", "rows[0].i");
    t.Rejected(R"([{"req":"x","i":1e3}])", "rows[0].i");
    t.Rejected(R"([{"req":"x","i":9223372036854775808}])", "rows[0].i");
    t.Rejected(R"([{"req":"x","i":" 42"}])", "rows[0].i");
    t.Rejected(R"([{"req":"x","i":true}])", "rows[0].i");
    t.Rejected(R"([{"req":"x","d":"12,5"}])", "rows[0].d");
    t.Rejected(R"([{"req":"x","d":"NaN"}])", "rows[0].d");
    t.Rejected(R"([{"req":"x","d":[1]}])", "rows[0].d");
    t.Rejected(R"([{"req":"x","b":"true"}])", "rows[0].b");
    t.Rejected(R"([{"req":"x","b":1}])", "rows[0].b");
    t.Rejected(R"([{"req":"x","dt":"2026-02-30"}])", "rows[0].dt");
    t.Rejected(R"([{"req":"x","dt":"15/01/2026"}])", "rows[0].dt");
    t.Rejected(R"([{"req":"x","dt":"0000-01-01"}])", "rows[0].dt");
    t.Rejected(R"([{"req":"x","ts":"yesterday"}])", "rows[0].ts");
    t.Rejected(R"([{"req":"x","ts":"2026-01-15T25:00:00Z"}])", "rows[0].ts");
    t.Rejected(R"([{"req":"x","t":5}])", "rows[0].t");
    t.Rejected(R"([{"req":"x","t":{"a":1}}])", "rows[0].t");
    t.Rejected(R"([{"req":null}])", "rows[0].req");
    t.Rejected(R"([{"t":"no req"}])", "rows[0].req");
    t.Rejected(R"([{"req":"x","nope":1}])", "rows[0].nope");
    t.Rejected(R"([{"req":"x","id":"00000000-0000-7000-8000-000000000000"}])", "rows[0].id");
    t.Rejected(R"([{"req":"x"},"not an object"])", "rows[1]");
}

TEST_CASE("inserts are all or nothing", "[rows][values]") {
    Typed t;
    REQUIRE_STATUS(t.Insert(R"([{"req":"seed"}])"), 201);
    std::string rows = "[";
    for (int i = 0; i < 500; ++i) rows += R"({"req":"ok","i":)" + std::to_string(i) + "},";
    t.Rejected(rows + R"({"req":"bad","i":"x"}])", "rows[500].i");
    t.Rejected(R"([{"req":"a"},{"req":"b","d":"x"},{"req":"c"}])", "rows[1].d");
    SECTION("every bad row is reported, not just the first") {
        auto r = t.Insert(R"([{"req":"a","i":"x"},{"req":"b"},{"req":"c","b":"no"}])");
        CHECK_ERROR(r, 422, "VALIDATION_ERROR");
        CHECK(DetailFields(r) == std::vector<std::string>{"rows[0].i", "rows[2].b"});
    }
    // Only the seed row exists, in the API and in PostgreSQL.
    CHECK(t.RowCount(t.id) == 1);
    CHECK(t.stack.CompanyQuery(t.company, "SELECT count(*) FROM public.typed")[0][0] == "1");
}

TEST_CASE("batch size: 1..10,000 rows", "[rows][values]") {
    Typed t;
    auto rows = [](int n) {
        std::string out = "[";
        for (int i = 0; i < n; ++i) out += std::string(i ? "," : "") + R"({"req":"r","i":)" + std::to_string(i) + "}";
        return out + "]";
    };
    SECTION("0 rows → 422") {
        auto r = t.Insert("[]");
        CHECK_ERROR(r, 422, "VALIDATION_ERROR");
        CHECK(DetailFields(r) == std::vector<std::string>{"rows"});
    }
    SECTION("rows missing or not an array → 422") {
        CHECK_ERROR(t.http.Post(Api("/" + t.id + "/data"), t.token, "{}"), 422, "VALIDATION_ERROR");
        CHECK_ERROR(t.http.Post(Api("/" + t.id + "/data"), t.token, R"({"rows":{"req":"x"}})"), 422,
                    "VALIDATION_ERROR");
        CHECK_ERROR(t.http.Post(Api("/" + t.id + "/data"), t.token, R"({"rows":null})"), 422, "VALIDATION_ERROR");
    }
    SECTION("10,001 rows → 422, nothing inserted") {
        auto r = t.Insert(rows(10'001));
        CHECK_ERROR(r, 422, "VALIDATION_ERROR");
        CHECK(DetailFields(r) == std::vector<std::string>{"rows"});
        CHECK(t.RowCount(t.id) == 0);
    }
    SECTION("10,000 rows → 201") {
        auto r = t.Insert(rows(10'000));
        REQUIRE_STATUS(r, 201);
        CHECK(r.body == R"({"inserted":10000})");
        CHECK(t.RowCount(t.id) == 10'000);
    }
}

}  // namespace
}  // namespace e2e

namespace e2e {
namespace {

// Issue 8: rapidjson refused numbers beyond a double (400 "malformed JSON"); SPEC §6 decimals are exact.
TEST_CASE("decimals beyond a double are stored exactly, and such integers are a 422 naming the field",
          "[rows][values]") {
    Typed t;
    CHECK(t.RoundTrip("d", "1e400") == "1" + std::string(400, '0'));
    const std::string thousand_digits = "1234567890" + std::string(990, '7');
    CHECK(t.RoundTrip("d", thousand_digits + ".25") == thousand_digits + ".25");
    CHECK(t.RoundTrip("d", "-" + thousand_digits) == "-" + thousand_digits);
    t.Rejected(R"([{"req":"x","i":)" + thousand_digits + "}]", "rows[0].i");
    t.Rejected(R"([{"req":"x","i":1e400}])", "rows[0].i");
}

// Issue 8: PostgreSQL's own message ("value overflows numeric format") reached the 422 body.
TEST_CASE("a value the database refuses is a 422 in our words, without the server's message", "[rows][values]") {
    Typed t;
    const std::int64_t before = t.RowCount(t.id);
    // The most digits and the largest exponent the type layer lets through: more than NUMERIC can hold.
    auto r = t.Insert(R"([{"req":"x","d":)" + std::string(131072, '9') + "e1000}]");
    CHECK_ERROR(r, 422, "VALIDATION_ERROR");
    INFO(r.Describe());
    CHECK_THAT(Str(r.Json()["error"]), Catch::Contains("for the column's type"));
    CHECK_THAT(r.body, !Catch::Contains("overflows") && !Catch::Contains("numeric format") &&
                           !Catch::Contains("COPY") && !Catch::Contains("typed"));
    CHECK(t.RowCount(t.id) == before);
}

// Issue 8: one object with a repeated key was read first-wins here and last-wins elsewhere.
TEST_CASE("a request body with a duplicate key is a 400", "[rows][values]") {
    Typed t;
    const std::int64_t before = t.RowCount(t.id);
    auto r = t.Insert(R"([{"req":"first","req":"second"}])");
    CHECK_ERROR(r, 400, "BAD_REQUEST");
    CHECK_THAT(Str(r.Json()["error"]), Catch::Contains("duplicate key \"req\""));
    CHECK(t.RowCount(t.id) == before);
    auto top = t.http.Post(Api("/" + t.id + "/data"), t.token, R"({"rows":[{"req":"a"}],"rows":[]})");
    CHECK_ERROR(top, 400, "BAD_REQUEST");
}

}  // namespace
}  // namespace e2e
