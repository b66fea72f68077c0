#pragma once
/// Start-up migration, the table-change reconciler and the readiness probe of the gateway (PostgreSQL and Kafka
/// reachable).
#include <chrono>
#include <condition_variable>
#include <mutex>
#include <thread>

#include "mt/kafka/config.hpp"
#include "mt/ops/metrics.hpp"
#include "mt/ops/ops_server.hpp"
#include "mt/store/databases.hpp"

namespace mt::gateway {

Status MigrateControl(store::Databases& databases);
/// Finishes or undoes table changes a crash interrupted (store::ReconcileTableIntents): once at construction
/// (before the gateway serves), then every `period` on a thread of its own until destroyed.
class TableReconciler {
public:
    TableReconciler(store::Databases& databases, std::chrono::seconds period);
    ~TableReconciler();
    TableReconciler(const TableReconciler&) = delete;
    TableReconciler& operator=(const TableReconciler&) = delete;

private:
    void Pass();

    store::Databases& databases_;
    std::mutex mu_;
    std::condition_variable wake_;
    bool stop_ = false;
    std::thread thread_;
};

/// Deletes audit events older than `retention` (store::PurgeAuditEvents, bounded batches) every `period` on a
/// thread of its own until destroyed; nothing when `retention` is zero (keep forever). Every gateway replica runs
/// it: the deletes are idempotent and batched, so concurrent passes only share the work.
class AuditPurger {
public:
    AuditPurger(store::Databases& databases, std::chrono::hours retention,
                std::chrono::seconds period = std::chrono::hours(1));
    ~AuditPurger();
    AuditPurger(const AuditPurger&) = delete;
    AuditPurger& operator=(const AuditPurger&) = delete;

private:
    store::Databases& databases_;
    std::chrono::hours retention_;
    std::mutex mu_;
    std::condition_variable wake_;
    bool stop_ = false;
    std::thread thread_;
};

/// Also refreshes the connections-in-use gauge on every probe/scrape of readiness.
ops::ReadinessCheck ReadinessCheck(store::Databases& databases, ops::Metrics& metrics, kafka::KafkaConfig kafka);

}  // namespace mt::gateway
