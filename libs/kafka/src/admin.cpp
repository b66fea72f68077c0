#include "mt/kafka/admin.hpp"

#include <array>
#include <memory>
#include <set>
#include <string_view>

#include "client.hpp"

namespace mt::kafka {
namespace {

int Millis(std::chrono::milliseconds d) { return static_cast<int>(d.count()); }

/// Names of the topics the cluster has. Asks for all topics: naming topics in a Metadata request could make a
/// broker with auto.create.topics.enable create them with its defaults, behind our back.
Result<std::set<std::string>> ExistingTopics(rd_kafka_t* rk, std::chrono::milliseconds timeout) {
    const rd_kafka_metadata_t* raw = nullptr;
    rd_kafka_resp_err_t err = rd_kafka_metadata(rk, /*all_topics=*/1, nullptr, &raw, Millis(timeout));
    if (err != RD_KAFKA_RESP_ERR_NO_ERROR)
        return Unavailable("Kafka metadata request failed: " + detail::Describe(err));
    detail::MetadataHandle metadata(raw);
    std::set<std::string> names;
    for (int i = 0; i < metadata->topic_cnt; ++i) {
        const rd_kafka_metadata_topic_t& topic = metadata->topics[i];
        if (topic.err != RD_KAFKA_RESP_ERR_UNKNOWN_TOPIC_OR_PART) names.insert(topic.topic);
    }
    return names;
}

/// librdkafka 2.0.2's mock cluster does not implement CreateTopics (the admin client waits for a controller the
/// mock never names, until the timeout). Its cluster id is "mockCluster<hex>", so detect it and fail fast.
bool IsMockCluster(rd_kafka_t* rk) {
    // Timeout 0: the id is cached from the metadata request that ran just before.
    std::unique_ptr<char, void (*)(char*)> id(rd_kafka_clusterid(rk, 0),
                                              [](char* p) { rd_kafka_mem_free(nullptr, p); });
    return id && std::string_view(id.get()).starts_with("mockCluster");
}

Result<detail::AdminOptionsHandle> CreateOptions(rd_kafka_t* rk, std::chrono::milliseconds timeout) {
    detail::AdminOptionsHandle options(rd_kafka_AdminOptions_new(rk, RD_KAFKA_ADMIN_OP_CREATETOPICS));
    std::array<char, 512> errstr{};
    // The operation timeout makes the controller answer only once the topics exist on the brokers, so a
    // consumer subscribing right after EnsureTopics sees them.
    if (rd_kafka_AdminOptions_set_request_timeout(options.get(), Millis(timeout), errstr.data(), errstr.size()) ||
        rd_kafka_AdminOptions_set_operation_timeout(options.get(), Millis(timeout), errstr.data(), errstr.size())) {
        return BadRequest(std::string("invalid admin timeout: ") + errstr.data());
    }
    return options;
}

/// Reads the CreateTopics result; "already exists" (created concurrently by another replica) is success.
Status CheckCreateResult(rd_kafka_event_t* event) {
    if (rd_kafka_event_error(event) != RD_KAFKA_RESP_ERR_NO_ERROR) {
        return Unavailable(std::string("Kafka CreateTopics failed: ") + rd_kafka_event_error_string(event));
    }
    size_t count = 0;
    const rd_kafka_topic_result_t** results =
        rd_kafka_CreateTopics_result_topics(rd_kafka_event_CreateTopics_result(event), &count);
    std::string failures;
    for (size_t i = 0; i < count; ++i) {
        rd_kafka_resp_err_t err = rd_kafka_topic_result_error(results[i]);
        if (err == RD_KAFKA_RESP_ERR_NO_ERROR || err == RD_KAFKA_RESP_ERR_TOPIC_ALREADY_EXISTS) continue;
        const char* message = rd_kafka_topic_result_error_string(results[i]);
        failures += std::string(failures.empty() ? "" : "; ") + rd_kafka_topic_result_name(results[i]) + ": " +
                    (message != nullptr ? message : rd_kafka_err2str(err)) + " (" + rd_kafka_err2name(err) + ")";
    }
    if (!failures.empty()) return Internal("cannot create Kafka topics: " + failures);
    return Ok();
}

Status CreateTopics(rd_kafka_t* rk, const std::vector<TopicSpec>& topics, std::chrono::milliseconds timeout) {
    std::vector<detail::NewTopicHandle> owned;
    std::vector<rd_kafka_NewTopic_t*> raw;
    for (const auto& spec : topics) {
        std::array<char, 512> errstr{};
        owned.emplace_back(rd_kafka_NewTopic_new(spec.name.c_str(), spec.partitions, spec.replication_factor,
                                                 errstr.data(), errstr.size()));
        if (!owned.back()) return BadRequest("invalid topic '" + spec.name + "': " + errstr.data());
        raw.push_back(owned.back().get());
    }
    MT_ASSIGN_OR_RETURN(auto options, CreateOptions(rk, timeout));
    detail::QueueHandle queue(rd_kafka_queue_new(rk));
    // CreateTopics copies the NewTopic objects; `owned` frees ours when we return.
    rd_kafka_CreateTopics(rk, raw.data(), raw.size(), options.get(), queue.get());
    // A little longer than the request timeout, so librdkafka reports its own timeout rather than us guessing.
    detail::EventHandle event(rd_kafka_queue_poll(queue.get(), Millis(timeout + std::chrono::seconds(5))));
    if (!event) return Unavailable("Kafka CreateTopics got no answer in time");
    return CheckCreateResult(event.get());
}

}  // namespace

Status EnsureTopics(const KafkaConfig& config, const std::vector<TopicSpec>& topics,
                    std::chrono::milliseconds timeout) {
    if (topics.empty()) return Ok();
    // A short-lived client of its own: admin requests need an rd_kafka_t, and this runs once at start-up.
    MT_ASSIGN_OR_RETURN(auto rk, detail::NewClient(RD_KAFKA_PRODUCER, config, {}, nullptr));
    MT_ASSIGN_OR_RETURN(auto existing, ExistingTopics(rk.get(), timeout));
    std::vector<TopicSpec> missing;
    for (const auto& spec : topics) {
        if (!existing.contains(spec.name)) missing.push_back(spec);
    }
    if (missing.empty()) return Ok();
    if (IsMockCluster(rk.get())) {
        std::string names;
        for (const auto& spec : missing) names += (names.empty() ? "" : ", ") + spec.name;
        return BadRequest("the dev broker cannot create topics at run time (missing: " + names +
                              "); start mt-kafka-dev with them in --topics",
                          "INVALID_KAFKA_CONFIG");
    }
    return CreateTopics(rk.get(), missing, timeout);
}

}  // namespace mt::kafka
