#pragma once
/// What the end-to-end suites share: one Stack per test executable, a Tenant (company + token + client) per test
/// case, and assertions on the SPEC §4/§5 shapes.
#include <catch2/catch.hpp>

#include <functional>
#include <map>
#include <set>
#include <string>
#include <string_view>
#include <vector>

#include "mt/testing/env.hpp"
#include "mt/testing/stack.hpp"

namespace e2e {

using mt::testing::HttpClient;
using mt::testing::kApi;
using mt::testing::Response;
using mt::testing::Stack;
using mt::testing::StackOptions;

/// The executable's stack, started on first use with `options` (the first call's options win). If an earlier
/// test crashed the gateway, it is restarted and the crash reported on stderr.
Stack& SharedStack(const StackOptions& options = {});

/// A company of its own for one test case: random id, an all-permission token, a client.
struct Tenant {
    explicit Tenant(Stack& stack = SharedStack());

    /// POST /provision; REQUIREs 200 and returns the connection id.
    std::string Provision();
    /// POST / with {display_name, columns}; REQUIREs 201 and returns the table's _id.
    std::string CreateTable(std::string_view display_name, std::string_view columns_json);
    /// POST /:id/data with {"rows": rows_json}; REQUIREs 201 with the inserted count.
    void Insert(std::string_view table_id, std::string_view rows_json);
    /// GET /:id/data?<query>; REQUIREs 200 and returns the parsed body.
    rapidjson::Document Rows(std::string_view table_id, std::string_view query = "per_page=1000");
    /// GET /:id; REQUIREs 200 and returns row_count.
    std::int64_t RowCount(std::string_view table_id);
    /// The company's database name (REQUIREs that it exists).
    std::string Database();

    Stack& stack;
    std::string company;
    std::string token;
    HttpClient http;
};

/// kApi + suffix, e.g. Api("/status").
std::string Api(std::string_view suffix = "");

/// `n` requests sent at once, each on its own client (60 s timeout); `request(client, i)` makes the i-th.
std::vector<Response> Parallel(Stack& stack, int n, const std::function<Response(HttpClient&, int)>& request);
/// How many responses had each status.
std::map<int, int> StatusCounts(const std::vector<Response>& responses);

bool IsObjectIdText(std::string_view s);
bool IsUuidText(std::string_view s);
/// 2026-01-15T10:30:00.000Z
bool IsIsoMillisUtc(std::string_view s);
std::set<std::string> Keys(const rapidjson::Value& object);
std::string Str(const rapidjson::Value& v);  // a string member's text ("" with a failed CHECK otherwise)

/// Checks the SPEC §5 error body: status, error_code, `error` (verbatim when `message` is given), a non-empty
/// request_id (equal to `request_id` when given), and a `details` array of {field, message} exactly on 422 and on
/// 400 QUERY_SYNTAX_ERROR
/// (its content is checked by the tests, with DetailFields).
void ExpectError(const Response& r, int status, std::string_view code, std::string_view message = {},
                 std::string_view request_id = {});
/// The `field`s of a 422's details.
std::vector<std::string> DetailFields(const Response& r);

/// Several table-column JSON objects: {"name","display_name","type","nullable"}.
struct Col {
    std::string name;
    std::string type;
    bool nullable = true;
};
std::string Columns(const std::vector<Col>& columns);

/// A JSON string literal (quotes and escapes), for building bodies from arbitrary bytes.
std::string JsonString(std::string_view s);

}  // namespace e2e

/// REQUIRE/CHECK a response status, printing the response on failure.
#define REQUIRE_STATUS(resp, code)          \
    do {                                    \
        const auto& mt_resp_ = (resp);      \
        INFO(mt_resp_.Describe());          \
        REQUIRE(mt_resp_.status == (code)); \
    } while (0)
#define CHECK_STATUS(resp, code)          \
    do {                                  \
        const auto& mt_resp_ = (resp);    \
        INFO(mt_resp_.Describe());        \
        CHECK(mt_resp_.status == (code)); \
    } while (0)
/// ExpectError with the caller's line in the failure message.
#define CHECK_ERROR(resp, ...)                              \
    do {                                                    \
        INFO("checked at " << __FILE__ << ":" << __LINE__); \
        ::e2e::ExpectError((resp), __VA_ARGS__);            \
    } while (0)
