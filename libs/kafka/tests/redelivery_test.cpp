#include <catch2/catch.hpp>

#include "dev_broker.hpp"
#include "mt/kafka/consumer.hpp"
#include "mt/kafka/producer.hpp"

using namespace std::chrono_literals;
using namespace mt::kafka;
using namespace mt::kafka::testing;

namespace {

constexpr const char* kTopic = "mt.jobs.analyze";

Consumer NewConsumer(const DevBroker& broker, const std::string& group) {
    auto consumer = Consumer::Create(broker.ConsumerConfig(), group, {kTopic});
    REQUIRE(consumer.ok());
    return std::move(consumer).value();
}

}  // namespace

TEST_CASE("a message that was not committed is delivered again to the next member of the group") {
    DevBroker broker;
    auto producer = Producer::Create(broker.Config());
    REQUIRE(producer.ok());
    REQUIRE(producer->Produce(kTopic, "job-a", "first", 10s).ok());
    std::string group = UniqueGroup("redeliver");

    Consumer first = NewConsumer(broker, group);
    auto seen = PollUntil(first, WithKey("job-a"));
    REQUIRE(seen.has_value());
    first.Close();  // like a worker that stopped before finishing the job

    Consumer second = NewConsumer(broker, group);
    auto again = PollUntil(second, WithKey("job-a"));
    REQUIRE(again.has_value());
    CHECK(again->partition == seen->partition);
    CHECK(again->offset == seen->offset);
    CHECK(again->payload == "first");
}

TEST_CASE("a committed message is not delivered again") {
    DevBroker broker;
    auto producer = Producer::Create(broker.Config());
    REQUIRE(producer.ok());
    REQUIRE(producer->Produce(kTopic, "job-b", "done", 10s).ok());
    std::string group = UniqueGroup("commit");

    Consumer first = NewConsumer(broker, group);
    auto seen = PollUntil(first, WithKey("job-b"));
    REQUIRE(seen.has_value());
    REQUIRE(first.Commit(*seen).ok());
    first.Close();

    // Same key, so same partition, right after the committed message: the next member must start at the
    // marker. Waiting for a marker instead of "nothing for N seconds" keeps the test free of fixed sleeps.
    REQUIRE(producer->Produce(kTopic, "job-b", "marker", 10s).ok());
    Consumer second = NewConsumer(broker, group);
    auto next = PollUntil(second, WithKey("job-b"));
    REQUIRE(next.has_value());
    CHECK(next->payload == "marker");
    CHECK(next->offset == seen->offset + 1);
}
