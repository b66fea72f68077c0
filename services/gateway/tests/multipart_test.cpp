#include <catch2/catch.hpp>

#include "multipart.hpp"

using mt::gateway::MultipartBoundary;
using mt::gateway::ParseMultipart;

TEST_CASE("boundary comes from the content type") {
    CHECK(*MultipartBoundary("multipart/form-data; boundary=----abc") == "----abc");
    CHECK(*MultipartBoundary("Multipart/Form-Data; charset=x; boundary=\"q q\"") == "q q");
    CHECK_FALSE(MultipartBoundary("application/json").ok());
    CHECK_FALSE(MultipartBoundary("multipart/form-data").ok());
}

TEST_CASE("files and fields are parsed, binary content kept byte for byte") {
    std::string content("a,b\r\n1,2\r\n\0\xFF--x", 16);
    std::string body =
        "--XyZ\r\nContent-Disposition: form-data; name=\"files\"; filename=\"s\\\"a.csv\"\r\n"
        "Content-Type: text/csv\r\n\r\n" +
        content +
        "\r\n--XyZ\r\n"
        "Content-Disposition: form-data; name=\"mode\"\r\n\r\nreplace\r\n--XyZ--\r\n";
    auto parts = ParseMultipart(body, "XyZ");
    REQUIRE(parts.ok());
    REQUIRE(parts->size() == 2);
    CHECK((*parts)[0].name == "files");
    CHECK((*parts)[0].filename == "s\"a.csv");
    CHECK((*parts)[0].content_type == "text/csv");
    CHECK((*parts)[0].data == content);
    CHECK((*parts)[1].name == "mode");
    CHECK_FALSE((*parts)[1].has_filename);
    CHECK((*parts)[1].data == "replace");
}

TEST_CASE("truncated and malformed bodies are rejected") {
    std::string head = "--B\r\nContent-Disposition: form-data; name=\"files\"; filename=\"a.csv\"\r\n\r\nabc";
    CHECK_FALSE(ParseMultipart(head, "B").ok());                    // cut before the closing boundary
    CHECK_FALSE(ParseMultipart("--B\r\nContent-Dispo", "B").ok());  // cut inside headers
    CHECK_FALSE(ParseMultipart("no boundary here", "B").ok());
    CHECK_FALSE(ParseMultipart("--B\r\nX-Other: 1\r\n\r\nabc\r\n--B--", "B").ok());  // no disposition
    auto empty = ParseMultipart("--B--\r\n", "B");
    REQUIRE(empty.ok());
    CHECK(empty->empty());
}
