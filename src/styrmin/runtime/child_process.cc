#include "styrmin/runtime/child_process.h"

#include <fcntl.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <thread>
#include <utility>

namespace styrmin::runtime {
namespace {

void CloseFd(int& fd) {
  if (fd >= 0) ::close(fd);
  fd = -1;
}

int ExitCodeOf(int status) {
  if (WIFEXITED(status)) return WEXITSTATUS(status);
  if (WIFSIGNALED(status)) return 128 + WTERMSIG(status);
  return -1;
}

}  // namespace

Result<ChildProcess> ChildProcess::Spawn(const SpawnOptions& options) {
  if (options.argv.empty()) return InvalidArgument("no program to start");
  int in[2];
  int out[2];
  int err[2];
  if (::pipe2(in, O_CLOEXEC) != 0) return Unavailable("pipe: " + std::string(std::strerror(errno)));
  if (::pipe2(out, O_CLOEXEC) != 0) {
    ::close(in[0]);
    ::close(in[1]);
    return Unavailable("pipe: " + std::string(std::strerror(errno)));
  }
  if (::pipe2(err, O_CLOEXEC) != 0) {
    for (int fd : {in[0], in[1], out[0], out[1]}) ::close(fd);
    return Unavailable("pipe: " + std::string(std::strerror(errno)));
  }
  posix_spawn_file_actions_t actions;
  posix_spawnattr_t attr;
  posix_spawn_file_actions_init(&actions);
  posix_spawnattr_init(&attr);
  // dup2 clears close-on-exec on the copies; the originals close at exec.
  posix_spawn_file_actions_adddup2(&actions, in[0], 0);
  posix_spawn_file_actions_adddup2(&actions, out[1], 1);
  posix_spawn_file_actions_adddup2(&actions, err[1], 2);
  if (!options.cwd.empty()) {
    posix_spawn_file_actions_addchdir_np(&actions, options.cwd.c_str());
  }
  posix_spawnattr_setpgroup(&attr, 0);  // a group of its own, led by the child
  sigset_t defaults;
  sigemptyset(&defaults);
  sigaddset(&defaults, SIGPIPE);
  sigaddset(&defaults, SIGTERM);
  sigaddset(&defaults, SIGINT);
  posix_spawnattr_setsigdefault(&attr, &defaults);
  sigset_t none;
  sigemptyset(&none);
  posix_spawnattr_setsigmask(&attr, &none);
  posix_spawnattr_setflags(&attr,
                           POSIX_SPAWN_SETPGROUP | POSIX_SPAWN_SETSIGDEF | POSIX_SPAWN_SETSIGMASK);

  std::vector<char*> argv;
  argv.reserve(options.argv.size() + 1);
  for (const auto& a : options.argv) argv.push_back(const_cast<char*>(a.c_str()));
  argv.push_back(nullptr);
  std::vector<char*> env;
  env.reserve(options.env.size() + 1);
  for (const auto& e : options.env) env.push_back(const_cast<char*>(e.c_str()));
  env.push_back(nullptr);

  pid_t pid = -1;
  const int rc = ::posix_spawn(&pid, argv[0], &actions, &attr, argv.data(), env.data());
  posix_spawn_file_actions_destroy(&actions);
  posix_spawnattr_destroy(&attr);
  for (int fd : {in[0], out[1], err[1]}) ::close(fd);
  if (rc != 0) {
    for (int fd : {in[1], out[0], err[0]}) ::close(fd);
    return Unavailable("cannot start " + options.argv[0] + ": " + std::strerror(rc));
  }
  return ChildProcess(pid, in[1], out[0], err[0]);
}

ChildProcess::ChildProcess(ChildProcess&& other) noexcept
    : pid_(std::exchange(other.pid_, -1)),
      stdin_(std::exchange(other.stdin_, -1)),
      stdout_(std::exchange(other.stdout_, -1)),
      stderr_(std::exchange(other.stderr_, -1)),
      exit_code_(other.exit_code_) {}

ChildProcess& ChildProcess::operator=(ChildProcess&& other) noexcept {
  if (this != &other) {
    if (pid_ > 0 && !exit_code_) Wait(std::chrono::milliseconds(0));
    CloseAll();
    pid_ = std::exchange(other.pid_, -1);
    stdin_ = std::exchange(other.stdin_, -1);
    stdout_ = std::exchange(other.stdout_, -1);
    stderr_ = std::exchange(other.stderr_, -1);
    exit_code_ = other.exit_code_;
  }
  return *this;
}

ChildProcess::~ChildProcess() {
  if (pid_ > 0 && !exit_code_) Wait(std::chrono::milliseconds(0));
  CloseAll();
}

void ChildProcess::CloseAll() {
  CloseFd(stdin_);
  CloseFd(stdout_);
  CloseFd(stderr_);
}

Status ChildProcess::WriteStdin(std::string_view data) {
  // A child that exited leaves a pipe whose write raises SIGPIPE, which would end this whole
  // process: block it for this thread while writing, and discard the one the write raised.
  sigset_t pipe_signal;
  sigset_t previous;
  sigemptyset(&pipe_signal);
  sigaddset(&pipe_signal, SIGPIPE);
  pthread_sigmask(SIG_BLOCK, &pipe_signal, &previous);
  Status status = OkStatus();
  while (!data.empty()) {
    if (stdin_ < 0) {
      status = Unavailable("the child's stdin is closed");
      break;
    }
    const ssize_t n = ::write(stdin_, data.data(), data.size());
    if (n < 0) {
      if (errno == EINTR) continue;
      const int error = errno;
      if (error == EPIPE) {
        const timespec now{0, 0};
        sigtimedwait(&pipe_signal, nullptr, &now);
      }
      status = Unavailable("writing to the child: " + std::string(std::strerror(error)));
      break;
    }
    data.remove_prefix(static_cast<std::size_t>(n));
  }
  pthread_sigmask(SIG_SETMASK, &previous, nullptr);
  return status;
}

void ChildProcess::CloseStdin() { CloseFd(stdin_); }

void ChildProcess::KillGroup() {
  if (pid_ > 0 && !exit_code_) ::kill(-pid_, SIGKILL);
}

int ChildProcess::Wait(std::chrono::milliseconds timeout) {
  if (exit_code_) return *exit_code_;
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  int status = 0;
  for (;;) {
    const pid_t r = ::waitpid(pid_, &status, WNOHANG);
    if (r == pid_) break;
    if (r < 0 && errno != EINTR) {
      exit_code_ = -1;
      return -1;
    }
    if (std::chrono::steady_clock::now() >= deadline) {
      ::kill(-pid_, SIGKILL);
      while (::waitpid(pid_, &status, 0) < 0 && errno == EINTR) {
      }
      break;
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
  }
  // The leader is gone; anything it left in its group goes with it.
  ::kill(-pid_, SIGKILL);
  exit_code_ = ExitCodeOf(status);
  return *exit_code_;
}

bool LineReader::PopLine(Line& line) {
  for (int s = 0; s < 2; ++s) {
    const auto nl = buffers_[s].find('\n');
    if (nl != std::string::npos) {
      line.stream = static_cast<Stream>(s);
      line.text = buffers_[s].substr(0, nl);
      buffers_[s].erase(0, nl + 1);
      return true;
    }
    if (!open_[s] && !buffers_[s].empty()) {
      line.stream = static_cast<Stream>(s);
      line.text = std::move(buffers_[s]);
      buffers_[s].clear();
      return true;
    }
  }
  return false;
}

LineReader::Outcome LineReader::Next(std::chrono::steady_clock::time_point deadline, Line& line) {
  for (;;) {
    if (PopLine(line)) return Outcome::kLine;
    for (int s = 0; s < 2; ++s) {
      if (buffers_[s].size() > max_line_) {
        open_[s] = false;
        buffers_[s].clear();
        line.stream = static_cast<Stream>(s);
        line.text.clear();
        return Outcome::kTooLong;
      }
    }
    if (!open_[0] && !open_[1]) return Outcome::kClosed;
    const auto now = std::chrono::steady_clock::now();
    if (now >= deadline) return Outcome::kTimeout;
    pollfd fds[2];
    nfds_t n = 0;
    int which[2];
    for (int s = 0; s < 2; ++s) {
      if (!open_[s]) continue;
      fds[n] = {fds_[s], POLLIN, 0};
      which[n] = s;
      ++n;
    }
    const auto wait = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - now);
    const int ready =
        ::poll(fds, n, static_cast<int>(std::min<long long>(wait.count() + 1, 60000)));
    if (ready < 0) {
      if (errno == EINTR) continue;
      return Outcome::kClosed;
    }
    for (nfds_t k = 0; k < n; ++k) {
      if ((fds[k].revents & (POLLIN | POLLHUP | POLLERR)) == 0) continue;
      const int s = which[k];
      char chunk[16384];
      const ssize_t got = ::read(fds_[s], chunk, sizeof chunk);
      if (got > 0) {
        buffers_[s].append(chunk, static_cast<std::size_t>(got));
      } else if (got == 0 || errno != EINTR) {
        open_[s] = false;
      }
    }
  }
}

}  // namespace styrmin::runtime
