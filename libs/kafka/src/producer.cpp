#include "mt/kafka/producer.hpp"

#include <array>
#include <condition_variable>
#include <mutex>
#include <string>
#include <thread>
#include <unordered_map>

#include "client.hpp"
#include "mt/core/log.hpp"

namespace mt::kafka {
namespace {

using namespace std::chrono_literals;

constexpr auto kPollInterval = 100ms;  // bounds how long the destructor waits for the poll thread

/// The outcome of one Produce call, completed by the delivery report.
struct Delivery {
    std::mutex mutex;
    std::condition_variable completed;
    bool done = false;
    rd_kafka_resp_err_t err = RD_KAFKA_RESP_ERR_NO_ERROR;
};

}  // namespace

/// Derives from ClientContext so the C callbacks, which receive the handle's opaque, can reach it.
class Producer::Impl : public detail::ClientContext {
public:
    explicit Impl(ProducerOptions options) : flush_timeout_(options.flush_timeout) {
        on_statistics = std::move(options.on_statistics);
    }
    ~Impl();

    Status Start(const KafkaConfig& config, std::chrono::milliseconds statistics_interval);
    Status Produce(std::string_view topic, std::string_view key, std::string_view payload,
                   std::chrono::milliseconds timeout);
    Status Enqueue(std::string_view topic, std::string_view key, std::string_view payload);
    /// rd_kafka_producev without RD_KAFKA_MSG_F_BLOCK: a full queue answers QUEUE_FULL instead of waiting.
    rd_kafka_resp_err_t Send(const std::string& topic, std::string_view key, std::string_view payload, void* opaque);

private:
    Error Failure(const std::string& what, rd_kafka_resp_err_t err);
    static void OnDelivery(rd_kafka_t* rk, const rd_kafka_message_t* message, void* opaque) noexcept;
    std::shared_ptr<Delivery> Take(const void* delivery);

    const std::chrono::milliseconds flush_timeout_;
    // Deliveries librdkafka still owes a report for. A Produce call that timed out returns while librdkafka
    // still holds the raw pointer (the message's opaque), so the Delivery must live on until the report comes.
    std::mutex pending_mutex_;
    std::unordered_map<const void*, std::shared_ptr<Delivery>> pending_;
    // Declared after the state the callbacks use, so it is destroyed (rd_kafka_destroy) before that state.
    detail::KafkaHandle rk_;
    std::jthread poller_;
};

Status Producer::Impl::Start(const KafkaConfig& config, std::chrono::milliseconds statistics_interval) {
    detail::ClientSettings settings;
    // Produce() promises the message is durable once it returns, and retries must not duplicate or reorder.
    settings.required = {{"acks", "all"}, {"enable.idempotence", "true"}};
    settings.statistics_interval = statistics_interval;
    settings.delivery_report = &OnDelivery;
    MT_ASSIGN_OR_RETURN(rk_, detail::NewClient(RD_KAFKA_PRODUCER, config, settings, this));
    // librdkafka only runs delivery reports, error and statistics callbacks inside rd_kafka_poll; one thread
    // does that for every caller of Produce.
    poller_ = std::jthread([this](std::stop_token stop) {
        while (!stop.stop_requested()) rd_kafka_poll(rk_.get(), static_cast<int>(kPollInterval.count()));
    });
    return Ok();
}

Producer::Impl::~Impl() {
    if (poller_.joinable()) {
        poller_.request_stop();
        poller_.join();
    }
    if (!rk_) return;
    // rd_kafka_flush serves the remaining delivery reports itself.
    if (rd_kafka_flush(rk_.get(), static_cast<int>(flush_timeout_.count())) != RD_KAFKA_RESP_ERR_NO_ERROR) {
        log::Warn("kafka producer closed with undelivered messages",
                  {{"client", rd_kafka_name(rk_.get())}, {"count", std::to_string(rd_kafka_outq_len(rk_.get()))}});
        rd_kafka_purge(rk_.get(), RD_KAFKA_PURGE_F_QUEUE | RD_KAFKA_PURGE_F_INFLIGHT);
        rd_kafka_poll(rk_.get(), 0);  // serve the purge reports
    }
}

std::shared_ptr<Delivery> Producer::Impl::Take(const void* delivery) {
    std::lock_guard lock(pending_mutex_);
    auto it = pending_.find(delivery);
    if (it == pending_.end()) return nullptr;
    std::shared_ptr<Delivery> taken = std::move(it->second);
    pending_.erase(it);
    return taken;
}

void Producer::Impl::OnDelivery(rd_kafka_t* /*rk*/, const rd_kafka_message_t* message, void* opaque) noexcept {
    try {
        auto* self = static_cast<Impl*>(static_cast<detail::ClientContext*>(opaque));
        if (message->_private == nullptr) {  // from Enqueue: nobody waits, so a failure is only worth a log line
            if (message->err != RD_KAFKA_RESP_ERR_NO_ERROR) {
                log::Warn("kafka message not delivered",
                          {{"topic", rd_kafka_topic_name(message->rkt)}, {"error", detail::Describe(message->err)}});
            }
            return;
        }
        std::shared_ptr<Delivery> delivery = self->Take(message->_private);
        if (!delivery) return;
        {
            std::lock_guard lock(delivery->mutex);
            delivery->done = true;
            delivery->err = message->err;
        }
        delivery->completed.notify_all();
    } catch (...) {
        // Only std::system_error from a mutex could land here; nothing useful to do inside a C callback.
    }
}

/// kUnavailable, except after a fatal error (with idempotence: the broker lost track of this producer's sequence
/// numbers). That producer can never send again, so retrying is pointless: kInternal, and the process should be
/// restarted.
Error Producer::Impl::Failure(const std::string& what, rd_kafka_resp_err_t err) {
    if (err != RD_KAFKA_RESP_ERR__FATAL) return Unavailable(what + ": " + detail::Describe(err));
    std::array<char, 512> reason{};
    rd_kafka_resp_err_t fatal = rd_kafka_fatal_error(rk_.get(), reason.data(), reason.size());
    return Internal(what + ": the Kafka producer failed permanently: " + detail::Describe(fatal) + ": " +
                    reason.data());
}

Status Producer::Impl::Produce(std::string_view topic, std::string_view key, std::string_view payload,
                               std::chrono::milliseconds timeout) {
    auto delivery = std::make_shared<Delivery>();
    {
        std::lock_guard lock(pending_mutex_);
        pending_.emplace(delivery.get(), delivery);
    }
    std::string topic_name(topic);  // librdkafka wants a NUL-terminated name
    rd_kafka_resp_err_t err = Send(topic_name, key, payload, delivery.get());
    if (err != RD_KAFKA_RESP_ERR_NO_ERROR) {
        (void)Take(delivery.get());  // no report will come for a message that was not enqueued
        return Failure("cannot enqueue a message for topic " + topic_name, err);
    }
    std::unique_lock lock(delivery->mutex);
    if (!delivery->completed.wait_for(lock, timeout, [&] { return delivery->done; })) {
        return Unavailable("message for topic " + topic_name + " not acknowledged within " +
                           std::to_string(timeout.count()) + " ms");
    }
    if (delivery->err != RD_KAFKA_RESP_ERR_NO_ERROR) {
        return Failure("message for topic " + topic_name + " not delivered", delivery->err);
    }
    return Ok();
}

rd_kafka_resp_err_t Producer::Impl::Send(const std::string& topic, std::string_view key, std::string_view payload,
                                         void* opaque) {
    // RD_KAFKA_MSG_F_COPY: librdkafka copies key and payload, so the caller's views need not outlive this call.
    return rd_kafka_producev(rk_.get(), RD_KAFKA_V_TOPIC(topic.c_str()),
                             RD_KAFKA_V_KEY(key.empty() ? nullptr : key.data(), key.size()),
                             RD_KAFKA_V_VALUE(const_cast<char*>(payload.data()), payload.size()),
                             RD_KAFKA_V_MSGFLAGS(RD_KAFKA_MSG_F_COPY), RD_KAFKA_V_OPAQUE(opaque), RD_KAFKA_V_END);
}

Status Producer::Impl::Enqueue(std::string_view topic, std::string_view key, std::string_view payload) {
    std::string topic_name(topic);
    rd_kafka_resp_err_t err = Send(topic_name, key, payload, nullptr);
    if (err != RD_KAFKA_RESP_ERR_NO_ERROR) return Failure("cannot enqueue a message for topic " + topic_name, err);
    return Ok();
}

Result<Producer> Producer::Create(const KafkaConfig& config, ProducerOptions options) {
    auto statistics_interval = options.statistics_interval;
    auto impl = std::make_unique<Impl>(std::move(options));
    MT_TRY(impl->Start(config, statistics_interval));
    return Producer(std::move(impl));
}

Producer::Producer(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}
Producer::Producer(Producer&&) noexcept = default;
Producer& Producer::operator=(Producer&&) noexcept = default;
Producer::~Producer() = default;

Status Producer::Produce(std::string_view topic, std::string_view key, std::string_view payload,
                         std::chrono::milliseconds timeout) {
    if (!impl_) return Internal("Produce on a moved-from Producer");
    return impl_->Produce(topic, key, payload, timeout);
}

Status Producer::Enqueue(std::string_view topic, std::string_view key, std::string_view payload) {
    if (!impl_) return Internal("Enqueue on a moved-from Producer");
    return impl_->Enqueue(topic, key, payload);
}

}  // namespace mt::kafka
