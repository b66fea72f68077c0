#include "server.hpp"

#include <netinet/in.h>
#include <pistache/http.h>
#include <pistache/peer.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <cctype>
#include <charconv>
#include <filesystem>
#include <optional>
#include <thread>

#include "body_spool.hpp"
#include "mt/core/ids.hpp"
#include "mt/core/log.hpp"

namespace mt::gateway {
namespace {

using namespace Pistache;

int HexValue(char c) {
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    if (c >= 'A' && c <= 'F') return c - 'A' + 10;
    return -1;
}

std::string MethodName(Http::Method m) { return Http::methodString(m); }

/// A client-supplied request id is kept only if it is short and printable, so it is safe to log and echo.
std::string RequestIdFrom(const std::string* supplied) {
    if (supplied) {
        const std::string& v = *supplied;
        bool ok = !v.empty() && v.size() <= 128;
        for (char c : v) ok = ok && c > 32 && c < 127;
        if (ok) return v;
    }
    return RandomHex(12);
}

/// What a spooling peer is receiving: the request's head and its body so far.
struct SpoolingRequest {
    RequestHead head;
    std::unique_ptr<BodySpool> body;
};

/// `X-Request-Id` as a typed header: Pistache 0.0.5 writes only typed headers into responses.
class RequestIdHeader : public Http::Header::Header {
public:
    NAME("X-Request-Id")
    RequestIdHeader() = default;
    explicit RequestIdHeader(std::string id) : id_(std::move(id)) {}
    void parse(const std::string& data) override { id_ = data; }
    void write(std::ostream& os) const override { os << id_; }

private:
    std::string id_;
};

class PistacheHandler : public Http::Handler {
public:
    HTTP_PROTOTYPE(PistacheHandler)
    explicit PistacheHandler(const Api* api = nullptr, ops::Metrics* metrics = nullptr,
                             std::shared_ptr<Traffic> traffic = nullptr, std::string spool_dir = "/tmp")
        : api_(api), metrics_(metrics), traffic_(std::move(traffic)), spool_dir_(std::move(spool_dir)) {}

    /// Pistache 0.0.5 never answers `Expect: 100-continue` (curl -F then waits a second before sending a large
    /// upload), and its own onInput is private. So this handler runs the input step itself, with the same public
    /// pieces Pistache uses: answer "100 Continue" when a request's headers ask for it, feed the per-peer parser,
    /// dispatch complete requests, and turn parser failures (too large, malformed) into our JSON errors.
    void onInput(const char* buffer, size_t len, const std::shared_ptr<Tcp::Peer>& peer) override {
        if (peer->tryGetData(kDiscardData)) return;  // the rest of a body we already refused
        std::string_view data(buffer, len);
        auto& spooling = SpoolingOf(peer);
        if (spooling) {
            ContinueSpooling(peer, spooling, data);
            return;
        }
        if (auto declared = DeclaredLength(data); declared && *declared > getMaxRequestSize()) {
            // Refuse from the headers alone: no "100 Continue", and nothing of the body is buffered or parsed.
            peer->putData(kDiscardData, std::make_shared<bool>(true));
            Received(peer);
            SendError(peer, getParser(peer)->request,
                      PayloadTooLarge("Request body of " + std::to_string(*declared) + " bytes is over the limit of " +
                                      std::to_string(getMaxRequestSize()) + " bytes"));
            return;
        }
        if (ExpectsContinue(data)) {
            static constexpr std::string_view kContinue = "HTTP/1.1 100 Continue\r\n\r\n";
            // Nothing else is queued for this peer yet (the client is waiting for us), so a direct write is ordered.
            (void)::send(peer->fd(), kContinue.data(), kContinue.size(), MSG_NOSIGNAL);
        }
        if (!IsReceiving(peer)) {  // these bytes start a request: an upload goes to a spool file, not to memory
            if (auto head = ParseRequestHead(data)) {
                if (auto length = SpooledBodyLength(*head)) {
                    StartSpooling(peer, spooling, std::move(*head), *length, data);
                    return;
                }
            }
        }
        auto parser = getParser(peer);
        auto& request = parser->request;
        try {
            if (!parser->feed(buffer, len)) {
                parser->reset();
                Received(peer);
                SendError(peer, request, PayloadTooLarge("Request body over the limit"));
                return;
            }
            if (parser->parse() != Http::Private::State::Done) {
                Receiving(peer);  // a drain waits for the rest of this request
                return;
            }
            Http::ResponseWriter response(request.version(), transport(), this, peer);
            request.copyAddress(peer->address());
            // HTTP/1.1 connections are persistent unless the client says otherwise (Pistache assumed Close).
            auto connection = request.headers().tryGet<Http::Header::Connection>();
            auto control = connection ? connection->control()
                                      : (request.version() == Http::Version::Http11 ? Http::ConnectionControl::KeepAlive
                                                                                    : Http::ConnectionControl::Close);
            if (traffic_->draining.load()) control = Http::ConnectionControl::Close;  // go to another gateway
            response.headers().add<Http::Header::Connection>(control);
            peer->setIdle(false);
            onRequest(request, std::move(response));  // counts itself in flight before this request stops counting
            Received(peer);
            parser->reset();
        } catch (const std::exception& e) {
            parser->reset();
            Received(peer);
            SendError(peer, request, BadRequest(std::string("Malformed HTTP request: ") + e.what()));
        }
    }

    void onDisconnection(const std::shared_ptr<Tcp::Peer>& peer) override {
        SpoolingOf(peer).reset();  // an upload cut short: its file goes with it
        Received(peer);
    }

    /// The peer's spooled request, if one is arriving (a slot created on first use: Pistache cannot remove data).
    std::unique_ptr<SpoolingRequest>& SpoolingOf(const std::shared_ptr<Tcp::Peer>& peer) {
        auto slot = std::static_pointer_cast<std::unique_ptr<SpoolingRequest>>(peer->tryGetData(kSpoolData));
        if (!slot) {
            slot = std::make_shared<std::unique_ptr<SpoolingRequest>>();
            peer->putData(kSpoolData, slot);
        }
        return *slot;
    }

    void StartSpooling(const std::shared_ptr<Tcp::Peer>& peer, std::unique_ptr<SpoolingRequest>& spooling,
                       RequestHead head, std::size_t length, std::string_view data) {
        Receiving(peer);
        const Http::Version version = head.version == "HTTP/1.0" ? Http::Version::Http10 : Http::Version::Http11;
        auto body = BodySpool::Create(spool_dir_, length);
        if (!body) {
            log::Error("upload refused", {{"error", body.error().message}});
            Refuse(peer, version, body.error());
            return;
        }
        const std::size_t head_size = head.size;
        spooling = std::make_unique<SpoolingRequest>(SpoolingRequest{std::move(head), std::move(*body)});
        ContinueSpooling(peer, spooling, data.substr(head_size));
    }

    void ContinueSpooling(const std::shared_ptr<Tcp::Peer>& peer, std::unique_ptr<SpoolingRequest>& spooling,
                          std::string_view data) {
        auto taken = spooling->body->Append(data);
        if (!taken) {
            log::Error("upload refused", {{"error", taken.error().message}});
            Http::Version version =
                spooling->head.version == "HTTP/1.0" ? Http::Version::Http10 : Http::Version::Http11;
            spooling.reset();
            Refuse(peer, version, taken.error());
            return;
        }
        if (!spooling->body->complete()) return;
        std::unique_ptr<SpoolingRequest> request = std::move(spooling);
        ServeSpooled(peer, *request);
        request.reset();  // the file is gone before the next request of this connection
        Received(peer);
        if (*taken < data.size()) onInput(data.data() + *taken, data.size() - *taken, peer);  // pipelined
    }

    /// Answers `error` and drops whatever else the peer sends on this connection.
    void Refuse(const std::shared_ptr<Tcp::Peer>& peer, Http::Version version, const Error& error) {
        peer->putData(kDiscardData, std::make_shared<bool>(true));
        Received(peer);
        SendError(peer, version, error);
    }

    void ServeSpooled(const std::shared_ptr<Tcp::Peer>& peer, SpoolingRequest& spooled) {
        const RequestHead& head = spooled.head;
        const Http::Version version = head.version == "HTTP/1.0" ? Http::Version::Http10 : Http::Version::Http11;
        HttpRequest req;
        req.method = head.method;
        std::string_view target(head.target);
        const std::size_t question = target.find('?');
        req.path = PercentDecode(target.substr(0, question), false);
        if (question != std::string_view::npos) {
            for (auto& [key, value] : ParseQuery(target.substr(question + 1))) req.query[key] = value;
        }
        if (const std::string* a = head.Find("authorization")) req.authorization = *a;
        if (const std::string* t = head.Find("content-type")) req.content_type = *t;
        req.request_id = RequestIdFrom(head.Find("x-request-id"));
        auto mapped = spooled.body->Map();
        if (!mapped) {
            SendError(peer, version, mapped.error());
            return;
        }
        req.mapped_body = *mapped;
        const std::string* connection = head.Find("connection");
        std::string connection_value = connection ? *connection : "";
        std::transform(connection_value.begin(), connection_value.end(), connection_value.begin(),
                       [](unsigned char c) { return std::tolower(c); });
        const bool keep_alive =
            connection_value == "keep-alive" || (connection_value != "close" && version == Http::Version::Http11);
        Http::ResponseWriter response(version, transport(), this, peer);
        response.headers().add<Http::Header::Connection>(keep_alive && !traffic_->draining.load()
                                                             ? Http::ConnectionControl::KeepAlive
                                                             : Http::ConnectionControl::Close);
        peer->setIdle(false);
        Serve(std::move(req), std::move(response));
    }

    /// The peer's request has started arriving: it counts as in flight until Received.
    void Receiving(const std::shared_ptr<Tcp::Peer>& peer) {
        auto flag = std::static_pointer_cast<bool>(peer->tryGetData(kReceivingData));
        if (!flag) {
            flag = std::make_shared<bool>(false);
            peer->putData(kReceivingData, flag);
        }
        if (!*flag) {
            *flag = true;
            traffic_->in_flight.fetch_add(1);
        }
    }

    bool IsReceiving(const std::shared_ptr<Tcp::Peer>& peer) {
        auto flag = std::static_pointer_cast<bool>(peer->tryGetData(kReceivingData));
        return flag && *flag;
    }

    /// The peer's request was answered, refused, or the peer went away.
    void Received(const std::shared_ptr<Tcp::Peer>& peer) {
        auto flag = std::static_pointer_cast<bool>(peer->tryGetData(kReceivingData));
        if (flag && *flag) {
            *flag = false;
            traffic_->in_flight.fetch_sub(1);
        }
    }

    void SendError(const std::shared_ptr<Tcp::Peer>& peer, const Http::Request& request, const Error& error) {
        SendError(peer, request.version(), error);
    }

    void SendError(const std::shared_ptr<Tcp::Peer>& peer, Http::Version version, const Error& error) {
        Http::ResponseWriter response(version, transport(), this, peer);
        HttpResponse body = ErrorResponse(error, RandomHex(12));
        response.headers().add<Http::Header::ContentType>(body.content_type);
        response.headers().add<Http::Header::Connection>(Http::ConnectionControl::Close);
        response.send(static_cast<Http::Code>(body.status), body.body);
    }

    static constexpr const char* kDiscardData = "mt.discard";
    static constexpr const char* kReceivingData = "mt.receiving";
    static constexpr const char* kSpoolData = "mt.spool";

    /// Content-Length of a request whose headers start this buffer, if any.
    static std::optional<std::size_t> DeclaredLength(std::string_view data) {
        if (data.substr(0, 5) != "POST " && data.substr(0, 4) != "PUT " && data.substr(0, 6) != "PATCH ") return {};
        std::size_t end = data.find("\r\n\r\n");
        if (end == std::string_view::npos) return {};
        std::string headers(data.substr(0, end));
        std::transform(headers.begin(), headers.end(), headers.begin(),
                       [](unsigned char c) { return std::tolower(c); });
        std::size_t at = headers.find("\r\ncontent-length:");
        if (at == std::string::npos) return {};
        std::size_t v = at + 17;
        while (v < headers.size() && headers[v] == ' ') ++v;
        std::size_t value = 0;
        auto [ptr, ec] = std::from_chars(headers.data() + v, headers.data() + headers.size(), value);
        if (ec != std::errc()) return {};
        return value;
    }

    static bool ExpectsContinue(std::string_view data) {
        if (data.substr(0, 5) != "POST " && data.substr(0, 4) != "PUT " && data.substr(0, 6) != "PATCH ") return false;
        std::size_t end = data.find("\r\n\r\n");
        if (end == std::string_view::npos || end + 4 != data.size()) return false;  // the body already follows
        std::string headers(data.substr(0, end));
        std::transform(headers.begin(), headers.end(), headers.begin(),
                       [](unsigned char c) { return std::tolower(c); });
        return headers.find("\r\nexpect: 100-continue") != std::string::npos;
    }

    void onRequest(const Http::Request& request, Http::ResponseWriter response) override {
        HttpRequest req;
        req.method = MethodName(request.method());
        req.path = PercentDecode(request.resource(), false);
        // Pistache hands query parameters over still percent-encoded.
        for (auto it = request.query().parameters_begin(); it != request.query().parameters_end(); ++it) {
            req.query[PercentDecode(it->first, true)] = PercentDecode(it->second, true);
        }
        if (auto a = request.headers().tryGet<Http::Header::Authorization>()) req.authorization = a->value();
        if (auto ct = request.headers().tryGet<Http::Header::ContentType>()) req.content_type = ct->mime().toString();
        auto supplied = request.headers().tryGetRaw("X-Request-Id");
        const std::string supplied_value = supplied ? supplied->value() : std::string();
        req.request_id = RequestIdFrom(supplied ? &supplied_value : nullptr);
        req.body = request.body();
        Serve(std::move(req), std::move(response));
    }

    void Serve(HttpRequest req, Http::ResponseWriter response) {
        traffic_->in_flight.fetch_add(1);
        struct Done {
            std::atomic<int>& n;
            ~Done() { n.fetch_sub(1); }
        } done{traffic_->in_flight};
        auto started = std::chrono::steady_clock::now();
        HttpResponse resp = api_->Handle(req);
        auto micros = std::chrono::duration_cast<std::chrono::microseconds>(std::chrono::steady_clock::now() - started);
        metrics_->HttpRequest(api_->RouteTemplate(req), req.method, resp.status,
                              static_cast<double>(micros.count()) / 1e6);
        response.headers().add<RequestIdHeader>(req.request_id);
        if (!resp.content_type.empty()) response.headers().add<Http::Header::ContentType>(resp.content_type);
        response.send(static_cast<Http::Code>(resp.status), resp.body);
        log::Info("request", {{"request_id", req.request_id},
                              {"method", req.method},
                              {"path", req.path},
                              {"status", std::to_string(resp.status)},
                              {"us", std::to_string(micros.count())}});
    }

private:
    const Api* api_;
    ops::Metrics* metrics_;
    std::shared_ptr<Traffic> traffic_;
    std::string spool_dir_;
};

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
        endpoint_->setHandler(Http::make_handler<PistacheHandler>(&api_, &metrics_, traffic_, options_.spool_dir));
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
    if (endpoint_) {
        endpoint_->shutdown();
        endpoint_.reset();
    }
}

std::uint16_t Server::port() const { return endpoint_ ? static_cast<std::uint16_t>(endpoint_->getPort()) : 0; }

}  // namespace mt::gateway
