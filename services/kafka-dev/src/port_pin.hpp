#pragma once
/// Pins the listening ports of librdkafka's mock brokers.
///
/// Why: `rd_kafka_mock_cluster_new` always binds its brokers to 127.0.0.1 port 0, so a restarted dev broker would
/// come back at a new address and every client configured with the old `bootstrap.servers` would retry the dead
/// one forever. The mock has no option for a fixed port (librdkafka 2.0.2), so this binary defines its own
/// `bind()` that rewrites those port-0 binds while a `PortPinScope` is alive. See port_pin.cpp.
#include <cstdint>

namespace mt::kafka_dev {

/// While alive, the n-th IPv4 loopback port-0 bind() in this process (n = 0, 1, ...) binds `base_port + n` instead.
/// Lifecycle: create right before `rd_kafka_mock_cluster_new`, destroy right after it returns (the mock binds its
/// listeners synchronously inside that call). At most one scope may be alive at a time; creating and destroying
/// it is thread-safe, and binds from other threads meanwhile would also be rewritten, so keep the scope short.
class PortPinScope {
public:
    explicit PortPinScope(std::uint16_t base_port);
    ~PortPinScope();
    PortPinScope(const PortPinScope&) = delete;
    PortPinScope& operator=(const PortPinScope&) = delete;

    /// How many binds this scope has rewritten so far.
    [[nodiscard]] int PinnedCount() const;
};

}  // namespace mt::kafka_dev
