#include <catch2/catch.hpp>

#include "dev_broker.hpp"
#include "mt/kafka/consumer.hpp"
#include "mt/kafka/producer.hpp"

using namespace std::chrono_literals;
using namespace mt::kafka;
using namespace mt::kafka::testing;

TEST_CASE("clients created before a kill -9 of the dev broker work again after it restarts on the same port") {
    constexpr const char* kTopic = "mt.jobs.insert";
    DevBroker broker;
    auto producer = Producer::Create(broker.Config());
    REQUIRE(producer.ok());
    REQUIRE(producer->Produce(kTopic, "before", "1", 10s).ok());
    auto consumer = Consumer::Create(broker.ConsumerConfig(), UniqueGroup("restart"), {kTopic});
    REQUIRE(consumer.ok());
    auto before = PollUntil(*consumer, WithKey("before"));
    REQUIRE(before.has_value());
    REQUIRE(consumer->Commit(*before).ok());

    broker.Kill();
    broker.Restart();  // same port; the mock starts empty (topics re-created, messages and offsets gone)

    // The producer reconnects by itself; its idempotence state (producer id) is unknown to the new broker.
    auto produced = producer->Produce(kTopic, "after", "2", 30s);
    INFO((produced.ok() ? std::string() : produced.error().message));
    REQUIRE(produced.ok());

    // The consumer rejoins the (new, empty) group and, with no committed offset, starts from the earliest one.
    auto after = PollUntil(*consumer, WithKey("after"), 60s);
    REQUIRE(after.has_value());
    CHECK(after->payload == "2");

    // A consumer created after the restart sees it too.
    auto fresh = Consumer::Create(broker.ConsumerConfig(), UniqueGroup("restart-fresh"), {kTopic});
    REQUIRE(fresh.ok());
    CHECK(PollUntil(*fresh, WithKey("after")).has_value());
}

TEST_CASE("a consumer closes promptly when the broker is gone") {
    DevBroker broker;
    auto producer = Producer::Create(broker.Config());
    REQUIRE(producer.ok());
    REQUIRE(producer->Produce("mt.jobs.analyze", "k", "v", 10s).ok());
    auto consumer = Consumer::Create(broker.ConsumerConfig(), UniqueGroup("close"), {"mt.jobs.analyze"});
    REQUIRE(consumer.ok());
    REQUIRE(PollUntil(*consumer, WithKey("k")).has_value());
    broker.Kill();
    auto start = std::chrono::steady_clock::now();
    consumer->Close();
    CHECK(std::chrono::steady_clock::now() - start < 15s);
}

// Issue 8: the gateway waited up to 5 s for each acknowledgement while the broker was down. Enqueue never waits.
TEST_CASE("Enqueue returns at once while the broker is down, and messages enqueued after it is back arrive") {
    constexpr const char* kTopic = "mt.jobs.analyze";
    DevBroker broker;
    auto producer = Producer::Create(broker.Config());
    REQUIRE(producer.ok());
    REQUIRE(producer->Produce(kTopic, "warm", "0", 10s).ok());  // metadata known, connection up
    broker.Kill();
    const auto started = std::chrono::steady_clock::now();
    for (int i = 0; i < 100; ++i) REQUIRE(producer->Enqueue(kTopic, "down-" + std::to_string(i), "1").ok());
    CHECK(std::chrono::steady_clock::now() - started < 1s);
    broker.Restart();
    REQUIRE(producer->Enqueue(kTopic, "back", "2").ok());
    auto consumer = Consumer::Create(broker.ConsumerConfig(), UniqueGroup("enqueue"), {kTopic});
    REQUIRE(consumer.ok());
    auto back = PollUntil(*consumer, WithKey("back"), 60s);
    REQUIRE(back.has_value());
    CHECK(back->payload == "2");
}
