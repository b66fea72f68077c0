#include "mt/worker/worker_config.hpp"

#include "mt/store/role_secrets.hpp"

namespace mt::worker {
namespace {

using config::Setting;
constexpr Setting kControlUrl{"MT_CONTROL_DB_URL", "", "libpq URL of the control database", true};
constexpr Setting kCompanyUrl{"MT_COMPANY_DB_URL", "",
                              "libpq URL of the server holding company databases (host and port; no CREATEROLE "
                              "credentials needed)",
                              true};
constexpr Setting kRoleKeyFile{"MT_DB_ROLE_KEY_FILE", "",
                               "file with the master key (>= 32 bytes) the company role passwords derive from", true};
constexpr Setting kScratch{"MT_SCRATCH_DIR", "/tmp", "folder for files being analyzed or loaded"};
constexpr Setting kLease{"MT_LEASE_SECONDS", "30", "a worker that stops heart-beating loses its job after this"};
constexpr Setting kSweep{"MT_SWEEP_INTERVAL_MS", "2000", "how often workers look for stranded work"};
constexpr Setting kGrace{"MT_QUEUED_GRACE_SECONDS", "5", "how long a job waits for its Kafka message before a sweep"};
constexpr Setting kAttempts{"MT_MAX_ATTEMPTS", "3", "worker deaths tolerated on one job before it fails"};
constexpr Setting kMetricsPort{"MT_METRICS_PORT", "0",
                               "port of /metrics, /healthz, /readyz (0: any free port, logged at start)"};
constexpr Setting kUnconfirmedTtl{"MT_UNCONFIRMED_JOB_TTL_HOURS", "168",
                                  "analyzer: an analyzed upload not confirmed within this fails and its files go"};
constexpr Setting kPartRows{"MT_INSERT_PART_ROWS", "250000",
                            "analyzer: rows per part of a load (parts load in parallel, on any inserter)"};
constexpr Setting kAppendDirect{"MT_APPEND_DIRECT_MAX_ROWS", "5000000",
                                "analyzer: an append of up to this many rows loads as one part straight into the "
                                "table (rows written once); larger appends load in parallel parts, then are copied"};
constexpr Setting kJobBytes{"MT_MAX_JOB_BYTES", "2147483648",
                            "analyzer: an upload whose files hold more data than this once decoded (all files and "
                            "ZIP members together) fails"};
constexpr Setting kJobRows{"MT_MAX_JOB_ROWS", "50000000",
                           "analyzer: an upload with more rows than this (all files together) fails"};
constexpr Setting kRowBytes{"MT_MAX_ROW_BYTES", "16777216", "analyzer: a file with a row larger than this fails"};
constexpr Setting kMaxConnections{"MT_DB_MAX_CONNECTIONS", "16",
                                  "pooled server connections this process holds at most (each part being loaded "
                                  "adds one dedicated company connection)"};
constexpr Setting kIdleConnection{"MT_DB_IDLE_CONNECTION_MS", "60000", "a pooled connection idle this long is closed"};
// Workers' statements run long by design: a part's COPY streams for as long as its file takes to read (a 2 GiB
// upload is minutes), a finalize copies every row of an append. So no statement_timeout by default; a stalled
// worker is ended by its lease running out and the fence (services/inserter), not by a statement bound.
constexpr Setting kStatementTimeout{"MT_DB_STATEMENT_TIMEOUT_MS", "0",
                                    "statement_timeout of every session (0: none, so a long COPY is never cut)"};
constexpr Setting kLockTimeout{"MT_DB_LOCK_TIMEOUT_MS", "60000",
                               "lock_timeout of every session (a finalize waiting longer is retried later)"};
constexpr Setting kIdleInTransaction{"MT_DB_IDLE_IN_TRANSACTION_MS", "300000",
                                     "idle_in_transaction_session_timeout of every session"};
constexpr Setting kGroup{"MT_KAFKA_GROUP", "", "consumer group (default: mt-analyzer / mt-inserter)"};

}  // namespace

Result<WorkerConfig> LoadWorkerConfig(config::ConfigReader& r, std::string_view default_group) {
    WorkerConfig c;
    c.databases.control_url = r.String(kControlUrl);
    c.databases.company_server_url = r.String(kCompanyUrl);
    std::string role_key_file = r.String(kRoleKeyFile);
    c.databases.control_pool_size = 4;
    c.databases.company_pool_size = 4;
    c.databases.max_connections = static_cast<std::size_t>(r.Int(kMaxConnections, 2, 100'000));
    c.databases.idle_connection = std::chrono::milliseconds(r.Int(kIdleConnection, 100, 86'400'000));
    c.databases.session.statement_timeout_ms = static_cast<int>(r.Int(kStatementTimeout, 0, 86'400'000));
    c.databases.session.lock_timeout_ms = static_cast<int>(r.Int(kLockTimeout, 0, 86'400'000));
    c.databases.session.idle_in_transaction_ms = static_cast<int>(r.Int(kIdleInTransaction, 0, 86'400'000));
    c.scratch_dir = r.String(kScratch);
    c.lease = std::chrono::seconds(r.Int(kLease, 2, 3600));
    c.sweep_interval = std::chrono::milliseconds(r.Int(kSweep, 100, 600000));
    c.queued_grace = std::chrono::seconds(r.Int(kGrace, 0, 3600));
    c.max_attempts = static_cast<int>(r.Int(kAttempts, 1, 100));
    c.metrics_port = static_cast<std::uint16_t>(r.Int(kMetricsPort, 0, 65535));
    c.unconfirmed_ttl = std::chrono::hours(r.Int(kUnconfirmedTtl, 1, 24 * 365));
    c.part_rows = r.Int(kPartRows, 1, 1ll << 40);
    c.append_direct_rows = r.Int(kAppendDirect, 0, 1ll << 40);
    c.max_job_bytes = static_cast<std::uint64_t>(r.Int(kJobBytes, 1 << 20, 1ll << 42));
    c.max_job_rows = r.Int(kJobRows, 1, 1ll << 40);
    c.max_row_bytes = static_cast<std::size_t>(r.Int(kRowBytes, 1 << 10, 1 << 30));
    c.consumer_group = r.String(kGroup);
    if (c.consumer_group.empty()) c.consumer_group = default_group;
    c.databases.session.application_name = std::string(default_group);  // mt-analyzer / mt-inserter
    MT_TRY(r.Finish());
    MT_ASSIGN_OR_RETURN(c.kafka, kafka::KafkaConfigFromEnv());
    MT_ASSIGN_OR_RETURN(c.databases.role_key, store::ReadRoleKeyFile(role_key_file));
    return c;
}

}  // namespace mt::worker
