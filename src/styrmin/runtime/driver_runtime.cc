#include "styrmin/runtime/driver_runtime.h"

#include <deque>
#include <optional>
#include <string>
#include <utility>

#include "styrmin/runtime/child_process.h"

namespace styrmin::runtime {
namespace {

using Clock = std::chrono::steady_clock;

// How long an answered runtime gets to exit before its group is killed.
constexpr std::chrono::milliseconds kExitGrace(5000);
// Stderr lines kept to explain a runtime that died without answering.
constexpr std::size_t kStderrTail = 20;

std::string Quote(std::string_view line) {
  constexpr std::size_t kMax = 200;
  std::string out(line.substr(0, kMax));
  if (line.size() > kMax) out += "...";
  return "\"" + out + "\"";
}

// One conversation with one runtime process.
class Session {
 public:
  Session(ChildProcess child, Clock::time_point deadline, std::size_t max_line, RunLog* log)
      : child_(std::move(child)),
        reader_(child_.stdout_fd(), child_.stderr_fd(), max_line),
        deadline_(deadline),
        log_(log) {}

  ~Session() { child_.KillGroup(); }
  Session(Session&&) = default;
  Session(const Session&) = delete;
  Session& operator=(const Session&) = delete;

  // A runtime that died before reading its input is explained by what it said on the way out,
  // not by the broken pipe.
  Status Send(const Json& message) {
    auto sent =
        child_.WriteStdin(message.dump(-1, ' ', false, Json::error_handler_t::replace) + "\n");
    if (sent) return sent;
    auto explained = Receive();
    if (!explained) return tl::unexpected(explained.error());
    return sent;
  }

  // The next protocol message; stderr lines on the way go to the log.
  Result<Json> Receive() {
    LineReader::Line line;
    for (;;) {
      switch (reader_.Next(deadline_, line)) {
        case LineReader::Outcome::kLine:
          if (line.stream == LineReader::Stream::kStderr) {
            Stderr(line.text);
            continue;
          }
          return Parse(line.text);
        case LineReader::Outcome::kTimeout:
          child_.KillGroup();
          return DeadlineExceeded("");  // the caller words it
        case LineReader::Outcome::kTooLong:
          child_.KillGroup();
          return Internal("protocol error: the driver runtime wrote a line over the limit");
        case LineReader::Outcome::kClosed: {
          const int code = child_.Wait(kExitGrace);
          std::string message =
              "the driver runtime exited with status " + std::to_string(code) + " before answering";
          if (!tail_.empty()) {
            message += "; its last output:";
            for (const auto& t : tail_) message += "\n  " + t;
          }
          return Internal(message);
        }
      }
    }
  }

  // Ends the conversation: stdin closed, the process given a moment to exit, then killed.
  void Finish() {
    child_.CloseStdin();
    LineReader::Line line;
    // Drain what is left on stderr (the log wants it) until both pipes close.
    while (reader_.Next(std::min(deadline_, Clock::now() + kExitGrace), line) ==
           LineReader::Outcome::kLine) {
      if (line.stream == LineReader::Stream::kStderr) Stderr(line.text);
    }
    child_.Wait(kExitGrace);
  }

 private:
  void Stderr(const std::string& text) {
    if (log_ != nullptr) log_->Line("stderr", "INFO", text);
    tail_.push_back(text);
    if (tail_.size() > kStderrTail) tail_.pop_front();
  }

  Result<Json> Parse(const std::string& text) {
    Json message = Json::parse(text, nullptr, false);
    if (message.is_discarded() || !message.is_object() || !message.contains("type") ||
        !message["type"].is_string()) {
      child_.KillGroup();
      return Internal("protocol error: unexpected line from the driver runtime: " + Quote(text));
    }
    return message;
  }

  ChildProcess child_;
  LineReader reader_;
  Clock::time_point deadline_;
  RunLog* log_;
  std::deque<std::string> tail_;
};

Result<Session> Start(const RuntimeConfig& config, const std::filesystem::path& driver_dir,
                      const char* verb, Clock::time_point deadline, RunLog* log) {
  SpawnOptions options;
  options.argv = {config.python.string(), "-m", "styrmin_runtime", verb};
  options.cwd = driver_dir;
  options.env = {"PYTHONPATH=" + config.package_dir.string(),
                 "PYTHONUNBUFFERED=1",
                 "PYTHONDONTWRITEBYTECODE=1",
                 "PATH=/usr/local/bin:/usr/bin:/bin",
                 "LANG=C.UTF-8",
                 "HOME=" + driver_dir.string()};
  STYRMIN_ASSIGN_OR_RETURN(ChildProcess child, ChildProcess::Spawn(options));
  return Session(std::move(child), deadline, config.max_line_bytes, log);
}

Error Unexpected(const Json& message) {
  return Error(
      ErrorCode::kInternal,
      "protocol error: unexpected message from the driver runtime: " + Quote(message.dump()));
}

}  // namespace

Result<std::string> RenderValues(const RuntimeConfig& config,
                                 const std::filesystem::path& driver_dir, const Json& context,
                                 std::chrono::milliseconds timeout) {
  const auto deadline = Clock::now() + timeout;
  const std::filesystem::path dir = std::filesystem::absolute(driver_dir);
  STYRMIN_ASSIGN_OR_RETURN(auto session, Start(config, dir, "render", deadline, nullptr));
  STYRMIN_RETURN_IF_ERROR(
      session.Send({{"type", "render"}, {"driver_dir", dir.string()}, {"context", context}}));
  auto answer = session.Receive();
  if (!answer) {
    if (answer.error().code() == ErrorCode::kDeadlineExceeded) {
      return DeadlineExceeded("rendering " + dir.string() + "/values.j2.yml took longer than " +
                              std::to_string(timeout.count()) + " ms; the runtime was killed");
    }
    return tl::unexpected(answer.error());
  }
  session.Finish();
  const Json& a = *answer;
  if (a["type"] == "rendered" && a.contains("values") && a["values"].is_string()) {
    return a["values"].get<std::string>();
  }
  if (a["type"] == "render_error" && a.contains("error") && a["error"].is_object()) {
    const Json& e = a["error"];
    std::string where = "values.j2.yml";
    if (e.contains("line") && e["line"].is_number_integer()) {
      where += ":" + std::to_string(e["line"].get<int>());
    }
    return InvalidArgument(where + ": " + e.value("message", std::string("cannot render")) + " (" +
                           e.value("type", std::string("error")) + ")");
  }
  return tl::unexpected(Unexpected(a));
}

Result<Json> RunAction(const RuntimeConfig& config, const std::filesystem::path& driver_dir,
                       const driver::Action& action, const Json& context,
                       PrimitiveHandler& primitives, RunLog& log) {
  const auto timeout = std::chrono::seconds(action.timeout_seconds);
  const auto deadline = Clock::now() + timeout;
  const std::filesystem::path dir = std::filesystem::absolute(driver_dir);
  STYRMIN_ASSIGN_OR_RETURN(auto session, Start(config, dir, "run-action", deadline, &log));
  STYRMIN_RETURN_IF_ERROR(session.Send({{"type", "start"},
                                        {"driver_dir", dir.string()},
                                        {"file", action.file},
                                        {"function", action.function},
                                        {"context", context}}));
  for (;;) {
    auto message = session.Receive();
    if (!message) {
      if (message.error().code() == ErrorCode::kDeadlineExceeded) {
        log.Line("runtime", "ERROR",
                 "action " + action.name + " did not finish within " +
                     std::to_string(action.timeout_seconds) + " s; its processes were killed");
        return DeadlineExceeded("action " + action.name + " did not finish within " +
                                std::to_string(action.timeout_seconds) +
                                " s; its processes were killed");
      }
      log.Line("runtime", "ERROR", message.error().message());
      return tl::unexpected(message.error());
    }
    const Json& m = *message;
    const std::string type = m["type"];
    if (type == "log") {
      log.Line("action", m.value("level", std::string("INFO")), m.value("message", std::string()));
    } else if (type == "progress" && m.contains("value") && m["value"].is_number()) {
      log.Progress(m["value"].get<double>(), m.value("message", std::string()));
    } else if (type == "call" && m.contains("id") && m.contains("primitive") &&
               m["primitive"].is_string()) {
      const Json args = m.contains("args") && m["args"].is_object() ? m["args"] : Json::object();
      auto result = primitives.Call(m["primitive"].get<std::string>(), args, deadline);
      Json reply =
          result ? Json{{"type", "result"}, {"id", m["id"]}, {"value", *result}}
                 : Json{{"type", "error"}, {"id", m["id"]}, {"message", result.error().message()}};
      if (auto sent = session.Send(reply); !sent) {
        log.Line("runtime", "ERROR", sent.error().message());
        return tl::unexpected(sent.error());
      }
    } else if (type == "done") {
      session.Finish();
      return m.contains("result") ? m["result"] : Json();
    } else if (type == "failed") {
      const std::string error = m.value("error", std::string("unknown error"));
      log.Line("runtime", "ERROR", "action " + action.name + " failed: " + error);
      if (m.contains("traceback") && m["traceback"].is_string()) {
        log.Line("runtime", "ERROR", m["traceback"].get<std::string>());
      }
      session.Finish();
      return FailedPrecondition("action " + action.name + " failed: " + error);
    } else {
      const Error e = Unexpected(m);
      log.Line("runtime", "ERROR", e.message());
      return tl::unexpected(e);
    }
  }
}

}  // namespace styrmin::runtime
