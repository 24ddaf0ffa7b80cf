// Structured logging: a message plus typed fields, written as one line.
//
// Two formats: `kText` for people at a terminal
//   2026-11-23T21:56:01.123Z INFO  run claimed run=r-12 cluster=c-1
// and `kJson` for machines (one JSON object a line, keys "ts", "level", "msg", then fields).
// `Logger::ForStream` picks text when the stream is a terminal, JSON otherwise.
//
// Thread-safety: a Logger may be used from many threads; each line is written whole under
// `mutex_`. Loggers made with `With` share the sink of their parent.
#pragma once

#include <cstdio>
#include <functional>
#include <initializer_list>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "styrmin/core/clock.h"
#include "styrmin/core/json.h"

namespace styrmin {

enum class LogLevel { kDebug, kInfo, kWarn, kError };
enum class LogFormat { kText, kJson };

std::string_view LogLevelName(LogLevel level);
// Accepts "debug", "info", "warn", "error" (any case).
Result<LogLevel> ParseLogLevel(std::string_view text);

struct LogField {
  std::string key;
  Json value;
};

class Logger final {
 public:
  using Sink = std::function<void(std::string_view line)>;

  // Every line (with its trailing newline) goes to `sink`.
  Logger(Sink sink, LogFormat format, LogLevel min_level, const Clock& clock);

  // Writes to `stream` (stderr by default), text if it is a terminal, JSON lines otherwise.
  static Logger ForStream(std::FILE* stream, LogLevel min_level,
                          const Clock& clock = SystemClock::Instance());

  // A logger that adds `fields` to every line, sharing this logger's sink and settings.
  Logger With(std::initializer_list<LogField> fields) const;

  void Log(LogLevel level, std::string_view message, std::initializer_list<LogField> fields = {});
  void Debug(std::string_view message, std::initializer_list<LogField> fields = {}) {
    Log(LogLevel::kDebug, message, fields);
  }
  void Info(std::string_view message, std::initializer_list<LogField> fields = {}) {
    Log(LogLevel::kInfo, message, fields);
  }
  void Warn(std::string_view message, std::initializer_list<LogField> fields = {}) {
    Log(LogLevel::kWarn, message, fields);
  }
  void Error(std::string_view message, std::initializer_list<LogField> fields = {}) {
    Log(LogLevel::kError, message, fields);
  }

  bool Enabled(LogLevel level) const { return level >= shared_->min_level; }

 private:
  struct Shared {
    Sink sink;
    LogFormat format;
    LogLevel min_level;
    const Clock* clock;
    std::mutex mutex;  // serialises calls to `sink`
  };
  Logger(std::shared_ptr<Shared> shared, std::vector<LogField> context)
      : shared_(std::move(shared)), context_(std::move(context)) {}

  std::string Format(LogLevel level, std::string_view message,
                     std::initializer_list<LogField> fields) const;

  std::shared_ptr<Shared> shared_;
  std::vector<LogField> context_;
};

}  // namespace styrmin
