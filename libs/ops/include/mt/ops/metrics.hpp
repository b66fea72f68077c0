#pragma once
/// The Prometheus metrics of every service (names per Prometheus conventions: `mt_` prefix, base units,
/// `_total` counters, `_seconds` histograms). One `Metrics` per process, created in main() and passed by reference
/// to whatever records; prometheus-cpp counters, gauges and histograms are thread-safe.
#include <prometheus/counter.h>
#include <prometheus/family.h>
#include <prometheus/gauge.h>
#include <prometheus/histogram.h>
#include <prometheus/registry.h>

#include <memory>
#include <string>
#include <string_view>

namespace mt::ops {

class Metrics {
public:
    explicit Metrics(std::string service);

    prometheus::Registry& registry() { return *registry_; }

    void HttpRequest(std::string_view route, std::string_view method, int status, double seconds);
    void JobTransition(std::string_view state);
    void KafkaProduced() { kafka_produced_.Increment(); }
    void KafkaConsumed() { kafka_consumed_.Increment(); }
    void KafkaError() { kafka_errors_.Increment(); }
    /// Consumer lag per partition from librdkafka's statistics JSON (topics.*.partitions.*.consumer_lag).
    void ObserveKafkaStatistics(std::string_view statistics_json);

    prometheus::Counter& upload_bytes() { return upload_bytes_; }
    prometheus::Counter& analyzer_bytes() { return analyzer_bytes_; }
    prometheus::Counter& analyzer_rows() { return analyzer_rows_; }
    prometheus::Counter& inserter_rows() { return inserter_rows_; }
    prometheus::Histogram& inserter_copy_seconds() { return inserter_copy_seconds_; }
    prometheus::Gauge& db_connections_in_use() { return db_connections_in_use_; }

private:
    std::shared_ptr<prometheus::Registry> registry_;
    prometheus::Family<prometheus::Counter>& http_requests_;
    prometheus::Family<prometheus::Histogram>& http_duration_;
    prometheus::Family<prometheus::Counter>& job_transitions_;
    prometheus::Family<prometheus::Gauge>& consumer_lag_;
    prometheus::Counter& upload_bytes_;
    prometheus::Counter& analyzer_bytes_;
    prometheus::Counter& analyzer_rows_;
    prometheus::Counter& inserter_rows_;
    prometheus::Histogram& inserter_copy_seconds_;
    prometheus::Counter& kafka_produced_;
    prometheus::Counter& kafka_consumed_;
    prometheus::Counter& kafka_errors_;
    prometheus::Gauge& db_connections_in_use_;
};

}  // namespace mt::ops
