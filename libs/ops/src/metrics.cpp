#include "mt/ops/metrics.hpp"

#include "mt/core/json.hpp"

namespace mt::ops {
namespace {

using prometheus::BuildCounter;
using prometheus::BuildGauge;
using prometheus::BuildHistogram;

const prometheus::Histogram::BucketBoundaries& LatencyBuckets() {
    static const prometheus::Histogram::BucketBoundaries kBuckets{0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1,
                                                                  0.25,  0.5,    1,     2.5,  5,     10,   30};
    return kBuckets;
}

const prometheus::Histogram::BucketBoundaries& CopyBuckets() {
    static const prometheus::Histogram::BucketBoundaries kBuckets{0.01, 0.05, 0.1, 0.5, 1, 2, 5, 10, 30, 60, 120, 300};
    return kBuckets;
}

}  // namespace

Metrics::Metrics(std::string service)
    : registry_(std::make_shared<prometheus::Registry>()),
      http_requests_(BuildCounter()
                         .Name("mt_http_requests_total")
                         .Help("HTTP requests by route template, method, "
                               "status")
                         .Labels({{"service", service}})
                         .Register(*registry_)),
      http_duration_(BuildHistogram()
                         .Name("mt_http_request_duration_seconds")
                         .Help("HTTP request duration")
                         .Labels({{"service", service}})
                         .Register(*registry_)),
      job_transitions_(BuildCounter()
                           .Name("mt_job_transitions_total")
                           .Help("Upload jobs entering each state")
                           .Labels({{"service", service}})
                           .Register(*registry_)),
      consumer_lag_(BuildGauge()
                        .Name("mt_kafka_consumer_lag")
                        .Help("Messages behind the end of each partition")
                        .Labels({{"service", service}})
                        .Register(*registry_)),
      upload_bytes_(BuildCounter()
                        .Name("mt_upload_bytes_total")
                        .Help("File bytes received by uploads")
                        .Labels({{"service", service}})
                        .Register(*registry_)
                        .Add({})),
      analyzer_bytes_(BuildCounter()
                          .Name("mt_analyzer_bytes_total")
                          .Help("File bytes scanned by the analyzer")
                          .Labels({{"service", service}})
                          .Register(*registry_)
                          .Add({})),
      analyzer_rows_(BuildCounter()
                         .Name("mt_analyzer_rows_total")
                         .Help("Rows scanned by the analyzer")
                         .Labels({{"service", service}})
                         .Register(*registry_)
                         .Add({})),
      inserter_rows_(BuildCounter()
                         .Name("mt_inserter_rows_total")
                         .Help("Rows inserted (committed parts)")
                         .Labels({{"service", service}})
                         .Register(*registry_)
                         .Add({})),
      inserter_copy_seconds_(BuildHistogram()
                                 .Name("mt_inserter_copy_seconds")
                                 .Help("Time of each part's COPY")
                                 .Labels({{"service", service}})
                                 .Register(*registry_)
                                 .Add({}, CopyBuckets())),
      kafka_produced_(BuildCounter()
                          .Name("mt_kafka_messages_produced_total")
                          .Help("Kafka messages produced")
                          .Labels({{"service", service}})
                          .Register(*registry_)
                          .Add({})),
      kafka_consumed_(BuildCounter()
                          .Name("mt_kafka_messages_consumed_total")
                          .Help("Kafka messages consumed")
                          .Labels({{"service", service}})
                          .Register(*registry_)
                          .Add({})),
      kafka_errors_(BuildCounter()
                        .Name("mt_kafka_errors_total")
                        .Help("Kafka produce/consume errors")
                        .Labels({{"service", service}})
                        .Register(*registry_)
                        .Add({})),
      db_connections_in_use_(BuildGauge()
                                 .Name("mt_db_connections_in_use")
                                 .Help("PostgreSQL connections leased now")
                                 .Labels({{"service", service}})
                                 .Register(*registry_)
                                 .Add({})) {}

void Metrics::HttpRequest(std::string_view route, std::string_view method, int status, double seconds) {
    http_requests_
        .Add({{"route", std::string(route)}, {"method", std::string(method)}, {"status", std::to_string(status)}})
        .Increment();
    http_duration_.Add({{"route", std::string(route)}, {"method", std::string(method)}}, LatencyBuckets())
        .Observe(seconds);
}

void Metrics::JobTransition(std::string_view state) {
    job_transitions_.Add({{"state", std::string(state)}}).Increment();
}

void Metrics::ObserveKafkaStatistics(std::string_view statistics_json) {
    auto doc = json::ParseJson(statistics_json);
    if (!doc) return;
    const auto* topics = json::Find(*doc, "topics");
    if (!topics || !topics->IsObject()) return;
    for (const auto& t : topics->GetObject()) {
        const auto* partitions = json::Find(t.value, "partitions");
        if (!partitions || !partitions->IsObject()) continue;
        for (const auto& p : partitions->GetObject()) {
            std::string_view partition = json::Text(p.name);
            if (partition == "-1") continue;  // librdkafka's internal "unassigned" partition
            const auto* lag = json::Find(p.value, "consumer_lag");
            if (!lag || json::KindOf(*lag) != json::Kind::kNumber) continue;
            double value = std::stod(std::string(json::Text(*lag)));
            if (value < 0) continue;  // -1: unknown (no committed offset yet)
            consumer_lag_.Add({{"topic", std::string(json::Text(t.name))}, {"partition", std::string(partition)}})
                .Set(value);
        }
    }
}

}  // namespace mt::ops
