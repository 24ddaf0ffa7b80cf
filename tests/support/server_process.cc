#include "support/server_process.h"

#include <fcntl.h>
#include <signal.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <thread>

#include "styrmin/http/client.h"

extern char** environ;

namespace styrmin::test {

namespace {

std::string ReadFile(const std::string& path) {
  std::ifstream in(path);
  std::ostringstream out;
  out << in.rdbuf();
  return out.str();
}

// The text after `marker` up to the first character in `stops`, or "".
std::string After(const std::string& text, const std::string& marker, const char* stops) {
  const auto at = text.find(marker);
  if (at == std::string::npos) return "";
  const auto start = at + marker.size();
  return text.substr(start, text.find_first_of(stops, start) - start);
}

}  // namespace

Result<std::unique_ptr<ServerProcess>> ServerProcess::Start(const std::string& binary,
                                                            std::vector<std::string> extra_args,
                                                            std::string data_dir) {
  std::unique_ptr<ServerProcess> p(new ServerProcess());
  std::string scratch = (std::filesystem::temp_directory_path() / "styrmin-server-XXXXXX").string();
  if (mkdtemp(scratch.data()) == nullptr) return Internal("mkdtemp failed");
  p->log_path_ = scratch + "/server.log";
  if (data_dir.empty()) {
    data_dir = scratch + "/data";
    p->owns_data_dir_ = true;
  }
  p->data_dir_ = data_dir;
  std::vector<std::string> argv = {binary, "--listen", "127.0.0.1:0", "--data-dir", data_dir};
  for (auto& a : extra_args) argv.push_back(std::move(a));
  std::vector<char*> cargv;
  cargv.reserve(argv.size() + 1);
  for (auto& a : argv) cargv.push_back(a.data());
  cargv.push_back(nullptr);

  posix_spawn_file_actions_t actions;
  posix_spawn_file_actions_init(&actions);
  posix_spawn_file_actions_addopen(&actions, STDERR_FILENO, p->log_path_.c_str(),
                                   O_WRONLY | O_CREAT | O_TRUNC, 0600);
  posix_spawn_file_actions_addopen(&actions, STDOUT_FILENO, "/dev/null", O_WRONLY, 0);
  posix_spawnattr_t attr;
  posix_spawnattr_init(&attr);
  posix_spawnattr_setflags(&attr, POSIX_SPAWN_SETPGROUP);
  posix_spawnattr_setpgroup(&attr, 0);
  const int rc = posix_spawn(&p->pid_, binary.c_str(), &actions, &attr, cargv.data(), environ);
  posix_spawn_file_actions_destroy(&actions);
  posix_spawnattr_destroy(&attr);
  if (rc != 0) return NotFound("cannot start " + binary + ": " + std::strerror(rc));

  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(30);
  while (std::chrono::steady_clock::now() < deadline) {
    const std::string log = p->Log();
    std::string url = After(log, "\"url\":\"http://127.0.0.1:", "\"");
    if (url.empty()) url = After(log, "\"url\":\"https://127.0.0.1:", "\"");
    if (!url.empty()) {
      p->port_ = static_cast<std::uint16_t>(std::stoi(url));
      p->admin_token_ = After(log, "admin token (shown once, keep it): ", "\n");
      return p;
    }
    int status = 0;
    if (waitpid(p->pid_, &status, WNOHANG) == p->pid_) {
      p->exit_code_ = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
      p->pid_ = -1;
      return Unavailable("styrmin-server exited with " + std::to_string(p->exit_code_) +
                         " before serving:\n" + log);
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  return DeadlineExceeded("styrmin-server did not serve within 30 s:\n" + p->Log());
}

std::string ServerProcess::Log() const { return ReadFile(log_path_); }

int ServerProcess::Stop(std::chrono::milliseconds grace) {
  if (pid_ < 0) return exit_code_;
  kill(pid_, SIGTERM);
  const auto deadline = std::chrono::steady_clock::now() + grace;
  int status = 0;
  while (true) {
    const pid_t done = waitpid(pid_, &status, WNOHANG);
    if (done == pid_) break;
    if (std::chrono::steady_clock::now() >= deadline) {
      kill(-pid_, SIGKILL);
      waitpid(pid_, &status, 0);
      break;
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  exit_code_ = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
  pid_ = -1;
  return exit_code_;
}

ServerProcess::~ServerProcess() {
  Stop();
  std::error_code ec;
  std::filesystem::remove(log_path_, ec);
  const auto scratch = std::filesystem::path(log_path_).parent_path();
  if (owns_data_dir_ && !keep_data_dir_) std::filesystem::remove_all(data_dir_, ec);
  if (!keep_data_dir_ || !owns_data_dir_) std::filesystem::remove_all(scratch, ec);
}

Result<Json> ServerProcess::Graphql(const std::string& query, const Json& variables,
                                    const std::string& token) const {
  http::Request r;
  r.method = "POST";
  r.target = "/graphql";
  r.headers.push_back({"Content-Type", "application/json"});
  r.headers.push_back({"Authorization", "Bearer " + (token.empty() ? admin_token_ : token)});
  r.body = DumpJson(Json{{"query", query}, {"variables", variables}});
  STYRMIN_ASSIGN_OR_RETURN(const http::Response response, http::Fetch("127.0.0.1", port_, r));
  return ParseJson(response.body);
}

}  // namespace styrmin::test
