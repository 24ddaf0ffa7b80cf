// styrmin-server as a real process on loopback, driven over real HTTP: health and metrics,
// authentication, the first domain mutations and queries, bad input that must change
// nothing, restarts on the same database, and the graphql-http audit suite.
#include <gtest/gtest.h>

#include <sstream>

#include "styrmin/core/json.h"
#include "styrmin/http/client.h"
#include "support/command.h"
#include "support/postgres.h"
#include "support/server_process.h"

namespace styrmin {
namespace {

using test::ServerProcess;

class ServerApiTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    auto started = ServerProcess::Start(STYRMIN_SERVER_BINARY);
    ASSERT_TRUE(started.has_value()) << started.error().ToString();
    server_ = std::move(started).value().release();
    ASSERT_FALSE(server_->admin_token().empty()) << server_->Log();
  }
  static void TearDownTestSuite() {
    delete server_;
    server_ = nullptr;
  }

  static http::Response Call(http::Request request) {
    auto response = http::Fetch("127.0.0.1", server_->port(), std::move(request));
    EXPECT_TRUE(response.has_value()) << response.error().ToString();
    return response.value_or(http::Response{});
  }

  // POSTs a GraphQL request with `token` (the admin's when empty) and returns the parsed body.
  static Json Graphql(const std::string& query, const Json& variables = Json::object(),
                      std::string token = "") {
    http::Request r;
    r.method = "POST";
    r.target = "/graphql";
    r.headers.push_back({"Content-Type", "application/json"});
    r.headers.push_back(
        {"Authorization", "Bearer " + (token.empty() ? server_->admin_token() : token)});
    r.body = DumpJson(Json{{"query", query}, {"variables", variables}});
    const http::Response response = Call(r);
    auto body = ParseJson(response.body);
    EXPECT_TRUE(body.has_value()) << response.body;
    return body.value_or(Json());
  }

  static std::string ErrorCodeOf(const Json& body) {
    if (!body.contains("errors")) return "";
    return body["errors"][0]["extensions"].value("code", "");
  }

  static http::Request Get(std::string target) {
    http::Request r;
    r.method = "GET";
    r.target = std::move(target);
    return r;
  }

  static ServerProcess* server_;
};

ServerProcess* ServerApiTest::server_ = nullptr;

TEST_F(ServerApiTest, ServesHealthReadinessAndMetricsWithoutAToken) {
  EXPECT_EQ(Call(Get("/healthz")).status, 200);
  EXPECT_EQ(Call(Get("/readyz")).status, 200);
  EXPECT_EQ(Call(Get("/nope")).status, 404);
  http::Request odd = Get("/healthz");
  odd.method = "FROBNICATE";  // any token is a method to HTTP; it must not become a label
  Call(odd);
  const http::Response metrics = Call(Get("/metrics"));
  EXPECT_EQ(metrics.status, 200);
  EXPECT_NE(metrics.body.find("# TYPE styrmin_http_requests_total counter"), std::string::npos);
  EXPECT_NE(metrics.body.find(
                "styrmin_http_requests_total{route=\"/healthz\",method=\"GET\",status=\"200\"}"),
            std::string::npos)
      << metrics.body;
  EXPECT_NE(metrics.body.find("styrmin_http_request_duration_seconds_bucket{route=\"other\",le="),
            std::string::npos);
  EXPECT_EQ(metrics.body.find("FROBNICATE"), std::string::npos);
  EXPECT_NE(metrics.body.find("method=\"other\""), std::string::npos);
  http::Request page = Get("/graphql");
  page.headers.push_back({"Accept", "text/html"});
  const http::Response graphiql = Call(page);
  EXPECT_EQ(graphiql.status, 200);
  EXPECT_NE(graphiql.body.find("GraphiQL"), std::string::npos);
}

TEST_F(ServerApiTest, GraphqlWithoutAValidTokenIs401AndRunsNothing) {
  http::Request r;
  r.method = "POST";
  r.target = "/graphql";
  r.headers.push_back({"Content-Type", "application/json"});
  r.body = R"({"query":"mutation { createCluster(input: {name: \"sneaky\"}) { agentToken } }"})";
  http::Response response = Call(r);
  EXPECT_EQ(response.status, 401);
  EXPECT_EQ(response.header("WWW-Authenticate"), "Bearer realm=\"styrmin\"");
  r.headers.push_back({"Authorization", "Bearer stm_not-a-token"});
  response = Call(r);
  EXPECT_EQ(response.status, 401);
  EXPECT_NE(response.body.find("not valid"), std::string::npos);
  const Json clusters = Graphql("{ clusters { name } }");
  for (const auto& c : clusters["data"]["clusters"]) EXPECT_NE(c["name"], "sneaky");
}

TEST_F(ServerApiTest, AnAdminCreatesClustersEnvironmentsAndLocationsAndReadsThemBack) {
  Json location = Graphql(
      R"(mutation($in: CreateBackupStorageLocationInput!) {
           createBackupStorageLocation(input: $in) { id name kind bucket endpoint path hasCredentials } })",
      {{"in",
        {{"name", "minio"},
         {"kind", "S3"},
         {"endpoint", "http://127.0.0.1:9000"},
         {"bucket", "backups"},
         {"credentials", {{"access_key", "AK"}, {"secret_key", "SK"}}}}}});
  ASSERT_FALSE(location.contains("errors")) << location;
  const Json& bsl = location["data"]["createBackupStorageLocation"];
  EXPECT_EQ(bsl["kind"], "S3");
  EXPECT_EQ(bsl["bucket"], "backups");
  EXPECT_TRUE(bsl["path"].is_null());
  EXPECT_EQ(bsl["hasCredentials"], true);

  const Json cluster = Graphql(
      R"(mutation { createCluster(input: {name: "lab", config: {fqdn_suffix: "lab.example", storage: {class: "fast", size: "1Gi"}}}) {
           cluster { id name config createdAt } agentToken } })");
  ASSERT_FALSE(cluster.contains("errors")) << cluster;
  const Json& created = cluster["data"]["createCluster"];
  EXPECT_EQ(created["cluster"]["name"], "lab");
  EXPECT_EQ(created["cluster"]["config"]["fqdn_suffix"], "lab.example");
  EXPECT_EQ(created["agentToken"].get<std::string>().substr(0, 4), "stm_");
  const std::string cluster_id = created["cluster"]["id"];

  const Json environment = Graphql(
      R"(mutation($in: CreateEnvironmentInput!) { createEnvironment(input: $in) {
           name cluster { name } config effectiveConfig backupStorageLocation { name } } })",
      {{"in",
        {{"clusterId", cluster_id},
         {"name", "prod"},
         {"config", {{"storage", {{"size", "10Gi"}}}}},
         {"backupStorageLocationId", bsl["id"]}}}});
  ASSERT_FALSE(environment.contains("errors")) << environment;
  const Json& env = environment["data"]["createEnvironment"];
  EXPECT_EQ(env["cluster"]["name"], "lab");
  EXPECT_EQ(env["backupStorageLocation"]["name"], "minio");
  EXPECT_EQ(env["effectiveConfig"], (Json{{"fqdn_suffix", "lab.example"},
                                          {"storage", {{"class", "fast"}, {"size", "10Gi"}}}}));

  const Json listed = Graphql(
      R"({ clusters { name environments { name } } environments { name }
           backupStorageLocations { name } viewer { name role } })");
  ASSERT_FALSE(listed.contains("errors")) << listed;
  bool found = false;
  for (const auto& c : listed["data"]["clusters"]) {
    if (c["name"] == "lab") {
      found = true;
      EXPECT_EQ(c["environments"], (Json::array({{{"name", "prod"}}})));
    }
  }
  EXPECT_TRUE(found) << listed;
  EXPECT_EQ(listed["data"]["viewer"], (Json{{"name", "admin"}, {"role", "ADMIN"}}));

  // The agent token of the cluster authenticates, and may not read the API.
  const Json as_agent = Graphql("{ clusters { name } }", Json::object(), created["agentToken"]);
  EXPECT_EQ(ErrorCodeOf(as_agent), "FORBIDDEN") << as_agent;
  EXPECT_TRUE(as_agent["data"].is_null());
  const Json agent_mutation =
      Graphql(R"(mutation { createCluster(input: {name: "by-agent"}) { agentToken } })",
              Json::object(), created["agentToken"]);
  EXPECT_EQ(ErrorCodeOf(agent_mutation), "FORBIDDEN");
  const Json after = Graphql("{ clusters { name } }");
  for (const auto& c : after["data"]["clusters"]) EXPECT_NE(c["name"], "by-agent");
}

TEST_F(ServerApiTest, BadInputGetsAClearErrorAndChangesNothing) {
  ASSERT_FALSE(Graphql(R"(mutation { createCluster(input: {name: "dup"}) { agentToken } })")
                   .contains("errors"));
  const auto cluster_count = [] {
    return Graphql("{ clusters { id } }")["data"]["clusters"].size();
  };
  const std::size_t before = cluster_count();

  Json r = Graphql(R"(mutation { createCluster(input: {name: "dup"}) { agentToken } })");
  EXPECT_EQ(ErrorCodeOf(r), "ALREADY_EXISTS") << r;
  r = Graphql(R"(mutation { createCluster(input: {name: "Not A Label"}) { agentToken } })");
  EXPECT_EQ(ErrorCodeOf(r), "BAD_USER_INPUT") << r;
  EXPECT_NE(r["errors"][0]["message"].get<std::string>().find("DNS label"), std::string::npos);
  r = Graphql(R"(mutation { createCluster(input: {name: "cfg", config: [1]}) { agentToken } })");
  EXPECT_EQ(ErrorCodeOf(r), "BAD_USER_INPUT") << r;
  r = Graphql(
      R"(mutation { createEnvironment(input: {clusterId: "c-unknown", name: "x"}) { id } })");
  EXPECT_EQ(ErrorCodeOf(r), "BAD_USER_INPUT") << r;
  EXPECT_NE(r["errors"][0]["message"].get<std::string>().find("c-unknown"), std::string::npos);
  r = Graphql(
      R"(mutation { createBackupStorageLocation(input: {name: "fs", kind: FILESYSTEM, path: "relative"}) { id } })");
  EXPECT_EQ(ErrorCodeOf(r), "BAD_USER_INPUT") << r;
  // Wrong variable types never reach a resolver.
  r = Graphql("mutation($in: CreateClusterInput!) { createCluster(input: $in) { agentToken } }",
              {{"in", {{"name", 7}}}});
  EXPECT_FALSE(r.contains("data")) << r;
  EXPECT_NE(r["errors"][0]["message"].get<std::string>().find("String cannot represent"),
            std::string::npos)
      << r;
  r = Graphql("{ cluster(id: \"c-unknown\") { name } }");
  EXPECT_TRUE(r["data"]["cluster"].is_null()) << r;

  http::Request huge;
  huge.method = "POST";
  huge.target = "/graphql";
  huge.headers.push_back({"Content-Type", "application/json"});
  huge.headers.push_back({"Authorization", "Bearer " + server_->admin_token()});
  huge.body =
      R"({"query":"mutation { createCluster(input: {name: \"huge\"}) { agentToken } }","x":")" +
      std::string(2 * 1024 * 1024, 'x') + "\"}";
  EXPECT_EQ(Call(huge).status, 413);
  http::Request malformed = huge;
  malformed.body = R"({"query": "mutation { createCluster)";
  EXPECT_EQ(Call(malformed).status, 400);
  EXPECT_EQ(cluster_count(), before);
}

TEST_F(ServerApiTest, EveryMutationLeavesAnAuditEventWithSecretsRedacted) {
  Graphql(
      R"(mutation { createCluster(input: {name: "keyed", config: {registry: {apiKey: "K-123", Password: "P-456", host: "r"}}}) { agentToken } })");
  const Json keyed = Graphql(R"({ auditEvents(first: 1) { events { arguments } } })");
  const Json& registry =
      keyed["data"]["auditEvents"]["events"][0]["arguments"]["input"]["config"]["registry"];
  EXPECT_EQ(registry, (Json{{"apiKey", "[redacted]"}, {"Password", "[redacted]"}, {"host", "r"}}))
      << keyed;
  const Json created = Graphql(
      R"(mutation { createCluster(input: {name: "audited"}) { cluster { id } agentToken } })");
  ASSERT_FALSE(created.contains("errors")) << created;
  const std::string cluster_id = created["data"]["createCluster"]["cluster"]["id"];
  const std::string agent = created["data"]["createCluster"]["agentToken"];
  Graphql(R"(mutation { createCluster(input: {name: "audited"}) { agentToken } })");  // duplicate
  Graphql(R"(mutation { createCluster(input: {name: "by-the-agent"}) { agentToken } })",
          Json::object(), agent);  // forbidden
  Graphql(R"(mutation($in: CreateBackupStorageLocationInput!) {
               createBackupStorageLocation(input: $in) { id } })",
          {{"in",
            {{"name", "audited-bsl"},
             {"kind", "S3"},
             {"bucket", "b"},
             {"credentials", {{"secret_key", "TOP-SECRET"}}}}}});

  const Json page = Graphql(
      R"({ auditEvents(first: 4) { events { sequence actor action target outcome message arguments }
           nextBefore } })");
  ASSERT_FALSE(page.contains("errors")) << page;
  const Json& events = page["data"]["auditEvents"]["events"];
  ASSERT_EQ(events.size(), 4U) << page;
  EXPECT_EQ(events[0]["action"], "createBackupStorageLocation");
  EXPECT_EQ(events[0]["outcome"], "ok");
  EXPECT_EQ(events[0]["arguments"]["input"]["credentials"], "[redacted]") << events[0];
  EXPECT_EQ(events[0]["arguments"]["input"]["bucket"], "b");
  EXPECT_EQ(DumpJson(page).find("TOP-SECRET"), std::string::npos);
  EXPECT_EQ(events[1]["action"], "createCluster");
  EXPECT_EQ(events[1]["outcome"], "FORBIDDEN");
  EXPECT_EQ(events[1]["actor"], "agent of cluster audited");
  EXPECT_EQ(events[2]["outcome"], "ALREADY_EXISTS");
  EXPECT_NE(events[2]["message"].get<std::string>().find("audited"), std::string::npos);
  EXPECT_EQ(events[3]["outcome"], "ok");
  EXPECT_EQ(events[3]["actor"], "admin");
  EXPECT_EQ(events[3]["target"], cluster_id);
  EXPECT_EQ(events[3]["arguments"], (Json{{"input", {{"name", "audited"}}}}));

  // Paging goes back from the last sequence seen, without repeating it.
  const std::string before = page["data"]["auditEvents"]["nextBefore"];
  EXPECT_EQ(before, events[3]["sequence"]);
  const Json older =
      Graphql("query($b: ID) { auditEvents(first: 500, before: $b) { events { sequence } } }",
              {{"b", before}});
  for (const auto& e : older["data"]["auditEvents"]["events"]) {
    EXPECT_LT(std::stoll(e["sequence"].get<std::string>()), std::stoll(before));
  }
  // Only admins read the log.
  EXPECT_EQ(ErrorCodeOf(Graphql("{ auditEvents { nextBefore } }", Json::object(), agent)),
            "FORBIDDEN");
  EXPECT_EQ(ErrorCodeOf(Graphql("{ auditEvents(first: 0) { nextBefore } }")), "BAD_USER_INPUT");
}

TEST(ServerProcessTest, RestartKeepsTheDataAndPrintsNoSecondAdminToken) {
  std::string data_dir;
  std::string token;
  {
    auto first = ServerProcess::Start(STYRMIN_SERVER_BINARY);
    ASSERT_TRUE(first.has_value()) << first.error().ToString();
    token = (*first)->admin_token();
    data_dir = (*first)->data_dir();
    http::Request r;
    r.method = "POST";
    r.target = "/graphql";
    r.headers = {{"Content-Type", "application/json"}, {"Authorization", "Bearer " + token}};
    r.body = R"({"query":"mutation { createCluster(input: {name: \"kept\"}) { agentToken } }"})";
    auto created = http::Fetch("127.0.0.1", (*first)->port(), r);
    ASSERT_TRUE(created.has_value());
    ASSERT_EQ(created->body.find("errors"), std::string::npos) << created->body;
    EXPECT_EQ((*first)->Stop(), 0) << (*first)->Log();  // SIGTERM: a graceful, clean exit
    EXPECT_NE((*first)->Log().find("shutting down"), std::string::npos);
    (*first)->KeepDataDir();
  }
  auto second = ServerProcess::Start(STYRMIN_SERVER_BINARY, {}, data_dir);
  ASSERT_TRUE(second.has_value()) << second.error().ToString();
  EXPECT_EQ((*second)->admin_token(), "") << (*second)->Log();
  http::Request r;
  r.method = "POST";
  r.target = "/graphql";
  r.headers = {{"Content-Type", "application/json"}, {"Authorization", "Bearer " + token}};
  r.body = R"({"query":"{ clusters { name } }"})";
  auto listed = http::Fetch("127.0.0.1", (*second)->port(), r);
  ASSERT_TRUE(listed.has_value());
  EXPECT_EQ(listed->body, R"({"data":{"clusters":[{"name":"kept"}]}})");
  (*second)->Stop();
  std::error_code ec;
  std::filesystem::remove_all(data_dir, ec);
}

TEST(ServerProcessTest, RefusesBadFlagsWithExitCode2AndAMessage) {
  for (const auto& [args, message] : std::vector<std::pair<std::vector<std::string>, std::string>>{
           {{"--listen", "nowhere"}, "expected HOST:PORT"},
           {{"--listen", "127.0.0.1:99999"}, "0 to 65535"},
           {{"--database", "mysql://root:hunter2@localhost/x"}, "expected sqlite:PATH"},
           {{"--frobnicate"}, "unknown flag"}}) {
    std::vector<std::string> argv = {STYRMIN_SERVER_BINARY};
    argv.insert(argv.end(), args.begin(), args.end());
    auto result = test::RunCommand(argv, std::chrono::seconds(30));
    ASSERT_TRUE(result.has_value());
    EXPECT_EQ(result->exit_code, 2) << args.front();
    EXPECT_NE(result->err.find(message), std::string::npos) << result->err;
  }
  auto help = test::RunCommand({STYRMIN_SERVER_BINARY, "--help"}, std::chrono::seconds(30));
  ASSERT_TRUE(help.has_value());
  EXPECT_EQ(help->exit_code, 0);
  EXPECT_NE(help->out.find("--data-dir"), std::string::npos);
}

TEST(ServerProcessTest, RefusesAPortInUseWithAClearError) {
  auto first = ServerProcess::Start(STYRMIN_SERVER_BINARY);
  ASSERT_TRUE(first.has_value()) << first.error().ToString();
  auto result = test::RunCommand(
      {STYRMIN_SERVER_BINARY, "--listen", "127.0.0.1:" + std::to_string((*first)->port()),
       "--data-dir", (*first)->data_dir() + "-second"},
      std::chrono::seconds(30));
  ASSERT_TRUE(result.has_value());
  EXPECT_EQ(result->exit_code, 1);
  EXPECT_NE(result->err.find("cannot serve"), std::string::npos) << result->err;
  std::error_code ec;
  std::filesystem::remove_all((*first)->data_dir() + "-second", ec);
}

// The same server on PostgreSQL: two replicas on one database see each other's writes, and a
// database that is down stops the server at start with a clear error.
TEST(ServerProcessTest, ServesFromPostgresqlAndTwoReplicasShareTheDatabase) {
  auto postgres = test::PostgresServer::Start();
  ASSERT_TRUE(postgres.has_value()) << postgres.error().ToString();
  auto created = (*postgres)->CreateDatabaseUrl();
  ASSERT_TRUE(created.has_value()) << created.error().ToString();
  const std::string url = *created;
  auto first = ServerProcess::Start(STYRMIN_SERVER_BINARY, {"--database", url});
  ASSERT_TRUE(first.has_value()) << first.error().ToString();
  // Replicas share the secret key (the first made it in its data directory).
  const std::string key_file = (*first)->data_dir() + "/secret.key";
  auto second = ServerProcess::Start(STYRMIN_SERVER_BINARY,
                                     {"--database", url, "--secret-key-file", key_file});
  ASSERT_TRUE(second.has_value()) << second.error().ToString();
  // A replica with a key of its own would seal what the others cannot open: it is refused
  // before it serves, naming both keys, and the database keeps the first key.
  const std::string stray_dir = (*first)->data_dir() + "-stray";
  auto stray = test::RunCommand({STYRMIN_SERVER_BINARY, "--listen", "127.0.0.1:0", "--database",
                                 url, "--data-dir", stray_dir},
                                std::chrono::seconds(60));
  ASSERT_TRUE(stray.has_value());
  EXPECT_EQ(stray->exit_code, 1) << stray->err;
  EXPECT_NE(stray->err.find("refusing the secret key"), std::string::npos) << stray->err;
  EXPECT_NE(stray->err.find("sealed with key sha256:"), std::string::npos) << stray->err;
  std::error_code removed;
  std::filesystem::remove_all(stray_dir, removed);
  // Only the first start on the empty database makes an admin token.
  ASSERT_FALSE((*first)->admin_token().empty()) << (*first)->Log();
  EXPECT_EQ((*second)->admin_token(), "");
  const auto call = [&](const ServerProcess& server, const std::string& query) {
    http::Request r;
    r.method = "POST";
    r.target = "/graphql";
    r.headers = {{"Content-Type", "application/json"},
                 {"Authorization", "Bearer " + (*first)->admin_token()}};
    r.body = DumpJson(Json{{"query", query}});
    auto response = http::Fetch("127.0.0.1", server.port(), r);
    EXPECT_TRUE(response.has_value());
    return response.value_or(http::Response{}).body;
  };
  EXPECT_EQ(
      call(**first, R"(mutation { createCluster(input: {name: "pg"}) { cluster { name } } })"),
      R"({"data":{"createCluster":{"cluster":{"name":"pg"}}}})");
  EXPECT_EQ(call(**second, "{ clusters { name } }"), R"({"data":{"clusters":[{"name":"pg"}]}})");
  const std::string duplicate =
      call(**second, R"(mutation { createCluster(input: {name: "pg"}) { agentToken } })");
  EXPECT_NE(duplicate.find("ALREADY_EXISTS"), std::string::npos) << duplicate;
  auto metrics =
      http::Fetch("127.0.0.1", (*second)->port(), http::Request{"GET", "/metrics", {}, ""});
  ASSERT_TRUE(metrics.has_value());
  EXPECT_NE(metrics->body.find("styrmin_database_connections{state=\"idle\"}"), std::string::npos)
      << metrics->body;
  EXPECT_EQ((*first)->Stop(), 0);
  EXPECT_EQ((*second)->Stop(), 0);
}

TEST(ServerProcessTest, StopsAtStartWhenPostgresqlIsDown) {
  auto postgres = test::PostgresServer::Start();
  ASSERT_TRUE(postgres.has_value()) << postgres.error().ToString();
  const int port = (*postgres)->port();
  postgres->reset();  // stopped: nothing listens on its port now
  const auto start = std::chrono::steady_clock::now();
  auto result =
      test::RunCommand({STYRMIN_SERVER_BINARY, "--listen", "127.0.0.1:0", "--database",
                        "postgresql://postgres:secret-pw@127.0.0.1:" + std::to_string(port) + "/x"},
                       std::chrono::seconds(60));
  ASSERT_TRUE(result.has_value());
  EXPECT_EQ(result->exit_code, 1) << result->err;
  EXPECT_NE(result->err.find("cannot open the database"), std::string::npos) << result->err;
  EXPECT_EQ(result->err.find("secret-pw"), std::string::npos) << result->err;
  EXPECT_LT(std::chrono::steady_clock::now() - start, std::chrono::seconds(30));
}

TEST(ServerProcessTest, ServesHttpsWithTheGivenCertificate) {
  const std::string testdata = STYRMIN_SOURCE_DIR "/src/styrmin/http/testdata";
  auto server = ServerProcess::Start(
      STYRMIN_SERVER_BINARY,
      {"--tls-cert", testdata + "/localhost.crt", "--tls-key", testdata + "/localhost.key"});
  ASSERT_TRUE(server.has_value()) << server.error().ToString();
  http::FetchOptions options;
  options.tls = true;
  options.ca_file = testdata + "/localhost.crt";
  http::Request r;
  r.method = "POST";
  r.target = "/graphql";
  r.headers = {{"Content-Type", "application/json"},
               {"Authorization", "Bearer " + (*server)->admin_token()}};
  r.body = R"({"query":"{ viewer { role } }"})";
  auto response = http::Fetch("127.0.0.1", (*server)->port(), r, options);
  ASSERT_TRUE(response.has_value()) << response.error().ToString();
  EXPECT_EQ(response->body, R"({"data":{"viewer":{"role":"ADMIN"}}})");
  auto plain = http::Fetch("127.0.0.1", (*server)->port(), r, std::chrono::seconds(5));
  EXPECT_FALSE(plain.has_value() && plain->status == 200);
}

TEST_F(ServerApiTest, PassesEveryMustAndShouldAuditOfGraphqlHttp) {
  auto result = test::RunCommand(
      {"node", STYRMIN_SOURCE_DIR "/tests/server/graphql_http_audit.cjs",
       STYRMIN_NODE_DIR "/node_modules",
       "http://127.0.0.1:" + std::to_string(server_->port()) + "/graphql", server_->admin_token()},
      std::chrono::seconds(120));
  ASSERT_TRUE(result.has_value()) << result.error().ToString();
  ASSERT_EQ(result->exit_code, 0) << result->err;
  std::istringstream lines(result->out);
  std::string line;
  int audits = 0;
  while (std::getline(lines, line)) {
    auto audit = ParseJson(line);
    ASSERT_TRUE(audit.has_value()) << line;
    ++audits;
    const std::string name = (*audit)["name"];
    // MAY audits are informative; every MUST and SHOULD has to pass.
    if (name.rfind("MUST", 0) == 0 || name.rfind("SHOULD", 0) == 0) {
      EXPECT_EQ((*audit)["status"], "ok") << line;
    }
  }
  EXPECT_GT(audits, 50) << result->out;
}

}  // namespace
}  // namespace styrmin
