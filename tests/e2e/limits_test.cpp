// SPEC §7a ugly inputs: oversized and truncated JSON, deep nesting, 1 MB cells, 1600 columns, unknown routes.
#include "e2e.hpp"

#include <unistd.h>

#include <filesystem>

#include "mt/testing/raw_socket.hpp"
#include "mt/testing/wait.hpp"

namespace e2e {
namespace {

constexpr std::size_t kJsonLimit = 4u << 20;  // MT_MAX_JSON_BYTES of this suite's gateway

Stack& LimitedStack() {
    StackOptions options;
    options.name = "limits";
    options.gateway_env = {{"MT_MAX_JSON_BYTES", std::to_string(kJsonLimit)}};
    return SharedStack(options);
}

/// The gateway still answers (a crash would show as a transport error or a restarted process).
void CheckAlive(Tenant& t) {
    auto r = t.http.Get(Api("/status"), t.token);
    CHECK_STATUS(r, 200);
    CHECK(t.stack.gateway().Running());
}

std::string ManyColumns(int n) {
    std::vector<Col> cols;
    for (int i = 0; i < n; ++i) cols.push_back({"c" + std::to_string(i), "text"});
    return Columns(cols);
}

TEST_CASE("JSON bodies over MT_MAX_JSON_BYTES → 413 PAYLOAD_TOO_LARGE", "[limits]") {
    Tenant t(LimitedStack());
    t.Provision();
    std::string id = t.CreateTable("big", Columns({{"v", "text"}}));
    std::string over = R"({"rows":[{"v":")" + std::string(kJsonLimit, 'x') + R"("}]})";
    CHECK_ERROR(t.http.Post(Api("/" + id + "/data"), t.token, over), 413, "PAYLOAD_TOO_LARGE");
    CHECK_ERROR(t.http.Post(Api(), t.token, over), 413, "PAYLOAD_TOO_LARGE");
    CHECK_ERROR(t.http.Put(Api("/" + id), t.token, over), 413, "PAYLOAD_TOO_LARGE");
    CHECK(t.RowCount(id) == 0);
    CheckAlive(t);
}

TEST_CASE("truncated and broken JSON → 400 BAD_REQUEST, nothing inserted", "[limits]") {
    Tenant t(LimitedStack());
    t.Provision();
    std::string id = t.CreateTable("trunc", Columns({{"v", "text"}, {"n", "integer"}}));
    std::string body = R"({"rows":[{"v":"hello \"world\"","n":1},{"v":"ação","n":2}]})";
    for (std::size_t cut = 0; cut < body.size(); ++cut) {
        INFO("first " << cut << " bytes");
        CHECK_ERROR(t.http.Post(Api("/" + id + "/data"), t.token, body.substr(0, cut)), 400, "BAD_REQUEST");
    }
    for (std::string bad :
         {"{\"rows\":[{\"v\":\"\xff\xfe\"}]}", "{\"rows\":[{\"v\":\"\xc3\"}]}", "{\"rows\":[{\"v\":\"\\ud800\"}]}",
          "{\"rows\":[] ,}", "{\"rows\":[1,]}", "{\"rows\":[{\"v\":'x'}]}", "{\"rows\":[{\"n\":01}]}",
          "{\"rows\":[{\"n\":NaN}]}", "\xef\xbb\xbf{\"rows\":[]}"}) {
        INFO("body: " << bad);
        auto r = t.http.Post(Api("/" + id + "/data"), t.token, bad);
        CHECK(r.status >= 400);
        CHECK(r.status < 500);
    }
    CHECK(t.RowCount(id) == 0);
    CheckAlive(t);
}

// Deep nesting must be refused, not recursed into until the stack overflows.
TEST_CASE("deeply nested JSON → 4xx and the gateway survives", "[limits]") {
    Tenant t(LimitedStack());
    t.Provision();
    std::string id = t.CreateTable("deep", Columns({{"v", "text"}}));
    for (std::size_t depth : {1'000u, 100'000u, 1'000'000u}) {
        INFO("depth " << depth);
        std::string body = R"({"rows":)" + std::string(depth, '[') + std::string(depth, ']') + "}";
        auto r = t.http.Post(Api("/" + id + "/data"), t.token, body);
        INFO(r.Describe());
        CHECK(r.status >= 400);
        CHECK(r.status < 500);
        auto& gw = t.stack.gateway();
        if (r.status == 0) (void)gw.Wait(std::chrono::seconds(10));  // a dying process takes a moment
        CHECK(gw.Running());
        if (!gw.Running()) {
            FAIL_CHECK("mt-gateway died with exit status " << gw.exit_status().value_or(-1));
            t.stack.RestartGateway();  // keep the suite going after a crash
            t.http = t.stack.Client();
        }
    }
}

TEST_CASE("a 1 MB text cell round-trips byte-identical", "[limits]") {
    Tenant t(LimitedStack());
    t.Provision();
    std::string id = t.CreateTable("cells", Columns({{"v", "text"}, {"n", "integer"}}));
    std::string cell;
    cell.reserve(1 << 20);
    for (int i = 0; cell.size() < (1u << 20); ++i) cell += "línea " + std::to_string(i) + "\t\"q\"\\\n";
    cell.resize(1 << 20);
    while ((static_cast<unsigned char>(cell.back()) & 0xC0) == 0x80 || static_cast<unsigned char>(cell.back()) >= 0xC0)
        cell.pop_back();  // do not cut a UTF-8 sequence
    t.Insert(id, R"([{"v":)" + JsonString(cell) + R"(,"n":1}])");
    auto rows = t.Rows(id);
    CHECK(Str(rows["records"][0]["v"]) == cell);
    std::string row = Str(rows["records"][0]["id"]);
    std::string reversed(cell.rbegin(), cell.rend());
    std::string ascii(1 << 20, 'z');
    auto u = t.http.Put(Api("/" + id + "/data/" + row), t.token, R"({"v":)" + JsonString(ascii) + "}");
    REQUIRE_STATUS(u, 200);
    CHECK(Str(u.Json()["v"]) == ascii);
    CHECK(t.stack.CompanyQuery(t.company, "SELECT length(v) FROM public.cells")[0][0] == std::to_string(1 << 20));
}

// PostgreSQL allows 1600 columns per table including the row-id column, so the API allows 1599 and says why.
TEST_CASE("1600 columns → 422 with a detail on columns (the row id is the 1600th)", "[limits]") {
    Tenant t(LimitedStack());
    t.Provision();
    auto over = t.http.Post(Api(), t.token, R"({"display_name":"too_wide","columns":)" + ManyColumns(1600) + "}");
    CHECK_ERROR(over, 422, "VALIDATION_ERROR");
    auto body = over.Json();
    REQUIRE(body["details"].Size() >= 1);
    CHECK(Str(body["details"][0]["field"]) == "columns");
}

TEST_CASE("1599 columns create works and 10,000 columns → 422 quickly", "[limits]") {
    Tenant t(LimitedStack());
    t.Provision();
    auto wide = t.http.Post(Api(), t.token, R"({"display_name":"wide","columns":)" + ManyColumns(1599) + "}");
    REQUIRE_STATUS(wide, 201);
    std::string id = Str(wide.Json()["_id"]);
    t.Insert(id, R"([{"c0":"first","c1598":"last"}])");
    CHECK(Str(t.Rows(id)["records"][0]["c1598"]) == "last");
    auto huge = t.http.Post(Api(), t.token, R"({"display_name":"huge","columns":)" + ManyColumns(10'000) + "}");
    CHECK_ERROR(huge, 422, "VALIDATION_ERROR");
    CheckAlive(t);
}

TEST_CASE("unknown routes → 404 JSON and wrong methods → 405 JSON", "[limits]") {
    Tenant t(LimitedStack());
    for (std::string path : {"/api/v1/managed-tables/a/b/c/d", "/api/v2/managed-tables", "/", "/nope",
                             "/api/v1/managed-tablesx", "/api/v1/managed-tables/upload-jobs/a/b"}) {
        INFO("path: " << path);
        auto r = t.http.Get(path, t.token);
        CHECK_ERROR(r, 404, "NOT_FOUND");
    }
    auto r = t.http.Request("PATCH", Api("/status"), "{}", mt::testing::WithBearer(t.token));
    CHECK(r.status == 405);
    CHECK(r.Json()["error_code"].IsString());
    CHECK(r.Json()["request_id"].IsString());
}

TEST_CASE("absurd query parameters → 400 or clamped (414 over an 8 KiB request line), never 500", "[limits]") {
    Tenant t(LimitedStack());
    t.Provision();
    std::string id = t.CreateTable("q", Columns({{"v", "text"}}));
    std::vector<std::string> queries = {"page=99999999999999999999",
                                        "per_page=99999999999999999999",
                                        "page=2147483647",
                                        "page=100000000&per_page=1000",
                                        "sort_by=" + std::string(10'000, 'v'),
                                        "sort_by=" + std::string(5'000, ','),
                                        "page=&per_page=",
                                        "page=%00"};
    for (const auto& q : queries) {
        INFO("query: " << q.substr(0, 60));
        auto r = t.http.Get(Api("/" + id + "/data?" + q), t.token);
        CHECK((r.status == 200 || r.status == 400 || (q.size() > (8u << 10) - 100 && r.status == 414)));
    }
    auto list = t.http.Get(Api("?search=" + std::string(100'000, 's')), t.token);
    CHECK_ERROR(list, 414, "URI_TOO_LONG");
    CheckAlive(t);
}

/// The gateway's open files that were unlinked: its upload spool files.
int SpoolFilesOpen(Stack& stack) {
    int n = 0;
    for (const auto& fd :
         std::filesystem::directory_iterator("/proc/" + std::to_string(stack.gateway().pid()) + "/fd")) {
        std::error_code ec;
        auto target = std::filesystem::read_symlink(fd.path(), ec);
        if (!ec && target.string().find("(deleted)") != std::string::npos) ++n;
    }
    return n;
}

TEST_CASE("uploads cut off mid-body leave no spool file open and the gateway serving", "[limits]") {
    using namespace std::chrono_literals;
    Tenant t(LimitedStack());
    t.Provision();
    const int port = mt::testing::PortOf(t.stack.base_url());
    const std::string body =
        "--b\r\nContent-Disposition: form-data; name=\"files\"; filename=\"a.csv\"\r\n\r\n" + std::string(1 << 20, 'x');
    for (int i = 0; i < 5; ++i) {
        int fd = mt::testing::ConnectLoopback(port);
        REQUIRE(fd >= 0);
        mt::testing::SendAll(fd, "POST " + Api("/upload") + " HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer " + t.token +
                                     "\r\nContent-Type: multipart/form-data; boundary=b\r\nContent-Length: " +
                                     std::to_string(body.size() * 4) + "\r\n\r\n" + body);
        if (i == 0) {  // while it is arriving, the body is in a spool file, not in memory
            mt::testing::WaitUntil([&] { return SpoolFilesOpen(t.stack) == 1; }, 10s, "the upload's spool file");
        }
        ::close(fd);
    }
    mt::testing::WaitUntil([&] { return SpoolFilesOpen(t.stack) == 0; }, 10s, "spool files to be closed");
    CheckAlive(t);
}

}  // namespace
}  // namespace e2e
