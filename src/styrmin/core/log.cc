#include "styrmin/core/log.h"

#include <unistd.h>

#include <algorithm>
#include <cctype>

namespace styrmin {
namespace {

// Text values are bare when they are simple tokens, quoted JSON strings otherwise.
void AppendTextValue(std::string& out, const Json& value) {
  if (value.is_string()) {
    const auto& s = value.get_ref<const std::string&>();
    const bool bare = !s.empty() && std::all_of(s.begin(), s.end(), [](unsigned char c) {
      return std::isalnum(c) || c == '-' || c == '_' || c == '.' || c == '/' || c == ':' ||
             c == '@';
    });
    out += bare ? s : DumpJson(value);
    return;
  }
  out += DumpJson(value);
}

// Messages and keys are written as they are, except control characters, which are escaped so
// that one call is always one line (no log injection through a crafted message).
std::string EscapeControls(std::string_view s) {
  std::string out;
  out.reserve(s.size());
  for (char c : s) {
    const auto u = static_cast<unsigned char>(c);
    if (c == '\n') {
      out += "\\n";
    } else if (c == '\r') {
      out += "\\r";
    } else if (c == '\t') {
      out += "\\t";
    } else if (u < 0x20 || u == 0x7F) {
      static constexpr char kHex[] = "0123456789abcdef";
      out += "\\x";
      out += kHex[u >> 4];
      out += kHex[u & 0xF];
    } else {
      out += c;
    }
  }
  return out;
}

}  // namespace

std::string_view LogLevelName(LogLevel level) {
  switch (level) {
    case LogLevel::kDebug:
      return "debug";
    case LogLevel::kInfo:
      return "info";
    case LogLevel::kWarn:
      return "warn";
    case LogLevel::kError:
      return "error";
  }
  return "unknown";
}

Result<LogLevel> ParseLogLevel(std::string_view text) {
  std::string lower(text);
  std::transform(lower.begin(), lower.end(), lower.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  for (auto level : {LogLevel::kDebug, LogLevel::kInfo, LogLevel::kWarn, LogLevel::kError}) {
    if (lower == LogLevelName(level)) return level;
  }
  return InvalidArgument("unknown log level \"" + std::string(text) +
                         "\" (expected debug, info, warn or error)");
}

Logger::Logger(Sink sink, LogFormat format, LogLevel min_level, const Clock& clock)
    : shared_(std::make_shared<Shared>()) {
  shared_->sink = std::move(sink);
  shared_->format = format;
  shared_->min_level = min_level;
  shared_->clock = &clock;
}

Logger Logger::ForStream(std::FILE* stream, LogLevel min_level, const Clock& clock) {
  const LogFormat format = isatty(fileno(stream)) ? LogFormat::kText : LogFormat::kJson;
  return Logger(
      [stream](std::string_view line) {
        std::fwrite(line.data(), 1, line.size(), stream);
        std::fflush(stream);
      },
      format, min_level, clock);
}

Logger Logger::With(std::initializer_list<LogField> fields) const {
  std::vector<LogField> context = context_;
  context.insert(context.end(), fields.begin(), fields.end());
  return Logger(shared_, std::move(context));
}

void Logger::Log(LogLevel level, std::string_view message, std::initializer_list<LogField> fields) {
  if (!Enabled(level)) return;
  const std::string line = Format(level, message, fields);
  std::lock_guard lock(shared_->mutex);
  shared_->sink(line);
}

std::string Logger::Format(LogLevel level, std::string_view message,
                           std::initializer_list<LogField> fields) const {
  const std::string ts = FormatRfc3339(shared_->clock->Now());
  if (shared_->format == LogFormat::kJson) {
    // Keys in a fixed order: ts, level, msg, then context and call fields as given.
    std::string out = "{\"ts\":" + DumpJson(ts) +
                      ",\"level\":" + DumpJson(std::string(LogLevelName(level))) +
                      ",\"msg\":" + DumpJson(std::string(message));
    auto append = [&out](const LogField& f) {
      out += "," + DumpJson(f.key) + ":" + DumpJson(f.value);
    };
    std::for_each(context_.begin(), context_.end(), append);
    std::for_each(fields.begin(), fields.end(), append);
    out += "}\n";
    return out;
  }
  std::string name(LogLevelName(level));
  std::transform(name.begin(), name.end(), name.begin(),
                 [](unsigned char c) { return static_cast<char>(std::toupper(c)); });
  name.resize(5, ' ');
  std::string out = ts + " " + name + " " + EscapeControls(message);
  auto append = [&out](const LogField& f) {
    out += " " + EscapeControls(f.key) + "=";
    AppendTextValue(out, f.value);
  };
  std::for_each(context_.begin(), context_.end(), append);
  std::for_each(fields.begin(), fields.end(), append);
  out += "\n";
  return out;
}

}  // namespace styrmin
