#include "mt/ops/ops_server.hpp"

#include <fcntl.h>
#include <netdb.h>
#include <pistache/endpoint.h>
#include <pistache/http.h>
#include <poll.h>
#include <prometheus/text_serializer.h>
#include <sys/socket.h>
#include <unistd.h>

#include <sstream>

namespace mt::ops {
namespace {

using namespace Pistache;

class OpsHandler : public Http::Handler {
public:
    HTTP_PROTOTYPE(OpsHandler)
    OpsHandler(Metrics* metrics = nullptr, ReadinessCheck* ready = nullptr) : metrics_(metrics), ready_(ready) {}

    void onRequest(const Http::Request& request, Http::ResponseWriter response) override {
        const std::string& path = request.resource();
        if (path == "/metrics") {
            std::ostringstream out;
            prometheus::TextSerializer().Serialize(out, metrics_->registry().Collect());
            response.headers().add<Http::Header::ContentType>("text/plain; version=0.0.4");
            response.send(Http::Code::Ok, out.str());
        } else if (path == "/healthz") {
            response.send(Http::Code::Ok, "{\"status\":\"ok\"}", MIME(Application, Json));
        } else if (path == "/readyz") {
            Status ready = (*ready_)();
            if (ready) {
                response.send(Http::Code::Ok, "{\"status\":\"ready\"}", MIME(Application, Json));
            } else {
                std::string body =
                    "{\"status\":\"not ready\",\"reason\":\"" + std::string("dependency unavailable") + "\"}";
                response.send(Http::Code::Service_Unavailable, body, MIME(Application, Json));
            }
        } else {
            response.send(Http::Code::Not_Found, "{\"status\":\"not found\"}", MIME(Application, Json));
        }
    }

private:
    Metrics* metrics_;
    ReadinessCheck* ready_;
};

}  // namespace

OpsServer::OpsServer(Metrics& metrics, ReadinessCheck ready, std::uint16_t port)
    : metrics_(metrics), ready_(std::move(ready)), port_(port) {}

OpsServer::~OpsServer() { Stop(); }

Status OpsServer::Start() {
    try {
        endpoint_ = std::make_unique<Http::Endpoint>(Address(Ipv4::any(), Port(port_)));
        endpoint_->init(Http::Endpoint::options().threads(1).flags(Tcp::Options::ReuseAddr));
        endpoint_->setHandler(Http::make_handler<OpsHandler>(&metrics_, &ready_));
        endpoint_->serveThreaded();
    } catch (const std::exception& e) {
        return Internal(std::string("metrics/health server failed to start on port ") + std::to_string(port_) + ": " +
                        e.what());
    }
    return Ok();
}

void OpsServer::Stop() {
    if (endpoint_) {
        endpoint_->shutdown();
        endpoint_.reset();
    }
}

std::uint16_t OpsServer::port() const { return endpoint_ ? static_cast<std::uint16_t>(endpoint_->getPort()) : port_; }

Status CheckTcpReachable(const std::string& host_ports, int timeout_ms) {
    std::stringstream list(host_ports);
    std::string item;
    while (std::getline(list, item, ',')) {
        auto colon = item.rfind(':');
        if (colon == std::string::npos) continue;
        std::string host = item.substr(0, colon), port = item.substr(colon + 1);
        addrinfo hints{};
        hints.ai_socktype = SOCK_STREAM;
        addrinfo* res = nullptr;
        if (getaddrinfo(host.c_str(), port.c_str(), &hints, &res) != 0) continue;
        std::unique_ptr<addrinfo, decltype(&freeaddrinfo)> holder(res, &freeaddrinfo);
        for (addrinfo* a = res; a; a = a->ai_next) {
            int fd = socket(a->ai_family, a->ai_socktype | SOCK_NONBLOCK, a->ai_protocol);
            if (fd < 0) continue;
            bool ok = connect(fd, a->ai_addr, a->ai_addrlen) == 0;
            if (!ok && errno == EINPROGRESS) {
                pollfd p{fd, POLLOUT, 0};
                int err = 0;
                socklen_t len = sizeof err;
                ok = poll(&p, 1, timeout_ms) == 1 && getsockopt(fd, SOL_SOCKET, SO_ERROR, &err, &len) == 0 && err == 0;
            }
            close(fd);
            if (ok) return Ok();
        }
    }
    return Unavailable("no Kafka broker reachable at " + host_ports);
}

}  // namespace mt::ops
