// The upload intake: which requests are spooled, and the spool file itself.
#include "body_spool.hpp"

#include <catch2/catch.hpp>

#include "head_gate.hpp"

using mt::gateway::BodySpool;
using mt::gateway::HeadGate;
using mt::gateway::RequestHead;
using mt::gateway::SpooledBodyLength;

namespace {

/// The head the gate reads from `text`, when it reads one (complete and well formed).
std::optional<RequestHead> ParseRequestHead(std::string_view text) {
    HeadGate gate;
    gate.Push(text);
    if (gate.state() != HeadGate::State::kDone) return std::nullopt;
    return gate.head();
}

std::optional<std::size_t> SpooledLength(const std::string& head) {
    auto parsed = ParseRequestHead(head);
    return parsed ? SpooledBodyLength(*parsed) : std::nullopt;
}

}  // namespace

TEST_CASE("a request head is parsed only when complete and well formed") {
    auto head = ParseRequestHead(
        "POST /api/v1/managed-tables/upload?x=1 HTTP/1.1\r\nHost: a\r\n"
        "Content-Type: multipart/form-data; boundary=b\r\nX-Request-Id:  r1 \r\n\r\nBODY");
    REQUIRE(head);
    CHECK(head->method == "POST");
    CHECK(head->target == "/api/v1/managed-tables/upload?x=1");
    CHECK(head->version == "HTTP/1.1");
    CHECK(head->size == std::string_view("POST /api/v1/managed-tables/upload?x=1 HTTP/1.1\r\nHost: a\r\n"
                                         "Content-Type: multipart/form-data; boundary=b\r\nX-Request-Id:  r1 \r\n\r\n")
                            .size());
    REQUIRE(head->Find("x-request-id"));
    CHECK(*head->Find("x-request-id") == "r1");
    CHECK(head->Find("content-length") == nullptr);
    CHECK_FALSE(ParseRequestHead("POST /upload HTTP/1.1\r\nHost: a\r\n"));  // not complete yet
    CHECK_FALSE(ParseRequestHead("POST\r\n\r\n"));
    CHECK_FALSE(ParseRequestHead("POST upload HTTP/1.1\r\n\r\n"));
    CHECK_FALSE(ParseRequestHead("POST /upload HTTP/1.1\r\nno colon\r\n\r\n"));
}

TEST_CASE("only multipart POSTs to an upload route with a Content-Length are spooled") {
    const std::string upload =
        "POST /api/v1/managed-tables/upload HTTP/1.1\r\nContent-Type: multipart/form-data; "
        "boundary=b\r\nContent-Length: 1234\r\n\r\n";
    CHECK(SpooledLength(upload) == std::optional<std::size_t>(1234));
    CHECK(SpooledLength("POST /api/v1/managed-tables/abc/upload?mode=append HTTP/1.1\r\nContent-Type: Multipart/Form-"
                        "Data; boundary=b\r\nContent-Length: 0\r\n\r\n") == std::optional<std::size_t>(0));
    CHECK_FALSE(
        SpooledLength("POST /api/v1/managed-tables HTTP/1.1\r\nContent-Type: multipart/form-data\r\n"
                      "Content-Length: 5\r\n\r\n"));
    CHECK_FALSE(
        SpooledLength("PUT /api/v1/managed-tables/upload HTTP/1.1\r\nContent-Type: multipart/form-data\r\n"
                      "Content-Length: 5\r\n\r\n"));
    CHECK_FALSE(
        SpooledLength("POST /api/v1/managed-tables/upload HTTP/1.1\r\nContent-Type: application/json\r\n"
                      "Content-Length: 5\r\n\r\n"));
    CHECK_FALSE(
        SpooledLength("POST /api/v1/managed-tables/upload HTTP/1.1\r\nContent-Type: multipart/form-data\r\n"
                      "Transfer-Encoding: chunked\r\n\r\n"));
    CHECK_FALSE(
        SpooledLength("POST /api/v1/managed-tables/upload HTTP/1.1\r\nContent-Type: multipart/form-data\r\n"
                      "Content-Length: 12x\r\n\r\n"));
}

TEST_CASE("a spool takes exactly the declared body and maps it back") {
    auto spool = BodySpool::Create("/tmp", 10);
    REQUIRE(spool);
    auto& s = **spool;
    CHECK(*s.Append("hello") == 5);
    CHECK_FALSE(s.complete());
    CHECK_FALSE(s.Map());
    CHECK(*s.Append("world, and the next request") == 5);  // the rest belongs to what follows
    CHECK(s.complete());
    CHECK(*s.Append("more") == 0);
    auto body = s.Map();
    REQUIRE(body);
    CHECK(*body == "helloworld");
    auto empty = BodySpool::Create("/tmp", 0);
    REQUIRE(empty);
    CHECK((*empty)->complete());
    CHECK((*empty)->Map()->empty());
    CHECK_FALSE(BodySpool::Create("/nonexistent/dir", 1));
}
