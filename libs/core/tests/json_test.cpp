#include <catch2/catch.hpp>

#include "mt/core/json.hpp"

using mt::json::Kind;

TEST_CASE("numbers keep their exact text and are told apart from strings") {
    auto doc = mt::json::ParseJson(R"({"a": 89.90, "b": "89.90", "c": 12345678901234567890123.000001, "d": -0})");
    REQUIRE(doc.ok());
    const auto& d = *doc;
    CHECK(mt::json::KindOf(d["a"]) == Kind::kNumber);
    CHECK(mt::json::Text(d["a"]) == "89.90");
    CHECK(mt::json::KindOf(d["b"]) == Kind::kString);
    CHECK(mt::json::Text(d["b"]) == "89.90");
    CHECK(mt::json::Text(d["c"]) == "12345678901234567890123.000001");
    CHECK(mt::json::Text(d["d"]) == "-0");
    CHECK(mt::json::Serialize(d) == R"({"a":89.90,"b":"89.90","c":12345678901234567890123.000001,"d":-0})");
}

TEST_CASE("invalid JSON, invalid UTF-8 and trailing garbage are rejected") {
    CHECK_FALSE(mt::json::ParseJson("{").ok());
    CHECK_FALSE(mt::json::ParseJson("{} x").ok());
    CHECK_FALSE(mt::json::ParseJson("\"\xFF"
                                    "1\"")
                    .ok());
    CHECK_FALSE(mt::json::ParseJson("").ok());
    auto bad = mt::json::ParseJson("[1,]");
    REQUIRE_FALSE(bad.ok());
    CHECK(bad.error().code == "BAD_REQUEST");
    CHECK(mt::json::ParseJson("  {\"x\": [true, null]}  \n").ok());
}

// Found by fuzz/fuzz_json.cpp: rapidjson 1.1.0 turned "\udc00" into the bytes of a surrogate (ED B0 80), invalid
// UTF-8 that PostgreSQL refuses and that no longer parsed once serialized.
TEST_CASE("an unpaired surrogate escape is rejected like invalid UTF-8 — a pair is one character") {
    for (const char* text :
         {R"(["\udc00"])", R"({"\ude00": 1})", R"(["a\ud83d\ude00\ude00"])", R"(["\ud83d"])", R"(["\ud83dx"])"}) {
        auto bad = mt::json::ParseJson(text);
        INFO(text);
        REQUIRE_FALSE(bad.ok());
        CHECK(bad.error().code == "BAD_REQUEST");
    }
    auto pair = mt::json::ParseJson(R"(["\ud83d\ude00", "\ud7ff\ue000"])");
    REQUIRE(pair.ok());
    CHECK(mt::json::Text((*pair)[0]) == "\xF0\x9F\x98\x80");
    CHECK(mt::json::Text((*pair)[1]) == "\xED\x9F\xBF\xEE\x80\x80");
}

TEST_CASE("strings with embedded NUL and escapes survive a round trip") {
    auto doc = mt::json::ParseJson(R"(["a\u0000b", "\u00e9", "q\"q"])");
    REQUIRE(doc.ok());
    CHECK(mt::json::Text((*doc)[0]) == std::string_view("a\0b", 3));
    CHECK(mt::json::Text((*doc)[1]) == "\xC3\xA9");
    CHECK(mt::json::Serialize(*doc) == "[\"a\\u0000b\",\"\xC3\xA9\",\"q\\\"q\"]");
}

TEST_CASE("Find returns members or nullptr") {
    auto doc = mt::json::ParseJson(R"({"x": 1})");
    REQUIRE(doc.ok());
    CHECK(mt::json::Find(*doc, "x") != nullptr);
    CHECK(mt::json::Find(*doc, "y") == nullptr);
    CHECK(mt::json::Find((*doc)["x"], "x") == nullptr);
}

TEST_CASE("SanitizeUtf8 keeps valid text and replaces the rest") {
    CHECK(mt::json::SanitizeUtf8("caf\xC3\xA9 \xF0\x9F\x98\x80") == "caf\xC3\xA9 \xF0\x9F\x98\x80");
    CHECK(mt::json::SanitizeUtf8(std::string_view("a\0b", 3)) ==
          "a\xEF\xBF\xBD"
          "b");
    CHECK(mt::json::SanitizeUtf8("\xFF\xC3") == "\xEF\xBF\xBD\xEF\xBF\xBD");
    CHECK(mt::json::SanitizeUtf8("\xED\xA0\x80") == "\xEF\xBF\xBD\xEF\xBF\xBD\xEF\xBF\xBD");
    CHECK(mt::json::SanitizeUtf8("\xC0\xAF") == "\xEF\xBF\xBD\xEF\xBF\xBD");
}

TEST_CASE("deep nesting is refused without exhausting the stack") {
    std::string deep = std::string(200000, '[') + std::string(200000, ']');
    auto doc = mt::json::ParseJson(deep);
    REQUIRE_FALSE(doc.ok());
    CHECK(doc.error().message.find("nested deeper") != std::string::npos);
    std::string ok = std::string(200, '[') + std::string(200, ']');
    CHECK(mt::json::ParseJson(ok).ok());
}

// Issue 8: rapidjson refuses numbers a double cannot hold, even when asked for their text; SPEC §6 decimals are exact.
TEST_CASE("numbers beyond a double keep their exact text") {
    const std::string thousand_digits = "9" + std::string(999, '7');
    const std::string text = R"({"big": 1e400, "neg": -1E+400, "long": )" + thousand_digits +
                             R"(.5, "s": "1e400 \" 7", "list": [1, 2.5e-400, 3]})";
    auto doc = mt::json::ParseJson(text);
    REQUIRE(doc.ok());
    const auto& d = *doc;
    CHECK(mt::json::KindOf(d["big"]) == Kind::kNumber);
    CHECK(mt::json::Text(d["big"]) == "1e400");
    CHECK(mt::json::Text(d["neg"]) == "-1E+400");
    CHECK(mt::json::Text(d["long"]) == thousand_digits + ".5");
    CHECK(mt::json::KindOf(d["s"]) == Kind::kString);
    CHECK(mt::json::Text(d["s"]) == "1e400 \" 7");
    CHECK(mt::json::Serialize(d["list"]) == "[1,2.5e-400,3]");
}

TEST_CASE("a huge number in malformed JSON is still malformed, and absurdly long numbers are refused") {
    CHECK_FALSE(mt::json::ParseJson("[1e400,]").ok());
    CHECK_FALSE(mt::json::ParseJson("[1e400, 01]").ok());
    CHECK_FALSE(mt::json::ParseJson("[1e400, 1.]").ok());
    CHECK_FALSE(mt::json::ParseJson("[1e400] x").ok());
    auto too_long = mt::json::ParseJson("[" + std::string(200'000, '1') + "]");
    REQUIRE_FALSE(too_long.ok());
    CHECK(too_long.error().code == "BAD_REQUEST");
    CHECK_THAT(too_long.error().message, Catch::Contains("number is longer than"));
}

TEST_CASE("an object with a duplicate key is refused, at any depth") {
    for (const char* text : {R"({"a": 1, "a": 2})", R"({"a": 1, "b": 2, "a": 1})", R"([{"x": {"k": 1, "k": 1}}])",
                             R"({"alg": "none", "alg": "HS256"})"}) {
        INFO(text);
        auto bad = mt::json::ParseJson(text);
        REQUIRE_FALSE(bad.ok());
        CHECK(bad.error().code == "BAD_REQUEST");
        CHECK_THAT(bad.error().message, Catch::Contains("duplicate key"));
    }
    CHECK(mt::json::ParseJson(R"({"a": {"a": 1}, "b": [{"a": 1}, {"a": 2}]})").ok());
}
