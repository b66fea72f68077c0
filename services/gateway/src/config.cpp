#include "config.hpp"

#include <cstdlib>

#include "mt/auth/key_file.hpp"
#include "mt/store/role_secrets.hpp"

namespace mt::gateway {
namespace {

using config::Setting;

constexpr Setting kPort{"MT_HTTP_PORT", "3100", "HTTP port of the API"};
constexpr Setting kAddress{"MT_HTTP_ADDRESS", "0.0.0.0", "address the API listens on"};
constexpr Setting kThreads{"MT_HTTP_THREADS", "8", "HTTP reactor threads (read requests and write responses)"};
constexpr Setting kWorkers{"MT_HTTP_WORKERS", "16",
                           "threads that serve complete requests (database work happens here)"};
constexpr Setting kQueue{
    "MT_HTTP_QUEUE", "64",
    "complete requests waiting for a free worker; beyond, 503 SERVICE_UNAVAILABLE with Retry-After"};
constexpr Setting kInflightBody{"MT_HTTP_MAX_INFLIGHT_BODY_BYTES", "1073741824",
                                "request body bytes the gateway receives or holds at once, in memory and spool files "
                                "together; a request whose declared length does not fit gets 503 with Retry-After"};
constexpr Setting kHeadTimeout{
    "MT_HTTP_HEAD_TIMEOUT_MS", "10000",
    "time a request head may take to arrive from its first byte; then the connection is cut"};
constexpr Setting kBodyTimeout{"MT_HTTP_BODY_TIMEOUT_MS", "30000",
                               "longest pause between two reads of a request body; then the connection is cut"};
constexpr Setting kControlUrl{"MT_CONTROL_DB_URL", "", "libpq URL of the control database", true};
constexpr Setting kCompanyUrl{"MT_COMPANY_DB_URL", "",
                              "libpq URL of the server holding company databases: host and port only matter (user, "
                              "password and database become the company's); no CREATEROLE credentials",
                              true};
constexpr Setting kRoleKeyFile{"MT_DB_ROLE_KEY_FILE", "",
                               "file with the master key (>= 32 bytes) the company role passwords derive from", true};
constexpr Setting kControlPool{"MT_CONTROL_DB_POOL", "16", "connections to the control database"};
constexpr Setting kCompanyPool{"MT_COMPANY_DB_POOL", "8", "connections per company database"};
constexpr Setting kMaxConnections{"MT_DB_MAX_CONNECTIONS", "64",
                                  "server connections this process holds at most, every pool together (README "
                                  "\"Connections\" sizes it for N replicas)"};
constexpr Setting kMaxCompanyPools{"MT_DB_MAX_COMPANY_POOLS", "100",
                                   "company pools kept; beyond it the least recently used one is closed"};
constexpr Setting kIdleConnection{"MT_DB_IDLE_CONNECTION_MS", "60000", "a pooled connection idle this long is closed"};
constexpr Setting kAcquireTimeout{"MT_DB_ACQUIRE_TIMEOUT_MS", "10000",
                                  "longest wait for a free connection before a 503"};
constexpr Setting kStatementTimeout{"MT_DB_STATEMENT_TIMEOUT_MS", "30000",
                                    "statement_timeout of every session (0: none)"};
constexpr Setting kLockTimeout{"MT_DB_LOCK_TIMEOUT_MS", "10000", "lock_timeout of every session (0: none)"};
constexpr Setting kIdleInTransaction{"MT_DB_IDLE_IN_TRANSACTION_MS", "60000",
                                     "idle_in_transaction_session_timeout of every session (0: none)"};
constexpr Setting kDdlLockTimeout{"MT_DDL_LOCK_TIMEOUT_MS", "2000",
                                  "how long a table change (PUT/PATCH/DELETE) waits for the table's locks before "
                                  "answering 409 TABLE_BUSY"};
constexpr Setting kReconcile{"MT_TABLE_RECONCILE_SECONDS", "60",
                             "period of the pass that finishes or undoes table changes a crash interrupted"};
constexpr Setting kAuditRetention{"MT_AUDIT_RETENTION_DAYS", "365",
                                  "days audit events are kept (an hourly purge deletes older ones); 0 keeps them "
                                  "forever"};
constexpr Setting kJwtAlg{"MT_JWT_ALG", "HS256", "JWT algorithm: HS256 (shared secret) or RS256 (public key)"};
constexpr Setting kJwtKeyFile{"MT_JWT_KEY_FILE", "", "file with the HS256 secret or the RS256 PEM public key", true};
constexpr Setting kJwtLeeway{"MT_JWT_LEEWAY_SECONDS", "30", "clock skew tolerated on exp/nbf"};
constexpr Setting kJwtAudience{"MT_JWT_AUDIENCE", "", "when set, tokens must name it in `aud` (else 401)"};
constexpr Setting kJwtIssuer{"MT_JWT_ISSUER", "", "when set, tokens must carry exactly this `iss` (else 401)"};
constexpr Setting kMaxJson{"MT_MAX_JSON_BYTES", "67108864", "largest JSON body accepted (413 above)"};
constexpr Setting kMaxRequest{"MT_MAX_REQUEST_BYTES", "110100480",
                              "largest HTTP request buffered (uploads: 100 MB of files plus multipart overhead)"};

constexpr Setting kMaxUpload{"MT_MAX_UPLOAD_BYTES", "100000000", "largest upload, all files together (413 above)"};
constexpr Setting kMaxFiles{"MT_MAX_UPLOAD_FILES", "10", "most files in one upload (422 above)"};
constexpr Setting kMetricsPort{"MT_METRICS_PORT", "0",
                               "port of /metrics, /healthz, /readyz (0: any free port, logged at start)"};
constexpr Setting kScratch{"MT_SCRATCH_DIR", "/tmp",
                           "folder where uploads are written as they arrive (unnamed files, gone after the request)"};
constexpr Setting kCorsOrigins{"MT_CORS_ALLOWED_ORIGINS", "",
                               "comma list of origins (e.g. https://console.example.com) whose browsers may call the "
                               "API (CORS); empty: CORS off"};
constexpr Setting kGrace{"MT_SHUTDOWN_GRACE_MS", "25000",
                         "on SIGTERM, how long requests in flight may take to finish before the server stops"};

constexpr Setting kRateEnabled{"MT_RATE_LIMIT_ENABLED", "true",
                               "per-company and per-API-key request rate limits (429 RATE_LIMITED); counted in Redis"};
constexpr Setting kRedisUrl{"MT_REDIS_URL", "redis://127.0.0.1:6379",
                            "Redis holding the rate-limit counters shared by every gateway, "
                            "redis://[:password@]host[:port][/db]; unreachable: requests go on unlimited (fail open)"};
constexpr Setting kRedisTimeout{"MT_REDIS_TIMEOUT_MS", "50",
                                "connect and command timeout of each rate-limit check (over it: fail open)"};
constexpr Setting kReads{"MT_RATE_LIMIT_READS_PER_MINUTE", "6000",
                         "read requests (GET, POST /:id/query) a company may make per minute"};
constexpr Setting kWrites{"MT_RATE_LIMIT_WRITES_PER_MINUTE", "1200",
                          "write requests (every other route) a company may make per minute"};
constexpr Setting kKeyReads{"MT_RATE_LIMIT_KEY_READS_PER_MINUTE", "",
                            "read requests one API key may make per minute (default: the company's)"};
constexpr Setting kKeyWrites{"MT_RATE_LIMIT_KEY_WRITES_PER_MINUTE", "",
                             "write requests one API key may make per minute (default: the company's)"};
constexpr Setting kQuotaTables{"MT_QUOTA_TABLES", "1000",
                               "tables a company may have: active ones plus uploads that will create one"};
constexpr Setting kQuotaJobs{"MT_QUOTA_CONCURRENT_JOBS", "10", "upload jobs of a company not yet done or failed"};
constexpr Setting kQuotaBytes{"MT_QUOTA_UPLOAD_BYTES", "10737418240",
                              "bytes of uploaded files a company may have stored (files of jobs not yet done or "
                              "failed; a finished job's files are deleted)"};

/// A per-key limit: unset or empty follows the company's (a key can never do more than its company anyway).
std::int64_t KeyLimit(config::ConfigReader& r, const Setting& s, std::int64_t company_limit) {
    const char* set = std::getenv(std::string(s.name).c_str());
    if (set == nullptr || *set == '\0') {
        r.String(s);  // listed in --help-config all the same
        return company_limit;
    }
    return r.Int(s, 1, 1'000'000'000);
}

}  // namespace

Result<GatewayConfig> LoadConfig(config::ConfigReader& r) {
    GatewayConfig c;
    c.server.port = static_cast<std::uint16_t>(r.Int(kPort, 0, 65535));
    c.server.address = r.String(kAddress);
    c.server.threads = static_cast<int>(r.Int(kThreads, 1, 256));
    c.server.workers = static_cast<int>(r.Int(kWorkers, 1, 1024));
    c.server.queue = static_cast<std::size_t>(r.Int(kQueue, 0, 100000));
    c.server.max_inflight_body_bytes = static_cast<std::size_t>(r.Int(kInflightBody, 1 << 20, 1ll << 40));
    c.server.timeouts.head = std::chrono::milliseconds(r.Int(kHeadTimeout, 100, 3'600'000));
    c.server.timeouts.body_idle = std::chrono::milliseconds(r.Int(kBodyTimeout, 100, 3'600'000));
    c.server.max_request_bytes = static_cast<std::size_t>(r.Int(kMaxRequest, 1 << 20, 1ll << 32));
    c.server.spool_dir = r.String(kScratch);
    c.databases.control_url = r.String(kControlUrl);
    c.databases.company_server_url = r.String(kCompanyUrl);
    std::string role_key_file = r.String(kRoleKeyFile);
    c.databases.control_pool_size = static_cast<std::size_t>(r.Int(kControlPool, 1, 1000));
    c.databases.company_pool_size = static_cast<std::size_t>(r.Int(kCompanyPool, 1, 1000));
    // Two at least: a request may hold a control and a company connection at once.
    c.databases.max_connections = static_cast<std::size_t>(r.Int(kMaxConnections, 2, 100'000));
    c.databases.max_company_pools = static_cast<std::size_t>(r.Int(kMaxCompanyPools, 1, 100'000));
    c.databases.idle_connection = std::chrono::milliseconds(r.Int(kIdleConnection, 100, 86'400'000));
    c.databases.acquire_timeout = std::chrono::milliseconds(r.Int(kAcquireTimeout, 1, 600'000));
    c.databases.session.application_name = "mt-gateway";
    c.databases.session.statement_timeout_ms = static_cast<int>(r.Int(kStatementTimeout, 0, 86'400'000));
    c.databases.session.lock_timeout_ms = static_cast<int>(r.Int(kLockTimeout, 0, 86'400'000));
    c.databases.session.idle_in_transaction_ms = static_cast<int>(r.Int(kIdleInTransaction, 0, 86'400'000));
    c.databases.ddl_lock_timeout = std::chrono::milliseconds(r.Int(kDdlLockTimeout, 1, 600'000));
    c.reconcile_period = std::chrono::seconds(r.Int(kReconcile, 1, 86'400));
    c.audit_retention = std::chrono::hours(24 * r.Int(kAuditRetention, 0, 36'500));
    std::string alg = r.Choice(kJwtAlg, {"HS256", "RS256"});
    c.jwt.algorithm = alg == "RS256" ? auth::Algorithm::kRS256 : auth::Algorithm::kHS256;
    std::string key_file = r.String(kJwtKeyFile);
    c.jwt.leeway_seconds = r.Int(kJwtLeeway, 0, 86400);
    c.jwt.audience = r.String(kJwtAudience);
    c.jwt.issuer = r.String(kJwtIssuer);
    c.limits.max_json_bytes = static_cast<std::size_t>(r.Int(kMaxJson, 1024, 1ll << 32));
    c.server.max_json_bytes = c.limits.max_json_bytes;
    c.limits.max_upload_bytes = static_cast<std::size_t>(r.Int(kMaxUpload, 1, 1ll << 34));
    c.limits.max_upload_files = static_cast<std::size_t>(r.Int(kMaxFiles, 1, 1000));
    c.limits.quotas.tables = r.Int(kQuotaTables, 0, 1'000'000'000);
    c.limits.quotas.concurrent_jobs = r.Int(kQuotaJobs, 0, 1'000'000'000);
    c.limits.quotas.upload_bytes = r.Int(kQuotaBytes, 0, 1ll << 50);
    c.rate_limit_enabled = r.Bool(kRateEnabled);
    c.rate_limiter.redis_url = r.String(kRedisUrl);
    c.rate_limiter.connect_timeout = c.rate_limiter.command_timeout =
        std::chrono::milliseconds(r.Int(kRedisTimeout, 1, 10'000));
    c.rate_limiter.limits.company_reads = r.Int(kReads, 1, 1'000'000'000);
    c.rate_limiter.limits.company_writes = r.Int(kWrites, 1, 1'000'000'000);
    c.rate_limiter.limits.key_reads = KeyLimit(r, kKeyReads, c.rate_limiter.limits.company_reads);
    c.rate_limiter.limits.key_writes = KeyLimit(r, kKeyWrites, c.rate_limiter.limits.company_writes);
    c.metrics_port = static_cast<std::uint16_t>(r.Int(kMetricsPort, 0, 65535));
    c.shutdown_grace_ms = r.Int(kGrace, 0, 3'600'000);
    std::string cors_origins = r.String(kCorsOrigins);
    MT_TRY(r.Finish());
    MT_ASSIGN_OR_RETURN(c.cors, CorsPolicy::FromList(cors_origins));
    if (c.rate_limit_enabled) {
        if (auto redis = ParseRedisUrl(c.rate_limiter.redis_url); !redis) {
            return Validation(std::string(kRedisUrl.name) + "=\"" + c.rate_limiter.redis_url + "\" " +
                              redis.error().message);
        }
    }
    MT_ASSIGN_OR_RETURN(c.kafka, kafka::KafkaConfigFromEnv());
    MT_ASSIGN_OR_RETURN(c.jwt.key, auth::ReadKeyFile(key_file));
    MT_ASSIGN_OR_RETURN(c.databases.role_key, store::ReadRoleKeyFile(role_key_file));
    if (c.jwt.algorithm == auth::Algorithm::kHS256 && c.jwt.key.size() < auth::kMinHs256SecretBytes) {
        return Validation(std::string(kJwtKeyFile.name) + ": the HS256 secret in " + key_file + " is " +
                          std::to_string(c.jwt.key.size()) + " bytes; at least " +
                          std::to_string(auth::kMinHs256SecretBytes) + " are required");
    }
    return c;
}

}  // namespace mt::gateway
