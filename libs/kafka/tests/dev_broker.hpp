#pragma once
/// Test fixture: the real mt-kafka-dev binary as a child process on a free loopback port.
#include <sys/types.h>

#include <chrono>
#include <cstdint>
#include <filesystem>
#include <functional>
#include <optional>
#include <string>

#include "mt/kafka/config.hpp"
#include "mt/kafka/consumer.hpp"

namespace mt::kafka::testing {

/// Owns one mt-kafka-dev process. The destructor SIGKILLs and reaps it, and the child also dies with the test
/// process (PR_SET_PDEATHSIG), so no broker outlives a test. Not thread-safe; one test case owns it.
class DevBroker {
public:
    /// Starts a broker on a free port and waits (with a deadline) for its ready file. Throws on failure.
    DevBroker();
    ~DevBroker();
    DevBroker(const DevBroker&) = delete;
    DevBroker& operator=(const DevBroker&) = delete;

    /// SIGKILL, like a crash: no clean shutdown, all data lost.
    void Kill();
    /// Starts the broker again on the same port and waits until it is ready. Throws on failure.
    void Restart();

    [[nodiscard]] std::uint16_t Port() const { return port_; }
    [[nodiscard]] KafkaConfig Config() const;
    /// Config() plus consumer settings that keep group rebalances on the mock short (see dev_broker.cpp).
    [[nodiscard]] KafkaConfig ConsumerConfig() const;

private:
    bool Spawn();  // false if the child exited before it was ready (e.g. the port was taken)

    std::uint16_t port_ = 0;
    pid_t pid_ = -1;
    std::filesystem::path ready_file_;
    std::string bootstrap_;
};

/// A group id no other test uses.
std::string UniqueGroup(const std::string& prefix);

/// Polls until a message satisfying `wanted` arrives or `deadline` passes; messages not wanted are skipped.
std::optional<Message> PollUntil(Consumer& consumer, const std::function<bool(const Message&)>& wanted,
                                 std::chrono::milliseconds deadline = std::chrono::seconds(30));

inline auto WithKey(std::string key) {
    return [key = std::move(key)](const Message& m) { return m.key == key; };
}

}  // namespace mt::kafka::testing
