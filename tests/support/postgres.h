// A real PostgreSQL server for tests: initdb into a fresh temporary directory, started with
// pg_ctl on a free 127.0.0.1 port (as the `postgres` user when the tests run as root), stopped
// and removed when the object is destroyed. Start one per test binary and create a fresh
// database per test.
//
// Binaries: $STYRMIN_PG_BINDIR, else `pg_config --bindir`, else /usr/lib/postgresql/*/bin.
#pragma once

#include <memory>
#include <string>

#include "styrmin/core/status.h"

namespace styrmin::test {

class PostgresServer final {
 public:
  static Result<std::unique_ptr<PostgresServer>> Start();
  ~PostgresServer();
  PostgresServer(const PostgresServer&) = delete;
  PostgresServer& operator=(const PostgresServer&) = delete;

  int port() const { return port_; }
  // A libpq connection string for `database`.
  std::string ConnectionString(const std::string& database) const;
  // Creates a new, empty database with a unique name; returns its connection string.
  Result<std::string> CreateDatabase();
  // The same, as the postgresql:// URL styrmin-server's --database takes.
  Result<std::string> CreateDatabaseUrl();

 private:
  PostgresServer() = default;
  Result<std::string> Psql(const std::string& sql) const;
  // Creates a new, empty database with a unique name; returns the name.
  Result<std::string> NewDatabase();
  // Stops the server when its postmaster.pid says it runs; `mode` is pg_ctl's -m.
  void StopIfRunning(const char* mode);

  std::string bindir_;
  std::string dir_;  // temporary directory: data/ and the socket
  int port_ = 0;
  int databases_created_ = 0;
};

}  // namespace styrmin::test
