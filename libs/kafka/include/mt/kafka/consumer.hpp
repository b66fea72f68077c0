#pragma once
/// Consuming job messages at least once, in a consumer group.
#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "mt/core/result.hpp"
#include "mt/kafka/config.hpp"

namespace mt::kafka {

/// One consumed record; owns copies of its key and payload.
struct Message {
    std::string topic;
    std::int32_t partition = 0;
    std::int64_t offset = 0;
    std::string key;  // empty for a null key
    std::string payload;
};

struct ConsumerOptions {
    /// If set, receives librdkafka's statistics JSON (including consumer lag) every `statistics_interval`,
    /// from inside `Poll` on the consumer's thread. Must not throw (exceptions are caught and logged).
    std::function<void(std::string_view json)> on_statistics;
    std::chrono::milliseconds statistics_interval{0};  // 0: statistics off
};

/// A member of a consumer group with auto-commit off: an offset is committed only by `Commit`, so a message
/// whose handler did not finish (crash, kill, rebalance) is delivered again to some member of the group.
///
/// Lifecycle: `Create` subscribes (joining the group happens during the first `Poll` calls); `Close` leaves the
/// group and is called by the destructor if needed. Thread-safety: none — one thread uses a consumer.
/// Ownership: move-only; owns the librdkafka handle.
class Consumer {
public:
    /// Subscribes to `topics` as a member of `group_id`. A group without committed offsets starts at the
    /// earliest message (override with the property auto.offset.reset).
    static Result<Consumer> Create(const KafkaConfig& config, std::string group_id, std::vector<std::string> topics,
                                   ConsumerOptions options = {});

    Consumer(Consumer&&) noexcept;
    Consumer& operator=(Consumer&&) noexcept;
    ~Consumer();

    /// Waits up to `timeout` for the next message; nullopt if none came. Transient consumer errors (broker down,
    /// unknown topic) are logged and read as "no message". Fails only if the consumer is closed or hit a fatal
    /// error; then the caller should stop using it (and the process should exit and be restarted).
    Result<std::optional<Message>> Poll(std::chrono::milliseconds timeout);

    /// Synchronously commits `message.offset + 1` for its partition. kUnavailable if the commit failed (e.g. the
    /// group rebalanced meanwhile); the message will then be delivered again.
    Status Commit(const Message& message);

    /// Leaves the group (so its partitions move to other members at once) and releases the handle. Idempotent.
    void Close();

private:
    class Impl;
    explicit Consumer(std::unique_ptr<Impl> impl);
    std::unique_ptr<Impl> impl_;
};

}  // namespace mt::kafka
