#pragma once
/// The operations endpoint every service serves on its own port (MT_METRICS_PORT): `/metrics` (Prometheus text
/// format), `/healthz` (the process is alive) and `/readyz` (its dependencies answer: 200 or 503 with the reason).
///
/// Lifecycle: `Start` binds and serves on one background thread; `Stop` (or the destructor) shuts it down.
/// The readiness check runs on the server thread for each probe; it must be quick and thread-safe.
#include <functional>
#include <memory>
#include <string>

#include "mt/core/result.hpp"
#include "mt/ops/metrics.hpp"

namespace Pistache::Http {
class Endpoint;
}

namespace mt::ops {

using ReadinessCheck = std::function<Status()>;

class OpsServer {
public:
    OpsServer(Metrics& metrics, ReadinessCheck ready, std::uint16_t port);
    ~OpsServer();
    Status Start();
    void Stop();
    [[nodiscard]] std::uint16_t port() const;

private:
    Metrics& metrics_;
    ReadinessCheck ready_;
    std::uint16_t port_;
    std::unique_ptr<Pistache::Http::Endpoint> endpoint_;
};

/// TCP connect to any of `host:port,...` within `timeout_ms` (Kafka readiness without a client round trip).
Status CheckTcpReachable(const std::string& host_ports, int timeout_ms);

}  // namespace mt::ops
