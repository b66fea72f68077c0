#include "options.hpp"

#include <charconv>
#include <string_view>

namespace mt::kafka_dev {
namespace {

Result<long> ParseInt(std::string_view option, std::string_view text, long min, long max) {
    long value = 0;
    auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
    if (ec != std::errc() || end != text.data() + text.size() || value < min || value > max) {
        return BadRequest(std::string(option) + ": expected an integer in [" + std::to_string(min) + ", " +
                          std::to_string(max) + "], got '" + std::string(text) + "'");
    }
    return value;
}

Result<std::vector<TopicOption>> ParseTopics(std::string_view text) {
    std::vector<TopicOption> topics;
    while (!text.empty()) {
        std::size_t comma = text.find(',');
        std::string_view item = text.substr(0, comma);
        text = comma == std::string_view::npos ? std::string_view() : text.substr(comma + 1);
        std::size_t colon = item.rfind(':');
        if (colon == 0 || colon == std::string_view::npos) {
            return BadRequest("--topics: expected name:partitions, got '" + std::string(item) + "'");
        }
        MT_ASSIGN_OR_RETURN(long partitions, ParseInt("--topics", item.substr(colon + 1), 1, 10000));
        std::string name(item.substr(0, colon));
        // The mock aborts the process on a duplicate topic (an assert in rd_kafka_mock_topic_create).
        for (const auto& t : topics) {
            if (t.name == name) return BadRequest("--topics: topic '" + name + "' listed twice");
        }
        topics.push_back({std::move(name), static_cast<int>(partitions)});
    }
    return topics;
}

Status Apply(DevBrokerOptions& options, std::string_view name, std::string_view value) {
    if (name == "--port") {
        MT_ASSIGN_OR_RETURN(long port, ParseInt(name, value, 1, 65535));
        options.port = static_cast<std::uint16_t>(port);
    } else if (name == "--brokers") {
        MT_ASSIGN_OR_RETURN(long brokers, ParseInt(name, value, 1, 16));
        options.brokers = static_cast<int>(brokers);
    } else if (name == "--topics") {
        MT_ASSIGN_OR_RETURN(options.topics, ParseTopics(value));
    } else if (name == "--ready-file") {
        options.ready_file = std::string(value);
    } else {
        return BadRequest("unknown option '" + std::string(name) + "'");
    }
    return Ok();
}

}  // namespace

const char* Usage() {
    return "usage: mt-kafka-dev [--port N (9092)] [--brokers N (1)]\n"
           "                    [--topics name:partitions,... (mt.jobs.analyze:4,mt.jobs.insert:8)]\n"
           "                    [--ready-file PATH]\n";
}

Result<DevBrokerOptions> ParseOptions(const std::vector<std::string>& args) {
    DevBrokerOptions options;
    for (std::size_t i = 0; i < args.size(); ++i) {
        std::string_view arg = args[i];
        std::string_view name = arg;
        std::string_view value;
        if (std::size_t eq = arg.find('='); eq != std::string_view::npos) {
            name = arg.substr(0, eq);
            value = arg.substr(eq + 1);
        } else if (i + 1 < args.size()) {
            value = args[++i];
        } else {
            return BadRequest("option '" + std::string(arg) + "' needs a value");
        }
        MT_TRY(Apply(options, name, value));
    }
    if (static_cast<long>(options.port) + options.brokers - 1 > 65535) {
        return BadRequest("--port + --brokers exceeds the port range");
    }
    return options;
}

}  // namespace mt::kafka_dev
