// The dashboard load of issue #4: a styrmin-server process (release build) with N deployments,
// asked for all of them with their environment, driver version and current run, page by page
// (500 a page, the API's limit), from C concurrent clients; on SQLite and on a real PostgreSQL
// started for the run. Prints requests/s and latency percentiles per backend. Not a test: run
// by `make bench-server`, numbers go into the issue notes.
//
// The clients share the machine with the server, so they do what a load generator does and no
// more: each page is checked for status 200 and a body that opens with data (the server writes
// errors first), its cursor and row count are read from the text, and the first page of the
// run is also parsed whole and checked against those readings. Parsing every 500-row page into
// a JSON tree took ~40% of the machine's CPU, which the server then waited behind.
//
//   dashboard_bench [deployments=1000] [loads=100] [clients...=1 2 4]
//   (environment: DASHBOARD_BENCH_BACKENDS, DASHBOARD_BENCH_SERVER; see main and Run)
#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <thread>
#include <vector>

#include "styrmin/core/json.h"
#include "styrmin/http/client.h"
#include "support/postgres.h"
#include "support/server_process.h"

namespace {

using styrmin::Json;
using Clock = std::chrono::steady_clock;

constexpr const char* kPage = R"(query($after: ID) {
  deployments(first: 500, after: $after) {
    nextAfter
    deployments {
      id name phase applicationVersion updatedAt
      environment { name }
      driverVersion { version driver { name } }
      currentRun { kind state progress }
      activeInstance { id }
    }
  }
})";

Json Graphql(const styrmin::test::ServerProcess& server, const std::string& query,
             const Json& variables) {
  auto body = server.Graphql(query, variables);
  if (!body || body->contains("errors")) {
    std::fprintf(stderr, "request failed: %s\n",
                 body ? body->dump().substr(0, 2000).c_str() : body.error().ToString().c_str());
    std::exit(1);
  }
  return *body;
}

// One page as a load generator reads it: the status, that the body opens with data, the cursor
// (null after the last page) and the number of rows, counted by a field every row has once.
struct Page {
  std::string body;
  std::optional<std::string> next_after;
  std::size_t rows = 0;
};

[[noreturn]] void Fail(const std::string& why) {
  std::fprintf(stderr, "request failed: %s\n", why.substr(0, 2000).c_str());
  std::exit(1);
}

Page FetchPage(const styrmin::test::ServerProcess& server, const Json& after) {
  styrmin::http::Request r;
  r.method = "POST";
  r.target = "/graphql";
  r.headers.push_back({"Content-Type", "application/json"});
  r.headers.push_back({"Authorization", "Bearer " + server.admin_token()});
  r.body = styrmin::DumpJson(Json{{"query", kPage}, {"variables", {{"after", after}}}});
  auto response = styrmin::http::Fetch("127.0.0.1", server.port(), std::move(r));
  if (!response) Fail(response.error().ToString());
  if (response->status != 200) Fail(std::to_string(response->status) + ": " + response->body);
  Page page;
  page.body = std::move(response->body);
  constexpr std::string_view kHead = R"({"data":{"deployments":{"nextAfter":)";
  const std::string_view body = page.body;
  if (!body.starts_with(kHead)) Fail(page.body);
  const std::string_view rest = body.substr(kHead.size());
  if (rest.starts_with('"')) {
    const std::size_t end = rest.find('"', 1);
    if (end == std::string_view::npos) Fail(page.body);
    page.next_after = std::string(rest.substr(1, end - 1));
  } else if (!rest.starts_with("null")) {
    Fail(page.body);
  }
  constexpr std::string_view kRowField = R"("phase":)";
  for (std::size_t at = body.find(kRowField); at != std::string_view::npos;
       at = body.find(kRowField, at + kRowField.size())) {
    ++page.rows;
  }
  return page;
}

// The whole first page, parsed: the text readings of FetchPage must agree with it.
void CheckPage(const Page& page) {
  auto json = styrmin::ParseJson(page.body);
  if (!json || json->contains("errors")) Fail(page.body);
  const Json& list = (*json)["data"]["deployments"];
  const Json& next = list["nextAfter"];
  const bool agrees =
      list["deployments"].size() == page.rows &&
      (next.is_null() ? !page.next_after
                      : page.next_after && next.get<std::string>() == *page.next_after);
  if (!agrees) Fail("the page's text readings disagree with its JSON: " + page.body);
}

double Percentile(std::vector<double> v, double p) {
  if (v.empty()) return 0;
  std::sort(v.begin(), v.end());
  return v[std::min(v.size() - 1, static_cast<std::size_t>(p * static_cast<double>(v.size())))];
}

// `loads` dashboard loads from `clients` concurrent clients; prints one line.
void Load(const styrmin::test::ServerProcess& process, const std::string& backend, int deployments,
          double setup_s, int loads, int clients) {
  std::vector<std::vector<double>> request_ms(static_cast<std::size_t>(clients));
  std::vector<std::vector<double>> load_ms(static_cast<std::size_t>(clients));
  std::atomic<int> next{0};
  std::atomic<std::size_t> rows{0};
  const auto start = Clock::now();
  std::vector<std::thread> threads;
  for (int c = 0; c < clients; ++c) {
    threads.emplace_back([&, c] {
      const auto cs = static_cast<std::size_t>(c);
      while (next.fetch_add(1) < loads) {
        const auto load_start = Clock::now();
        Json after = nullptr;
        std::size_t seen = 0;
        for (int n = 0; n < 100; ++n) {
          const auto t = Clock::now();
          const Page page = FetchPage(process, after);
          request_ms[cs].push_back(
              std::chrono::duration<double, std::milli>(Clock::now() - t).count());
          seen += page.rows;
          if (!page.next_after) break;
          after = *page.next_after;
        }
        rows += seen;
        load_ms[cs].push_back(
            std::chrono::duration<double, std::milli>(Clock::now() - load_start).count());
      }
    });
  }
  for (auto& t : threads) t.join();
  const double elapsed = std::chrono::duration<double>(Clock::now() - start).count();
  std::vector<double> requests;
  std::vector<double> all_loads;
  for (int c = 0; c < clients; ++c) {
    const auto cs = static_cast<std::size_t>(c);
    requests.insert(requests.end(), request_ms[cs].begin(), request_ms[cs].end());
    all_loads.insert(all_loads.end(), load_ms[cs].begin(), load_ms[cs].end());
  }
  std::printf(
      "%-10s %5d deployments (created in %.1f s) | %d loads x %zu rows, %d clients: "
      "%.1f loads/s, %.1f requests/s | request p50 %.1f ms p99 %.1f ms | "
      "dashboard p50 %.1f ms p99 %.1f ms max %.1f ms\n",
      backend.c_str(), deployments, setup_s, loads, rows.load() / static_cast<std::size_t>(loads),
      clients, static_cast<double>(loads) / elapsed, static_cast<double>(requests.size()) / elapsed,
      Percentile(requests, 0.5), Percentile(requests, 0.99), Percentile(all_loads, 0.5),
      Percentile(all_loads, 0.99), Percentile(all_loads, 1.0));
  std::fflush(stdout);
}

// One server on `server_args` with `deployments` deployments, loaded by each client count.
void Run(const std::string& backend, const std::vector<std::string>& server_args, int deployments,
         int loads, const std::vector<int>& client_counts) {
  // DASHBOARD_BENCH_SERVER: another styrmin-server binary, to compare two builds in one run.
  const char* other = std::getenv("DASHBOARD_BENCH_SERVER");
  auto server = styrmin::test::ServerProcess::Start(
      other != nullptr && *other != '\0' ? other : STYRMIN_SERVER_BINARY, server_args);
  if (!server) {
    std::fprintf(stderr, "%s: %s\n", backend.c_str(), server.error().ToString().c_str());
    std::exit(1);
  }
  const styrmin::test::ServerProcess& process = **server;
  const Json cluster = Graphql(process,
                               R"(mutation { createCluster(input: {name: "bench",
      config: {fqdn_suffix: "example.test"}}) { cluster { id } } })",
                               Json::object());
  const Json environment = Graphql(
      process,
      "mutation($c: ID!) { createEnvironment(input: {clusterId: $c, name: \"prod\"}) { id } }",
      {{"c", cluster["data"]["createCluster"]["cluster"]["id"]}});
  const Json driver = Graphql(
      process,
      "mutation($p: String!) { loadLocalApplicationDriverVersion(path: $p) { version { id } } }",
      {{"p", std::string(STYRMIN_SOURCE_DIR) + "/drivers/grafana"}});
  const auto setup_start = Clock::now();
  for (int i = 0; i < deployments; ++i) {
    Graphql(process,
            "mutation($e: ID!, $d: ID!, $n: String!) { createDeployment(input: {environmentId: "
            "$e, driverVersionId: $d, name: $n, parameters: {admin_password: \"bench-password\"}})"
            " { plan } }",
            {{"e", environment["data"]["createEnvironment"]["id"]},
             {"d", driver["data"]["loadLocalApplicationDriverVersion"]["version"]["id"]},
             {"n", "app-" + std::to_string(i)}});
  }
  const double setup_s = std::chrono::duration<double>(Clock::now() - setup_start).count();
  CheckPage(FetchPage(process, nullptr));
  for (int clients : client_counts) Load(process, backend, deployments, setup_s, loads, clients);
}

}  // namespace

int main(int argc, char** argv) {
  const int deployments = argc > 1 ? std::atoi(argv[1]) : 1000;
  const int loads = argc > 2 ? std::atoi(argv[2]) : 100;
  std::vector<int> clients;
  for (int k = 3; k < argc; ++k) clients.push_back(std::atoi(argv[k]));
  if (clients.empty()) clients = {1, 2, 4};
  // DASHBOARD_BENCH_BACKENDS: "sqlite" or "postgresql" for one of them; both by default.
  const char* only = std::getenv("DASHBOARD_BENCH_BACKENDS");
  const std::string backends = only != nullptr && *only != '\0' ? only : "sqlite postgresql";
  if (backends.find("sqlite") != std::string::npos) Run("sqlite", {}, deployments, loads, clients);
  if (backends.find("postgresql") == std::string::npos) return 0;
  auto postgres = styrmin::test::PostgresServer::Start();
  if (!postgres) {
    std::fprintf(stderr, "postgresql: %s\n", postgres.error().ToString().c_str());
    return 1;
  }
  auto url = (*postgres)->CreateDatabaseUrl();
  if (!url) {
    std::fprintf(stderr, "postgresql: %s\n", url.error().ToString().c_str());
    return 1;
  }
  Run("postgresql", {"--database", *url}, deployments, loads, clients);
  return 0;
}
