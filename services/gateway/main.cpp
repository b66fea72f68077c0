// mt-gateway: reads configuration, migrates the control database, serves the API until SIGTERM/SIGINT.
#include <csignal>
#include <cstdio>
#include <cstring>

#include "api.hpp"
#include "config.hpp"
#include "mt/core/log.hpp"
#include "mt/jobs/job.hpp"
#include "mt/kafka/admin.hpp"
#include "mt/store/migrations.hpp"
#include "server.hpp"

int main(int argc, char** argv) {
    mt::log::SetService("gateway");
    mt::config::ConfigReader reader;
    auto config = mt::gateway::LoadConfig(reader);
    if (argc > 1 && std::strcmp(argv[1], "--help-config") == 0) {
        std::printf("%s", reader.Table().c_str());
        return 0;
    }
    if (!config) {
        mt::log::Error(config.error().message);
        return 2;
    }
    auto verifier = mt::auth::Verifier::Create(config->jwt);
    if (!verifier) {
        mt::log::Error("invalid JWT configuration: " + verifier.error().message);
        return 2;
    }
    mt::store::Databases databases(config->databases);
    {
        auto control = databases.control().Acquire();
        mt::Status migrated = control ? mt::store::Migrate(**control) : mt::Status(control.error());
        if (!migrated) {
            mt::log::Error("control database migration failed: " + migrated.error().message);
            return 1;
        }
    }
    sigset_t signals;
    sigemptyset(&signals);
    sigaddset(&signals, SIGTERM);
    sigaddset(&signals, SIGINT);
    pthread_sigmask(SIG_BLOCK, &signals, nullptr);  // before any thread starts, so only sigwait sees them

    auto producer = mt::kafka::Producer::Create(config->kafka);
    if (!producer) {
        mt::log::Error("Kafka producer: " + producer.error().message);
        return 2;
    }
    mt::gateway::KafkaPublisher publisher(std::move(*producer));
    mt::gateway::Api api({databases, *verifier, publisher, config->limits});
    mt::gateway::Server server(api, config->server);
    if (auto started = server.Start(); !started) {
        mt::log::Error(started.error().message);
        return 1;
    }
    mt::log::Info("listening", {{"port", std::to_string(server.port())}});
    int signal = 0;
    sigwait(&signals, &signal);
    mt::log::Info("shutting down", {{"signal", std::to_string(signal)}});
    server.Stop();
    return 0;
}
