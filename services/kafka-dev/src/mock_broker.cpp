#include "mock_broker.hpp"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <array>
#include <cerrno>
#include <cstring>
#include <string_view>

#include "mt/core/log.hpp"
#include "port_pin.hpp"

namespace mt::kafka_dev {
namespace {

// librdkafka logs from its own threads; mt::log writes each line with one write(2), so that is safe.
// noexcept and catch-all: an exception must never unwind into C code.
void LogToJson(const rd_kafka_t* rk, int level, const char* facility, const char* message) noexcept {
    try {
        // The host handle never connects anywhere, so its "no bootstrap.servers" warning is noise.
        if (std::string_view(facility) == "CONFWARN") return;
        auto lvl = level <= 3   ? log::Level::kError
                   : level == 4 ? log::Level::kWarn
                   : level <= 6 ? log::Level::kInfo
                                : log::Level::kDebug;
        log::Write(lvl, message, {{"component", "librdkafka"}, {"facility", facility}, {"client", rd_kafka_name(rk)}});
    } catch (...) {
    }
}

Result<std::unique_ptr<rd_kafka_t, void (*)(rd_kafka_t*)>> NewHost() {
    rd_kafka_conf_t* conf = rd_kafka_conf_new();
    rd_kafka_conf_set_log_cb(conf, &LogToJson);
    std::array<char, 512> errstr{};
    // rd_kafka_new takes ownership of `conf` only on success.
    rd_kafka_t* rk = rd_kafka_new(RD_KAFKA_PRODUCER, conf, errstr.data(), errstr.size());
    if (rk == nullptr) {
        rd_kafka_conf_destroy(conf);
        return Internal(std::string("cannot create the mock's host handle: ") + errstr.data());
    }
    return std::unique_ptr<rd_kafka_t, void (*)(rd_kafka_t*)>(rk, &rd_kafka_destroy);
}

/// Fails if a broker port is taken. Needed because librdkafka 2.0.2 aborts the whole process (an assert in
/// rd_kafka_mock_cluster_destroy on its own cleanup path) when a mock broker cannot bind, so the check must
/// happen before rd_kafka_mock_cluster_new. Binds the way the pin does (SO_REUSEADDR) so TIME_WAIT is no conflict.
Status CheckPortsFree(std::uint16_t base_port, int brokers) {
    for (int i = 0; i < brokers; ++i) {
        auto port = static_cast<std::uint16_t>(base_port + i);
        int fd = ::socket(AF_INET, SOCK_STREAM, 0);
        if (fd < 0) return Internal(std::string("socket(): ") + std::strerror(errno));
        int one = 1;
        ::setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
        sockaddr_in sin{};
        sin.sin_family = AF_INET;
        sin.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
        sin.sin_port = htons(port);
        int rc = ::bind(fd, reinterpret_cast<const sockaddr*>(&sin), sizeof sin);
        int err = errno;
        ::close(fd);
        if (rc != 0) {
            return Unavailable("cannot listen on 127.0.0.1:" + std::to_string(port) + ": " + std::strerror(err));
        }
    }
    return Ok();
}

}  // namespace

std::string ExpectedBootstraps(std::uint16_t port, int brokers) {
    std::string out;
    for (int i = 0; i < brokers; ++i) {
        if (i > 0) out += ',';
        out += "127.0.0.1:" + std::to_string(port + i);
    }
    return out;
}

Result<MockBroker> MockBroker::Start(const DevBrokerOptions& options) {
    MT_TRY(CheckPortsFree(options.port, options.brokers));
    MockBroker broker;
    MT_ASSIGN_OR_RETURN(auto host, NewHost());
    broker.host_.reset(host.release());
    {
        // The mock binds every broker's listener synchronously inside rd_kafka_mock_cluster_new.
        PortPinScope pin(options.port);
        broker.cluster_.reset(rd_kafka_mock_cluster_new(broker.host_.get(), options.brokers));
        if (broker.cluster_ && pin.PinnedCount() != options.brokers) {
            return Internal("the mock bound " + std::to_string(pin.PinnedCount()) + " pinned listeners, expected " +
                            std::to_string(options.brokers));
        }
    }
    if (!broker.cluster_) return Internal("cannot start the mock cluster; see the librdkafka log above");
    broker.bootstraps_ = rd_kafka_mock_cluster_bootstraps(broker.cluster_.get());
    if (std::string expected = ExpectedBootstraps(options.port, options.brokers); broker.bootstraps_ != expected) {
        return Internal("the mock reports bootstraps '" + broker.bootstraps_ + "', expected '" + expected + "'");
    }
    for (const auto& topic : options.topics) {
        rd_kafka_resp_err_t err = rd_kafka_mock_topic_create(broker.cluster_.get(), topic.name.c_str(),
                                                             topic.partitions, /*replication_factor=*/1);
        if (err != RD_KAFKA_RESP_ERR_NO_ERROR) {
            return Internal("cannot create topic '" + topic.name + "': " + rd_kafka_err2str(err));
        }
    }
    return broker;
}

}  // namespace mt::kafka_dev
