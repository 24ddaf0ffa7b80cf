// styrmin-server: parses its configuration, opens the store, bootstraps the admin token on an
// empty database, serves the API until SIGINT or SIGTERM, then shuts down gracefully.
#include <pthread.h>

#include <csignal>
#include <cstdio>
#include <cstdlib>
#include <exception>
#include <filesystem>
#include <string>
#include <vector>

#include "styrmin/api/routes.h"
#include "styrmin/api/server_config.h"
#include "styrmin/api/styrmin_api.h"
#include "styrmin/auth/auth.h"
#include "styrmin/core/log.h"
#include "styrmin/core/metrics.h"
#include "styrmin/http/server.h"
#include "styrmin/storage/sqlite_store.h"

namespace {

int Run(int argc, char** argv) {
  using namespace styrmin;
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
  auto path = api::SqlitePathOf(*config);
  if (!path) {
    std::fprintf(stderr, "styrmin-server: %s\n", path.error().message().c_str());
    return 2;
  }
  std::error_code ec;
  std::filesystem::create_directories(std::filesystem::path(*path).parent_path().empty()
                                          ? std::filesystem::path(".")
                                          : std::filesystem::path(*path).parent_path(),
                                      ec);
  if (ec) {
    log.Error("cannot create the data directory", {{"path", *path}, {"error", ec.message()}});
    return 1;
  }
  auto store = storage::SqliteStore::Open(*path);
  if (!store) {
    log.Error("cannot open the database", {{"path", *path}, {"error", store.error().message()}});
    return 1;
  }
  const Clock& clock = SystemClock::Instance();
  auto admin = api::EnsureAdminToken(**store, clock);
  if (!admin) {
    log.Error("cannot create the admin token", {{"error", admin.error().message()}});
    return 1;
  }
  if (*admin) {
    // Shown once: only its hash is stored.
    std::fprintf(stderr, "styrmin-server: admin token (shown once, keep it): %s\n",
                 (*admin)->c_str());
  }
  auto schema = api::BuildStyrminSchema(**store, clock);
  if (!schema) {
    log.Error("cannot build the API schema", {{"error", schema.error().message()}});
    return 1;
  }
  Metrics metrics;
  const auth::Authenticator authenticator(**store);
  const api::Routes routes(**schema, authenticator, **store, metrics);

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
  log.Info("serving",
           {{"url", "http://" + config->listen_host + ":" + std::to_string((*server)->port())},
            {"database", *path},
            {"schema_version", (*store)->schema_version()}});
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
