// styrmin-server's configuration from its flags and environment, and its first-start
// bootstrap. Kept out of main() so that tests can call them.
#pragma once

#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "styrmin/core/clock.h"
#include "styrmin/core/status.h"
#include "styrmin/storage/store.h"

namespace styrmin::api {

struct ServerConfig {
  std::string listen_host = "127.0.0.1";
  std::uint16_t listen_port = 8080;
  std::string data_dir;  // default: $XDG_DATA_HOME/styrmin, else ~/.local/share/styrmin
  std::string database;  // "" (SQLite in data_dir), sqlite:PATH, postgresql://...
  std::size_t database_pool_size = 8;  // PostgreSQL connections
  std::string tls_certificate_file;    // both set: HTTPS only
  std::string tls_private_key_file;
  std::string secret_key_file;  // default: data_dir/secret.key, created when missing
  bool help = false;
};

// What --help prints.
extern const char kServerUsage[];

// Flags win over the environment (STYRMIN_LISTEN, STYRMIN_DATA_DIR, STYRMIN_DATABASE,
// STYRMIN_TLS_CERT, STYRMIN_TLS_KEY, STYRMIN_SECRET_KEY_FILE), which wins over the defaults. A
// certificate without a key, or the reverse, is refused. `getenv` is the environment's lookup
// (std::getenv in main). kInvalidArgument naming the flag for anything malformed or unknown.
Result<ServerConfig> ParseServerConfig(
    const std::vector<std::string>& args,
    const std::function<std::optional<std::string>(const std::string&)>& getenv);

// The database the config selects: a SQLite file, or a PostgreSQL connection string (a
// postgresql:// or postgres:// URI, passed to libpq as is). kInvalidArgument otherwise.
struct DatabaseChoice {
  enum class Kind { kSqlite, kPostgres } kind = Kind::kSqlite;
  std::string target;  // the file, or the connection string
};
Result<DatabaseChoice> DatabaseOf(const ServerConfig& config);

// On a database without tokens, creates an admin token and returns its secret (to show once);
// nullopt when tokens exist.
Result<std::optional<std::string>> EnsureAdminToken(storage::TokenStore& tokens,
                                                    const Clock& clock);

}  // namespace styrmin::api
