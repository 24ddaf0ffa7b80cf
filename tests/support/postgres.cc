#include "support/postgres.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <pwd.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cstdlib>
#include <filesystem>
#include <vector>

#include "support/command.h"

namespace styrmin::test {
namespace {

namespace fs = std::filesystem;

Result<int> FreeLoopbackPort() {
  const int fd = socket(AF_INET, SOCK_STREAM, 0);
  if (fd < 0) return Internal("socket failed");
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  socklen_t len = sizeof addr;
  const bool ok = bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) == 0 &&
                  getsockname(fd, reinterpret_cast<sockaddr*>(&addr), &len) == 0;
  close(fd);
  if (!ok) return Internal("cannot bind a loopback port");
  return static_cast<int>(ntohs(addr.sin_port));
}

Result<std::string> FindBindir() {
  if (const char* env = std::getenv("STYRMIN_PG_BINDIR"); env != nullptr && *env != '\0') {
    return std::string(env);
  }
  if (auto out = RunCommandOk({"pg_config", "--bindir"}); out) {
    std::string dir = *out;
    while (!dir.empty() && (dir.back() == '\n' || dir.back() == ' ')) dir.pop_back();
    if (fs::exists(fs::path(dir) / "initdb")) return dir;
  }
  std::error_code ec;
  for (const auto& entry : fs::directory_iterator("/usr/lib/postgresql", ec)) {
    if (fs::exists(entry.path() / "bin" / "initdb")) return (entry.path() / "bin").string();
  }
  return NotFound(
      "PostgreSQL server binaries not found (install the postgresql package, or set "
      "STYRMIN_PG_BINDIR)");
}

// When running as root, PostgreSQL refuses to start: run its tools as `postgres`.
std::vector<std::string> AsServerUser(std::vector<std::string> argv) {
  if (geteuid() != 0) return argv;
  argv.insert(argv.begin(), {"runuser", "-u", "postgres", "--"});
  return argv;
}

}  // namespace

Result<std::unique_ptr<PostgresServer>> PostgresServer::Start() {
  std::unique_ptr<PostgresServer> server(new PostgresServer());
  STYRMIN_ASSIGN_OR_RETURN(server->bindir_, FindBindir());
  std::string templ = (fs::temp_directory_path() / "styrmin-pg-XXXXXX").string();
  if (mkdtemp(templ.data()) == nullptr) return Internal("mkdtemp failed for " + templ);
  server->dir_ = templ;
  if (geteuid() == 0) {
    const passwd* pw = getpwnam("postgres");
    if (pw == nullptr) return NotFound("user postgres does not exist");
    if (chown(server->dir_.c_str(), pw->pw_uid, pw->pw_gid) != 0) {
      return Internal("chown " + server->dir_ + " failed");
    }
  }
  const std::string data = server->dir_ + "/data";
  STYRMIN_RETURN_IF_ERROR(
      RunCommandOk(AsServerUser({server->bindir_ + "/initdb", "-D", data, "-U", "postgres", "-A",
                                 "trust", "-E", "UTF8", "--locale=C", "--no-sync"}),
                   std::chrono::seconds(120)));
  // The port is chosen by the kernel, then handed to the server; a lost race is retried.
  for (int attempt = 0; attempt < 3; ++attempt) {
    STYRMIN_ASSIGN_OR_RETURN(server->port_, FreeLoopbackPort());
    const std::string options = "-c listen_addresses=127.0.0.1 -p " +
                                std::to_string(server->port_) +
                                " -c unix_socket_directories=" + server->dir_ +
                                " -c fsync=off -c synchronous_commit=off -c full_page_writes=off";
    auto started = RunCommandOk(
        AsServerUser({server->bindir_ + "/pg_ctl", "-D", data, "-l", server->dir_ + "/server.log",
                      "-o", options, "-w", "-t", "60", "start"}),
        std::chrono::seconds(90));
    if (started) return server;
    // A start that timed out may still be coming up: stop it before trying another port.
    server->StopIfRunning("immediate");
  }
  return Unavailable("PostgreSQL did not start; see " + server->dir_ + "/server.log");
}

void PostgresServer::StopIfRunning(const char* mode) {
  // pg_ctl stops the server by the PID in its postmaster.pid, which exists while it runs.
  if (dir_.empty() || !fs::exists(fs::path(dir_) / "data" / "postmaster.pid")) return;
  (void)RunCommand(AsServerUser({bindir_ + "/pg_ctl", "-D", dir_ + "/data", "-m", mode, "-w", "-t",
                                 "30", "stop"}),
                   std::chrono::seconds(60));
}

PostgresServer::~PostgresServer() {
  StopIfRunning("fast");
  if (!dir_.empty()) {
    std::error_code ec;
    fs::remove_all(dir_, ec);
  }
}

std::string PostgresServer::ConnectionString(const std::string& database) const {
  return "host=127.0.0.1 port=" + std::to_string(port_) + " user=postgres dbname=" + database +
         " connect_timeout=10";
}

Result<std::string> PostgresServer::Psql(const std::string& sql) const {
  return RunCommandOk({bindir_ + "/psql", "-X", "-q", "-v", "ON_ERROR_STOP=1", "-d",
                       ConnectionString("postgres"), "-c", sql},
                      std::chrono::seconds(60));
}

Result<std::string> PostgresServer::NewDatabase() {
  const std::string name =
      "test_" + std::to_string(getpid()) + "_" + std::to_string(++databases_created_);
  STYRMIN_RETURN_IF_ERROR(Psql("CREATE DATABASE " + name));
  return name;
}

Result<std::string> PostgresServer::CreateDatabase() {
  STYRMIN_ASSIGN_OR_RETURN(const std::string name, NewDatabase());
  return ConnectionString(name);
}

Result<std::string> PostgresServer::CreateDatabaseUrl() {
  STYRMIN_ASSIGN_OR_RETURN(const std::string name, NewDatabase());
  return "postgresql://postgres@127.0.0.1:" + std::to_string(port_) + "/" + name;
}

}  // namespace styrmin::test
