#include <catch2/catch.hpp>

#include "mock_broker.hpp"
#include "options.hpp"

using mt::kafka_dev::ParseOptions;

TEST_CASE("defaults: port 9092, one broker, the two job topics") {
    auto options = ParseOptions({});
    REQUIRE(options.ok());
    CHECK(options->port == 9092);
    CHECK(options->brokers == 1);
    REQUIRE(options->topics.size() == 2);
    CHECK(options->topics[0].name == "mt.jobs.analyze");
    CHECK(options->topics[0].partitions == 4);
    CHECK(options->topics[1].name == "mt.jobs.insert");
    CHECK(options->topics[1].partitions == 8);
    CHECK(options->ready_file.empty());
}

TEST_CASE("all options, in both spellings") {
    auto options = ParseOptions({"--port", "19092", "--brokers=3", "--topics=a:1,b.c:12", "--ready-file", "/tmp/r"});
    REQUIRE(options.ok());
    CHECK(options->port == 19092);
    CHECK(options->brokers == 3);
    REQUIRE(options->topics.size() == 2);
    CHECK(options->topics[1].name == "b.c");
    CHECK(options->topics[1].partitions == 12);
    CHECK(options->ready_file == "/tmp/r");
}

TEST_CASE("bad options name the option") {
    auto check = [](std::vector<std::string> args, std::string_view needle) {
        auto options = ParseOptions(args);
        REQUIRE_FALSE(options.ok());
        CHECK(options.error().message.find(needle) != std::string::npos);
    };
    check({"--port", "0"}, "--port");
    check({"--port", "70000"}, "--port");
    check({"--port", "12x"}, "--port");
    check({"--brokers", "0"}, "--brokers");
    check({"--topics", "a"}, "--topics");
    check({"--topics", "a:0"}, "--topics");
    check({"--topics", "a:1,a:2"}, "listed twice");
    check({"--port"}, "needs a value");
    check({"--nope", "1"}, "unknown option");
    check({"--port", "65535", "--brokers", "2"}, "port range");
}

TEST_CASE("expected bootstraps list one loopback address per broker") {
    CHECK(mt::kafka_dev::ExpectedBootstraps(9092, 1) == "127.0.0.1:9092");
    CHECK(mt::kafka_dev::ExpectedBootstraps(9092, 3) == "127.0.0.1:9092,127.0.0.1:9093,127.0.0.1:9094");
}
