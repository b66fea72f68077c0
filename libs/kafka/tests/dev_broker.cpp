#include "dev_broker.hpp"

#include <netinet/in.h>
#include <signal.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <atomic>
#include <cstdlib>
#include <fstream>
#include <stdexcept>
#include <thread>
#include <vector>

#include "mt/core/log.hpp"

#ifndef MT_KAFKA_DEV_BINARY
#error "MT_KAFKA_DEV_BINARY must name the mt-kafka-dev executable"
#endif

namespace mt::kafka::testing {
namespace {

using namespace std::chrono_literals;

constexpr auto kReadyDeadline = 15s;
constexpr auto kReadyPollInterval = 10ms;  // polling interval of a condition with a deadline, not a wait

/// A loopback port that was free a moment ago: bind port 0, read it, release it. The dev broker then binds it
/// with SO_REUSEADDR; the small race with other processes is handled by retrying with another port.
std::uint16_t FreePort() {
    int fd = ::socket(AF_INET, SOCK_STREAM, 0);
    if (fd < 0) throw std::runtime_error("socket() failed");
    sockaddr_in sin{};
    sin.sin_family = AF_INET;
    sin.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    socklen_t len = sizeof sin;
    if (::bind(fd, reinterpret_cast<sockaddr*>(&sin), sizeof sin) != 0 ||
        ::getsockname(fd, reinterpret_cast<sockaddr*>(&sin), &len) != 0) {
        ::close(fd);
        throw std::runtime_error("cannot find a free port");
    }
    ::close(fd);
    return ntohs(sin.sin_port);
}

std::string ReadFirstLine(const std::filesystem::path& path) {
    std::ifstream in(path);
    std::string line;
    std::getline(in, line);
    return line;
}

}  // namespace

DevBroker::DevBroker() {
    for (int attempt = 0; attempt < 5; ++attempt) {
        port_ = FreePort();
        ready_file_ = std::filesystem::temp_directory_path() /
                      ("mt-kafka-dev-" + std::to_string(::getpid()) + "-" + std::to_string(port_) + ".ready");
        if (Spawn()) return;
    }
    throw std::runtime_error("mt-kafka-dev did not start");
}

DevBroker::~DevBroker() {
    Kill();
    std::error_code ignored;
    std::filesystem::remove(ready_file_, ignored);
}

KafkaConfig DevBroker::Config() const {
    KafkaConfig config{bootstrap_, {}};
    // MT_KAFKA_TEST_DEBUG=cgrp,fetch turns on librdkafka's debug contexts for a failing test.
    if (const char* debug = std::getenv("MT_KAFKA_TEST_DEBUG"); debug != nullptr && *debug != '\0') {
        config.properties.emplace_back("debug", debug);
        mt::log::SetMinLevel(mt::log::Level::kDebug);
    }
    return config;
}

KafkaConfig DevBroker::ConsumerConfig() const {
    KafkaConfig config = Config();
    // librdkafka 2.0.2's mock coordinator answers a JoinGroup that follows a LeaveGroup only after
    // session.timeout.ms - 1 s (44 s with the default 45 s). 6 s (a real broker's minimum) keeps tests fast.
    config.properties.emplace_back("session.timeout.ms", "6000");
    return config;
}

void DevBroker::Kill() {
    if (pid_ <= 0) return;
    ::kill(pid_, SIGKILL);
    ::waitpid(pid_, nullptr, 0);
    pid_ = -1;
}

void DevBroker::Restart() {
    Kill();
    if (!Spawn()) throw std::runtime_error("mt-kafka-dev did not restart on port " + std::to_string(port_));
}

bool DevBroker::Spawn() {
    std::error_code ignored;
    std::filesystem::remove(ready_file_, ignored);
    std::vector<std::string> args = {MT_KAFKA_DEV_BINARY, "--port", std::to_string(port_), "--ready-file",
                                     ready_file_.string()};
    std::vector<char*> argv;
    for (auto& arg : args) argv.push_back(arg.data());
    argv.push_back(nullptr);

    pid_t parent = ::getpid();
    pid_ = ::fork();
    if (pid_ < 0) throw std::runtime_error("fork failed");
    if (pid_ == 0) {
        // Child: only async-signal-safe calls until exec (the parent has librdkafka threads).
        ::prctl(PR_SET_PDEATHSIG, SIGKILL);
        if (::getppid() != parent) ::_exit(127);  // the parent died before prctl took effect
        ::execv(argv[0], argv.data());
        ::_exit(127);
    }
    auto deadline = std::chrono::steady_clock::now() + kReadyDeadline;
    while (std::chrono::steady_clock::now() < deadline) {
        if (std::filesystem::exists(ready_file_)) {
            bootstrap_ = ReadFirstLine(ready_file_);
            return true;
        }
        int status = 0;
        if (::waitpid(pid_, &status, WNOHANG) == pid_) {
            pid_ = -1;
            return false;
        }
        std::this_thread::sleep_for(kReadyPollInterval);
    }
    Kill();
    throw std::runtime_error("mt-kafka-dev not ready within the deadline");
}

std::string UniqueGroup(const std::string& prefix) {
    static std::atomic<int> counter{0};
    return prefix + "-" + std::to_string(::getpid()) + "-" + std::to_string(counter++);
}

std::optional<Message> PollUntil(Consumer& consumer, const std::function<bool(const Message&)>& wanted,
                                 std::chrono::milliseconds deadline) {
    auto end = std::chrono::steady_clock::now() + deadline;
    while (std::chrono::steady_clock::now() < end) {
        auto polled = consumer.Poll(100ms);
        if (!polled) throw std::runtime_error("Poll failed: " + polled.error().message);
        if (polled->has_value() && wanted(**polled)) return std::move(**polled);
    }
    return std::nullopt;
}

}  // namespace mt::kafka::testing
