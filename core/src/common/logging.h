// Logging set-up: every log line goes to stderr (stdout is for data), as text for people or as
// JSON lines for machines.
#ifndef COALITION_COMMON_LOGGING_H_
#define COALITION_COMMON_LOGGING_H_

#include <functional>
#include <optional>
#include <string_view>

#include "common/rfc3339.h"

namespace coalition {

enum class LogFormat { kText, kJson };
enum class LogLevel { kDebug, kInfo, kWarn, kError, kOff };

std::optional<LogFormat> parse_log_format(std::string_view text);  // "text" | "json"
std::optional<LogLevel> parse_log_level(std::string_view text);    // "debug" ... "off"

// Replaces the default spdlog logger ("coalition") with one writing to stderr. Call once at
// start-up, before loggers are cloned from it (plugin loggers are).
void configure_logging(LogFormat format, LogLevel level);

// While a command works in virtual time (--now, tick), every log line carries the virtual
// instant beside the wall clock's: text lines as "(virtual 2027-04-01T13:00:00.000Z)", JSON
// lines as "virtual_ts". `source` must not block and must stay valid until cleared (an empty
// function clears it). Process-wide: one engine session per process.
void set_log_virtual_time(std::function<UtcMicros()> source);

}  // namespace coalition

#endif  // COALITION_COMMON_LOGGING_H_
