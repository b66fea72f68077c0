#include <catch2/catch.hpp>

#include <cstdlib>

#include "dev_broker.hpp"
#include "mt/kafka/admin.hpp"

using namespace std::chrono_literals;
using namespace mt::kafka;
using namespace mt::kafka::testing;

TEST_CASE("EnsureTopics succeeds for topics that already exist, every time") {
    DevBroker broker;
    std::vector<TopicSpec> topics = {{"mt.jobs.analyze", 4}, {"mt.jobs.insert", 8}};
    auto first = EnsureTopics(broker.Config(), topics, 10s);
    INFO((first.ok() ? std::string() : first.error().message));
    REQUIRE(first.ok());
    CHECK(EnsureTopics(broker.Config(), topics, 10s).ok());
}

TEST_CASE("EnsureTopics fails with Unavailable when the cluster is unreachable") {
    auto status = EnsureTopics(KafkaConfig{"127.0.0.1:1", {}}, {{"t", 1}}, 500ms);
    REQUIRE_FALSE(status.ok());
    CHECK(status.error().kind == mt::ErrorKind::kUnavailable);
}

TEST_CASE("EnsureTopics on the dev broker names the topics it lacks, at once") {
    DevBroker broker;
    auto start = std::chrono::steady_clock::now();
    auto status = EnsureTopics(broker.Config(), {{"mt.jobs.analyze", 4}, {"mt.test.missing", 3}}, 10s);
    REQUIRE_FALSE(status.ok());
    CHECK(status.error().message.find("mt.test.missing") != std::string::npos);
    CHECK(status.error().message.find("--topics") != std::string::npos);
    CHECK(std::chrono::steady_clock::now() - start < 5s);  // not the admin client's controller timeout
}

// CreateTopics itself needs a real cluster: MT_KAFKA_TEST_BROKERS=host:9092 runs this case.
TEST_CASE("EnsureTopics creates missing topics on a real cluster, and again is a no-op") {
    const char* brokers = std::getenv("MT_KAFKA_TEST_BROKERS");
    if (brokers == nullptr || *brokers == '\0') {
        WARN("MT_KAFKA_TEST_BROKERS not set: skipped");
        return;
    }
    KafkaConfig config{brokers, {}};
    std::vector<TopicSpec> topics = {{UniqueGroup("mt.test.ensure"), 2}};
    auto created = EnsureTopics(config, topics, 30s);
    INFO((created.ok() ? std::string() : created.error().message));
    REQUIRE(created.ok());
    CHECK(EnsureTopics(config, topics, 30s).ok());
}
