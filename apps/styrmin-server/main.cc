// styrmin-server: parses its configuration, opens the store, bootstraps the admin token on an
// empty database, serves the API until SIGINT or SIGTERM, then shuts down gracefully.
#include <pthread.h>

#include <algorithm>
#include <csignal>
#include <cstdio>
#include <cstdlib>
#include <exception>
#include <filesystem>
#include <string>
#include <vector>

#include "styrmin/api/routes.h"
#include "styrmin/api/secrets.h"
#include "styrmin/api/server_config.h"
#include "styrmin/api/styrmin_api.h"
#include "styrmin/auth/auth.h"
#include "styrmin/core/log.h"
#include "styrmin/core/metrics.h"
#include "styrmin/http/server.h"
#include "styrmin/secrets/secret_box.h"
#include "styrmin/storage/postgres_store.h"
#include "styrmin/storage/sqlite_store.h"

namespace {

using namespace styrmin;

// Opens the configured store (creating the SQLite data directory) and registers its metrics;
// logs why when it cannot.
std::unique_ptr<storage::Store> OpenStore(const api::DatabaseChoice& database,
                                          const api::ServerConfig& config, Metrics& metrics,
                                          Logger& log) {
  if (database.kind == api::DatabaseChoice::Kind::kPostgres) {
    storage::PostgresOptions options;
    options.pool_size = config.database_pool_size;
    auto store = storage::PostgresStore::Open(database.target, options);
    if (!store) {
      log.Error("cannot open the database", {{"error", store.error().message()}});
      return nullptr;
    }
    metrics.DescribeGauge("styrmin_database_connections",
                          "PostgreSQL connections open, by state (idle, in_use).");
    metrics.DescribeGauge("styrmin_database_waiting_calls",
                          "Calls waiting for a PostgreSQL connection.");
    metrics.DescribeGauge("styrmin_database_acquire_timeouts",
                          "Calls that gave up waiting for a connection, since start.");
    storage::PostgresStore* pg = store->get();
    metrics.AddCollector([pg](Metrics& m) {
      const auto stats = pg->pool_stats();
      m.Set("styrmin_database_connections", {{"state", "in_use"}},
            static_cast<double>(stats.in_use));
      m.Set("styrmin_database_connections", {{"state", "idle"}},
            static_cast<double>(stats.size - std::min(stats.size, stats.in_use)));
      m.Set("styrmin_database_waiting_calls", {}, static_cast<double>(stats.waiting));
      m.Set("styrmin_database_acquire_timeouts", {}, static_cast<double>(stats.timeouts_total));
    });
    return std::move(store).value();
  }
  std::error_code ec;
  const std::filesystem::path dir = std::filesystem::path(database.target).parent_path();
  if (!dir.empty()) std::filesystem::create_directories(dir, ec);
  if (ec) {
    log.Error("cannot create the data directory",
              {{"path", dir.string()}, {"error", ec.message()}});
    return nullptr;
  }
  auto store = storage::SqliteStore::Open(database.target);
  if (!store) {
    log.Error("cannot open the database",
              {{"path", database.target}, {"error", store.error().message()}});
    return nullptr;
  }
  return std::move(store).value();
}

int Run(int argc, char** argv) {
  const std::vector<std::string> args(argv + 1, argv + argc);
  auto config =
      api::ParseServerConfig(args, [](const std::string& name) -> std::optional<std::string> {
        const char* value = std::getenv(name.c_str());
        return value == nullptr ? std::nullopt : std::optional<std::string>(value);
      });
  if (!config) {
    std::fprintf(stderr, "styrmin-server: %s\n", config.error().message().c_str());
    return 2;
  }
  if (config->help) {
    std::fputs(api::kServerUsage, stdout);
    return 0;
  }
  Logger log = Logger::ForStream(stderr, LogLevel::kInfo);
  auto database = api::DatabaseOf(*config);
  if (!database) {
    std::fprintf(stderr, "styrmin-server: %s\n", database.error().message().c_str());
    return 2;
  }
  Metrics metrics;
  auto store = OpenStore(*database, *config, metrics, log);
  if (!store) return 1;
  const Clock& clock = SystemClock::Instance();
  // The key that seals secrets: created on first start, and checked against the one the
  // database was set up with before anything else is written or served.
  auto box = secrets::SecretBox::LoadKeyFile(config->secret_key_file, /*create=*/true);
  if (!box) {
    log.Error("cannot load the secret key", {{"error", box.error().message()}});
    return 1;
  }
  if (Status key = api::CheckSecretKey(*store, *box, clock); !key) {
    log.Error("refusing the secret key",
              {{"file", config->secret_key_file}, {"error", key.error().message()}});
    return 1;
  }
  auto admin = api::EnsureAdminToken(*store, clock);
  if (!admin) {
    log.Error("cannot create the admin token", {{"error", admin.error().message()}});
    return 1;
  }
  if (*admin) {
    // Shown once: only its hash is stored.
    std::fprintf(stderr, "styrmin-server: admin token (shown once, keep it): %s\n",
                 (*admin)->c_str());
  }
  api::ApiOptions api_options;
  api_options.secrets = std::make_shared<const secrets::SecretBox>(std::move(*box));
  api_options.git_cache_dir = std::filesystem::path(config->data_dir) / "git";
  auto schema = api::BuildStyrminSchema(*store, clock, api_options);
  if (!schema) {
    log.Error("cannot build the API schema", {{"error", schema.error().message()}});
    return 1;
  }
  const auth::Authenticator authenticator(*store);
  const api::Routes routes(**schema, authenticator, *store, metrics);

  // SIGINT/SIGTERM are taken by sigwait below, in this thread only.
  sigset_t signals;
  sigemptyset(&signals);
  sigaddset(&signals, SIGINT);
  sigaddset(&signals, SIGTERM);
  pthread_sigmask(SIG_BLOCK, &signals, nullptr);

  http::ServerOptions options;
  options.address = config->listen_host;
  options.port = config->listen_port;
  options.tls_certificate_file = config->tls_certificate_file;
  options.tls_private_key_file = config->tls_private_key_file;
  options.log_error = [&log](std::string_view line) { log.Error(line); };
  options.websocket = [&routes](const http::Request& request) { return routes.Upgrade(request); };
  options.observer = [&routes](const http::Request& request, const http::Response& response,
                               std::chrono::nanoseconds elapsed) {
    routes.Observe(request, response, elapsed);
  };
  auto server = http::Server::Start(
      options, [&routes](const http::Request& request) { return routes.Handle(request); });
  if (!server) {
    log.Error("cannot serve", {{"error", server.error().message()}});
    return 1;
  }
  const std::string scheme = config->tls_certificate_file.empty() ? "http://" : "https://";
  const bool sqlite = database->kind == api::DatabaseChoice::Kind::kSqlite;
  log.Info("serving",
           {{"url", scheme + config->listen_host + ":" + std::to_string((*server)->port())},
            {"database", sqlite ? database->target : std::string("postgresql")},
            {"schema_version", store->schema_version()}});
  int signal = 0;
  sigwait(&signals, &signal);
  log.Info("shutting down", {{"signal", signal == SIGINT ? "SIGINT" : "SIGTERM"}});
  (*server)->Shutdown(std::chrono::seconds(10));
  log.Info("stopped");
  return 0;
}

}  // namespace

int main(int argc, char** argv) {
  try {
    return Run(argc, argv);
  } catch (const std::exception& e) {
    std::fprintf(stderr, "styrmin-server: internal error: %s\n", e.what());
    return 1;
  }
}
