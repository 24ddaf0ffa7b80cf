// Deployments through styrmin-server, a real process on loopback: a deployment created from a
// loaded driver with checked parameters, its Instance and create run recorded together; one
// run at a time; cancel; bad input refused with nothing written; pagination; secrets never
// returned or audited.
#include <gtest/gtest.h>

#include <string>

#include "styrmin/core/json.h"
#include "support/server_process.h"

namespace styrmin {
namespace {

using test::ServerProcess;

constexpr const char* kSecret = "correct horse battery staple";

class ServerDeploymentsTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    auto started = ServerProcess::Start(STYRMIN_SERVER_BINARY);
    ASSERT_TRUE(started.has_value()) << started.error().ToString();
    server_ = std::move(started).value().release();
    const Json cluster = Graphql(R"(mutation { createCluster(input: {name: "deploy",
        config: {fqdn_suffix: "example.test"}}) { cluster { id } agentToken } })");
    ASSERT_FALSE(cluster.contains("errors")) << cluster.dump(2);
    agent_token_ = cluster["data"]["createCluster"]["agentToken"];
    const Json environment = Graphql(
        "mutation($c: ID!) { createEnvironment(input: {clusterId: $c, name: \"prod\"}) { id } }",
        {{"c", cluster["data"]["createCluster"]["cluster"]["id"]}});
    ASSERT_FALSE(environment.contains("errors")) << environment.dump(2);
    environment_id_ = environment["data"]["createEnvironment"]["id"];
    const Json driver = Graphql(
        "mutation($p: String!) { loadLocalApplicationDriverVersion(path: $p) { version { id } } }",
        {{"p", std::string(STYRMIN_SOURCE_DIR) + "/drivers/grafana"}});
    ASSERT_FALSE(driver.contains("errors")) << driver.dump(2);
    driver_version_id_ = driver["data"]["loadLocalApplicationDriverVersion"]["version"]["id"];
  }
  static void TearDownTestSuite() {
    delete server_;
    server_ = nullptr;
  }

  static Json Graphql(const std::string& query, const Json& variables = Json::object(),
                      const std::string& token = "") {
    auto body = server_->Graphql(query, variables, token);
    EXPECT_TRUE(body.has_value()) << body.error().ToString();
    return body.value_or(Json());
  }

  static std::string ErrorCodeOf(const Json& body) {
    if (!body.contains("errors")) return "";
    return body["errors"][0]["extensions"].value("code", "");
  }

  static Json Create(const std::string& name, Json parameters, const std::string& extra = "",
                     const std::string& token = "") {
    return Graphql(
        "mutation($e: ID!, $d: ID!, $n: String!, $p: JSON) { createDeployment(input: "
        "{environmentId: $e, driverVersionId: $d, name: $n, parameters: $p" +
            extra +
            "}) { plan deployment { id name phase applicationVersion parameters "
            "instances { id context } currentRun { id } } "
            "run { id kind state reason instance { id } } } }",
        {{"e", environment_id_},
         {"d", driver_version_id_},
         {"n", name},
         {"p", std::move(parameters)}},
        token);
  }

  static std::size_t DeploymentCount() {
    const Json r = Graphql(
        "query($e: ID) { deployments(environmentId: $e, first: 500) { "
        "deployments { id } } }",
        {{"e", environment_id_}});
    return r["data"]["deployments"]["deployments"].size();
  }

  static ServerProcess* server_;
  static std::string agent_token_;
  static std::string environment_id_;
  static std::string driver_version_id_;
};

ServerProcess* ServerDeploymentsTest::server_ = nullptr;
std::string ServerDeploymentsTest::agent_token_;
std::string ServerDeploymentsTest::environment_id_;
std::string ServerDeploymentsTest::driver_version_id_;

TEST_F(ServerDeploymentsTest, CreatesADeploymentWithItsInstanceAndCreateRun) {
  const Json r = Create("grafana", {{"admin_password", kSecret}, {"log_level", "debug"}});
  ASSERT_FALSE(r.contains("errors")) << r.dump(2);
  const Json& payload = r["data"]["createDeployment"];
  const Json& d = payload["deployment"];
  EXPECT_EQ(d["phase"], "RUNNING");
  EXPECT_EQ(d["applicationVersion"], "12.2.1");  // the driver's default
  EXPECT_TRUE(d["parameters"]["admin_password"].is_null()) << "a secret came back";
  EXPECT_EQ(d["parameters"]["log_level"], "debug");
  EXPECT_EQ(d["parameters"]["admin_user"], "admin");  // a default filled in
  ASSERT_EQ(d["instances"].size(), 1U);
  const Json& context = d["instances"][0]["context"];
  EXPECT_EQ(context["instance"]["namespace"], "prod-grafana");
  EXPECT_EQ(context["app"]["version"], "12.2.1");
  EXPECT_TRUE(context["parameters"]["admin_password"].contains("secret_name"));
  EXPECT_EQ(r.dump().find(kSecret), std::string::npos) << "the secret reached the response";
  EXPECT_EQ(payload["run"]["kind"], "CREATE");
  EXPECT_EQ(payload["run"]["state"], "PENDING");
  EXPECT_EQ(payload["run"]["reason"], "first deployment");
  EXPECT_EQ(payload["run"]["instance"]["id"], d["instances"][0]["id"]);
  EXPECT_EQ(d["currentRun"]["id"], payload["run"]["id"]);

  // The audit event names the parameters but keeps no value.
  const Json audit = Graphql(R"({ auditEvents(first: 1, action: "createDeployment") {
      events { outcome arguments } } })");
  ASSERT_EQ(audit["data"]["auditEvents"]["events"].size(), 1U) << audit.dump(2);
  const Json& args = audit["data"]["auditEvents"]["events"][0]["arguments"];
  EXPECT_EQ(args.dump().find(kSecret), std::string::npos) << args.dump(2);
  EXPECT_EQ(args.dump().find("debug"), std::string::npos) << args.dump(2);
}

TEST_F(ServerDeploymentsTest, OneRunAtATimeUntilTheRunIsCancelled) {
  const Json created = Create("one-at-a-time", {{"admin_password", kSecret}});
  ASSERT_FALSE(created.contains("errors")) << created.dump(2);
  const std::string id = created["data"]["createDeployment"]["deployment"]["id"];
  const std::string run = created["data"]["createDeployment"]["run"]["id"];

  const std::string update = R"(mutation($id: ID!) { updateDeployment(id: $id,
      parameters: {log_level: "warn"}) { run { id kind } deployment { parameters } } })";
  const Json refused = Graphql(update, {{"id", id}});
  EXPECT_EQ(ErrorCodeOf(refused), "CONFLICT") << refused.dump(2);
  EXPECT_NE(refused["errors"][0]["message"].get<std::string>().find(run), std::string::npos)
      << refused.dump(2);
  const Json unchanged = Graphql(
      "query($id: ID!) { deployment(id: $id) { parameters instances { id } } }", {{"id", id}});
  EXPECT_EQ(unchanged["data"]["deployment"]["parameters"]["log_level"], "info");
  EXPECT_EQ(unchanged["data"]["deployment"]["instances"].size(), 1U);

  const Json cancelled =
      Graphql("mutation($r: ID!) { cancelRun(id: $r) { state finishedAt } }", {{"r", run}});
  ASSERT_FALSE(cancelled.contains("errors")) << cancelled.dump(2);
  EXPECT_EQ(cancelled["data"]["cancelRun"]["state"], "CANCELLED");
  EXPECT_FALSE(cancelled["data"]["cancelRun"]["finishedAt"].is_null());
  EXPECT_EQ(ErrorCodeOf(Graphql("mutation($r: ID!) { cancelRun(id: $r) { state } }", {{"r", run}})),
            "CONFLICT");

  // Nothing was ever deployed, so the change is still a create.
  const Json accepted = Graphql(update, {{"id", id}});
  ASSERT_FALSE(accepted.contains("errors")) << accepted.dump(2);
  EXPECT_EQ(accepted["data"]["updateDeployment"]["run"]["kind"], "CREATE");
  EXPECT_EQ(accepted["data"]["updateDeployment"]["deployment"]["parameters"]["log_level"], "warn");
}

TEST_F(ServerDeploymentsTest, BadInputGetsAClearErrorAndWritesNothing) {
  const std::size_t before = DeploymentCount();
  Json r = Create("bad-params", {{"log_level", "verbose"}, {"nope", 1}, {"allow_sign_up", "yes"}});
  ASSERT_EQ(ErrorCodeOf(r), "BAD_USER_INPUT") << r.dump(2);
  std::string paths;
  for (const Json& p : r["errors"][0]["extensions"]["problems"]) {
    paths += p["path"].get<std::string>() + "|";
  }
  EXPECT_EQ(paths,
            "parameters.admin_password|parameters.log_level|parameters.allow_sign_up|"
            "parameters.nope|")
      << r.dump(2);

  r = Create("bad-version", {{"admin_password", kSecret}}, ", applicationVersion: \"10.4.0\"");
  EXPECT_EQ(ErrorCodeOf(r), "BAD_USER_INPUT");
  EXPECT_NE(r["errors"][0]["message"].get<std::string>().find(">=11.0.0,<13.0.0"),
            std::string::npos)
      << r.dump(2);
  r = Create("Bad Name", {{"admin_password", kSecret}});
  EXPECT_EQ(ErrorCodeOf(r), "BAD_USER_INPUT");
  r = Graphql(
      "mutation($d: ID!) { createDeployment(input: {environmentId: \"e-nope\", "
      "driverVersionId: $d, name: \"x\"}) { plan } }",
      {{"d", driver_version_id_}});
  EXPECT_EQ(ErrorCodeOf(r), "BAD_USER_INPUT");
  r = Graphql(
      "mutation($e: ID!) { createDeployment(input: {environmentId: $e, "
      "driverVersionId: \"dv-nope\", name: \"x\"}) { plan } }",
      {{"e", environment_id_}});
  EXPECT_EQ(ErrorCodeOf(r), "BAD_USER_INPUT");
  EXPECT_EQ(ErrorCodeOf(Graphql("mutation { stopDeployment(id: \"dp-nope\") { plan } }")),
            "NOT_FOUND");
  EXPECT_EQ(ErrorCodeOf(Graphql("mutation { updateDeployment(id: \"dp-nope\", config: [1]) "
                                "{ plan } }")),
            "BAD_USER_INPUT");
  EXPECT_EQ(DeploymentCount(), before);

  // Another driver's version is no upgrade.
  const Json other = Graphql(
      "mutation($p: String!) { loadLocalApplicationDriverVersion(path: $p) { version { id } } }",
      {{"p", std::string(STYRMIN_SOURCE_DIR) + "/drivers/prometheus"}});
  ASSERT_FALSE(other.contains("errors")) << other.dump(2);
  const Json target = Create("upgrade-target", {{"admin_password", kSecret}});
  ASSERT_FALSE(target.contains("errors")) << target.dump(2);
  const Json run = target["data"]["createDeployment"]["run"];
  ASSERT_FALSE(Graphql("mutation($r: ID!) { cancelRun(id: $r) { state } }", {{"r", run["id"]}})
                   .contains("errors"));
  r = Graphql(
      "mutation($id: ID!, $v: ID!) { upgradeDeployment(id: $id, driverVersionId: $v) "
      "{ plan } }",
      {{"id", target["data"]["createDeployment"]["deployment"]["id"]},
       {"v", other["data"]["loadLocalApplicationDriverVersion"]["version"]["id"]}});
  EXPECT_EQ(ErrorCodeOf(r), "BAD_USER_INPUT") << r.dump(2);
  EXPECT_NE(r["errors"][0]["message"].get<std::string>().find("is of driver prometheus"),
            std::string::npos)
      << r.dump(2);

  ASSERT_FALSE(Create("taken", {{"admin_password", kSecret}}).contains("errors"));
  EXPECT_EQ(ErrorCodeOf(Create("taken", {{"admin_password", kSecret}})), "ALREADY_EXISTS");
  EXPECT_EQ(ErrorCodeOf(Create("by-agent", {{"admin_password", kSecret}}, "", agent_token_)),
            "FORBIDDEN");
  EXPECT_EQ(DeploymentCount(), before + 2);
}

TEST_F(ServerDeploymentsTest, ListsPageByPageAndFiltersRuns) {
  for (int i = 0; i < 5; ++i) {
    ASSERT_FALSE(
        Create("paged-" + std::to_string(i), {{"admin_password", kSecret}}).contains("errors"));
  }
  std::string names;
  Json after = nullptr;
  for (int page = 0; page < 50; ++page) {
    const Json r = Graphql(
        "query($e: ID, $a: ID) { deployments(environmentId: $e, first: 2, after: $a) { "
        "deployments { name } nextAfter } }",
        {{"e", environment_id_}, {"a", after}});
    ASSERT_FALSE(r.contains("errors")) << r.dump(2);
    for (const Json& d : r["data"]["deployments"]["deployments"]) {
      const std::string name = d["name"];
      if (name.rfind("paged-", 0) == 0) names += name + ",";
    }
    after = r["data"]["deployments"]["nextAfter"];
    if (after.is_null()) break;
  }
  EXPECT_EQ(names, "paged-0,paged-1,paged-2,paged-3,paged-4,");

  // The page that holds the last deployment says so with a null cursor, also when it is full;
  // a page short of the last one has a cursor.
  const auto page_of = [&](std::size_t first) {
    return Graphql(
        "query($e: ID, $n: Int) { deployments(environmentId: $e, first: $n) { "
        "deployments { name } nextAfter } }",
        {{"e", environment_id_}, {"n", first}})["data"]["deployments"];
  };
  const std::size_t total = page_of(500)["deployments"].size();
  ASSERT_GE(total, 5U);
  const Json full = page_of(total);
  EXPECT_EQ(full["deployments"].size(), total);
  EXPECT_TRUE(full["nextAfter"].is_null()) << full;
  const Json short_of_last = page_of(total - 1);
  EXPECT_EQ(short_of_last["deployments"].size(), total - 1);
  EXPECT_FALSE(short_of_last["nextAfter"].is_null());
  const Json pending = Graphql("{ runs(state: PENDING, first: 500) { runs { state kind } } }");
  ASSERT_FALSE(pending.contains("errors")) << pending.dump(2);
  EXPECT_GE(pending["data"]["runs"]["runs"].size(), 5U);
  for (const Json& run : pending["data"]["runs"]["runs"]) EXPECT_EQ(run["state"], "PENDING");
  EXPECT_EQ(ErrorCodeOf(Graphql("{ deployments(first: 0) { nextAfter } }")), "BAD_USER_INPUT");
}

// A list reads parameters and config only when the query may show them: asked for directly,
// through a fragment, or not at all, each page answers as the single deployment does.
TEST_F(ServerDeploymentsTest, ListsParametersAndConfigOnlyWhenAskedAndAlwaysRight) {
  const Json created = Create("with-settings", {{"admin_password", kSecret}, {"admin_user", "ops"}},
                              ", config: {grafana: {replicas: 2}}");
  ASSERT_FALSE(created.contains("errors")) << created.dump(2);
  const Json id = created["data"]["createDeployment"]["deployment"]["id"];
  const Json single =
      Graphql("query($id: ID!) { deployment(id: $id) { parameters config } }", {{"id", id}});
  ASSERT_FALSE(single.contains("errors")) << single.dump(2);
  const Json expected = single["data"]["deployment"];
  EXPECT_EQ(expected["parameters"]["admin_user"], "ops") << expected;
  EXPECT_EQ(expected["config"]["grafana"]["replicas"], 2) << expected;
  const auto listed = [&](const std::string& query) {
    const Json r = Graphql(query, {{"e", environment_id_}});
    EXPECT_FALSE(r.contains("errors")) << r.dump(2);
    for (const Json& d : r["data"]["deployments"]["deployments"]) {
      if (d["id"] == id) return d;
    }
    ADD_FAILURE() << "with-settings is not listed: " << r.dump(2);
    return Json();
  };
  const Json direct = listed(
      "query($e: ID) { deployments(environmentId: $e, first: 500) { "
      "deployments { id parameters config } } }");
  EXPECT_EQ(direct["parameters"], expected["parameters"]);
  EXPECT_EQ(direct["config"], expected["config"]);
  const Json through_fragments = listed(
      "query($e: ID) { deployments(environmentId: $e, first: 500) { ...Page } } "
      "fragment Page on DeploymentPage { deployments { id ... on Deployment { ...Settings } } } "
      "fragment Settings on Deployment { p: parameters config }");
  EXPECT_EQ(through_fragments["p"], expected["parameters"]);
  EXPECT_EQ(through_fragments["config"], expected["config"]);
  const Json bare = listed(
      "query($e: ID) { deployments(environmentId: $e, first: 500) { deployments { id name } } }");
  EXPECT_EQ(bare["name"], "with-settings");
}

}  // namespace
}  // namespace styrmin
