// A styrmin-server started as a real process for API tests: its own data directory, a
// kernel-picked loopback port, stderr captured to a file. Start waits until the server logs
// that it serves (bounded); Stop sends SIGTERM and waits for the exit (SIGKILL after a
// deadline); the destructor stops it and removes the directory.
#pragma once

#include <chrono>
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "styrmin/core/json.h"
#include "styrmin/core/status.h"

namespace styrmin::test {

class ServerProcess final {
 public:
  // Starts `binary` with `--listen 127.0.0.1:0 --data-dir <fresh dir>` and `extra_args`.
  // Reuses `data_dir` when given (to restart on the same database).
  static Result<std::unique_ptr<ServerProcess>> Start(const std::string& binary,
                                                      std::vector<std::string> extra_args = {},
                                                      std::string data_dir = {});
  ~ServerProcess();
  ServerProcess(const ServerProcess&) = delete;
  ServerProcess& operator=(const ServerProcess&) = delete;

  std::uint16_t port() const { return port_; }
  // The admin token the server printed on first start; empty when it printed none.
  const std::string& admin_token() const { return admin_token_; }
  const std::string& data_dir() const { return data_dir_; }
  // Everything the server wrote to stderr so far.
  std::string Log() const;

  // POSTs a GraphQL request to /graphql with `token` (the admin's when empty); the parsed body,
  // or the transport's error.
  Result<Json> Graphql(const std::string& query, const Json& variables = Json::object(),
                       const std::string& token = "") const;

  // SIGTERM, then wait up to `grace` for the exit (SIGKILL after); the exit code, or 128 +
  // signal. Idempotent.
  int Stop(std::chrono::milliseconds grace = std::chrono::seconds(15));
  // Keeps the data directory after the object is gone (for a restart).
  void KeepDataDir() { keep_data_dir_ = true; }

 private:
  ServerProcess() = default;

  int pid_ = -1;
  int exit_code_ = -1;
  std::uint16_t port_ = 0;
  std::string admin_token_;
  std::string data_dir_;
  std::string log_path_;
  bool owns_data_dir_ = false;
  bool keep_data_dir_ = false;
};

}  // namespace styrmin::test
