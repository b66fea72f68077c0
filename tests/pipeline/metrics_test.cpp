// Issue "operate it": after a Workflow 3 upload, scraping each service's /metrics shows the counters moved, and
// /healthz and /readyz answer. The stack here gives every service a known MT_METRICS_PORT.
#include <sstream>

#include "inputs.hpp"
#include "mt/testing/wait.hpp"
#include "pipeline.hpp"

namespace pipeline {
namespace {

using mt::testing::FreePort;
using mt::testing::HttpClient;
using mt::testing::WaitUntil;
using namespace std::chrono_literals;

/// Sum of the samples whose line starts with `prefix` (a metric name, optionally with the start of its labels).
double MetricSum(const std::string& text, std::string_view prefix) {
    double sum = 0;
    std::istringstream lines(text);
    for (std::string line; std::getline(lines, line);) {
        if (line.rfind(prefix, 0) != 0) continue;
        sum += std::stod(line.substr(line.rfind(' ') + 1));
    }
    return sum;
}

struct Ops {
    std::uint16_t gateway = FreePort();
    std::uint16_t analyzer = FreePort();
    std::uint16_t inserter = FreePort();
};

std::string Scrape(std::uint16_t port, std::string_view path = "/metrics") {
    HttpClient http("http://127.0.0.1:" + std::to_string(port));
    auto r = http.Request("GET", std::string(path));
    INFO(path << " on port " << port << ": " << r.Describe());
    REQUIRE(r.status == 200);
    return r.body;
}

}  // namespace

TEST_CASE("after an upload the counters moved on every service's metrics port", "[pipeline][metrics]") {
    Ops ops;
    StackOptions options;
    options.name = "metrics";
    options.kafka = true;
    options.gateway_env = {{"MT_METRICS_PORT", std::to_string(ops.gateway)}};
    Stack stack(options);
    auto worker_env = [&](std::uint16_t port) {
        auto env = WorkerEnv();
        env["MT_METRICS_PORT"] = std::to_string(port);
        return env;
    };
    Process& analyzer =
        stack.StartProcess("mt-analyzer", Stack::Binary("services/analyzer/mt-analyzer"), {}, worker_env(ops.analyzer));
    Process& inserter =
        stack.StartProcess("mt-inserter", Stack::Binary("services/inserter/mt-inserter"), {}, worker_env(ops.inserter));
    for (Process* p : {&analyzer, &inserter}) {
        WaitUntil([&] { return p->Log().find("\"msg\":\"started\"") != std::string::npos; }, 30s, "worker start");
    }
    for (auto port : {ops.gateway, ops.analyzer, ops.inserter}) {
        CHECK(Scrape(port, "/healthz").find("ok") != std::string::npos);
        WaitUntil(
            [&] {
                HttpClient http("http://127.0.0.1:" + std::to_string(port));
                return http.Request("GET", "/readyz").status == 200;
            },
            30s, "readiness");
    }
    std::string gateway_before = Scrape(ops.gateway);
    CHECK(MetricSum(gateway_before, "mt_job_transitions_total{service=\"gateway\",state=\"queued\"}") == 0);

    Uploader u(stack);
    std::string csv = "produto,qtd\n";
    for (int i = 0; i < 500; ++i) csv += "item " + std::to_string(i) + "," + std::to_string(i) + "\n";
    std::string job_id;
    u.Analyzed({File("vendas.csv", csv)}, &job_id);
    u.ConfirmDone(job_id);

    std::string gateway = Scrape(ops.gateway);
    CHECK(MetricSum(gateway, "mt_job_transitions_total{service=\"gateway\",state=\"queued\"}") == 1);
    CHECK(MetricSum(gateway, "mt_job_transitions_total{service=\"gateway\",state=\"inserting\"}") == 1);
    CHECK(MetricSum(gateway, "mt_upload_bytes_total") == static_cast<double>(csv.size()));
    CHECK(MetricSum(gateway, "mt_kafka_messages_produced_total") >= 2);
    CHECK(MetricSum(gateway,
                    "mt_http_requests_total{service=\"gateway\",method=\"POST\",route=\"/upload\",status=\"201\"}") ==
          1);
    CHECK(MetricSum(gateway, "mt_http_request_duration_seconds_count") > 0);

    std::string analyzed = Scrape(ops.analyzer);
    CHECK(MetricSum(analyzed, "mt_analyzer_rows_total") == 500);
    CHECK(MetricSum(analyzed, "mt_analyzer_bytes_total") == static_cast<double>(csv.size()));
    CHECK(MetricSum(analyzed, "mt_job_transitions_total{service=\"analyzer\",state=\"waiting_confirm\"}") == 1);

    std::string inserted = Scrape(ops.inserter);
    CHECK(MetricSum(inserted, "mt_inserter_rows_total") == 500);
    CHECK(MetricSum(inserted, "mt_inserter_copy_seconds_count") >= 1);
    CHECK(MetricSum(inserted, "mt_job_transitions_total{service=\"inserter\",state=\"done\"}") == 1);
    CHECK(inserted.find("mt_db_connections_in_use") != std::string::npos);
}

}  // namespace pipeline
