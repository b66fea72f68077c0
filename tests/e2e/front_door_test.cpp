// The front door over real sockets (SPEC §7a): bounded heads, framing that cannot be read two ways, refusals
// decided from the head before any body byte is read, the body budget, stalled peers, and workers that never
// hold up the sockets.
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <atomic>
#include <fstream>
#include <functional>
#include <future>
#include <thread>

#include "e2e.hpp"
#include "mt/testing/raw_socket.hpp"
#include "mt/testing/wait.hpp"

namespace e2e {
namespace {

using namespace std::chrono_literals;
using Clock = std::chrono::steady_clock;

constexpr std::size_t kBodyBudget = 64u << 20;

Stack& FrontStack() {
    StackOptions options;
    options.name = "front";
    // Two reactor threads: before the worker pool, two requests waiting on the database stalled every socket.
    options.gateway_env = {{"MT_HTTP_THREADS", "2"},
                           {"MT_HTTP_BODY_TIMEOUT_MS", "1000"},
                           {"MT_HTTP_HEAD_TIMEOUT_MS", "2000"},
                           {"MT_HTTP_MAX_INFLIGHT_BODY_BYTES", std::to_string(kBodyBudget)},
                           {"MT_HTTP_WORKERS", "2"},
                           {"MT_HTTP_QUEUE", "0"}};
    return SharedStack(options);
}

/// A socket to the gateway whose receives give up after 5 s.
int Connect(Stack& stack) {
    int fd = mt::testing::ConnectLoopback(mt::testing::PortOf(stack.base_url()), 5s);
    REQUIRE(fd >= 0);
    return fd;
}

/// Sends what it can of `data` (the gateway may close the connection midway).
void SendSome(int fd, std::string_view data) {
    try {
        mt::testing::SendAll(fd, data);
    } catch (const std::runtime_error&) {
    }
}

/// Everything the gateway sends until it closes (or 5 s pass), and how long that took.
std::pair<std::string, Clock::duration> ReceiveUntilClosed(int fd) {
    auto started = Clock::now();
    std::string got = mt::testing::ReceiveAll(fd);
    return {got, Clock::now() - started};
}

/// The bytes received up to the end of the first response head (or "" after 5 s / on close).
std::string ReceiveHead(int fd) {
    std::string got;
    char buf[4096];
    while (got.find("\r\n\r\n") == std::string::npos) {
        ssize_t n = ::recv(fd, buf, sizeof buf, 0);
        if (n <= 0) break;
        got.append(buf, static_cast<std::size_t>(n));
    }
    return got;
}

int StatusOf(const std::string& response) {
    if (response.rfind("HTTP/1.", 0) != 0 || response.size() < 12) return 0;
    return std::stoi(response.substr(9, 3));
}

std::string ErrorCodeOf(const std::string& response) {
    auto at = response.find("\"error_code\":\"");
    if (at == std::string::npos) return "";
    at += 14;
    return response.substr(at, response.find('"', at) - at);
}

std::size_t Count(const std::string& text, std::string_view what) {
    std::size_t n = 0;
    for (auto at = text.find(what); at != std::string::npos; at = text.find(what, at + 1)) ++n;
    return n;
}

std::string UploadHead(const std::string& token, std::size_t length, std::string_view extra = {}) {
    std::string head = "POST " + Api("/upload") + " HTTP/1.1\r\nHost: x\r\n";
    if (!token.empty()) head += "Authorization: Bearer " + token + "\r\n";
    return head + "Content-Type: multipart/form-data; boundary=b\r\nContent-Length: " + std::to_string(length) +
           "\r\n" + std::string(extra) + "\r\n";
}

long VmRssKb(pid_t pid) {
    std::ifstream status("/proc/" + std::to_string(pid) + "/status");
    std::string line;
    while (std::getline(status, line)) {
        if (line.rfind("VmRSS:", 0) == 0) return std::stol(line.substr(6));
    }
    return -1;
}

TEST_CASE("front door: no token, 100 MB declared: 401 at once, no 100 Continue, nothing of the body read", "[front]") {
    Tenant t(FrontStack());
    int fd = Connect(t.stack);
    SendSome(fd, UploadHead("", 100'000'000, "Expect: 100-continue\r\n"));  // and no body byte ever
    auto [response, took] = ReceiveUntilClosed(fd);
    ::close(fd);
    INFO(response);
    CHECK(StatusOf(response) == 401);
    CHECK(response.find("100 Continue") == std::string::npos);
    CHECK(ErrorCodeOf(response) == "UNAUTHORIZED");
    CHECK(took < 2s);  // answered and closed without waiting for the body
}

TEST_CASE("front door: a bad token or a missing permission is refused from the head, before the body", "[front]") {
    Tenant t(FrontStack());
    int fd = Connect(t.stack);
    SendSome(fd, UploadHead(t.stack.Token(t.company, {"managed-tables:list"}), 50'000'000));
    auto [response, took] = ReceiveUntilClosed(fd);
    ::close(fd);
    INFO(response);
    CHECK(StatusOf(response) == 403);
    CHECK(took < 2s);
}

TEST_CASE("front door: a request line over 8 KiB → 414 URI_TOO_LONG", "[front]") {
    Tenant t(FrontStack());
    int fd = Connect(t.stack);
    SendSome(fd, "GET " + Api("/status?x=") + std::string(100u << 10, 'a'));
    auto [response, took] = ReceiveUntilClosed(fd);
    ::close(fd);
    INFO(response.substr(0, 300));
    CHECK(StatusOf(response) == 414);
    CHECK(ErrorCodeOf(response) == "URI_TOO_LONG");
    CHECK(took < 2s);
}

TEST_CASE("front door: a head over 32 KiB → 431 HEADERS_TOO_LARGE", "[front]") {
    Tenant t(FrontStack());
    int fd = Connect(t.stack);
    std::string head = "GET " + Api("/status") + " HTTP/1.1\r\nHost: x\r\n";
    for (int i = 0; i < 400; ++i) head += "X-Filler-" + std::to_string(i) + ": " + std::string(100, 'v') + "\r\n";
    SendSome(fd, head + "\r\n");
    auto [response, took] = ReceiveUntilClosed(fd);
    ::close(fd);
    INFO(response.substr(0, 300));
    CHECK(StatusOf(response) == 431);
    CHECK(ErrorCodeOf(response) == "HEADERS_TOO_LARGE");
}

TEST_CASE("front door: framing that could be read two ways → 400 BAD_REQUEST", "[front]") {
    Tenant t(FrontStack());
    const std::string start =
        "POST " + Api("/status") + " HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer " + t.token + "\r\n";
    for (const std::string& bad : {start + "Content-Length: 2\r\nContent-Length: 2\r\n\r\n{}",
                                   start + "Content-Length: 2\r\nContent-Length: 3\r\n\r\n{}",
                                   start + "Content-Length: 2\r\nTransfer-Encoding: chunked\r\n\r\n{}",
                                   start + "Content-Length: 0x2\r\n\r\n{}", start + "X-A: 1\r\n folded\r\n\r\n",
                                   start + "X-A: 1\n\r\n", start + "Authorization: Bearer " + t.token + "\r\n\r\n"}) {
        INFO(bad);
        int fd = Connect(t.stack);
        SendSome(fd, bad);
        auto [response, took] = ReceiveUntilClosed(fd);
        ::close(fd);
        INFO(response);
        CHECK(StatusOf(response) == 400);
        CHECK(ErrorCodeOf(response) == "BAD_REQUEST");
    }
}

TEST_CASE("front door: heads that made the old parser throw get our own 400 or 413, never library text", "[front]") {
    Tenant t(FrontStack());
    const std::string start =
        "POST " + Api("/status") + " HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer " + t.token + "\r\n";
    // An overflowing or negative length (std::stoull), a content type with no subtype, a header without a colon, a
    // request line of one word: each once answered "Malformed HTTP request: " and the exception's text.
    for (const std::string& bad :
         {start + "Content-Length: 99999999999999999999999\r\n\r\n", start + "Content-Length: -1\r\n\r\n",
          start + "Content-Type: /\r\n\r\n", start + "Content-Type\r\n\r\n", std::string("GARBAGE\r\n\r\n")}) {
        INFO(bad);
        int fd = Connect(t.stack);
        SendSome(fd, bad);
        auto [response, took] = ReceiveUntilClosed(fd);
        ::close(fd);
        INFO(response);
        const int status = StatusOf(response);
        CHECK((status == 400 || status == 413 || status == 404 || status == 405));
        for (const char* internal : {"stoull", "stoul", "basic_string", "_M_", "std::", "exception", "what()"}) {
            CHECK(response.find(internal) == std::string::npos);
        }
    }
}

TEST_CASE("front door: two Authorization headers → 400, even when both are valid", "[front]") {
    Tenant t(FrontStack());
    int fd = Connect(t.stack);
    SendSome(fd, "GET " + Api("/status") + " HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer " + t.token +
                     "\r\nAuthorization: Bearer " + t.token + "\r\n\r\n");
    auto [response, took] = ReceiveUntilClosed(fd);
    ::close(fd);
    INFO(response);
    CHECK(StatusOf(response) == 400);
}

TEST_CASE("front door: a request smuggled inside a body or behind ambiguous framing never reaches the API", "[front]") {
    Tenant t(FrontStack());
    t.Provision();
    const std::string id = t.CreateTable("kept", Columns({{"v", "text"}}));
    const std::string smuggled =
        "DELETE " + Api("/" + id) + " HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer " + t.token + "\r\n\r\n";
    const std::string upload_body =
        "--b\r\nContent-Disposition: form-data; name=\"files\"; filename=\"a.csv\"\r\n\r\n"
        "v\r\n1\r\n\r\n" +
        smuggled + "\r\n--b--\r\n";
    const std::string auth = "Authorization: Bearer " + t.token + "\r\n";
    for (const std::string& attempt :
         {UploadHead(t.token, upload_body.size(), "Connection: close\r\n") + upload_body,
          "POST " + Api("/upload") + " HTTP/1.1\r\nHost: x\r\n" + auth +
              "Content-Length: 5\r\n"
              "Transfer-Encoding: chunked\r\n\r\n0\r\n\r\n" +
              smuggled,
          "POST " + Api("/upload") + " HTTP/1.1\r\nHost: x\r\n" + auth +
              "Content-Length: 0\r\nContent-Length: " + std::to_string(smuggled.size()) + "\r\n\r\n" + smuggled,
          "POST " + Api("/upload") + " HTTP/1.1\r\nHost: x\r\n" + auth + "Transfer-Encoding: chunked\r\n\r\n0\r\n\r\n" +
              smuggled}) {
        int fd = Connect(t.stack);
        SendSome(fd, attempt);
        auto [response, took] = ReceiveUntilClosed(fd);
        ::close(fd);
        INFO(attempt.substr(0, 400) << "\n→\n" << response);
        CHECK(Count(response, "HTTP/1.1 ") == 1);  // one answer: the smuggled request got none
        // The upload itself is accepted (the request is only file content); the ambiguous framings are refused.
        if (attempt.find("Transfer-Encoding") != std::string::npos || Count(attempt, "Content-Length") > 1) {
            CHECK(StatusOf(response) >= 400);
        }
    }
    auto still = t.http.Get(Api("/" + id), t.token);
    CHECK_STATUS(still, 200);
}

TEST_CASE("front door: a body that stalls: the connection is closed within the body timeout", "[front]") {
    Tenant t(FrontStack());
    t.Provision();
    int fd = Connect(t.stack);
    SendSome(fd, UploadHead(t.token, 1'000'000) + std::string(1000, 'x'));  // then nothing
    auto [response, took] = ReceiveUntilClosed(fd);
    ::close(fd);
    CHECK(took < 4s);  // MT_HTTP_BODY_TIMEOUT_MS=1000 (+ the reaper's 250 ms scan); the receive gives up at 5 s
    CHECK(t.stack.gateway().Running());
    auto r = t.http.Get(Api("/status"), t.token);
    CHECK_STATUS(r, 200);
}

TEST_CASE("front door: a head that trickles in: the connection is closed within the head timeout", "[front]") {
    Tenant t(FrontStack());
    int fd = Connect(t.stack);
    SendSome(fd, "GET " + Api("/status") + " HTTP/1.1\r\nHost: x\r\n");  // the head never ends
    auto [response, took] = ReceiveUntilClosed(fd);
    ::close(fd);
    CHECK(response.empty());
    CHECK(took < 4s);  // MT_HTTP_HEAD_TIMEOUT_MS=2000
}

TEST_CASE("front door: bodies over the process-wide budget → 503 SERVICE_UNAVAILABLE with Retry-After", "[front]") {
    Tenant t(FrontStack());
    t.Provision();
    const std::size_t part = kBodyBudget / 2 + (1u << 20);  // two of these do not fit together
    int first = Connect(t.stack);
    SendSome(first, UploadHead(t.token, part, "Expect: 100-continue\r\n"));
    CHECK(ReceiveHead(first).find("100 Continue") != std::string::npos);  // admitted: holds `part` of the budget
    int second = Connect(t.stack);
    SendSome(second, UploadHead(t.token, part, "Expect: 100-continue\r\n"));
    auto [response, took] = ReceiveUntilClosed(second);
    ::close(second);
    INFO(response);
    CHECK(StatusOf(response) == 503);
    CHECK(ErrorCodeOf(response) == "SERVICE_UNAVAILABLE");
    CHECK(response.find("Retry-After: ") != std::string::npos);
    CHECK(response.find("100 Continue") == std::string::npos);
    ::close(first);  // gives its share back
    mt::testing::WaitUntil(
        [&] {
            int third = Connect(t.stack);
            SendSome(third, UploadHead(t.token, part, "Expect: 100-continue\r\n"));
            bool admitted = ReceiveHead(third).find("100 Continue") != std::string::npos;
            ::close(third);
            return admitted;
        },
        10s, "the budget to be given back");
}

TEST_CASE("front door: gateway memory stays flat while unauthenticated clients push large bodies", "[front]") {
    Tenant t(FrontStack());
    const pid_t pid = t.stack.gateway().pid();
    const long before = VmRssKb(pid);
    REQUIRE(before > 0);
    std::vector<std::thread> clients;
    std::atomic<int> refused{0};
    for (int c = 0; c < 4; ++c) {
        clients.emplace_back([&] {
            int fd = mt::testing::ConnectLoopback(mt::testing::PortOf(t.stack.base_url()), 5s);
            if (fd < 0) return;
            std::string chunk(1u << 20, 'x');
            SendSome(fd, UploadHead("", 100'000'000));
            for (int i = 0; i < 50; ++i) {
                try {
                    mt::testing::SendAll(fd, chunk);
                } catch (const std::runtime_error&) {
                    break;  // the gateway cut the connection after answering
                }
            }
            std::string got = ReceiveHead(fd);
            if (StatusOf(got) == 401) refused.fetch_add(1);
            ::close(fd);
        });
    }
    for (auto& c : clients) c.join();
    const long after = VmRssKb(pid);
    INFO("VmRSS before " << before << " kB, after " << after << " kB");
    CHECK(after - before < 40 * 1024);  // 4 clients × up to 50 MB sent: none of it kept
    CHECK(refused.load() >= 1);
    CHECK(t.stack.gateway().Running());
}

TEST_CASE("front door: the sockets keep answering while every worker waits on the database", "[front]") {
    Tenant t(FrontStack());
    t.Provision();
    const std::string id = t.CreateTable("locked", Columns({{"v", "text"}}));
    const std::string database = t.Database();
    auto tables = t.stack.AdminQuery(
        "SELECT quote_ident(schemaname) || '.' || quote_ident(tablename) FROM pg_tables "
        "WHERE schemaname NOT IN ('pg_catalog', 'information_schema')",
        {}, database);
    REQUIRE_FALSE(tables.empty());
    std::string names;
    for (const auto& row : tables) names += (names.empty() ? "" : ", ") + *row[0];
    // Hold every table of the company locked until the test lets go: reads of it wait in the database.
    const std::string marker = "mt-front-door-lock-holder";
    auto holder = std::async(std::launch::async, [&] {
        try {
            mt::testing::ExecAt(mt::testing::UrlWithDatabase(t.stack.admin_url(), database),
                                "BEGIN; LOCK TABLE " + names + " IN ACCESS EXCLUSIVE MODE; SELECT pg_sleep(120) /* " +
                                    marker + " */; COMMIT;");
        } catch (const std::runtime_error&) {  // cancelled below, which ends its transaction and frees the lock
        }
    });
    auto release = [&] {
        t.stack.AdminQuery(
            "SELECT pg_cancel_backend(pid) FROM pg_stat_activity WHERE query LIKE $1 AND pid <> "
            "pg_backend_pid()",
            {"%" + marker + "%"}, database);
    };
    std::vector<std::future<int>> blocked;  // before the guard: on a failure the lock goes first, then these end
    struct Release {
        std::function<void()> fn;
        ~Release() {
            try {
                fn();
            } catch (...) {
            }
        }
    } release_on_exit{release};
    mt::testing::WaitUntil(
        [&] {
            return !t.stack
                        .AdminQuery(
                            "SELECT 1 FROM pg_locks WHERE mode = 'AccessExclusiveLock' AND granted "
                            "AND relation IS NOT NULL AND database = (SELECT oid FROM pg_database WHERE datname = $1)",
                            {database}, database)
                        .empty();
        },
        10s, "the lock");
    // MT_HTTP_WORKERS=2 and MT_HTTP_QUEUE=0: both workers end up waiting on the lock. A worker still finishing an
    // earlier request makes the gateway answer 503 (no queue), which is an answer, so the client tries again.
    for (int i = 0; i < 2; ++i) {
        blocked.push_back(std::async(std::launch::async, [&] {
            auto client = t.stack.Client(60s);
            for (auto deadline = Clock::now() + 30s;;) {
                auto r = client.Get(Api("/" + id + "/data"), t.token);
                if (r.status != 503 || Clock::now() > deadline) return r.status;
                std::this_thread::sleep_for(50ms);
            }
        }));
    }
    mt::testing::WaitUntil(
        [&] {
            auto rows = t.stack.AdminQuery(
                "SELECT count(*) FROM pg_locks WHERE NOT granted "
                "AND database = (SELECT oid FROM pg_database WHERE datname = $1)",
                {database}, database);
            return std::stoi(rows[0][0].value_or("0")) >= 2;
        },
        20s, "two requests waiting on the lock");
    auto started = Clock::now();
    auto client = t.stack.Client(30s);
    auto status = client.Get(Api("/status"), t.token);
    const auto took = Clock::now() - started;
    INFO(status.body);
    CHECK((status.status == 200 || status.status == 503));
    if (status.status == 503) CHECK(status.Header("Retry-After") == "1");
    CHECK(took < 2s);  // before, the reactor threads themselves waited on the database (as long as the lock)
    release();
    for (auto& b : blocked) CHECK(b.get() == 200);
    holder.get();
}

}  // namespace
}  // namespace e2e
