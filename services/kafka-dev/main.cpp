// mt-kafka-dev: a Kafka-protocol broker for local development and CI (librdkafka's mock cluster on fixed ports).
#include <cstdio>
#include <string>
#include <vector>

#include "mock_broker.hpp"
#include "mt/core/log.hpp"
#include "options.hpp"
#include "process.hpp"

int main(int argc, char** argv) {
    using namespace mt::kafka_dev;
    mt::log::SetService("kafka-dev");
    std::vector<std::string> args(argv + 1, argv + argc);
    for (const auto& arg : args) {
        if (arg == "--help" || arg == "-h") {
            std::fputs(Usage(), stdout);
            return 0;
        }
    }
    auto options = ParseOptions(args);
    if (!options) {
        std::fprintf(stderr, "mt-kafka-dev: %s\n%s", options.error().message.c_str(), Usage());
        return 2;
    }
    BlockTerminationSignals();  // before librdkafka starts its threads
    auto broker = MockBroker::Start(*options);
    if (!broker) {
        mt::log::Error("mock cluster failed to start", {{"error", broker.error().message}});
        return 1;
    }
    if (!options->ready_file.empty()) {
        if (auto written = WriteReadyFile(options->ready_file, broker->Bootstraps()); !written) {
            mt::log::Error("cannot write the ready file", {{"error", written.error().message}});
            return 1;
        }
    }
    mt::log::Info("mock cluster listening",
                  {{"bootstrap_servers", broker->Bootstraps()}, {"brokers", std::to_string(options->brokers)}});
    int sig = WaitForTerminationSignal();
    mt::log::Info("shutting down", {{"signal", std::to_string(sig)}});
    return 0;
}
