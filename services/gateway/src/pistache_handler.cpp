// The Pistache handler in front of Api: request intake (100-continue, size refusal, upload spooling, drain
// accounting) and the one place where Api's HttpResponse becomes bytes on the wire.
#include "pistache_handler.hpp"

#include <pistache/http.h>
#include <pistache/peer.h>
#include <strings.h>
#include <sys/socket.h>

#include <charconv>
#include <optional>

#include "body_spool.hpp"
#include "mt/core/ids.hpp"
#include "mt/core/log.hpp"

namespace mt::gateway {
namespace {

using namespace Pistache;

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
        // Bytes that start a request (its whole head in this read, as clients send it) are looked at first.
        if (auto head = IsReceiving(peer) ? std::nullopt : ParseRequestHead(data)) {
            if (auto declared = DeclaredLength(*head); declared && *declared > getMaxRequestSize()) {
                // Refused from the head alone: no "100 Continue", and nothing of the body is buffered or parsed.
                peer->putData(kDiscardData, std::make_shared<bool>(true));
                SendError(
                    peer, VersionOf(*head),
                    PayloadTooLarge("Request body of " + std::to_string(*declared) + " bytes is over the limit of " +
                                    std::to_string(getMaxRequestSize()) + " bytes"));
                return;
            }
            const std::string* expect = head->Find("expect");
            if (expect && strcasecmp(expect->c_str(), "100-continue") == 0 && head->size == data.size()) {
                static constexpr std::string_view kContinue = "HTTP/1.1 100 Continue\r\n\r\n";
                // Nothing else is queued for this peer (the client waits for us), so a direct write is ordered.
                (void)::send(peer->fd(), kContinue.data(), kContinue.size(), MSG_NOSIGNAL);
            }
            if (auto length = SpooledBodyLength(*head)) {  // an upload goes to a spool file, not to memory
                StartSpooling(peer, spooling, std::move(*head), *length, data);
                return;
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
            auto connection = request.headers().tryGet<Http::Header::Connection>();
            response.headers().add<Http::Header::Connection>(
                Persistence(connection ? std::optional(connection->control()) : std::nullopt, request.version()));
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
        const Http::Version version = VersionOf(head);
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
        const Http::Version version = VersionOf(head);
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
        std::optional<Http::ConnectionControl> asked;
        if (const std::string* connection = head.Find("connection")) {
            if (strcasecmp(connection->c_str(), "close") == 0) asked = Http::ConnectionControl::Close;
            if (strcasecmp(connection->c_str(), "keep-alive") == 0) asked = Http::ConnectionControl::KeepAlive;
        }
        Http::ResponseWriter response(version, transport(), this, peer);
        response.headers().add<Http::Header::Connection>(Persistence(asked, version));
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

    static std::optional<std::size_t> DeclaredLength(const RequestHead& head) {
        const std::string* length = head.Find("content-length");
        std::size_t value = 0;
        if (!length || std::from_chars(length->data(), length->data() + length->size(), value).ec != std::errc()) {
            return std::nullopt;
        }
        return value;
    }

    /// Whether the connection stays open after this response: what the client asked, else HTTP/1.1's default of
    /// persistent (Pistache assumed Close); never while draining, so clients go to another gateway.
    Http::ConnectionControl Persistence(std::optional<Http::ConnectionControl> asked, Http::Version version) const {
        if (traffic_->draining.load()) return Http::ConnectionControl::Close;
        if (asked) return *asked;
        return version == Http::Version::Http11 ? Http::ConnectionControl::KeepAlive : Http::ConnectionControl::Close;
    }

    static Http::Version VersionOf(const RequestHead& head) {
        return head.version == "HTTP/1.0" ? Http::Version::Http10 : Http::Version::Http11;
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

std::shared_ptr<Pistache::Http::Handler> MakePistacheHandler(const Api* api, ops::Metrics* metrics,
                                                             std::shared_ptr<Traffic> traffic, std::string spool_dir) {
    return Pistache::Http::make_handler<PistacheHandler>(api, metrics, std::move(traffic), std::move(spool_dir));
}

}  // namespace mt::gateway
