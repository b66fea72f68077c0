#pragma once
/// The Pistache HTTP server in front of `Api`.
///
/// Lifecycle: construct, `Start()` (binds and serves on background threads), `Stop()` (stops accepting, then
/// joins; requests in flight finish first). Pistache calls `onRequest` from its reactor threads; everything it
/// touches is thread-safe. Request ids come from `X-Request-Id` or are generated, and are echoed in the
/// response header.
#include <pistache/endpoint.h>

#include <atomic>
#include <chrono>
#include <memory>

#include "api.hpp"

namespace mt::gateway {

struct ServerOptions {
    std::string address = "0.0.0.0";
    std::uint16_t port = 3100;
    int threads = 8;
    std::size_t max_request_bytes = 110u << 20;
};

class Server {
public:
    Server(const Api& api, ops::Metrics& metrics, ServerOptions options);
    ~Server();
    Status Start();
    /// Graceful stop: waits (up to `grace`) until no request is being served, then stops the reactors. New
    /// connections may still arrive during the wait (Pistache cannot stop accepting alone); they are served.
    void Drain(std::chrono::milliseconds grace);
    void Stop();
    /// Requests being served right now.
    [[nodiscard]] int in_flight() const { return in_flight_->load(); }
    [[nodiscard]] std::uint16_t port() const;

private:
    const Api& api_;
    ops::Metrics& metrics_;
    ServerOptions options_;
    std::unique_ptr<Pistache::Http::Endpoint> endpoint_;
    std::shared_ptr<std::atomic<int>> in_flight_ = std::make_shared<std::atomic<int>>(0);
};

/// Percent-decoding of a path or query component ('+' → space only in queries). Invalid escapes stay literal.
std::string PercentDecode(std::string_view in, bool plus_is_space);
/// Split "a=1&b=x%20y" into decoded pairs.
std::map<std::string, std::string, std::less<>> ParseQuery(std::string_view query);

}  // namespace mt::gateway
