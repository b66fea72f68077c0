#include "client.hpp"

#include <array>
#include <exception>

#include "mt/core/log.hpp"

namespace mt::kafka::detail {
namespace {

log::Level LevelOfSyslog(int level) {
    if (level <= 3) return log::Level::kError;
    if (level == 4) return log::Level::kWarn;
    if (level <= 6) return log::Level::kInfo;
    return log::Level::kDebug;
}

void LogCallbackFailure(const rd_kafka_t* rk, const char* what) noexcept {
    try {
        log::Error("kafka statistics callback threw", {{"client", rd_kafka_name(rk)}, {"error", what}});
    } catch (...) {
    }
}

// Called from librdkafka's internal threads. mt::log writes each line with one write(2), so concurrent calls
// are safe. Every callback is noexcept and catches everything: an exception must never unwind through C frames.
void OnLog(const rd_kafka_t* rk, int level, const char* facility, const char* message) noexcept {
    try {
        log::Write(LevelOfSyslog(level), message,
                   {{"component", "librdkafka"}, {"facility", facility}, {"client", rd_kafka_name(rk)}});
    } catch (...) {
    }
}

// Served from rd_kafka_poll / rd_kafka_consumer_poll. Most errors are transient (broker down, DNS) and librdkafka
// retries by itself; fatal ones also surface to the caller through Produce/Poll.
void OnError(rd_kafka_t* rk, int err, const char* reason, void* /*opaque*/) noexcept {
    try {
        auto code = static_cast<rd_kafka_resp_err_t>(err);
        bool severe = code == RD_KAFKA_RESP_ERR__FATAL || code == RD_KAFKA_RESP_ERR__AUTHENTICATION ||
                      code == RD_KAFKA_RESP_ERR__SSL;
        log::Write(severe ? log::Level::kError : log::Level::kWarn, "kafka client error",
                   {{"client", rd_kafka_name(rk)}, {"error", rd_kafka_err2name(code)}, {"reason", reason}});
    } catch (...) {
    }
}

int OnStatistics(rd_kafka_t* rk, char* json, size_t json_len, void* opaque) noexcept {
    auto* context = static_cast<ClientContext*>(opaque);
    try {
        if (context != nullptr && context->on_statistics) context->on_statistics(std::string_view(json, json_len));
    } catch (const std::exception& e) {
        LogCallbackFailure(rk, e.what());
    } catch (...) {
        LogCallbackFailure(rk, "unknown exception");
    }
    return 0;  // 0: librdkafka frees `json`
}

Status ApplyAll(rd_kafka_conf_t* conf, const std::vector<Property>& properties) {
    for (const auto& [name, value] : properties) MT_TRY(SetProperty(conf, name, value));
    return Ok();
}

}  // namespace

std::string Describe(rd_kafka_resp_err_t err) {
    return std::string(rd_kafka_err2str(err)) + " (" + rd_kafka_err2name(err) + ")";
}

Status SetProperty(rd_kafka_conf_t* conf, const std::string& name, const std::string& value, std::string_view origin) {
    std::array<char, 512> errstr{};
    if (rd_kafka_conf_set(conf, name.c_str(), value.c_str(), errstr.data(), errstr.size()) == RD_KAFKA_CONF_OK) {
        return Ok();
    }
    std::string where = origin.empty() ? std::string() : std::string(origin) + ": ";
    return BadRequest(where + "invalid Kafka property '" + name + "': " + errstr.data(), "INVALID_KAFKA_CONFIG");
}

Result<KafkaHandle> NewClient(rd_kafka_type_t type, const KafkaConfig& config, const ClientSettings& settings,
                              ClientContext* context) {
    ConfHandle conf(rd_kafka_conf_new());
    MT_TRY(ApplyAll(conf.get(), settings.defaults));
    MT_TRY(ApplyAll(conf.get(), config.properties));
    MT_TRY(SetProperty(conf.get(), "bootstrap.servers", config.bootstrap_servers));
    MT_TRY(ApplyAll(conf.get(), settings.required));
    rd_kafka_conf_set_log_cb(conf.get(), &OnLog);
    rd_kafka_conf_set_error_cb(conf.get(), &OnError);
    if (context != nullptr && context->on_statistics && settings.statistics_interval.count() > 0) {
        MT_TRY(SetProperty(conf.get(), "statistics.interval.ms", std::to_string(settings.statistics_interval.count())));
        rd_kafka_conf_set_stats_cb(conf.get(), &OnStatistics);
    }
    if (settings.delivery_report != nullptr) rd_kafka_conf_set_dr_msg_cb(conf.get(), settings.delivery_report);
    rd_kafka_conf_set_opaque(conf.get(), context);

    std::array<char, 512> errstr{};
    rd_kafka_t* rk = rd_kafka_new(type, conf.get(), errstr.data(), errstr.size());
    if (rk == nullptr) {
        return BadRequest(std::string("cannot create Kafka client: ") + errstr.data(), "INVALID_KAFKA_CONFIG");
    }
    conf.release();  // rd_kafka_new took ownership of the conf on success
    return KafkaHandle(rk);
}

}  // namespace mt::kafka::detail
