// `styrminctl drivers ...`: commands for driver authors that need no server or cluster.
// Each returns the process exit code and writes only to the streams it is given, so tests call
// them directly.
#pragma once

#include <filesystem>
#include <ostream>

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

}  // namespace styrmin::cli
