#include "styrmin/api/server_config.h"

#include <charconv>

#include "styrmin/auth/auth.h"

namespace styrmin::api {

extern const char kServerUsage[] = R"(usage: styrmin-server [flags]

Serves Styrmin's GraphQL API. With no flags: SQLite in the data directory, on 127.0.0.1:8080.
On first start with an empty database it prints an admin token, once.

flags (each also read from the environment variable shown):
  --listen HOST:PORT   address to serve on; port 0 picks a free one   [STYRMIN_LISTEN]
                       (default 127.0.0.1:8080)
  --data-dir DIR       where the SQLite database lives (the default)   [STYRMIN_DATA_DIR]
                       (default $XDG_DATA_HOME/styrmin or ~/.local/share/styrmin)
  --database URL       sqlite:PATH or postgresql://USER@HOST/DB        [STYRMIN_DATABASE]
  --tls-cert FILE      serve HTTPS with this PEM certificate chain     [STYRMIN_TLS_CERT]
  --tls-key FILE       and this PEM private key                        [STYRMIN_TLS_KEY]
  --secret-key-file F  the key that seals secret parameters and        [STYRMIN_SECRET_KEY_FILE]
                       credentials in the database; created on first
                       start (default DATA_DIR/secret.key). Replicas
                       on one PostgreSQL must all be given the same one.
  --help               this text

endpoints: /graphql (bearer token), /graphiql, /healthz, /readyz, /metrics
)";

namespace {

Status ApplyListen(ServerConfig& config, const std::string& value, std::string_view origin) {
  const auto colon = value.rfind(':');
  const auto bad = [&](std::string_view why) {
    return InvalidArgument(std::string(origin) + " \"" + value + "\": " + std::string(why));
  };
  if (colon == std::string::npos || colon == 0) return bad("expected HOST:PORT");
  std::string host = value.substr(0, colon);
  if (host.size() > 2 && host.front() == '[' && host.back() == ']') {
    host = host.substr(1, host.size() - 2);  // [::1]:8080
  }
  const std::string port = value.substr(colon + 1);
  unsigned parsed = 0;
  const auto [end, ec] = std::from_chars(port.data(), port.data() + port.size(), parsed);
  if (ec != std::errc() || end != port.data() + port.size() || parsed > 65535) {
    return bad("the port must be a number from 0 to 65535");
  }
  config.listen_host = host;
  config.listen_port = static_cast<std::uint16_t>(parsed);
  return OkStatus();
}

}  // namespace

Result<ServerConfig> ParseServerConfig(
    const std::vector<std::string>& args,
    const std::function<std::optional<std::string>(const std::string&)>& getenv) {
  ServerConfig config;
  if (auto home = getenv("XDG_DATA_HOME"); home && !home->empty()) {
    config.data_dir = *home + "/styrmin";
  } else if (auto user_home = getenv("HOME"); user_home && !user_home->empty()) {
    config.data_dir = *user_home + "/.local/share/styrmin";
  } else {
    config.data_dir = ".styrmin-data";
  }
  if (auto v = getenv("STYRMIN_LISTEN"))
    STYRMIN_RETURN_IF_ERROR(ApplyListen(config, *v, "STYRMIN_LISTEN"));
  if (auto v = getenv("STYRMIN_DATA_DIR")) config.data_dir = *v;
  if (auto v = getenv("STYRMIN_DATABASE")) config.database = *v;
  if (auto v = getenv("STYRMIN_TLS_CERT")) config.tls_certificate_file = *v;
  if (auto v = getenv("STYRMIN_TLS_KEY")) config.tls_private_key_file = *v;
  if (auto v = getenv("STYRMIN_SECRET_KEY_FILE")) config.secret_key_file = *v;
  for (std::size_t i = 0; i < args.size(); ++i) {
    std::string flag = args[i];
    std::optional<std::string> value;
    if (const auto eq = flag.find('='); eq != std::string::npos && flag.rfind("--", 0) == 0) {
      value = flag.substr(eq + 1);
      flag = flag.substr(0, eq);
    }
    if (flag == "--help" || flag == "-h") {
      config.help = true;
      continue;
    }
    if (flag != "--listen" && flag != "--data-dir" && flag != "--database" &&
        flag != "--tls-cert" && flag != "--tls-key" && flag != "--secret-key-file") {
      // The flag's name only: a mistyped --database=... may carry a password.
      return InvalidArgument("unknown flag \"" + flag + "\" (see --help)");
    }
    if (!value) {
      if (i + 1 >= args.size()) return InvalidArgument(flag + " needs a value");
      value = args[++i];
    }
    if (flag == "--listen") {
      STYRMIN_RETURN_IF_ERROR(ApplyListen(config, *value, "--listen"));
    } else if (flag == "--data-dir") {
      if (value->empty()) return InvalidArgument("--data-dir must not be empty");
      config.data_dir = *value;
    } else if (flag == "--tls-cert") {
      config.tls_certificate_file = *value;
    } else if (flag == "--tls-key") {
      config.tls_private_key_file = *value;
    } else if (flag == "--secret-key-file") {
      if (value->empty()) return InvalidArgument("--secret-key-file must not be empty");
      config.secret_key_file = *value;
    } else {
      config.database = *value;
    }
  }
  if (config.tls_certificate_file.empty() != config.tls_private_key_file.empty()) {
    return InvalidArgument("TLS needs both --tls-cert and --tls-key");
  }
  if (config.secret_key_file.empty()) config.secret_key_file = config.data_dir + "/secret.key";
  return config;
}

Result<DatabaseChoice> DatabaseOf(const ServerConfig& config) {
  using Kind = DatabaseChoice::Kind;
  const std::string& url = config.database;
  if (url.empty()) return DatabaseChoice{Kind::kSqlite, config.data_dir + "/styrmin.db"};
  if (url.rfind("sqlite:", 0) == 0) {
    std::string path = url.substr(7);
    if (path.rfind("//", 0) == 0) path = path.substr(2);  // sqlite:///abs/path
    if (path.empty()) return InvalidArgument("--database \"" + url + "\" names no file");
    return DatabaseChoice{Kind::kSqlite, path};
  }
  if (url.rfind("postgresql://", 0) == 0 || url.rfind("postgres://", 0) == 0) {
    return DatabaseChoice{Kind::kPostgres, url};
  }
  // Not echoed: a mistyped URL may carry a password.
  return InvalidArgument("--database: expected sqlite:PATH or postgresql://...");
}

Result<std::optional<std::string>> EnsureAdminToken(storage::TokenStore& tokens,
                                                    const Clock& clock) {
  STYRMIN_ASSIGN_OR_RETURN(const std::size_t count, tokens.CountTokens());
  if (count > 0) return std::optional<std::string>();
  std::string secret = auth::GenerateSecret();
  const storage::ApiToken token{
      .id = TokenId(auth::GenerateId("t")),
      .name = "admin",
      .role = storage::Role::kAdmin,
      .secret_hash = auth::HashSecret(secret),
      .created_at = std::chrono::time_point_cast<std::chrono::milliseconds>(clock.Now())};
  STYRMIN_RETURN_IF_ERROR(tokens.CreateToken(token));
  return std::optional<std::string>(std::move(secret));
}

}  // namespace styrmin::api
