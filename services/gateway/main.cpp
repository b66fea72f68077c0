// mt-gateway: reads configuration, migrates the control database, serves the API (and /metrics, /healthz,
// /readyz on MT_METRICS_PORT) until SIGTERM/SIGINT. `--migrate-only` migrates and exits (deployment hook).
#include <atomic>
#include <csignal>
#include <cstdio>
#include <cstring>
#include <optional>

#include "api.hpp"
#include "config.hpp"
#include "mt/core/log.hpp"
#include "mt/ops/ops_server.hpp"
#include "mt/store/migrations.hpp"
#include "readiness.hpp"
#include "server.hpp"

int main(int argc, char** argv) {
    mt::log::SetService("gateway");
    std::string_view arg = argc > 1 ? argv[1] : "";
    mt::config::ConfigReader reader;
    auto config = mt::gateway::LoadConfig(reader);
    if (arg == "--help-config") {
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
    if (auto migrated = mt::gateway::MigrateControl(databases); !migrated) {
        mt::log::Error("control database migration failed: " + migrated.error().message);
        return 1;
    }
    if (arg == "--migrate-only") return 0;
    sigset_t signals;
    sigemptyset(&signals);
    sigaddset(&signals, SIGTERM);
    sigaddset(&signals, SIGINT);
    pthread_sigmask(SIG_BLOCK, &signals, nullptr);  // before any thread starts, so only sigwait sees them

    mt::gateway::TableReconciler reconciler(databases, config->reconcile_period);
    mt::gateway::AuditPurger purger(databases, config->audit_retention);
    mt::ops::Metrics metrics("gateway");
    auto producer = mt::kafka::Producer::Create(config->kafka);
    if (!producer) {
        mt::log::Error("Kafka producer: " + producer.error().message);
        return 2;
    }
    mt::gateway::KafkaPublisher publisher(std::move(*producer), metrics);
    std::optional<mt::gateway::RateLimiter> limiter;
    if (config->rate_limit_enabled) limiter.emplace(config->rate_limiter, &metrics.registry());
    mt::gateway::ApiServices services{databases, *verifier, publisher, metrics, config->limits};
    services.cors = config->cors;
    services.rate_limiter = limiter ? &*limiter : nullptr;
    mt::gateway::Api api(std::move(services));
    mt::gateway::Server server(api, metrics, config->server);
    std::atomic<bool> draining{false};
    auto ready = mt::gateway::ReadinessCheck(databases, metrics, config->kafka);
    mt::ops::OpsServer ops(
        metrics,
        [&draining, ready]() -> mt::Status {
            if (draining.load()) return mt::Unavailable("shutting down");  // load balancers stop sending traffic
            return ready();
        },
        config->metrics_port);
    for (mt::Status started : {ops.Start(), server.Start()}) {
        if (!started) {
            mt::log::Error(started.error().message);
            return 1;
        }
    }
    mt::log::Info("listening", {{"port", std::to_string(server.port())}, {"metrics_port", std::to_string(ops.port())}});
    int signal = 0;
    sigwait(&signals, &signal);
    mt::log::Info("shutting down", {{"signal", std::to_string(signal)}});
    draining.store(true);
    server.Drain(std::chrono::milliseconds(config->shutdown_grace_ms));
    ops.Stop();
    mt::log::Info("stopped");
    return 0;
}
