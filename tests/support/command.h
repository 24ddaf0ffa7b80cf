// Running a local program to completion from a test: no shell, arguments passed as given,
// stdout and stderr captured, a deadline after which the whole process group is killed.
#pragma once

#include <chrono>
#include <string>
#include <vector>

#include "styrmin/core/status.h"

namespace styrmin::test {

struct CommandResult {
  int exit_code = -1;  // exit status, or 128 + signal number
  std::string out;
  std::string err;
};

// Runs `argv` (argv[0] is looked up on PATH). Fails with kDeadlineExceeded when it outlives
// `timeout` (its process group is killed first), kNotFound when it cannot be started.
Result<CommandResult> RunCommand(const std::vector<std::string>& argv,
                                 std::chrono::milliseconds timeout = std::chrono::seconds(60),
                                 const std::string& stdin_data = {});

// As RunCommand, but a non-zero exit is an error carrying the command line and its stderr.
Result<std::string> RunCommandOk(const std::vector<std::string>& argv,
                                 std::chrono::milliseconds timeout = std::chrono::seconds(60),
                                 const std::string& stdin_data = {});

}  // namespace styrmin::test
