// The front door's wiring: per-connection state on the reactor threads, the hand-off to the workers, and the one
// place where Api's HttpResponse becomes bytes on the wire.
#include "pistache_handler.hpp"

#include <pistache/http.h>
#include <pistache/peer.h>
#include <pistache/transport.h>
#include <strings.h>
#include <sys/socket.h>

#include <algorithm>
#include <mutex>
#include <optional>

#include "mt/core/ids.hpp"
#include "mt/core/log.hpp"

namespace mt::gateway {
namespace {

using namespace Pistache;
using Clock = std::chrono::steady_clock;

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

class ETagHeader : public Http::Header::Header {
public:
    NAME("ETag")
    ETagHeader() = default;
    explicit ETagHeader(std::string tag) : tag_(std::move(tag)) {}
    void parse(const std::string& data) override { tag_ = data; }
    void write(std::ostream& os) const override { os << tag_; }

private:
    std::string tag_;
};

class RetryAfterHeader : public Http::Header::Header {
public:
    NAME("Retry-After")
    RetryAfterHeader() = default;
    explicit RetryAfterHeader(int seconds) : seconds_(seconds) {}
    void parse(const std::string& data) override { seconds_ = std::atoi(data.c_str()); }
    void write(std::ostream& os) const override { os << seconds_; }

private:
    int seconds_ = 1;
};

/// A header whose name is known only at run time (`HttpResponse::headers`).
class NamedHeader : public Http::Header::Header {
public:
    NamedHeader(std::string name, std::string value) : name_(std::move(name)), value_(std::move(value)) {}
    [[nodiscard]] const char* name() const override { return name_.c_str(); }
#ifdef SAFE_HEADER_CAST
    [[nodiscard]] uint64_t hash() const override { return Http::Header::detail::hash(name_.c_str()); }
#endif
    void parse(const std::string& data) override { value_ = data; }
    void write(std::ostream& os) const override { os << value_; }

private:
    std::string name_;
    std::string value_;
};

void AddHeaders(Http::Header::Collection& to, const HttpResponse& resp) {
    for (const auto& [name, value] : resp.headers) to.add(std::make_shared<NamedHeader>(name, value));
}

Http::Version VersionOf(const RequestHead& head) {
    return head.version == "HTTP/1.0" ? Http::Version::Http10 : Http::Version::Http11;
}

HttpResponse Refusal(int status, const std::string& code, const std::string& message, const std::string& id) {
    HttpResponse resp = ErrorResponse(BadRequest(message, code), id);
    resp.status = status;
    return resp;
}

/// One connection's intake. Its mutex orders the reactor thread (onInput, onDisconnection) and the worker that
/// answers its request; it is recursive because a write promise may complete on the thread that holds it.
struct Connection {
    std::recursive_mutex mu;
    int fd = -1;
    HeadGate gate;
    bool gone = false;        // Pistache disconnected the peer: its fd may already belong to someone else
    bool discarding = false;  // refused: whatever else arrives is dropped until the connection closes
    bool busy = false;        // a request is with a worker; later bytes (pipelined) wait in `pending`
    bool counted = false;     // counted in Traffic::in_flight
    std::string pending;
    RequestHead head;  // the admitted request whose body is arriving
    std::string request_id;
    /// RateLimit-* headers of the admitted request: on its answer and on any refusal after its admission.
    std::vector<std::pair<std::string, std::string>> rate_limit_headers;
    std::unique_ptr<BodyIntake> body;
    Clock::time_point started;

    /// Sends FIN once the answer is out (a lingering close: the peer reads the answer, then sees the end).
    void ShutdownWrite() {
        std::lock_guard lock(mu);
        if (!gone) ::shutdown(fd, SHUT_WR);
    }
};

/// Pipelined bytes held while a request is served; a peer that sends more without reading is cut.
constexpr std::size_t kMaxPending = 1u << 20;

/// A complete request on its way to a worker.
struct Job {
    std::shared_ptr<Connection> conn;
    std::shared_ptr<Tcp::Peer> peer;
    HttpRequest request;
    std::unique_ptr<BodyIntake> body;  // owns the spool file and the budget lease until the answer is sent
    Http::ResponseWriter response;
    bool close;
};

class PistacheHandler : public Http::Handler {
public:
    HTTP_PROTOTYPE(PistacheHandler)
    explicit PistacheHandler(std::shared_ptr<FrontDoor> door = nullptr) : door_(std::move(door)) {}

    /// Pistache's own onInput (its parser) is never reached: every byte goes through the head gate and intake.
    void onInput(const char* buffer, size_t len, const std::shared_ptr<Tcp::Peer>& peer) override {
        auto conn = ConnectionOf(peer);
        std::lock_guard lock(conn->mu);
        if (conn->discarding || conn->gone) return;  // the rest of a refused request
        if (conn->busy) {
            if (conn->pending.size() + len > kMaxPending) {
                conn->discarding = true;
                conn->pending.clear();
                ::shutdown(conn->fd, SHUT_RDWR);
                return;
            }
            conn->pending.append(buffer, len);
            return;
        }
        Process(conn, peer, std::string_view(buffer, len));
    }

    void onDisconnection(const std::shared_ptr<Tcp::Peer>& peer) override {
        auto conn = std::static_pointer_cast<Connection>(peer->tryGetData(kConnectionData));
        if (!conn) return;
        std::lock_guard lock(conn->mu);
        conn->gone = true;
        door_->watch.Forget(conn.get());  // before Pistache closes the fd: the reaper never cuts a reused one
        conn->body.reset();               // an upload cut short: its file and budget go with it
        conn->pending.clear();
        if (!conn->busy) Uncount(*conn);  // a request with a worker stops counting when it is answered
    }

    // Pistache calls onRequest only from its own parser, which is never fed.
    void onRequest(const Http::Request&, Http::ResponseWriter) override {}

private:
    static constexpr const char* kConnectionData = "mt.connection";

    std::shared_ptr<Connection> ConnectionOf(const std::shared_ptr<Tcp::Peer>& peer) {
        auto conn = std::static_pointer_cast<Connection>(peer->tryGetData(kConnectionData));
        if (!conn) {
            conn = std::make_shared<Connection>();
            conn->fd = peer->fd();
            conn->gate = HeadGate(door_->options.head_limits);
            peer->putData(kConnectionData, conn);
        }
        return conn;
    }

    void Count(Connection& conn) {
        if (!conn.counted) {
            conn.counted = true;
            door_->traffic->in_flight.fetch_add(1);
        }
    }

    void Uncount(Connection& conn) {
        if (conn.counted) {
            conn.counted = false;
            door_->traffic->in_flight.fetch_sub(1);
        }
    }

    /// Feeds `data` to the connection's current request (head, then body) and dispatches complete requests.
    /// Called with conn->mu held, on the reactor thread or on the worker that answered the previous request.
    void Process(const std::shared_ptr<Connection>& conn, const std::shared_ptr<Tcp::Peer>& peer,
                 std::string_view data) {
        while (!data.empty() && !conn->discarding && !conn->busy) {
            if (conn->body) {
                auto taken = conn->body->Append(data);
                if (!taken) {
                    log::Error("request body refused",
                               {{"request_id", conn->request_id}, {"error", taken.error().message}});
                    Refuse(conn, peer, VersionOf(conn->head),
                           WithCors(RequestOf(conn->head, conn->request_id),
                                    ErrorResponse(taken.error(), conn->request_id)));
                    return;
                }
                data.remove_prefix(*taken);
                door_->watch.Touch(conn.get(), Clock::now());
                if (conn->body->complete()) Dispatch(conn, peer);
                continue;
            }
            if (!conn->gate.started()) {
                Count(*conn);  // a drain waits for this request from its first byte
                conn->started = Clock::now();
                conn->rate_limit_headers.clear();  // the previous request's
                door_->watch.Enter(conn.get(), conn->fd, IntakeWatch::Phase::kHead, conn->started);
            }
            data.remove_prefix(conn->gate.Push(data));
            if (conn->gate.state() == HeadGate::State::kError) {
                const HeadError& e = conn->gate.error();
                Refuse(conn, peer, Http::Version::Http11, Refusal(e.status, e.code, e.message, RandomHex(12)));
                return;
            }
            if (conn->gate.state() == HeadGate::State::kDone) Admit(conn, peer);
        }
        if (conn->busy && !data.empty()) conn->pending.append(data);
    }

    /// The head is complete: decide from it alone whether the body is read at all.
    void Admit(const std::shared_ptr<Connection>& conn, const std::shared_ptr<Tcp::Peer>& peer) {
        conn->head = conn->gate.head();
        const std::size_t length = conn->gate.content_length();
        conn->gate.Reset();
        const RequestHead& head = conn->head;
        const Http::Version version = VersionOf(head);
        conn->request_id = RequestIdFrom(head.Find("x-request-id"));
        HttpRequest req = RequestOf(head, conn->request_id);
        auto admitted = door_->api.Admit(req);
        if (auto* refusal = std::get_if<HttpResponse>(&admitted)) {
            Record(req, refusal->status, conn->started);
            Refuse(conn, peer, version, std::move(*refusal));
            return;
        }
        conn->rate_limit_headers = std::move(std::get<Admission>(admitted).rate_limit_headers);
        const bool spool = SpooledBodyLength(head).has_value();
        const std::size_t limit = spool ? door_->options.max_request_bytes : door_->options.max_json_bytes;
        if (length > limit) {
            Refuse(conn, peer, version,
                   WithCors(req, ErrorResponse(
                                     PayloadTooLarge("Request body of " + std::to_string(length) +
                                                     " bytes is over the limit of " + std::to_string(limit) + " bytes"),
                                     conn->request_id)));
            return;
        }
        auto lease = door_->budget.TryTake(length);
        if (!lease) {
            log::Warn("request refused: body budget exhausted",
                      {{"request_id", conn->request_id}, {"bytes", std::to_string(length)}});
            Refuse(conn, peer, version,
                   WithCors(req,
                            Refusal(503, "SERVICE_UNAVAILABLE",
                                    "The gateway is receiving too many request bodies; retry later", conn->request_id)),
                   true);
            return;
        }
        auto body = BodyIntake::Start(length, spool, door_->options.spool_dir, std::move(*lease));
        if (!body) {
            log::Error("request body refused", {{"request_id", conn->request_id}, {"error", body.error().message}});
            Refuse(conn, peer, version, WithCors(req, ErrorResponse(body.error(), conn->request_id)));
            return;
        }
        conn->body = std::move(*body);
        if (length == 0) {
            Dispatch(conn, peer);
            return;
        }
        door_->watch.Enter(conn.get(), conn->fd, IntakeWatch::Phase::kBody, Clock::now());
        const std::string* expect = head.Find("expect");
        if (expect && strcasecmp(expect->c_str(), "100-continue") == 0) {
            // Queued like any response, so it follows an answer to an earlier pipelined request.
            static constexpr std::string_view kContinue = "HTTP/1.1 100 Continue\r\n\r\n";
            transport()->asyncWrite(conn->fd, RawBuffer(std::string(kContinue), kContinue.size()));
        }
    }

    /// The request as Api sees it, without its body.
    static HttpRequest RequestOf(const RequestHead& head, const std::string& request_id) {
        HttpRequest req;
        req.method = head.method;
        std::string_view target(head.target);
        const std::size_t question = target.find('?');
        req.path = PercentDecode(target.substr(0, question), false);
        if (question != std::string_view::npos) {
            for (auto& [key, value] : ParseQuery(target.substr(question + 1))) req.query[key] = value;
        }
        if (const std::string* a = head.Find("authorization")) req.authorization = *a;
        if (const std::string* k = head.Find("x-api-key")) req.api_key = *k;
        if (const std::string* o = head.Find("origin")) req.origin = *o;
        if (const std::string* t = head.Find("content-type")) req.content_type = *t;
        for (const auto& [name, value] : head.fields) {  // repeated lines form one list (RFC 9110 §5.3)
            if (name != "if-match") continue;
            req.if_match = req.if_match ? *req.if_match + ", " + value : value;
        }
        req.request_id = request_id;
        return req;
    }

    /// The body is complete: the request goes to a worker (or is refused at once when all are busy).
    void Dispatch(const std::shared_ptr<Connection>& conn, const std::shared_ptr<Tcp::Peer>& peer) {
        door_->watch.Forget(conn.get());
        const Http::Version version = VersionOf(conn->head);
        HttpRequest req = RequestOf(conn->head, conn->request_id);
        req.admitted = true;  // counted against the rate limit in Admit
        req.rate_limit_headers = conn->rate_limit_headers;
        std::unique_ptr<BodyIntake> body = std::move(conn->body);
        if (body->spooled()) {
            auto mapped = body->Map();
            if (!mapped) {
                Refuse(conn, peer, version, WithCors(req, ErrorResponse(mapped.error(), conn->request_id)));
                return;
            }
            req.mapped_body = *mapped;
        } else {
            req.body = body->TakeMemory();
        }
        std::optional<Http::ConnectionControl> asked;
        if (const std::string* connection = conn->head.Find("connection")) {
            if (strcasecmp(connection->c_str(), "close") == 0) asked = Http::ConnectionControl::Close;
            if (strcasecmp(connection->c_str(), "keep-alive") == 0) asked = Http::ConnectionControl::KeepAlive;
        }
        const Http::ConnectionControl persistence = Persistence(asked, version);
        Http::ResponseWriter response(version, transport(), this, peer);
        response.headers().add<Http::Header::Connection>(persistence);
        peer->setIdle(false);
        conn->busy = true;
        auto job = std::make_shared<Job>(Job{conn, peer, std::move(req), std::move(body), std::move(response),
                                             persistence == Http::ConnectionControl::Close});
        if (!door_->workers->TrySubmit([this, job] { Serve(*job); })) {
            conn->busy = false;
            log::Warn("request refused: all workers busy", {{"request_id", conn->request_id}});
            Record(job->request, 503, conn->started);
            Refuse(conn, peer, version,
                   WithCors(job->request,
                            Refusal(503, "SERVICE_UNAVAILABLE", "The gateway is busy; retry later", conn->request_id)),
                   true);
        }
    }

    /// On a worker: runs the request, sends the answer, then takes up the connection's pipelined bytes.
    void Serve(Job& job) {
        const HttpRequest& req = job.request;
        auto started = Clock::now();
        HttpResponse resp = door_->api.Handle(req);
        auto micros = std::chrono::duration_cast<std::chrono::microseconds>(Clock::now() - started);
        door_->metrics.HttpRequest(door_->api.RouteTemplate(req), req.method, resp.status,
                                   static_cast<double>(micros.count()) / 1e6);
        job.response.headers().add<RequestIdHeader>(req.request_id);
        if (!resp.content_type.empty()) job.response.headers().add<Http::Header::ContentType>(resp.content_type);
        if (resp.retry_after_seconds > 0) job.response.headers().add<RetryAfterHeader>(resp.retry_after_seconds);
        if (!resp.etag.empty()) job.response.headers().add<ETagHeader>(resp.etag);
        AddHeaders(job.response.headers(), resp);
        log::Info("request", {{"request_id", req.request_id},
                              {"method", req.method},
                              {"path", req.path},
                              {"status", std::to_string(resp.status)},
                              {"us", std::to_string(micros.count())}});
        door_->workers->Finishing();  // what is left only queues the answer: the next request may take this thread
        std::lock_guard lock(job.conn->mu);
        Connection& conn = *job.conn;
        conn.busy = false;
        Uncount(conn);
        job.body.reset();       // the spool file and the budget are given back
        if (conn.gone) return;  // the peer left: its fd may already be another connection's
        auto sent = job.response.send(static_cast<Http::Code>(resp.status), resp.body);
        if (job.close) {
            conn.discarding = true;
            conn.pending.clear();
            door_->watch.Enter(&conn, conn.fd, IntakeWatch::Phase::kLinger, Clock::now());
            auto shared = job.conn;
            sent.then([shared](ssize_t) { shared->ShutdownWrite(); }, Async::IgnoreException);
            return;
        }
        if (!conn.pending.empty()) {
            std::string more = std::move(conn.pending);
            conn.pending.clear();
            Process(job.conn, job.peer, more);
        }
    }

    /// Answers `resp` with `Connection: close`, drops whatever else the peer sends, and closes once it is out.
    void Refuse(const std::shared_ptr<Connection>& conn, const std::shared_ptr<Tcp::Peer>& peer, Http::Version version,
                HttpResponse resp, bool retry_after = false) {
        conn->discarding = true;
        conn->body.reset();
        conn->pending.clear();
        Uncount(*conn);
        door_->watch.Enter(conn.get(), conn->fd, IntakeWatch::Phase::kLinger, Clock::now());
        Http::ResponseWriter response(version, transport(), this, peer);
        response.headers().add<Http::Header::ContentType>(resp.content_type);
        response.headers().add<Http::Header::Connection>(Http::ConnectionControl::Close);
        if (!conn->request_id.empty()) response.headers().add<RequestIdHeader>(conn->request_id);
        if (resp.retry_after_seconds > 0) {
            response.headers().add<RetryAfterHeader>(resp.retry_after_seconds);
        } else if (retry_after) {
            response.headers().add<RetryAfterHeader>(1);
        }
        const bool has_rate_headers = std::any_of(resp.headers.begin(), resp.headers.end(),
                                                  [](const auto& h) { return h.first.rfind("RateLimit-", 0) == 0; });
        if (!has_rate_headers) {  // a refusal after admission carries the admitted request's RateLimit-* headers
            resp.headers.insert(resp.headers.end(), conn->rate_limit_headers.begin(), conn->rate_limit_headers.end());
        }
        AddHeaders(response.headers(), resp);
        auto sent = response.send(static_cast<Http::Code>(resp.status), resp.body);
        sent.then([conn](ssize_t) { conn->ShutdownWrite(); }, Async::IgnoreException);
    }

    /// `resp` with the CORS headers of the request's origin: refusals made here, not by Api, carry them too.
    HttpResponse WithCors(const HttpRequest& req, HttpResponse resp) const {
        door_->api.AddCorsHeaders(req, resp);
        return resp;
    }

    /// Metrics and the request log line for a request answered without running a handler.
    void Record(const HttpRequest& req, int status, Clock::time_point started) {
        auto micros = std::chrono::duration_cast<std::chrono::microseconds>(Clock::now() - started);
        door_->metrics.HttpRequest(door_->api.RouteTemplate(req), req.method, status,
                                   static_cast<double>(micros.count()) / 1e6);
        log::Info("request", {{"request_id", req.request_id},
                              {"method", req.method},
                              {"path", req.path},
                              {"status", std::to_string(status)},
                              {"us", std::to_string(micros.count())}});
    }

    /// Whether the connection stays open after this response: what the client asked, else HTTP/1.1's default of
    /// persistent; never while draining, so clients go to another gateway.
    Http::ConnectionControl Persistence(std::optional<Http::ConnectionControl> asked, Http::Version version) const {
        if (door_->traffic->draining.load()) return Http::ConnectionControl::Close;
        if (asked) return *asked;
        return version == Http::Version::Http11 ? Http::ConnectionControl::KeepAlive : Http::ConnectionControl::Close;
    }

    std::shared_ptr<FrontDoor> door_;
};

}  // namespace

FrontDoor::FrontDoor(const Api& api_in, ops::Metrics& metrics_in, std::shared_ptr<Traffic> traffic_in,
                     const ServerOptions& options_in)
    : api(api_in),
      metrics(metrics_in),
      traffic(std::move(traffic_in)),
      options(options_in),
      budget(options_in.max_inflight_body_bytes),
      watch(options_in.timeouts),
      workers(std::make_unique<WorkerPool>(options_in.workers, options_in.queue)) {
    // Pistache 0.0.5 has no per-peer timer usable from onInput: stalled intakes are found by a scan, and cut with
    // shutdown(2), after which the reactor sees the end of the stream and runs onDisconnection.
    reaper_ = std::thread([this] {
        while (!stopping_.load()) {
            std::this_thread::sleep_for(std::chrono::milliseconds(250));
            watch.CutOverdue(Clock::now(), [](int fd) { ::shutdown(fd, SHUT_RDWR); });
        }
    });
}

void FrontDoor::Stop() {
    stopping_.store(true);
    if (reaper_.joinable()) reaper_.join();
    workers->Stop();  // requests being served finish and are answered; new ones are refused (503)
}

std::shared_ptr<Pistache::Http::Handler> MakePistacheHandler(std::shared_ptr<FrontDoor> door) {
    return Pistache::Http::make_handler<PistacheHandler>(std::move(door));
}

}  // namespace mt::gateway
