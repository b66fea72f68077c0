#include "mt/worker/worker_main.hpp"

#include <csignal>
#include <cstdio>
#include <cstring>
#include <thread>

#include "mt/core/log.hpp"
#include "mt/ingest/xls_isolated.hpp"
#include "mt/jobs/migrations.hpp"
#include "mt/kafka/admin.hpp"
#include "mt/ops/ops_server.hpp"
#include "mt/store/migrations.hpp"
#include "mt/worker/scratch.hpp"

namespace mt::worker {
namespace {

Status Migrate(store::Databases& dbs) {
    MT_ASSIGN_OR_RETURN(auto control, dbs.control().Acquire());
    MT_TRY(store::Migrate(*control));
    return jobs::Migrate(*control);
}

}  // namespace

int RunWorkerMain(int argc, char** argv, std::string_view service, std::string_view default_group,
                  std::string_view topic, const WorkerFactory& factory) {
    // Re-executed as the isolated .xls reader (see xls_isolated.hpp): no configuration, no threads.
    if (argc > 1 && std::strcmp(argv[1], ingest::kXlsRowsFlag) == 0) return ingest::RunXlsRowsChild(argc, argv);
    log::SetService(service);
    config::ConfigReader reader;
    auto config = LoadWorkerConfig(reader, default_group);
    if (argc > 1 && std::strcmp(argv[1], "--help-config") == 0) {
        std::printf("%s", reader.Table().c_str());
        return 0;
    }
    if (!config) {
        log::Error(config.error().message);
        return 2;
    }
    sigset_t signals;
    sigemptyset(&signals);
    sigaddset(&signals, SIGTERM);
    sigaddset(&signals, SIGINT);
    pthread_sigmask(SIG_BLOCK, &signals, nullptr);  // before any thread starts, so only sigwait sees them

    store::Databases databases(config->databases);
    if (auto migrated = Migrate(databases); !migrated) {
        log::Error("control database migration failed: " + migrated.error().message);
        return 1;
    }
    // Topics: created if missing (a fresh real cluster); if the broker is away we still start and sweep.
    std::vector<kafka::TopicSpec> topics = {{jobs::kTopicAnalyze, 4}, {jobs::kTopicInsert, 8}};
    if (auto ensured = kafka::EnsureTopics(config->kafka, topics, std::chrono::seconds(10)); !ensured) {
        log::Warn("could not ensure Kafka topics", {{"error", ensured.error().message}});
    }
    ops::Metrics metrics{std::string(service)};
    kafka::ConsumerOptions consumer_options;
    consumer_options.on_statistics = [&metrics](std::string_view stats) { metrics.ObserveKafkaStatistics(stats); };
    consumer_options.statistics_interval = std::chrono::seconds(10);
    std::optional<kafka::Consumer> consumer;
    auto created =
        kafka::Consumer::Create(config->kafka, config->consumer_group, {std::string(topic)}, consumer_options);
    if (!created) {
        log::Error("Kafka consumer: " + created.error().message);
        return 2;
    }
    consumer.emplace(std::move(*created));
    if (int removed = RemoveDeadScratch(config->scratch_dir); removed > 0) {
        log::Info("removed scratch folders of workers that died", {{"count", std::to_string(removed)}});
    }
    std::string owner = LeaseOwnerName(service);
    WorkerParts parts = factory(databases, *config, owner, metrics);
    ops::OpsServer ops(
        metrics,
        [&databases, &metrics, brokers = config->kafka.bootstrap_servers]() -> Status {
            metrics.db_connections_in_use().Set(static_cast<double>(databases.in_use()));
            MT_ASSIGN_OR_RETURN(auto control, databases.control().Acquire());
            MT_TRY(control->Exec("SELECT 1"));
            return ops::CheckTcpReachable(brokers, 1000);
        },
        config->metrics_port);
    if (auto started = ops.Start(); !started) {
        log::Error(started.error().message);
        return 1;
    }
    WorkerSettings settings;
    settings.sweep_interval = config->sweep_interval;
    WorkerLoop loop(std::move(consumer), parts.handler, parts.sweep, parts.poisoned, settings, metrics);

    std::atomic<bool> stop{false};
    std::thread signal_thread([&] {
        int sig = 0;
        sigwait(&signals, &sig);
        log::Info("stopping", {{"signal", std::to_string(sig)}});
        stop.store(true);
    });
    log::Info("started",
              {{"owner", owner}, {"topic", std::string(topic)}, {"metrics_port", std::to_string(ops.port())}});
    loop.Run(stop);
    if (!stop.load()) kill(getpid(), SIGTERM);
    signal_thread.join();
    log::Info("stopped");
    return 0;
}

}  // namespace mt::worker
