#include "mt/core/log.hpp"

#include <unistd.h>

#include <atomic>
#include <chrono>
#include <ctime>
#include <string>

#include "mt/core/json.hpp"

namespace mt::log {
namespace {

std::string g_service = "mt";  // written once in main() before threads start
std::atomic<Level> g_min_level{Level::kInfo};

const char* LevelName(Level level) {
    switch (level) {
        case Level::kDebug: return "debug";
        case Level::kInfo: return "info";
        case Level::kWarn: return "warn";
        case Level::kError: return "error";
    }
    return "info";
}

std::string NowIso() {
    auto now = std::chrono::system_clock::now();
    auto ms = std::chrono::duration_cast<std::chrono::milliseconds>(now.time_since_epoch()).count();
    std::time_t secs = static_cast<std::time_t>(ms / 1000);
    std::tm tm{};
    gmtime_r(&secs, &tm);
    char buf[40];
    std::size_t n = std::strftime(buf, sizeof buf, "%Y-%m-%dT%H:%M:%S", &tm);
    std::snprintf(buf + n, sizeof buf - n, ".%03dZ", static_cast<int>(ms % 1000));
    return buf;
}

}  // namespace

void SetService(std::string_view service) { g_service.assign(service); }
void SetMinLevel(Level level) { g_min_level.store(level); }

void Write(Level level, std::string_view message, std::initializer_list<Field> fields) {
    if (level < g_min_level.load(std::memory_order_relaxed)) return;
    rapidjson::StringBuffer sb;
    json::Writer w(sb);
    w.StartObject();
    w.Key("ts");
    json::WriteString(w, NowIso());
    w.Key("level");
    w.String(LevelName(level));
    w.Key("service");
    json::WriteString(w, g_service);
    w.Key("msg");
    json::WriteString(w, message);
    for (const auto& [k, v] : fields) {
        json::WriteKey(w, k);
        json::WriteString(w, v);
    }
    w.EndObject();
    std::string line(sb.GetString(), sb.GetSize());
    line.push_back('\n');
    const char* p = line.data();
    std::size_t left = line.size();
    while (left > 0) {
        ssize_t n = ::write(STDOUT_FILENO, p, left);
        if (n <= 0) break;  // stdout gone: nothing sensible to do in a logger
        p += n;
        left -= static_cast<std::size_t>(n);
    }
}

}  // namespace mt::log
