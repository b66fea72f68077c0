// SPEC §9: tables carry `description` (≤ 1,000 characters, nullable) and `metadata` (a JSON object ≤ 64 KiB) on
// create, update and every read.
#include "e2e.hpp"

namespace e2e {
namespace {

const std::string kCols = R"([{"name":"a","type":"text"}])";

std::string CreateBody(const std::string& name, const std::string& extra) {
    return R"({"display_name":")" + name + R"(","columns":)" + kCols + (extra.empty() ? "" : "," + extra) + "}";
}

/// {"k":"xxx…"} whose compact JSON is exactly `bytes` long.
std::string MetadataOfSize(std::size_t bytes) {
    const std::size_t overhead = std::string(R"({"k":""})").size();
    return R"({"k":")" + std::string(bytes - overhead, 'x') + "\"}";
}

TEST_CASE("a new table has no description and empty metadata", "[table-metadata]") {
    Tenant t;
    t.Provision();
    auto id = t.CreateTable("plain", kCols);
    auto r = t.http.Get(Api("/" + id), t.token);
    REQUIRE_STATUS(r, 200);
    auto j = r.Json();
    CHECK(j["description"].IsNull());
    REQUIRE(j["metadata"].IsObject());
    CHECK(j["metadata"].ObjectEmpty());
}

TEST_CASE("description and metadata are set on create and shown by every read", "[table-metadata]") {
    Tenant t;
    t.Provision();
    auto created =
        t.http.Post(Api(), t.token,
                    CreateBody("described", R"("description":"Vendas por região — 2026","metadata":{"owner":"bi",)"
                                            R"("tags":["a","b"],"refresh":{"every_hours":6,"ratio":0.25}})"));
    REQUIRE_STATUS(created, 201);
    const std::string id = Str(created.Json()["_id"]);
    auto check = [](const rapidjson::Value& table) {
        CHECK(Str(table["description"]) == "Vendas por região — 2026");
        CHECK(Str(table["metadata"]["owner"]) == "bi");
        CHECK(table["metadata"]["tags"].Size() == 2);
        CHECK(table["metadata"]["refresh"]["every_hours"].GetInt64() == 6);
        CHECK(table["metadata"]["refresh"]["ratio"].GetDouble() == 0.25);
    };
    check(created.Json());
    check(t.http.Get(Api("/" + id), t.token).Json());
    auto list = t.http.Get(Api(), t.token).Json();
    REQUIRE(list["records"].Size() == 1);
    check(list["records"][0]);
}

TEST_CASE("PUT and PATCH change description and metadata alone or with other fields", "[table-metadata]") {
    Tenant t;
    t.Provision();
    auto id = t.CreateTable("changing", kCols);
    auto patched = t.http.Patch(Api("/" + id), t.token, R"({"description":"first","metadata":{"v":1}})");
    REQUIRE_STATUS(patched, 200);
    CHECK(Str(patched.Json()["description"]) == "first");
    CHECK(patched.Json()["metadata"]["v"].GetInt64() == 1);
    // Absent fields stay; metadata is replaced as a whole.
    auto renamed = t.http.Put(Api("/" + id), t.token, R"({"display_name":"changed","metadata":{"w":2}})");
    REQUIRE_STATUS(renamed, 200);
    auto j = renamed.Json();
    CHECK(Str(j["display_name"]) == "changed");
    CHECK(Str(j["description"]) == "first");
    CHECK_FALSE(j["metadata"].HasMember("v"));
    CHECK(j["metadata"]["w"].GetInt64() == 2);
    // null removes the description; {} empties the metadata.
    auto cleared = t.http.Patch(Api("/" + id), t.token, R"({"description":null,"metadata":{}})");
    REQUIRE_STATUS(cleared, 200);
    CHECK(cleared.Json()["description"].IsNull());
    CHECK(cleared.Json()["metadata"].ObjectEmpty());
    auto read = t.http.Get(Api("/" + id), t.token).Json();
    CHECK(read["description"].IsNull());
    CHECK(read["metadata"].ObjectEmpty());
}

TEST_CASE("description and metadata bounds and types → 422 naming the field", "[table-metadata]") {
    Tenant t;
    t.Provision();
    auto id = t.CreateTable("bounded", kCols);
    std::string thousand;
    for (int i = 0; i < 1000; ++i) thousand += "ç";  // 1,000 characters, 2,000 bytes: within the bound
    const std::string at_limit = MetadataOfSize(64 * 1024);
    auto ok = t.http.Patch(Api("/" + id), t.token,
                           R"({"description":)" + JsonString(thousand) + R"(,"metadata":)" + at_limit + "}");
    REQUIRE_STATUS(ok, 200);
    CHECK(Str(ok.Json()["description"]) == thousand);
    CHECK(Str(ok.Json()["metadata"]["k"]).size() == at_limit.size() - 8);

    struct Case {
        std::string member;
        std::string field;
    };
    const std::vector<Case> cases = {
        {R"("description":)" + JsonString(std::string(1001, 'd')), "description"},
        {R"("description":)" + JsonString(thousand + "x"), "description"},
        {R"("description":42)", "description"},
        {R"("description":["x"])", "description"},
        {R"("metadata":)" + MetadataOfSize(64 * 1024 + 1), "metadata"},
        {R"("metadata":[1,2])", "metadata"},
        {R"("metadata":"text")", "metadata"},
        {R"("metadata":null)", "metadata"},
        {R"("metadata":{"a":"\u0000"})", "metadata"},
    };
    for (const auto& c : cases) {
        INFO(c.member.substr(0, 80));
        auto update = t.http.Patch(Api("/" + id), t.token, "{" + c.member + "}");
        CHECK_ERROR(update, 422, "VALIDATION_ERROR");
        CHECK(DetailFields(update) == std::vector<std::string>{c.field});
        auto create = t.http.Post(Api(), t.token, CreateBody("never", c.member));
        CHECK_ERROR(create, 422, "VALIDATION_ERROR");
        CHECK(DetailFields(create) == std::vector<std::string>{c.field});
    }
    // Nothing of the refused requests was applied or created.
    auto read = t.http.Get(Api("/" + id), t.token).Json();
    CHECK(Str(read["description"]) == thousand);
    CHECK(t.http.Get(Api(), t.token).Json()["total"].GetInt64() == 1);
}

}  // namespace
}  // namespace e2e
