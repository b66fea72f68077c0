#pragma once
/// A librdkafka mock cluster reachable over TCP at fixed loopback ports.
#include <librdkafka/rdkafka.h>
#include <librdkafka/rdkafka_mock.h>

#include <memory>
#include <string>

#include "mt/core/result.hpp"
#include "options.hpp"

namespace mt::kafka_dev {

/// Owns the hosting client handle and the mock cluster it runs. Lifecycle: `Start` returns a cluster that is
/// already listening; destroying the object shuts the brokers down (all data is in memory and is lost).
/// Thread-safety: the mock runs on its own librdkafka thread; this object is used from one thread.
class MockBroker {
public:
    /// Creates the cluster with `options.brokers` brokers at `options.port` + i and creates the topics.
    /// Fails if a port is taken or the cluster does not report the pinned addresses.
    static Result<MockBroker> Start(const DevBrokerOptions& options);

    /// The `bootstrap.servers` string clients use, e.g. "127.0.0.1:9092".
    [[nodiscard]] const std::string& Bootstraps() const { return bootstraps_; }

private:
    struct KafkaDeleter {
        void operator()(rd_kafka_t* rk) const noexcept { rd_kafka_destroy(rk); }
    };
    struct ClusterDeleter {
        void operator()(rd_kafka_mock_cluster_t* mc) const noexcept { rd_kafka_mock_cluster_destroy(mc); }
    };

    // Declaration order matters: members are destroyed in reverse, and librdkafka requires every mock cluster to
    // be destroyed before the handle that hosts it.
    std::unique_ptr<rd_kafka_t, KafkaDeleter> host_;
    std::unique_ptr<rd_kafka_mock_cluster_t, ClusterDeleter> cluster_;
    std::string bootstraps_;
};

/// The bootstrap string the mock must report for `brokers` brokers starting at `port`.
std::string ExpectedBootstraps(std::uint16_t port, int brokers);

}  // namespace mt::kafka_dev
