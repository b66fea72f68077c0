#include "server.hpp"

#include <netinet/in.h>
#include <pistache/endpoint.h>
#include <sys/socket.h>
#include <unistd.h>

#include <charconv>
#include <filesystem>
#include <thread>

#include "body_spool.hpp"
#include "mt/core/log.hpp"
#include "pistache_handler.hpp"

namespace mt::gateway {
namespace {

using namespace Pistache;

int HexValue(char c) {
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    if (c >= 'A' && c <= 'F') return c - 'A' + 10;
    return -1;
}

}  // namespace

std::string PercentDecode(std::string_view in, bool plus_is_space) {
    std::string out;
    out.reserve(in.size());
    for (std::size_t i = 0; i < in.size(); ++i) {
        char c = in[i];
        if (c == '%' && i + 2 < in.size() && HexValue(in[i + 1]) >= 0 && HexValue(in[i + 2]) >= 0) {
            out.push_back(static_cast<char>(HexValue(in[i + 1]) * 16 + HexValue(in[i + 2])));
            i += 2;
        } else if (c == '+' && plus_is_space) {
            out.push_back(' ');
        } else {
            out.push_back(c);
        }
    }
    return out;
}

std::map<std::string, std::string, std::less<>> ParseQuery(std::string_view query) {
    std::map<std::string, std::string, std::less<>> out;
    while (!query.empty()) {
        auto amp = query.find('&');
        std::string_view pair = query.substr(0, amp);
        query = amp == std::string_view::npos ? std::string_view() : query.substr(amp + 1);
        if (pair.empty()) continue;
        auto eq = pair.find('=');
        std::string key = PercentDecode(pair.substr(0, eq), true);
        std::string value = eq == std::string_view::npos ? "" : PercentDecode(pair.substr(eq + 1), true);
        out.emplace(std::move(key), std::move(value));
    }
    return out;
}

Server::Server(const Api& api, ops::Metrics& metrics, ServerOptions options)
    : api_(api), metrics_(metrics), options_(std::move(options)) {}

Server::~Server() { Stop(); }

Status Server::Start() {
    MT_TRY(CheckSpoolDirectory(options_.spool_dir));
    try {
        Address addr(options_.address, Port(options_.port));
        endpoint_ = std::make_unique<Http::Endpoint>(addr);
        auto opts = Http::Endpoint::options()
                        .threads(options_.threads)
                        .flags(Tcp::Options::ReuseAddr)
                        .maxRequestSize(options_.max_request_bytes)
                        .maxResponseSize(256u << 20);
        endpoint_->init(opts);
        door_ = std::make_shared<FrontDoor>(api_, metrics_, traffic_, options_);
        endpoint_->setHandler(MakePistacheHandler(door_));
        endpoint_->serveThreaded();
    } catch (const std::exception& e) {
        return Internal(std::string("HTTP server failed to start: ") + e.what());
    }
    return Ok();
}

void Server::Drain(std::chrono::milliseconds grace) {
    auto deadline = std::chrono::steady_clock::now() + grace;
    traffic_->draining.store(true);
    StopAccepting();
    while (traffic_->in_flight.load() > 0 && std::chrono::steady_clock::now() < deadline) {
        std::this_thread::sleep_for(std::chrono::milliseconds(20));
    }
    if (int left = traffic_->in_flight.load(); left > 0) {
        log::Warn("shutdown grace over; cutting requests still in flight", {{"requests", std::to_string(left)}});
    }
    // The last response was handed to Pistache's transport; give it a moment to reach the socket.
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
    Stop();
}

void Server::StopAccepting() {
    if (!endpoint_) return;
    const std::uint16_t port = this->port();
    for (const auto& entry : std::filesystem::directory_iterator("/proc/self/fd")) {
        int fd = -1;
        std::string name = entry.path().filename().string();
        if (std::from_chars(name.data(), name.data() + name.size(), fd).ec != std::errc()) continue;
        int listening = 0;
        socklen_t size = sizeof listening;
        if (::getsockopt(fd, SOL_SOCKET, SO_ACCEPTCONN, &listening, &size) != 0 || !listening) continue;
        sockaddr_storage address{};
        socklen_t address_size = sizeof address;
        if (::getsockname(fd, reinterpret_cast<sockaddr*>(&address), &address_size) != 0) continue;
        std::uint16_t bound = 0;
        if (address.ss_family == AF_INET) bound = ntohs(reinterpret_cast<sockaddr_in*>(&address)->sin_port);
        if (address.ss_family == AF_INET6) bound = ntohs(reinterpret_cast<sockaddr_in6*>(&address)->sin6_port);
        if (bound != port) continue;
        int placeholder = ::socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
        if (placeholder < 0 || ::dup2(placeholder, fd) < 0) {
            log::Warn("could not close the listening socket; new connections are still served while draining");
        }
        if (placeholder >= 0) ::close(placeholder);
        return;
    }
}

void Server::Stop() {
    if (door_) door_->Stop();  // workers answer what they serve while the transports still exist
    if (endpoint_) {
        endpoint_->shutdown();
        endpoint_.reset();
    }
}

std::uint16_t Server::port() const { return endpoint_ ? static_cast<std::uint16_t>(endpoint_->getPort()) : 0; }

}  // namespace mt::gateway
