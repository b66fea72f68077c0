#include "readiness.hpp"

#include "mt/core/log.hpp"
#include "mt/jobs/migrations.hpp"
#include "mt/store/audit.hpp"
#include "mt/store/migrations.hpp"
#include "mt/store/tables.hpp"

namespace mt::gateway {

Status MigrateControl(store::Databases& databases) {
    MT_ASSIGN_OR_RETURN(auto control, databases.control().Acquire());
    MT_TRY(store::Migrate(*control));
    return jobs::Migrate(*control);
}

namespace {

/// A change younger than this may still be on its way to its DDL in another gateway: left to that gateway.
constexpr std::chrono::seconds kReconcileMinAge{10};

}  // namespace

TableReconciler::TableReconciler(store::Databases& databases, std::chrono::seconds period) : databases_(databases) {
    Pass();
    thread_ = std::thread([this, period] {
        std::unique_lock lock(mu_);
        while (!wake_.wait_for(lock, period, [this] { return stop_; })) {
            lock.unlock();
            Pass();
            lock.lock();
        }
    });
}

TableReconciler::~TableReconciler() {
    {
        std::lock_guard lock(mu_);
        stop_ = true;
    }
    wake_.notify_all();
    thread_.join();
}

void TableReconciler::Pass() {
    auto resolved = store::ReconcileTableIntents(databases_, kReconcileMinAge);
    if (!resolved) log::Warn("table change reconciliation failed", {{"error", resolved.error().message}});
}

AuditPurger::AuditPurger(store::Databases& databases, std::chrono::hours retention, std::chrono::seconds period)
    : databases_(databases), retention_(retention) {
    if (retention_.count() == 0) return;
    thread_ = std::thread([this, period] {
        std::unique_lock lock(mu_);
        while (!wake_.wait_for(lock, period, [this] { return stop_; })) {
            lock.unlock();
            auto purged = store::PurgeAuditEvents(databases_, retention_);
            if (!purged) {
                log::Warn("audit log purge failed", {{"error", purged.error().message}});
            } else if (*purged > 0) {
                log::Info("audit events past their retention deleted", {{"deleted", std::to_string(*purged)}});
            }
            lock.lock();
        }
    });
}

AuditPurger::~AuditPurger() {
    {
        std::lock_guard lock(mu_);
        stop_ = true;
    }
    wake_.notify_all();
    if (thread_.joinable()) thread_.join();
}

ops::ReadinessCheck ReadinessCheck(store::Databases& databases, ops::Metrics& metrics, kafka::KafkaConfig kafka) {
    return [&databases, &metrics, kafka = std::move(kafka)]() -> Status {
        metrics.db_connections_in_use().Set(static_cast<double>(databases.in_use()));
        MT_ASSIGN_OR_RETURN(auto control, databases.control().Acquire());
        MT_TRY(control->Exec("SELECT 1"));
        return ops::CheckTcpReachable(kafka.bootstrap_servers, 1000);
    };
}

}  // namespace mt::gateway
