#include "readiness.hpp"

#include "mt/jobs/migrations.hpp"
#include "mt/store/migrations.hpp"

namespace mt::gateway {

Status MigrateControl(store::Databases& databases) {
    MT_ASSIGN_OR_RETURN(auto control, databases.control().Acquire());
    MT_TRY(store::Migrate(*control));
    return jobs::Migrate(*control);
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
