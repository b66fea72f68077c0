#include "provisioner.hpp"

#include <libpq-fe.h>
#include <poll.h>

#include <chrono>
#include <optional>
#include <string>
#include <thread>

#include "mt/core/log.hpp"
#include "mt/ops/ops_server.hpp"
#include "mt/pg/connection.hpp"
#include "mt/store/migrations.hpp"
#include "mt/store/role_secrets.hpp"

namespace mt::provisioner {
namespace {

using config::Setting;

constexpr Setting kControlUrl{"MT_CONTROL_DB_URL", "", "libpq URL of the control database", true};
constexpr Setting kAdminUrl{"MT_COMPANY_DB_ADMIN_URL", "",
                            "libpq URL of the server holding company databases, as a role with CREATEDB and "
                            "CREATEROLE (any database on it); give it to this process only",
                            true};
constexpr Setting kRoleKeyFile{"MT_DB_ROLE_KEY_FILE", "",
                               "file with the master key (>= 32 bytes) the company role passwords derive from", true};
constexpr Setting kConnLimit{"MT_COMPANY_ROLE_CONNECTION_LIMIT", "20",
                             "CONNECTION LIMIT of every company role; must fit gateway replicas x MT_COMPANY_DB_POOL "
                             "+ (analyzer + inserter replicas) x 4 + parallel load parts"};
constexpr Setting kStatementTimeout{"MT_COMPANY_ROLE_STATEMENT_TIMEOUT_MS", "300000",
                                    "statement_timeout default of every company role (workers lift it)"};
constexpr Setting kLockTimeout{"MT_COMPANY_ROLE_LOCK_TIMEOUT_MS", "30000",
                               "lock_timeout default of every company role (workers lift it)"};
constexpr Setting kIdleTxTimeout{"MT_COMPANY_ROLE_IDLE_IN_TRANSACTION_TIMEOUT_MS", "60000",
                                 "idle_in_transaction_session_timeout default of every company role"};
constexpr Setting kPoll{"MT_PROVISION_POLL_MS", "200", "how often pending provisioning is looked for without a NOTIFY"};
constexpr Setting kMetricsPort{"MT_METRICS_PORT", "0",
                               "port of /metrics, /healthz, /readyz (0: any free port, logged at start)"};

}  // namespace

Result<Config> LoadConfig(config::ConfigReader& r) {
    Config c;
    c.databases.control_url = r.String(kControlUrl);
    c.databases.company_server_url = r.String(kAdminUrl);
    c.databases.control_pool_size = 4;
    c.databases.company_pool_size = 1;
    // Its own sessions: named, and bounded generously (CREATE DATABASE copies a template; it is not a request).
    c.databases.session.application_name = "mt-provisioner";
    c.databases.session.statement_timeout_ms = 300'000;
    c.databases.session.lock_timeout_ms = 60'000;
    c.databases.session.idle_in_transaction_ms = 300'000;
    std::string key_file = r.String(kRoleKeyFile);
    c.roles.connection_limit = static_cast<int>(r.Int(kConnLimit, 1, 10000));
    c.roles.statement_timeout_ms = r.Int(kStatementTimeout, 0, 1ll << 31);
    c.roles.lock_timeout_ms = r.Int(kLockTimeout, 0, 1ll << 31);
    c.roles.idle_in_transaction_timeout_ms = r.Int(kIdleTxTimeout, 0, 1ll << 31);
    c.poll_ms = static_cast<int>(r.Int(kPoll, 10, 60000));
    c.metrics_port = static_cast<std::uint16_t>(r.Int(kMetricsPort, 0, 65535));
    MT_TRY(r.Finish());
    MT_ASSIGN_OR_RETURN(c.databases.role_key, store::ReadRoleKeyFile(key_file));
    return c;
}

namespace {

/// A connection LISTENing on mt_provision; waits up to `ms` for a notification (or returns at once on one).
class Listener {
public:
    Listener(std::string url, pg::SessionSettings session) : url_(std::move(url)), session_(std::move(session)) {}

    void Wait(int ms) {
        if (!conn_) {
            auto opened = pg::Connection::Open(url_, session_);
            if (opened && opened->Run("LISTEN mt_provision")) {
                conn_.emplace(std::move(*opened));
            } else {
                std::this_thread::sleep_for(std::chrono::milliseconds(ms));
                return;
            }
        }
        pollfd fd{PQsocket(conn_->raw()), POLLIN, 0};
        ::poll(&fd, 1, ms);
        if (PQconsumeInput(conn_->raw()) == 0) {
            conn_.reset();  // reconnects next time; the poll interval covers what was missed
            return;
        }
        while (PGnotify* n = PQnotifies(conn_->raw())) PQfreemem(n);
    }

private:
    std::string url_;
    pg::SessionSettings session_;
    std::optional<pg::Connection> conn_;
};

}  // namespace

int Run(const Config& config, const std::atomic<bool>& stop) {
    store::Databases databases(config.databases);
    {
        auto control = databases.control().Acquire();
        if (!control) {
            log::Error("control database: " + control.error().message);
            return 1;
        }
        if (auto migrated = store::Migrate(**control); !migrated) {
            log::Error("control database migration failed: " + migrated.error().message);
            return 1;
        }
        if (auto hardened = store::HardenControlDatabase(**control); !hardened) {
            log::Warn("could not revoke PUBLIC's access to the control database",
                      {{"error", hardened.error().message}});
        }
    }
    // Roles from before (stored passwords, no limits) get the derived password, the limit and the timeouts.
    if (auto secured = store::SecureExistingRoles(databases, config.roles); !secured) {
        log::Error("could not secure the existing company roles: " + secured.error().message);
        return 1;
    } else {
        log::Info("company roles secured", {{"count", std::to_string(*secured)}});
    }
    // Databases made by older releases get the current internals (versions, row caps) before anyone uses them.
    if (auto upgraded = store::UpgradeCompanyDatabases(databases); !upgraded) {
        log::Error("could not upgrade the company databases: " + upgraded.error().message);
        return 1;
    } else {
        log::Info("company databases upgraded", {{"count", std::to_string(*upgraded)}});
    }
    ops::Metrics metrics{"provisioner"};
    ops::OpsServer ops(
        metrics,
        [&databases]() -> Status {
            MT_ASSIGN_OR_RETURN(auto control, databases.control().Acquire());
            MT_TRY(control->Exec("SELECT 1"));
            MT_ASSIGN_OR_RETURN(auto admin, databases.admin().Acquire());
            MT_TRY(admin->Exec("SELECT 1"));
            return Ok();
        },
        config.metrics_port);
    if (auto started = ops.Start(); !started) {
        log::Error(started.error().message);
        return 1;
    }
    log::Info("started", {{"metrics_port", std::to_string(ops.port())}});
    Listener listener(config.databases.control_url, config.databases.session);
    while (!stop.load()) {
        if (auto done = store::ProvisionPending(databases, config.roles); !done) {
            log::Warn("provisioning failed; retried", {{"error", done.error().message}});
        } else if (*done > 0) {
            log::Info("provisioned", {{"count", std::to_string(*done)}});
        }
        listener.Wait(config.poll_ms);
    }
    log::Info("stopped");
    return 0;
}

}  // namespace mt::provisioner
