// A child process started without a shell, in its own process group, with pipes on its stdin,
// stdout and stderr. The group is what gets killed: an action that starts subprocesses of its
// own cannot leave them running past its deadline.
//
// Not thread-safe; one owner drives the pipes. The destructor kills the group and reaps the
// child if the owner did not wait for it.
#pragma once

#include <sys/types.h>

#include <chrono>
#include <filesystem>
#include <optional>
#include <string>
#include <vector>

#include "styrmin/core/status.h"

namespace styrmin::runtime {

struct SpawnOptions {
  std::vector<std::string> argv;  // argv[0] is looked up as given: a path, not via PATH
  std::filesystem::path cwd;      // empty: the parent's
  std::vector<std::string> env;   // "NAME=value"; the whole environment of the child
};

class ChildProcess final {
 public:
  // kUnavailable when the program cannot be started (missing, not executable), naming it.
  static Result<ChildProcess> Spawn(const SpawnOptions& options);

  ChildProcess(ChildProcess&& other) noexcept;
  ChildProcess& operator=(ChildProcess&& other) noexcept;
  ChildProcess(const ChildProcess&) = delete;
  ChildProcess& operator=(const ChildProcess&) = delete;
  ~ChildProcess();

  pid_t pid() const { return pid_; }
  int stdin_fd() const { return stdin_; }
  int stdout_fd() const { return stdout_; }
  int stderr_fd() const { return stderr_; }

  // Writes all of `data` to the child's stdin. kUnavailable when the child closed it.
  Status WriteStdin(std::string_view data);
  void CloseStdin();

  // SIGKILL to the whole process group.
  void KillGroup();

  // Waits for the child to exit (at most `timeout`; then kills the group and waits for that).
  // The exit code, or 128 + signal number when a signal ended it.
  int Wait(std::chrono::milliseconds timeout);

 private:
  ChildProcess(pid_t pid, int in, int out, int err)
      : pid_(pid), stdin_(in), stdout_(out), stderr_(err) {}
  void CloseAll();

  pid_t pid_ = -1;
  int stdin_ = -1;
  int stdout_ = -1;
  int stderr_ = -1;
  std::optional<int> exit_code_;
};

// Reads everything a line-oriented child writes on two pipes, split into lines, until both
// close or the deadline passes. Used by the driver runtime client; exposed for its tests.
class LineReader final {
 public:
  enum class Stream { kStdout, kStderr };
  struct Line {
    Stream stream;
    std::string text;  // without the newline
  };
  enum class Outcome { kLine, kClosed, kTimeout, kTooLong };

  LineReader(int stdout_fd, int stderr_fd, std::size_t max_line_bytes)
      : fds_{stdout_fd, stderr_fd}, max_line_(max_line_bytes) {}

  // The next complete line from either stream (a final unterminated line counts), kClosed when
  // both are closed and drained, kTimeout at the deadline, kTooLong when a line passes the
  // limit (its stream is then abandoned).
  Outcome Next(std::chrono::steady_clock::time_point deadline, Line& line);

 private:
  bool PopLine(Line& line);

  int fds_[2];
  std::string buffers_[2];
  bool open_[2] = {true, true};
  std::size_t max_line_;
};

}  // namespace styrmin::runtime
