#include "config.hpp"

#include "mt/auth/key_file.hpp"

namespace mt::gateway {
namespace {

using config::Setting;

constexpr Setting kPort{"MT_HTTP_PORT", "3100", "HTTP port of the API"};
constexpr Setting kAddress{"MT_HTTP_ADDRESS", "0.0.0.0", "address the API listens on"};
constexpr Setting kThreads{"MT_HTTP_THREADS", "8", "HTTP worker threads (each serves requests synchronously)"};
constexpr Setting kControlUrl{"MT_CONTROL_DB_URL", "", "libpq URL of the control database", true};
constexpr Setting kCompanyUrl{"MT_COMPANY_DB_ADMIN_URL", "",
                              "libpq URL of the server holding company databases, as a role with CREATEDB and "
                              "CREATEROLE (any database on it)",
                              true};
constexpr Setting kControlPool{"MT_CONTROL_DB_POOL", "16", "connections to the control database"};
constexpr Setting kCompanyPool{"MT_COMPANY_DB_POOL", "8", "connections per company database"};
constexpr Setting kDdlLockTimeout{"MT_DDL_LOCK_TIMEOUT_MS", "2000",
                                  "how long a table change (PUT/PATCH/DELETE) waits for the table's locks before "
                                  "answering 409 TABLE_BUSY"};
constexpr Setting kReconcile{"MT_TABLE_RECONCILE_SECONDS", "60",
                             "period of the pass that finishes or undoes table changes a crash interrupted"};
constexpr Setting kJwtAlg{"MT_JWT_ALG", "HS256", "JWT algorithm: HS256 (shared secret) or RS256 (public key)"};
constexpr Setting kJwtKeyFile{"MT_JWT_KEY_FILE", "", "file with the HS256 secret or the RS256 PEM public key", true};
constexpr Setting kJwtLeeway{"MT_JWT_LEEWAY_SECONDS", "30", "clock skew tolerated on exp/nbf"};
constexpr Setting kMaxJson{"MT_MAX_JSON_BYTES", "67108864", "largest JSON body accepted (413 above)"};
constexpr Setting kMaxRequest{"MT_MAX_REQUEST_BYTES", "110100480",
                              "largest HTTP request buffered (uploads: 100 MB of files plus multipart overhead)"};

constexpr Setting kMaxUpload{"MT_MAX_UPLOAD_BYTES", "100000000", "largest upload, all files together (413 above)"};
constexpr Setting kMaxFiles{"MT_MAX_UPLOAD_FILES", "10", "most files in one upload (422 above)"};
constexpr Setting kMetricsPort{"MT_METRICS_PORT", "0",
                               "port of /metrics, /healthz, /readyz (0: any free port, logged at start)"};
constexpr Setting kScratch{"MT_SCRATCH_DIR", "/tmp",
                           "folder where uploads are written as they arrive (unnamed files, gone after the request)"};
constexpr Setting kGrace{"MT_SHUTDOWN_GRACE_MS", "25000",
                         "on SIGTERM, how long requests in flight may take to finish before the server stops"};

}  // namespace

Result<GatewayConfig> LoadConfig(config::ConfigReader& r) {
    GatewayConfig c;
    c.server.port = static_cast<std::uint16_t>(r.Int(kPort, 0, 65535));
    c.server.address = r.String(kAddress);
    c.server.threads = static_cast<int>(r.Int(kThreads, 1, 256));
    c.server.max_request_bytes = static_cast<std::size_t>(r.Int(kMaxRequest, 1 << 20, 1ll << 32));
    c.server.spool_dir = r.String(kScratch);
    c.databases.control_url = r.String(kControlUrl);
    c.databases.company_server_url = r.String(kCompanyUrl);
    c.databases.control_pool_size = static_cast<std::size_t>(r.Int(kControlPool, 1, 1000));
    c.databases.company_pool_size = static_cast<std::size_t>(r.Int(kCompanyPool, 1, 1000));
    c.databases.ddl_lock_timeout = std::chrono::milliseconds(r.Int(kDdlLockTimeout, 1, 600'000));
    c.reconcile_period = std::chrono::seconds(r.Int(kReconcile, 1, 86'400));
    std::string alg = r.Choice(kJwtAlg, {"HS256", "RS256"});
    c.jwt.algorithm = alg == "RS256" ? auth::Algorithm::kRS256 : auth::Algorithm::kHS256;
    std::string key_file = r.String(kJwtKeyFile);
    c.jwt.leeway_seconds = r.Int(kJwtLeeway, 0, 86400);
    c.limits.max_json_bytes = static_cast<std::size_t>(r.Int(kMaxJson, 1024, 1ll << 32));
    c.limits.max_upload_bytes = static_cast<std::size_t>(r.Int(kMaxUpload, 1, 1ll << 34));
    c.limits.max_upload_files = static_cast<std::size_t>(r.Int(kMaxFiles, 1, 1000));
    c.metrics_port = static_cast<std::uint16_t>(r.Int(kMetricsPort, 0, 65535));
    c.shutdown_grace_ms = r.Int(kGrace, 0, 3'600'000);
    MT_TRY(r.Finish());
    MT_ASSIGN_OR_RETURN(c.kafka, kafka::KafkaConfigFromEnv());
    MT_ASSIGN_OR_RETURN(c.jwt.key, auth::ReadKeyFile(key_file));
    return c;
}

}  // namespace mt::gateway
