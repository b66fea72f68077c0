#include <catch2/catch.hpp>

#include <cstdlib>

#include "mt/kafka/config.hpp"

using mt::kafka::KafkaConfigFromEnv;
using mt::kafka::KafkaConfigFromVariables;

TEST_CASE("brokers and properties are read — property names are lowercased and dotted") {
    auto config = KafkaConfigFromVariables({{"MT_KAFKA_BROKERS", "k1:9092,k2:9092"},
                                            {"MT_KAFKA_PROP_SECURITY_PROTOCOL", "SASL_SSL"},
                                            {"MT_KAFKA_PROP_SASL_MECHANISMS", "PLAIN"},
                                            {"MT_OTHER", "ignored"},
                                            {"PATH", "/bin"}});
    REQUIRE(config.ok());
    CHECK(config->bootstrap_servers == "k1:9092,k2:9092");
    using P = std::pair<std::string, std::string>;
    CHECK(config->properties == std::vector<P>{{"sasl.mechanisms", "PLAIN"}, {"security.protocol", "SASL_SSL"}});
}

TEST_CASE("MT_KAFKA_BROKERS is required") {
    auto config = KafkaConfigFromVariables({{"MT_KAFKA_PROP_CLIENT_ID", "x"}});
    REQUIRE_FALSE(config.ok());
    CHECK(config.error().message.find("MT_KAFKA_BROKERS") != std::string::npos);
}

TEST_CASE("an invalid property is an error naming the variable") {
    SECTION("unknown name") {
        auto config = KafkaConfigFromVariables({{"MT_KAFKA_BROKERS", "k:1"}, {"MT_KAFKA_PROP_NO_SUCH_THING", "1"}});
        REQUIRE_FALSE(config.ok());
        CHECK(config.error().message.find("MT_KAFKA_PROP_NO_SUCH_THING") != std::string::npos);
    }
    SECTION("invalid value") {
        auto config = KafkaConfigFromVariables({{"MT_KAFKA_BROKERS", "k:1"}, {"MT_KAFKA_PROP_SECURITY_PROTOCOL", "X"}});
        REQUIRE_FALSE(config.ok());
        CHECK(config.error().message.find("MT_KAFKA_PROP_SECURITY_PROTOCOL") != std::string::npos);
    }
    SECTION("brokers through a property") {
        auto config = KafkaConfigFromVariables({{"MT_KAFKA_BROKERS", "k:1"}, {"MT_KAFKA_PROP_BOOTSTRAP_SERVERS", "x"}});
        REQUIRE_FALSE(config.ok());
        CHECK(config.error().message.find("MT_KAFKA_BROKERS") != std::string::npos);
    }
}

TEST_CASE("KafkaConfigFromEnv reads the process environment") {
    ::setenv("MT_KAFKA_BROKERS", "127.0.0.1:19092", 1);
    ::setenv("MT_KAFKA_PROP_CLIENT_ID", "mt-test", 1);
    auto config = KafkaConfigFromEnv();
    ::unsetenv("MT_KAFKA_BROKERS");
    ::unsetenv("MT_KAFKA_PROP_CLIENT_ID");
    REQUIRE(config.ok());
    CHECK(config->bootstrap_servers == "127.0.0.1:19092");
    REQUIRE(config->properties.size() == 1);
    CHECK(config->properties[0].first == "client.id");
}
