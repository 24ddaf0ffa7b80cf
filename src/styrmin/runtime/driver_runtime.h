// The C++ side of the driver runtime (DESIGN.md §4 Driver runtime, docs/driver-runtime.md):
// renders a driver's values and runs its actions in a Python subprocess, never in this
// process, so a broken driver cannot crash the agent and a hung one is killed at its deadline
// with every process it started.
//
// Each call starts `<python> -m styrmin_runtime <verb>` without a shell, in its own process
// group, and speaks line-delimited JSON with it. The runtime's stderr (tracebacks, print()
// from actions) goes to the run log. Calls are independent and may run concurrently.
#pragma once

#include <chrono>
#include <filesystem>
#include <string>
#include <string_view>

#include "styrmin/core/json.h"
#include "styrmin/core/status.h"
#include "styrmin/driver/spec.h"

namespace styrmin::runtime {

struct RuntimeConfig {
  std::filesystem::path python;           // the interpreter (its virtual environment's)
  std::filesystem::path package_dir;      // the directory holding styrmin_runtime/ (python/)
  std::size_t max_line_bytes = 16 << 20;  // a longer protocol line is a protocol error
};

// Where an action's log lines and progress go.
class RunLog {
 public:
  virtual ~RunLog() = default;
  // `source` is "action" (the action's logger), "stderr" (the runtime's stderr) or "runtime"
  // (what this side says about the run, e.g. the traceback of a failure).
  virtual void Line(std::string_view source, std::string_view level, std::string_view text) = 0;
  virtual void Progress(double fraction, std::string_view message) = 0;
};

// Serves the primitives an action calls (DESIGN.md §4): the agent implements it against the
// cluster; tests with a recording fake. An error becomes a PrimitiveError the action can catch.
class PrimitiveHandler {
 public:
  virtual ~PrimitiveHandler() = default;
  virtual Result<Json> Call(std::string_view primitive, const Json& args,
                            std::chrono::steady_clock::time_point deadline) = 0;
};

// The driver's values template (values.j2.yml) rendered from `context`. Template errors are
// kInvalidArgument "values.j2.yml:<line>: <Jinja2's message>"; kDeadlineExceeded when the
// runtime does not answer in time (it is killed); kUnavailable when it cannot start;
// kInternal for a protocol error, quoting the offending line.
Result<std::string> RenderValues(const RuntimeConfig& config,
                                 const std::filesystem::path& driver_dir, const Json& context,
                                 std::chrono::milliseconds timeout);

// Runs `action` of the driver in `driver_dir` with `context`, serving its primitive calls from
// `primitives` and sending its log lines to `log`, for at most the action's timeout. The
// action's return value (JSON; null when it returns nothing). When the action raises:
// kFailedPrecondition "action <name> failed: <Type>: <message>", its traceback in the log.
// At the deadline: the process group is killed and kDeadlineExceeded returned. Protocol
// errors: kInternal with the offending line; the process group is killed.
Result<Json> RunAction(const RuntimeConfig& config, const std::filesystem::path& driver_dir,
                       const driver::Action& action, const Json& context,
                       PrimitiveHandler& primitives, RunLog& log);

}  // namespace styrmin::runtime
