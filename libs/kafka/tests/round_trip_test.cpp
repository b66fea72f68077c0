#include <catch2/catch.hpp>

#include <atomic>
#include <set>
#include <thread>
#include <vector>

#include "dev_broker.hpp"
#include "mt/kafka/consumer.hpp"
#include "mt/kafka/producer.hpp"

using namespace std::chrono_literals;
using namespace mt::kafka;
using namespace mt::kafka::testing;

TEST_CASE("the dev broker listens on the pinned port") {
    DevBroker broker;
    CHECK(broker.Config().bootstrap_servers == "127.0.0.1:" + std::to_string(broker.Port()));
}

TEST_CASE("a produced message is consumed through TCP, with statistics") {
    DevBroker broker;
    auto producer = Producer::Create(broker.Config());
    REQUIRE(producer.ok());
    auto produced = producer->Produce("mt.jobs.analyze", "job-1", R"({"job_id":"job-1"})", 10s);
    REQUIRE(produced.ok());

    std::atomic<int> statistics{0};
    std::atomic<bool> consumer_stats{false};
    ConsumerOptions options;
    options.statistics_interval = 100ms;
    options.on_statistics = [&](std::string_view json) {
        ++statistics;
        if (json.find(R"("type": "consumer")") != std::string_view::npos) consumer_stats = true;
    };
    auto consumer = Consumer::Create(broker.ConsumerConfig(), UniqueGroup("round-trip"), {"mt.jobs.analyze"}, options);
    REQUIRE(consumer.ok());
    auto message = PollUntil(*consumer, WithKey("job-1"));
    REQUIRE(message.has_value());
    CHECK(message->topic == "mt.jobs.analyze");
    CHECK(message->offset == 0);
    CHECK(message->payload == R"({"job_id":"job-1"})");
    CHECK(consumer->Commit(*message).ok());
    CHECK(statistics.load() > 0);
    CHECK(consumer_stats.load());
}

TEST_CASE("Produce is safe from many threads at once") {
    DevBroker broker;
    auto producer = Producer::Create(broker.Config());
    REQUIRE(producer.ok());
    constexpr int kThreads = 4;
    constexpr int kPerThread = 25;
    std::atomic<int> failures{0};
    {
        std::vector<std::jthread> threads;
        for (int t = 0; t < kThreads; ++t) {
            threads.emplace_back([&, t] {
                for (int i = 0; i < kPerThread; ++i) {
                    std::string key = "k" + std::to_string(t) + "-" + std::to_string(i);
                    if (!producer->Produce("mt.jobs.insert", key, "p", 10s).ok()) ++failures;
                }
            });
        }
    }
    REQUIRE(failures.load() == 0);

    auto consumer = Consumer::Create(broker.ConsumerConfig(), UniqueGroup("threads"), {"mt.jobs.insert"});
    REQUIRE(consumer.ok());
    std::set<std::string> keys;
    PollUntil(*consumer, [&](const Message& m) {
        keys.insert(m.key);
        return keys.size() == kThreads * kPerThread;
    });
    CHECK(keys.size() == kThreads * kPerThread);
}

TEST_CASE("a produce to an unreachable cluster fails with Unavailable after its timeout") {
    ProducerOptions options;
    options.flush_timeout = 0ms;  // nothing will ever be delivered; do not wait in the destructor
    auto producer = Producer::Create(KafkaConfig{"127.0.0.1:1", {}}, options);
    REQUIRE(producer.ok());
    auto produced = producer->Produce("mt.jobs.analyze", "k", "p", 300ms);
    REQUIRE_FALSE(produced.ok());
    CHECK(produced.error().kind == mt::ErrorKind::kUnavailable);
}
