#pragma once
#include <chrono>
/// Gateway configuration, read once from the environment (see README "Configuration").
#include <string>

#include "api.hpp"
#include "mt/auth/verifier.hpp"
#include "mt/core/config.hpp"
#include "mt/kafka/config.hpp"
#include "mt/store/databases.hpp"
#include "server.hpp"

namespace mt::gateway {

struct GatewayConfig {
    ServerOptions server;
    store::DatabaseSettings databases;
    auth::VerifierConfig jwt;
    ApiLimits limits;
    CorsPolicy cors;
    kafka::KafkaConfig kafka;
    bool rate_limit_enabled = true;
    RateLimiterOptions rate_limiter;
    std::uint16_t metrics_port = 0;
    std::int64_t shutdown_grace_ms = 25000;
    std::chrono::seconds reconcile_period{60};     // store::ReconcileTableIntents
    std::chrono::hours audit_retention{365 * 24};  // store::PurgeAuditEvents; zero: keep forever
};

/// Reads every setting; on any problem returns one error naming each bad variable.
Result<GatewayConfig> LoadConfig(config::ConfigReader& reader);

}  // namespace mt::gateway
