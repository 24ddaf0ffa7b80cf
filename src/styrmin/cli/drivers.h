// `styrminctl drivers ...`: commands for driver authors that need no server or cluster.
// Each returns the process exit code and writes only to the streams it is given, so tests call
// them directly.
#pragma once

#include <chrono>
#include <filesystem>
#include <ostream>

#include "styrmin/runtime/driver_runtime.h"

namespace styrmin::cli {

enum class OutputFormat { kText, kJson };

// Exit codes shared by styrminctl's commands.
inline constexpr int kExitOk = 0;
inline constexpr int kExitProblems = 1;  // the input has problems; they were reported
inline constexpr int kExitUsage = 2;     // bad flags or arguments

// Loads the driver in `dir` with the server's own loader and reports every problem, one per
// line as `<dir>/<path>: <message>` on `err` (text), or a JSON document on `out`:
// {"ok", "driver": {name, version, digest, components, parameters, services, actions} | null,
//  "problems": [{path, message}]}. kExitOk when the driver loads, kExitProblems otherwise.
int LintDriver(const std::filesystem::path& dir, OutputFormat format, std::ostream& out,
               std::ostream& err);

// Renders the values of the driver in `dir` from the context in `context_file` (JSON or YAML,
// shaped as the context builder makes it), without a server or a cluster: the driver is linted
// first, the rendered text must parse as YAML, and it is written to `out`. Problems go to
// `err`; kExitProblems for a bad driver, context or template, or a runtime that fails.
int RenderDriver(const std::filesystem::path& dir, const std::filesystem::path& context_file,
                 const runtime::RuntimeConfig& runtime, std::chrono::milliseconds timeout,
                 std::ostream& out, std::ostream& err);

}  // namespace styrmin::cli
