#include "mt/kafka/consumer.hpp"

#include <array>

#include "client.hpp"
#include "mt/core/log.hpp"

namespace mt::kafka {

/// Derives from ClientContext so the statistics callback, which receives the handle's opaque, can reach it.
/// The base (and so the callback state) outlives `rk_`.
class Consumer::Impl : public detail::ClientContext {
public:
    explicit Impl(ConsumerOptions options) { on_statistics = std::move(options.on_statistics); }
    ~Impl() { Close(); }

    Status Start(const KafkaConfig& config, const std::string& group_id, const std::vector<std::string>& topics,
                 std::chrono::milliseconds statistics_interval);
    Result<std::optional<Message>> Poll(std::chrono::milliseconds timeout);
    Status Commit(const Message& message);
    void Close();

private:
    Error FatalError();

    detail::KafkaHandle rk_;  // null once closed
};

Status Consumer::Impl::Start(const KafkaConfig& config, const std::string& group_id,
                             const std::vector<std::string>& topics, std::chrono::milliseconds statistics_interval) {
    if (group_id.empty()) return BadRequest("Kafka consumer: empty group id");
    if (topics.empty()) return BadRequest("Kafka consumer: no topics");
    detail::ClientSettings settings;
    // A group without committed offsets starts at the beginning: a job published before its workers first
    // joined must still run. Users may override this one.
    settings.defaults = {{"auto.offset.reset", "earliest"}};
    // At-least-once depends on these: offsets are committed only by Commit(), after the work is done.
    settings.required = {
        {"group.id", group_id}, {"enable.auto.commit", "false"}, {"enable.auto.offset.store", "false"}};
    settings.statistics_interval = statistics_interval;
    MT_ASSIGN_OR_RETURN(rk_, detail::NewClient(RD_KAFKA_CONSUMER, config, settings, this));
    // Route the main queue (errors, statistics) into rd_kafka_consumer_poll, so Poll serves every callback on
    // the consumer's own thread and nothing piles up unserved.
    rd_kafka_poll_set_consumer(rk_.get());

    detail::PartitionListHandle subscription(rd_kafka_topic_partition_list_new(static_cast<int>(topics.size())));
    for (const auto& topic : topics) {
        rd_kafka_topic_partition_list_add(subscription.get(), topic.c_str(), RD_KAFKA_PARTITION_UA);
    }
    if (rd_kafka_resp_err_t err = rd_kafka_subscribe(rk_.get(), subscription.get()); err) {
        return BadRequest("Kafka consumer: cannot subscribe: " + detail::Describe(err));
    }
    return Ok();
}

Error Consumer::Impl::FatalError() {
    std::array<char, 512> reason{};
    rd_kafka_resp_err_t err = rd_kafka_fatal_error(rk_.get(), reason.data(), reason.size());
    return Internal("Kafka consumer failed permanently: " + detail::Describe(err) + ": " + reason.data());
}

Result<std::optional<Message>> Consumer::Impl::Poll(std::chrono::milliseconds timeout) {
    if (!rk_) return Internal("Poll on a closed Kafka consumer");
    detail::MessageHandle msg(rd_kafka_consumer_poll(rk_.get(), static_cast<int>(timeout.count())));
    if (!msg) return std::optional<Message>();
    if (msg->err != RD_KAFKA_RESP_ERR_NO_ERROR) {
        if (msg->err == RD_KAFKA_RESP_ERR__FATAL) return FatalError();
        // Consumer errors are informational: librdkafka keeps retrying (broker down, topic not created yet).
        log::Warn("kafka consumer error", {{"client", rd_kafka_name(rk_.get())},
                                           {"error", rd_kafka_err2name(msg->err)},
                                           {"reason", rd_kafka_message_errstr(msg.get())}});
        return std::optional<Message>();
    }
    Message out;
    out.topic = rd_kafka_topic_name(msg->rkt);
    out.partition = msg->partition;
    out.offset = msg->offset;
    if (msg->key != nullptr) out.key.assign(static_cast<const char*>(msg->key), msg->key_len);
    if (msg->payload != nullptr) out.payload.assign(static_cast<const char*>(msg->payload), msg->len);
    return std::optional<Message>(std::move(out));
}

Status Consumer::Impl::Commit(const Message& message) {
    if (!rk_) return Internal("Commit on a closed Kafka consumer");
    detail::PartitionListHandle offsets(rd_kafka_topic_partition_list_new(1));
    rd_kafka_topic_partition_t* tp =
        rd_kafka_topic_partition_list_add(offsets.get(), message.topic.c_str(), message.partition);
    tp->offset = message.offset + 1;  // Kafka commits the next offset to read, not the last one processed
    // async = 0: block until the coordinator answered, so a returned Ok means the offset is durable.
    if (rd_kafka_resp_err_t err = rd_kafka_commit(rk_.get(), offsets.get(), 0); err) {
        return Unavailable("cannot commit " + message.topic + "[" + std::to_string(message.partition) + "]@" +
                           std::to_string(message.offset) + ": " + detail::Describe(err));
    }
    return Ok();
}

void Consumer::Impl::Close() {
    if (!rk_) return;
    // Leaves the group now (LeaveGroup), so the partitions move to other members at once instead of after the
    // session timeout. Uncommitted messages are redelivered to whoever gets their partition.
    if (rd_kafka_resp_err_t err = rd_kafka_consumer_close(rk_.get()); err) {
        log::Warn("kafka consumer close failed",
                  {{"client", rd_kafka_name(rk_.get())}, {"error", detail::Describe(err)}});
    }
    rk_.reset();
}

Result<Consumer> Consumer::Create(const KafkaConfig& config, std::string group_id, std::vector<std::string> topics,
                                  ConsumerOptions options) {
    auto statistics_interval = options.statistics_interval;
    auto impl = std::make_unique<Impl>(std::move(options));
    MT_TRY(impl->Start(config, group_id, topics, statistics_interval));
    return Consumer(std::move(impl));
}

Consumer::Consumer(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}
Consumer::Consumer(Consumer&&) noexcept = default;
Consumer& Consumer::operator=(Consumer&&) noexcept = default;
Consumer::~Consumer() = default;

Result<std::optional<Message>> Consumer::Poll(std::chrono::milliseconds timeout) {
    if (!impl_) return Internal("Poll on a moved-from Kafka consumer");
    return impl_->Poll(timeout);
}

Status Consumer::Commit(const Message& message) {
    if (!impl_) return Internal("Commit on a moved-from Kafka consumer");
    return impl_->Commit(message);
}

void Consumer::Close() {
    if (impl_) impl_->Close();
}

}  // namespace mt::kafka
