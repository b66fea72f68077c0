#pragma once
/// The front door: the Pistache handler that takes raw bytes off the sockets and hands complete, admitted
/// requests to `Api` on a worker pool (pistache_handler.cpp).
///
/// On a reactor (I/O) thread, per connection: the head gate (head_gate.hpp) reads the head, bounded; `Api::Admit`
/// checks route, token and permission from the head alone; only then is `100 Continue` sent and the body read
/// (body_intake.hpp), within the process-wide body budget. Complete requests run on `FrontDoor`'s workers, so a
/// slow database call never holds a reactor thread; their responses are queued to Pistache's transport from the
/// worker (Transport::asyncWrite pushes to a lock-free queue and wakes the reactor). Pistache's own request parser
/// is never used. A reaper thread cuts connections whose head or body stalls.
#include <pistache/http.h>

#include <atomic>
#include <memory>
#include <string>
#include <thread>

#include "api.hpp"
#include "body_intake.hpp"
#include "head_gate.hpp"
#include "server.hpp"
#include "worker_pool.hpp"

namespace mt::gateway {

/// What every reactor's handler clone shares. Built before the endpoint; `Stop` (workers finish their requests,
/// the reaper ends) must run while the endpoint's transports still exist.
class FrontDoor {
public:
    FrontDoor(const Api& api, ops::Metrics& metrics, std::shared_ptr<Traffic> traffic, const ServerOptions& options);
    ~FrontDoor() { Stop(); }
    FrontDoor(const FrontDoor&) = delete;
    FrontDoor& operator=(const FrontDoor&) = delete;
    void Stop();

    const Api& api;
    ops::Metrics& metrics;
    std::shared_ptr<Traffic> traffic;
    ServerOptions options;
    BodyBudget budget;
    IntakeWatch watch;
    std::unique_ptr<WorkerPool> workers;

private:
    std::atomic<bool> stopping_{false};
    std::thread reaper_;
};

std::shared_ptr<Pistache::Http::Handler> MakePistacheHandler(std::shared_ptr<FrontDoor> door);

}  // namespace mt::gateway
