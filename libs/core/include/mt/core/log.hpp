#pragma once
/// JSON-lines logging to stdout for the services (pure libraries do not log; their errors carry context).
///
/// Each call writes one complete line with a single write(2), so lines from different threads never interleave.
/// `SetService` is called once from main() before any thread starts.
#include <initializer_list>
#include <string_view>
#include <utility>

namespace mt::log {

enum class Level { kDebug, kInfo, kWarn, kError };

using Field = std::pair<std::string_view, std::string_view>;

void SetService(std::string_view service);
void SetMinLevel(Level level);
void Write(Level level, std::string_view message, std::initializer_list<Field> fields = {});

inline void Debug(std::string_view m, std::initializer_list<Field> f = {}) { Write(Level::kDebug, m, f); }
inline void Info(std::string_view m, std::initializer_list<Field> f = {}) { Write(Level::kInfo, m, f); }
inline void Warn(std::string_view m, std::initializer_list<Field> f = {}) { Write(Level::kWarn, m, f); }
inline void Error(std::string_view m, std::initializer_list<Field> f = {}) { Write(Level::kError, m, f); }

}  // namespace mt::log
