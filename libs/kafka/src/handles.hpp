#pragma once
/// RAII holders for librdkafka's C handles (private to mt::kafka: rdkafka.h stays out of the public headers).
#include <librdkafka/rdkafka.h>

#include <memory>

namespace mt::kafka::detail {

template <typename T, void (*Destroy)(T*)>
struct HandleDeleter {
    void operator()(T* handle) const noexcept {
        if (handle != nullptr) Destroy(handle);
    }
};

/// `Holder<T, &destroy>`: a unique_ptr that calls librdkafka's destroy function for T.
template <typename T, void (*Destroy)(T*)>
using Holder = std::unique_ptr<T, HandleDeleter<T, Destroy>>;

// rd_kafka_destroy blocks until the client's threads stop; for a consumer it also leaves the group if
// Close() was not called.
using KafkaHandle = Holder<rd_kafka_t, &rd_kafka_destroy>;
// A conf is owned by us until rd_kafka_new succeeds; then release() it (rd_kafka_new took ownership).
using ConfHandle = Holder<rd_kafka_conf_t, &rd_kafka_conf_destroy>;
using PartitionListHandle = Holder<rd_kafka_topic_partition_list_t, &rd_kafka_topic_partition_list_destroy>;
using MessageHandle = Holder<rd_kafka_message_t, &rd_kafka_message_destroy>;
using QueueHandle = Holder<rd_kafka_queue_t, &rd_kafka_queue_destroy>;
// Admin results live inside their event: destroying the event frees the result and everything it points to.
using EventHandle = Holder<rd_kafka_event_t, &rd_kafka_event_destroy>;
using AdminOptionsHandle = Holder<rd_kafka_AdminOptions_t, &rd_kafka_AdminOptions_destroy>;
using NewTopicHandle = Holder<rd_kafka_NewTopic_t, &rd_kafka_NewTopic_destroy>;
using MetadataHandle = Holder<const rd_kafka_metadata_t, &rd_kafka_metadata_destroy>;

}  // namespace mt::kafka::detail
