// Security through styrmin-server, a real process on SQLite.
// - Secrets at rest: secret deployment parameters and backup location credentials never reach
//   the database file in clear; only the agent of the deployment's cluster reads them back;
//   run log lines lose them; a changed secret makes a run; a restart with another key is
//   refused before anything is served.
// - API tokens: admins create viewer, operator and admin tokens (the secret shown once), limit
//   them to environments (which then bounds what they read and change), list and revoke them;
//   a revoked token gets 401 at once.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>

#include "styrmin/core/json.h"
#include "support/command.h"
#include "support/server_process.h"

namespace styrmin {
namespace {

using test::ServerProcess;

constexpr char kPassword[] = "Grafana-Admin-Pw-4711";
constexpr char kNewPassword[] = "Grafana-Admin-Pw-0815";
constexpr char kCredential[] = "BSL-CREDENTIAL-VALUE-9";

std::string ErrorCodeOf(const Json& body) {
  if (!body.contains("errors")) return "";
  return body["errors"][0]["extensions"].value("code", "");
}

Json Call(const ServerProcess& server, const std::string& query, const Json& variables = {},
          const std::string& token = "") {
  auto body = server.Graphql(query, variables.is_null() ? Json::object() : variables, token);
  EXPECT_TRUE(body.has_value()) << body.error().ToString();
  return body.value_or(Json());
}

// Every byte of the data directory's database files (the WAL included).
std::string DatabaseBytes(const std::string& data_dir) {
  std::string all;
  for (const auto& entry : std::filesystem::directory_iterator(data_dir)) {
    if (entry.path().filename().string().rfind("styrmin.db", 0) != 0) continue;
    std::ifstream in(entry.path(), std::ios::binary);
    std::ostringstream bytes;
    bytes << in.rdbuf();
    all += bytes.str();
  }
  return all;
}

struct Made {
  std::string agent;        // the lab cluster's agent token
  std::string other_agent;  // another cluster's
  std::string deployment_id;
  std::string run_id;
};

Made MakeDeployment(const ServerProcess& server) {
  Made made;
  const auto cluster = [&](const std::string& name) {
    const Json r = Call(server,
                        "mutation($n: String!) { createCluster(input: {name: $n}) { "
                        "cluster { id } agentToken } }",
                        {{"n", name}});
    EXPECT_FALSE(r.contains("errors")) << r.dump(2);
    return r["data"]["createCluster"];
  };
  const Json lab = cluster("lab");
  made.agent = lab["agentToken"];
  made.other_agent = cluster("edge")["agentToken"];
  const Json bsl = Call(server, R"(mutation($in: CreateBackupStorageLocationInput!) {
                                     createBackupStorageLocation(input: $in) { id hasCredentials } })",
                        {{"in",
                          {{"name", "vault"},
                           {"kind", "S3"},
                           {"bucket", "b"},
                           {"credentials", {{"secret_access_key", kCredential}}}}}});
  EXPECT_EQ(bsl["data"]["createBackupStorageLocation"]["hasCredentials"], true) << bsl.dump(2);
  const Json environment =
      Call(server,
           "mutation($c: ID!) { createEnvironment(input: {clusterId: $c, name: \"prod\"}) { id } }",
           {{"c", lab["cluster"]["id"]}});
  const Json driver = Call(
      server,
      "mutation($p: String!) { loadLocalApplicationDriverVersion(path: $p) { version { id } } }",
      {{"p", std::string(STYRMIN_SOURCE_DIR) + "/drivers/grafana"}});
  const Json created =
      Call(server,
           "mutation($e: ID!, $d: ID!, $p: JSON!) { createDeployment(input: "
           "{environmentId: $e, driverVersionId: $d, name: \"grafana\", parameters: $p}) { "
           "deployment { id parameters } run { id } } }",
           {{"e", environment["data"]["createEnvironment"]["id"]},
            {"d", driver["data"]["loadLocalApplicationDriverVersion"]["version"]["id"]},
            {"p", {{"admin_password", kPassword}}}});
  EXPECT_FALSE(created.contains("errors")) << created.dump(2);
  // The API never shows a secret parameter's value.
  EXPECT_TRUE(
      created["data"]["createDeployment"]["deployment"]["parameters"]["admin_password"].is_null())
      << created.dump(2);
  made.deployment_id = created["data"]["createDeployment"]["deployment"]["id"];
  made.run_id = created["data"]["createDeployment"]["run"]["id"];
  return made;
}

Json Secrets(const ServerProcess& server, const std::string& deployment, const std::string& token) {
  return Call(server, "query($d: ID!) { deploymentSecrets(deploymentId: $d) { name value } }",
              {{"d", deployment}}, token);
}

TEST(ServerSecretsTest, SecretsAreSealedAtRestAndOnlyTheirAgentReadsThem) {
  auto server = ServerProcess::Start(STYRMIN_SERVER_BINARY);
  ASSERT_TRUE(server.has_value()) << server.error().ToString();
  const Made s = MakeDeployment(**server);
  ASSERT_FALSE(s.deployment_id.empty());

  const std::string stored = DatabaseBytes((*server)->data_dir());
  EXPECT_EQ(stored.find(kPassword), std::string::npos);
  EXPECT_EQ(stored.find(kCredential), std::string::npos);
  EXPECT_NE(stored.find("stm-sealed:v1:"), std::string::npos);

  // The deployment's own agent reads the value; nobody else does.
  const Json mine = Secrets(**server, s.deployment_id, s.agent);
  EXPECT_EQ(mine["data"]["deploymentSecrets"],
            (Json::array({{{"name", "admin_password"}, {"value", kPassword}}})))
      << mine.dump(2);
  EXPECT_EQ(ErrorCodeOf(Secrets(**server, s.deployment_id, s.other_agent)), "FORBIDDEN");
  EXPECT_EQ(ErrorCodeOf(Secrets(**server, s.deployment_id, "")), "FORBIDDEN");  // the admin
  EXPECT_EQ(ErrorCodeOf(Secrets(**server, "dp-unknown", s.agent)), "NOT_FOUND");

  // Log lines lose the secret before they are stored.
  const Json claimed =
      Call(**server, "mutation { claimRun(leaseSeconds: 60) { leaseId run { id } } }", {}, s.agent);
  ASSERT_EQ(claimed["data"]["claimRun"]["run"]["id"], s.run_id) << claimed.dump(2);
  const Json ids = {{"r", s.run_id}, {"l", claimed["data"]["claimRun"]["leaseId"]}};
  Json with_lines = ids;
  with_lines["lines"] = Json::array(
      {{{"text", std::string("logging in with ") + kPassword + " twice: " + kPassword}}});
  const Json appended = Call(**server,
                             "mutation($r: ID!, $l: ID!, $lines: [RunLogLineInput!]!) { "
                             "appendRunLog(runId: $r, leaseId: $l, lines: $lines) }",
                             with_lines, s.agent);
  ASSERT_FALSE(appended.contains("errors")) << appended.dump(2);
  const Json log =
      Call(**server, "query($id: ID!) { run(id: $id) { log(first: 10) { lines { text } } } }",
           {{"id", s.run_id}});
  EXPECT_EQ(log["data"]["run"]["log"]["lines"][0]["text"],
            "logging in with [redacted] twice: [redacted]")
      << log.dump(2);
  const Json finished = Call(**server,
                             "mutation($r: ID!, $l: ID!) { finishRun(runId: $r, leaseId: $l, "
                             "state: SUCCEEDED) { state } }",
                             ids, s.agent);
  ASSERT_FALSE(finished.contains("errors")) << finished.dump(2);

  // Another value for the secret is a change of the deployment: it makes an update run, and
  // the new Instance carries a version of the secret, never the secret.
  const Json updated = Call(**server,
                            "mutation($id: ID!, $p: JSON!) { updateDeployment(id: $id, "
                            "parameters: $p) { run { kind instance { context } } } }",
                            {{"id", s.deployment_id}, {"p", {{"admin_password", kNewPassword}}}});
  ASSERT_FALSE(updated.contains("errors")) << updated.dump(2);
  const Json& run = updated["data"]["updateDeployment"]["run"];
  ASSERT_TRUE(run.is_object()) << updated.dump(2);
  EXPECT_EQ(run["kind"], "UPDATE");
  const Json& reference = run["instance"]["context"]["parameters"]["admin_password"];
  EXPECT_TRUE(reference["secret_version"].get<std::string>().starts_with("hmac-sha256:"))
      << reference;
  EXPECT_EQ(DumpJson(updated).find(kNewPassword), std::string::npos);
  EXPECT_EQ(Secrets(**server, s.deployment_id, s.agent)["data"]["deploymentSecrets"][0]["value"],
            kNewPassword);
  EXPECT_EQ(DatabaseBytes((*server)->data_dir()).find(kNewPassword), std::string::npos);
  EXPECT_EQ((*server)->Stop(), 0) << (*server)->Log();
}

TEST(ServerSecretsTest, ARestartWithAnotherKeyIsRefusedBeforeServing) {
  std::string data_dir;
  {
    auto first = ServerProcess::Start(STYRMIN_SERVER_BINARY);
    ASSERT_TRUE(first.has_value()) << first.error().ToString();
    (*first)->KeepDataDir();
    data_dir = (*first)->data_dir();
    ASSERT_NO_FATAL_FAILURE(MakeDeployment(**first));
    EXPECT_EQ((*first)->Stop(), 0);
  }
  const std::string other_key = data_dir + "-other.key";
  const std::string not_a_key = data_dir + "-bad.key";
  std::ofstream(not_a_key) << "not a key\n";
  for (const auto& [key, message] :
       {std::pair{other_key, std::string("refusing the secret key")},
        std::pair{not_a_key, std::string("cannot load the secret key")}}) {
    auto refused = test::RunCommand({STYRMIN_SERVER_BINARY, "--listen", "127.0.0.1:0", "--data-dir",
                                     data_dir, "--secret-key-file", key},
                                    std::chrono::seconds(60));
    ASSERT_TRUE(refused.has_value());
    EXPECT_EQ(refused->exit_code, 1) << refused->err;
    EXPECT_NE(refused->err.find(message), std::string::npos) << refused->err;
    EXPECT_EQ(refused->err.find("serving"), std::string::npos) << refused->err;
  }
  // The database's own key (the default file in its data directory) still opens everything.
  auto again = ServerProcess::Start(STYRMIN_SERVER_BINARY, {}, data_dir);
  ASSERT_TRUE(again.has_value()) << again.error().ToString();

  std::error_code ec;
  // On an empty database a bad key stops the start before the admin token is made: the next
  // start, with a key, still prints one.
  const std::string fresh_dir = data_dir + "-fresh";
  auto bad_first = test::RunCommand({STYRMIN_SERVER_BINARY, "--listen", "127.0.0.1:0", "--data-dir",
                                     fresh_dir, "--secret-key-file", not_a_key},
                                    std::chrono::seconds(60));
  ASSERT_TRUE(bad_first.has_value());
  EXPECT_EQ(bad_first->exit_code, 1) << bad_first->err;
  EXPECT_EQ(bad_first->err.find("admin token"), std::string::npos) << bad_first->err;
  {
    auto fixed = ServerProcess::Start(STYRMIN_SERVER_BINARY, {}, fresh_dir);
    ASSERT_TRUE(fixed.has_value()) << fixed.error().ToString();
    EXPECT_FALSE((*fixed)->admin_token().empty()) << (*fixed)->Log();
  }
  std::filesystem::remove_all(fresh_dir, ec);
  std::filesystem::remove(other_key, ec);
  std::filesystem::remove(not_a_key, ec);
  EXPECT_EQ((*again)->Stop(), 0);
  std::filesystem::remove_all(data_dir, ec);  // kept for the restarts, not owned by them
}

// A deployment input for the grafana driver in `environment`.
Json GrafanaIn(const std::string& environment, const std::string& driver, const std::string& name) {
  return {{"environmentId", environment},
          {"driverVersionId", driver},
          {"name", name},
          {"parameters", {{"admin_password", "long enough password"}}}};
}

TEST(ServerTokensTest, TokensAreCreatedScopedToEnvironmentsListedAndRevoked) {
  auto server = ServerProcess::Start(STYRMIN_SERVER_BINARY);
  ASSERT_TRUE(server.has_value()) << server.error().ToString();
  const ServerProcess& s = **server;
  const Json cluster =
      Call(s, R"(mutation { createCluster(input: {name: "lab"}) { cluster { id } } })");
  const std::string cluster_id = cluster["data"]["createCluster"]["cluster"]["id"];
  const auto environment = [&](const std::string& name) {
    const Json r = Call(s,
                        "mutation($c: ID!, $n: String!) { createEnvironment(input: "
                        "{clusterId: $c, name: $n}) { id } }",
                        {{"c", cluster_id}, {"n", name}});
    return r["data"]["createEnvironment"]["id"].get<std::string>();
  };
  const std::string team_a = environment("team-a");
  const std::string team_b = environment("team-b");
  const Json driver = Call(
      s, "mutation($p: String!) { loadLocalApplicationDriverVersion(path: $p) { version { id } } }",
      {{"p", std::string(STYRMIN_SOURCE_DIR) + "/drivers/grafana"}});
  const std::string driver_id =
      driver["data"]["loadLocalApplicationDriverVersion"]["version"]["id"];

  const auto create = [&](const Json& input, const std::string& token = "") {
    return Call(s,
                "mutation($in: CreateApiTokenInput!) { createApiToken(input: $in) { "
                "token { id name role environmentIds revokedAt } secret } }",
                {{"in", input}}, token);
  };
  const Json viewer = create({{"name", "dashboards"}, {"role", "VIEWER"}});
  ASSERT_FALSE(viewer.contains("errors")) << viewer.dump(2);
  const std::string viewer_secret = viewer["data"]["createApiToken"]["secret"];
  EXPECT_TRUE(viewer_secret.starts_with("stm_"));
  const Json ops = create({{"name", "team a"}, {"role", "OPERATOR"}, {"environmentIds", {team_a}}});
  ASSERT_FALSE(ops.contains("errors")) << ops.dump(2);
  EXPECT_EQ(ops["data"]["createApiToken"]["token"]["environmentIds"], Json::array({team_a}));
  const std::string ops_secret = ops["data"]["createApiToken"]["secret"];

  // Bad requests are refused and make no token.
  EXPECT_EQ(ErrorCodeOf(create({{"name", "x"}, {"role", "AGENT"}})), "BAD_USER_INPUT");
  EXPECT_EQ(ErrorCodeOf(create({{"name", "x"}, {"role", "ADMIN"}, {"environmentIds", {team_a}}})),
            "BAD_USER_INPUT");
  EXPECT_EQ(
      ErrorCodeOf(create({{"name", "x"}, {"role", "VIEWER"}, {"environmentIds", {"e-nope"}}})),
      "BAD_USER_INPUT");
  EXPECT_EQ(ErrorCodeOf(create({{"name", ""}, {"role", "VIEWER"}})), "BAD_USER_INPUT");
  EXPECT_EQ(ErrorCodeOf(create({{"name", "x"}, {"role", "ADMIN"}}, ops_secret)), "FORBIDDEN");
  const Json listed = Call(s, "{ apiTokens { name role revokedAt } }");
  EXPECT_EQ(listed["data"]["apiTokens"],
            Json::parse(R"([{"name":"admin","role":"ADMIN","revokedAt":null},
                            {"name":"dashboards","role":"VIEWER","revokedAt":null},
                            {"name":"team a","role":"OPERATOR","revokedAt":null}])"))
      << listed.dump(2);
  EXPECT_EQ(ErrorCodeOf(Call(s, "{ apiTokens { name } }", {}, viewer_secret)), "FORBIDDEN");

  // The viewer reads and changes nothing; the scoped operator changes its environment only.
  EXPECT_FALSE(Call(s, "{ clusters { name } }", {}, viewer_secret).contains("errors"));
  const std::string deploy =
      "mutation($in: CreateDeploymentInput!) { createDeployment(input: $in) { deployment { id } } "
      "}";
  EXPECT_EQ(
      ErrorCodeOf(Call(s, deploy, {{"in", GrafanaIn(team_a, driver_id, "g")}}, viewer_secret)),
      "FORBIDDEN");
  const Json in_a = Call(s, deploy, {{"in", GrafanaIn(team_a, driver_id, "g")}}, ops_secret);
  ASSERT_FALSE(in_a.contains("errors")) << in_a.dump(2);
  const Json in_b = Call(s, deploy, {{"in", GrafanaIn(team_b, driver_id, "g")}}, ops_secret);
  EXPECT_EQ(ErrorCodeOf(in_b), "FORBIDDEN") << in_b.dump(2);
  const Json b_deployments =
      Call(s, "query($e: ID!) { deployments(environmentId: $e) { deployments { id } } }",
           {{"e", team_b}});
  EXPECT_EQ(b_deployments["data"]["deployments"]["deployments"], Json::array())
      << b_deployments.dump(2);
  const Json admin_in_b = Call(
      s,
      "mutation($in: CreateDeploymentInput!) { createDeployment(input: $in) { deployment { id } "
      "run { id } } }",
      {{"in", GrafanaIn(team_b, driver_id, "g")}});
  ASSERT_FALSE(admin_in_b.contains("errors")) << admin_in_b.dump(2);
  const std::string b_id = admin_in_b["data"]["createDeployment"]["deployment"]["id"];
  EXPECT_EQ(ErrorCodeOf(Call(s, "mutation($id: ID!) { stopDeployment(id: $id) { run { id } } }",
                             {{"id", b_id}}, ops_secret)),
            "FORBIDDEN");
  const std::string b_run = admin_in_b["data"]["createDeployment"]["run"]["id"];
  EXPECT_EQ(ErrorCodeOf(Call(s, "mutation($id: ID!) { cancelRun(id: $id) { id } }", {{"id", b_run}},
                             ops_secret)),
            "FORBIDDEN");

  // The scoped operator reads its environment only: lists leave the others out, and asking
  // for one of them by id is FORBIDDEN.
  const Json mine = Call(s,
                         "{ environments { name } clusters { environments { name } } "
                         "deployments { deployments { name environment { name } } } "
                         "runs { runs { deployment { environment { name } } } } }",
                         {}, ops_secret);
  ASSERT_FALSE(mine.contains("errors")) << mine.dump(2);
  EXPECT_EQ(mine["data"]["environments"], Json::parse(R"([{"name":"team-a"}])"));
  EXPECT_EQ(mine["data"]["clusters"][0]["environments"], Json::parse(R"([{"name":"team-a"}])"));
  EXPECT_EQ(mine["data"]["deployments"]["deployments"],
            Json::parse(R"([{"name":"g","environment":{"name":"team-a"}}])"));
  ASSERT_EQ(mine["data"]["runs"]["runs"].size(), 1U) << mine.dump(2);
  EXPECT_EQ(mine["data"]["runs"]["runs"][0]["deployment"]["environment"]["name"], "team-a");
  for (const auto& [query, variables] : std::vector<std::pair<std::string, Json>>{
           {"query($id: ID!) { environment(id: $id) { name } }", {{"id", team_b}}},
           {"query($id: ID!) { deployments(environmentId: $id) { nextAfter } }", {{"id", team_b}}},
           {"query($id: ID!) { deployment(id: $id) { name } }", {{"id", b_id}}},
           {"query($id: ID!) { runs(environmentId: $id) { nextBefore } }", {{"id", team_b}}},
           {"query($id: ID!) { run(id: $id) { state } }", {{"id", b_run}}}}) {
    EXPECT_EQ(ErrorCodeOf(Call(s, query, variables, ops_secret)), "FORBIDDEN") << query;
  }
  // The admin sees both.
  EXPECT_EQ(
      Call(s, "{ deployments { deployments { name } } }")["data"]["deployments"]["deployments"]
          .size(),
      2U);

  // Revoked: the next call is 401; revoking again changes nothing.
  const std::string viewer_id = viewer["data"]["createApiToken"]["token"]["id"];
  const std::string revoke = "mutation($id: ID!) { revokeApiToken(id: $id) { revokedAt } }";
  const Json revoked = Call(s, revoke, {{"id", viewer_id}});
  ASSERT_FALSE(revoked.contains("errors")) << revoked.dump(2);
  EXPECT_TRUE(revoked["data"]["revokeApiToken"]["revokedAt"].is_string());
  const Json after = Call(s, "{ clusters { name } }", {}, viewer_secret);  // a 401
  EXPECT_EQ(after["errors"][0]["message"], "the bearer token is not valid") << after.dump(2);
  EXPECT_FALSE(after.contains("data"));
  EXPECT_EQ(Call(s, revoke, {{"id", viewer_id}})["data"]["revokeApiToken"]["revokedAt"],
            revoked["data"]["revokeApiToken"]["revokedAt"]);
  // The last admin token stays.
  const Json tokens = Call(s, "{ apiTokens { id role } }");
  const std::string admin_id = tokens["data"]["apiTokens"][0]["id"];
  EXPECT_EQ(ErrorCodeOf(Call(s, revoke, {{"id", admin_id}})), "CONFLICT");
  EXPECT_EQ(ErrorCodeOf(Call(s, revoke, {{"id", "t-nope"}})), "NOT_FOUND");

  // The audit log has every token mutation, never a secret.
  const Json audit = Call(s, R"({ auditEvents(first: 50, action: "createApiToken") {
                                    events { outcome arguments } } })");
  EXPECT_EQ(audit["data"]["auditEvents"]["events"].size(), 7U) << audit.dump(2);
  EXPECT_EQ(DumpJson(audit).find(viewer_secret), std::string::npos);
  EXPECT_EQ(DumpJson(audit).find(ops_secret), std::string::npos);
}

}  // namespace
}  // namespace styrmin
