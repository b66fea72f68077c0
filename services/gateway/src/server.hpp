#pragma once
/// The Pistache HTTP server in front of `Api`.
///
/// Lifecycle: construct, `Start()` (binds and serves on background threads), `Drain()` on SIGTERM (stop
/// accepting, let requests in flight finish), `Stop()`. Requests are read on Pistache's reactor threads and served
/// on a worker pool (pistache_handler.hpp). Request ids come from `X-Request-Id` or are generated, and are echoed in
/// the response header.
#include <pistache/endpoint.h>

#include <atomic>
#include <chrono>
#include <memory>

#include "api.hpp"
#include "body_intake.hpp"
#include "head_gate.hpp"

namespace mt::gateway {

struct ServerOptions {
    std::string address = "0.0.0.0";
    std::uint16_t port = 3100;
    int threads = 8;                                   // reactor (I/O) threads: sockets, heads, bodies
    int workers = 16;                                  // threads running requests (Api::Handle)
    std::size_t queue = 64;                            // complete requests waiting for a worker (503 above)
    std::size_t max_request_bytes = 110u << 20;        // largest upload body (413 above)
    std::size_t max_json_bytes = 64u << 20;            // largest other body (413 above)
    std::size_t max_inflight_body_bytes = 1ull << 30;  // all bodies being received or held (503 above)
    HeadLimits head_limits;
    IntakeWatch::Timeouts timeouts;
    std::string spool_dir = "/tmp";  // uploads are written here as they arrive (body_spool.hpp)
};

/// What the reactor threads and the drain share.
struct Traffic {
    /// Requests being received or served: from their first byte until their response is sent.
    std::atomic<int> in_flight{0};
    /// Set by Drain: responses then ask clients to close their connections.
    std::atomic<bool> draining{false};
};

class FrontDoor;

class Server {
public:
    Server(const Api& api, ops::Metrics& metrics, ServerOptions options);
    ~Server();
    Status Start();
    /// Graceful stop: closes the listening socket (new connections are refused), waits up to `grace` until no
    /// request is being received or served (an upload still arriving counts), then stops the reactors.
    /// Responses sent meanwhile carry `Connection: close`.
    void Drain(std::chrono::milliseconds grace);
    void Stop();
    /// Requests being received or served right now.
    [[nodiscard]] int in_flight() const { return traffic_->in_flight.load(); }
    [[nodiscard]] std::uint16_t port() const;

private:
    /// Pistache cannot stop accepting without stopping everything: the listening socket is found by its port and
    /// replaced (dup2) by an unconnected socket, which closes it and takes it out of Pistache's epoll set.
    void StopAccepting();

    const Api& api_;
    ops::Metrics& metrics_;
    ServerOptions options_;
    std::shared_ptr<Traffic> traffic_ = std::make_shared<Traffic>();
    std::shared_ptr<FrontDoor> door_;
    std::unique_ptr<Pistache::Http::Endpoint> endpoint_;
};

/// Percent-decoding of a path or query component ('+' → space only in queries). Invalid escapes stay literal.
std::string PercentDecode(std::string_view in, bool plus_is_space);
/// Split "a=1&b=x%20y" into decoded pairs.
std::map<std::string, std::string, std::less<>> ParseQuery(std::string_view query);

}  // namespace mt::gateway
