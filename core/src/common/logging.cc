#include "common/logging.h"

#include <fmt/format.h>
#include <spdlog/formatter.h>
#include <spdlog/sinks/stdout_sinks.h>
#include <spdlog/spdlog.h>

#include <mutex>
#include <nlohmann/json.hpp>

#include "common/personal_data.h"
#include "common/text_field.h"
#include "common/utc_time.h"

namespace coalition {
namespace {

std::mutex virtual_time_mutex;
std::function<UtcMicros()> virtual_time_source;  // guarded by virtual_time_mutex

std::optional<UtcMicros> virtual_now() {
  std::lock_guard<std::mutex> lock(virtual_time_mutex);
  if (!virtual_time_source) return std::nullopt;
  return virtual_time_source();
}

// One JSON object per line: {"ts","level","logger","msg"}. Built with nlohmann so that any
// character in a message is escaped correctly, which spdlog's pattern syntax cannot do.
class JsonLineFormatter final : public spdlog::formatter {
 public:
  void format(const spdlog::details::log_msg& msg, spdlog::memory_buf_t& dest) override {
    nlohmann::json line{{"ts", format_utc(std::chrono::floor<std::chrono::microseconds>(msg.time))},
                        {"level", std::string(spdlog::level::to_string_view(msg.level).data(),
                                              spdlog::level::to_string_view(msg.level).size())},
                        {"logger", std::string(msg.logger_name.data(), msg.logger_name.size())},
                        {"msg", std::string(msg.payload.data(), msg.payload.size())}};
    if (auto at = virtual_now()) line["virtual_ts"] = format_utc(*at);
    const std::string text =
        line.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace) + "\n";
    dest.append(text.data(), text.data() + text.size());
  }
  std::unique_ptr<spdlog::formatter> clone() const override {
    return std::make_unique<JsonLineFormatter>();
  }
};

// "2026-12-01T09:00:00.000Z info  [plugin.log] message": the message escaped to one printable
// line (common/text_field.h), so a workflow's log step cannot forge a second line.
class TextLineFormatter final : public spdlog::formatter {
 public:
  void format(const spdlog::details::log_msg& msg, spdlog::memory_buf_t& dest) override {
    const auto level = spdlog::level::to_string_view(msg.level);
    const auto at = virtual_now();
    const std::string text = fmt::format(
        "{}{} {:<5} [{}] {}\n", format_utc(std::chrono::floor<std::chrono::microseconds>(msg.time)),
        at ? " (virtual " + format_utc(*at) + ")" : std::string(),
        std::string_view(level.data(), level.size()),
        std::string_view(msg.logger_name.data(), msg.logger_name.size()),
        printable(std::string_view(msg.payload.data(), msg.payload.size())));
    dest.append(text.data(), text.data() + text.size());
  }
  std::unique_ptr<spdlog::formatter> clone() const override {
    return std::make_unique<TextLineFormatter>();
  }
};

// Wraps the line formatter: whatever a message says, e-mail addresses and phone numbers leave
// the process masked (common/personal_data.h).
class MaskingFormatter final : public spdlog::formatter {
 public:
  explicit MaskingFormatter(std::unique_ptr<spdlog::formatter> inner) : inner_(std::move(inner)) {}
  void format(const spdlog::details::log_msg& msg, spdlog::memory_buf_t& dest) override {
    spdlog::memory_buf_t line;
    inner_->format(msg, line);
    const std::string masked = mask_personal_data(std::string_view(line.data(), line.size()));
    dest.append(masked.data(), masked.data() + masked.size());
  }
  std::unique_ptr<spdlog::formatter> clone() const override {
    return std::make_unique<MaskingFormatter>(inner_->clone());
  }

 private:
  std::unique_ptr<spdlog::formatter> inner_;
};

spdlog::level::level_enum to_spdlog(LogLevel level) {
  switch (level) {
    case LogLevel::kDebug: return spdlog::level::debug;
    case LogLevel::kInfo: return spdlog::level::info;
    case LogLevel::kWarn: return spdlog::level::warn;
    case LogLevel::kError: return spdlog::level::err;
    case LogLevel::kOff: return spdlog::level::off;
  }
  return spdlog::level::info;
}

}  // namespace

void set_log_virtual_time(std::function<UtcMicros()> source) {
  std::lock_guard<std::mutex> lock(virtual_time_mutex);
  virtual_time_source = std::move(source);
}

std::optional<LogFormat> parse_log_format(std::string_view text) {
  if (text == "text") return LogFormat::kText;
  if (text == "json") return LogFormat::kJson;
  return std::nullopt;
}

std::optional<LogLevel> parse_log_level(std::string_view text) {
  if (text == "debug") return LogLevel::kDebug;
  if (text == "info") return LogLevel::kInfo;
  if (text == "warn") return LogLevel::kWarn;
  if (text == "error") return LogLevel::kError;
  if (text == "off") return LogLevel::kOff;
  return std::nullopt;
}

void configure_logging(LogFormat format, LogLevel level) {
  auto sink = std::make_shared<spdlog::sinks::stderr_sink_mt>();
  std::unique_ptr<spdlog::formatter> lines;
  if (format == LogFormat::kJson) {
    lines = std::make_unique<JsonLineFormatter>();
  } else {
    lines = std::make_unique<TextLineFormatter>();
  }
  sink->set_formatter(std::make_unique<MaskingFormatter>(std::move(lines)));
  auto logger = std::make_shared<spdlog::logger>("coalition", std::move(sink));
  logger->set_level(to_spdlog(level));
  spdlog::set_default_logger(std::move(logger));
}

}  // namespace coalition
