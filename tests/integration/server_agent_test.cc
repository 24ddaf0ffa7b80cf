// The agent protocol through styrmin-server, a real process on loopback: an agent token claims
// its cluster's run under a lease, reports steps, log lines and progress, and finishes it; the
// run's Instance becomes active. Other callers are FORBIDDEN, stale leases and bad reports are
// refused with nothing changed, log text stays out of the audit log, and two server processes
// on one PostgreSQL never hand the same run to two agents.
#include <gtest/gtest.h>

#include <latch>
#include <map>
#include <string>
#include <thread>
#include <vector>

#include "styrmin/core/json.h"
#include "support/postgres.h"
#include "support/server_process.h"

namespace styrmin {
namespace {

using test::ServerProcess;

constexpr const char* kRunFields =
    "id kind state attempts progress error startedAt finishedAt leaseExpiresAt "
    "instance { id context } deployment { id name currentRun { id } "
    "instances { id active } }";

std::string ErrorCodeOf(const Json& body) {
  if (!body.contains("errors")) return "";
  return body["errors"][0]["extensions"].value("code", "");
}

std::string ErrorMessageOf(const Json& body) {
  if (!body.contains("errors")) return "";
  return body["errors"][0].value("message", "");
}

// A cluster with an environment and the grafana driver loaded, on `server`.
struct Cluster {
  std::string agent_token;
  std::string environment_id;
  std::string driver_version_id;
};

Json Call(const ServerProcess& server, const std::string& query, const Json& variables = {},
          const std::string& token = "") {
  auto body = server.Graphql(query, variables.is_null() ? Json::object() : variables, token);
  EXPECT_TRUE(body.has_value()) << body.error().ToString();
  return body.value_or(Json());
}

Cluster MakeCluster(const ServerProcess& server, const std::string& name,
                    const std::string& admin_token = "") {
  Cluster made;
  const Json cluster = Call(server,
                            "mutation($n: String!) { createCluster(input: {name: $n}) { "
                            "cluster { id } agentToken } }",
                            {{"n", name}}, admin_token);
  EXPECT_FALSE(cluster.contains("errors")) << cluster.dump(2);
  made.agent_token = cluster["data"]["createCluster"]["agentToken"];
  const Json environment =
      Call(server,
           "mutation($c: ID!) { createEnvironment(input: {clusterId: $c, name: \"prod\"}) { id } }",
           {{"c", cluster["data"]["createCluster"]["cluster"]["id"]}}, admin_token);
  EXPECT_FALSE(environment.contains("errors")) << environment.dump(2);
  made.environment_id = environment["data"]["createEnvironment"]["id"];
  const Json driver = Call(
      server,
      "mutation($p: String!) { loadLocalApplicationDriverVersion(path: $p) { version { id } } }",
      {{"p", std::string(STYRMIN_SOURCE_DIR) + "/drivers/grafana"}}, admin_token);
  EXPECT_FALSE(driver.contains("errors")) << driver.dump(2);
  made.driver_version_id = driver["data"]["loadLocalApplicationDriverVersion"]["version"]["id"];
  return made;
}

// Creates deployment `name` in `cluster`'s environment; the id of its create run.
std::string CreateDeployment(const ServerProcess& server, const Cluster& cluster,
                             const std::string& name, const std::string& admin_token = "") {
  const Json r = Call(
      server,
      "mutation($e: ID!, $d: ID!, $n: String!) { createDeployment(input: "
      "{environmentId: $e, driverVersionId: $d, name: $n, "
      "parameters: {admin_password: \"long enough password\"}}) { run { id } } }",
      {{"e", cluster.environment_id}, {"d", cluster.driver_version_id}, {"n", name}}, admin_token);
  EXPECT_FALSE(r.contains("errors")) << r.dump(2);
  return r["data"]["createDeployment"]["run"].value("id", "");
}

class ServerAgentTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    auto started = ServerProcess::Start(STYRMIN_SERVER_BINARY);
    ASSERT_TRUE(started.has_value()) << started.error().ToString();
    server_ = std::move(started).value().release();
    cluster_ = new Cluster(MakeCluster(*server_, "lab"));
    other_ = new Cluster(MakeCluster(*server_, "edge"));
  }
  static void TearDownTestSuite() {
    delete cluster_;
    delete other_;
    delete server_;
  }

  static Json Agent(const std::string& query, const Json& variables = {}) {
    return Call(*server_, query, variables, cluster_->agent_token);
  }

  // Claims the lab cluster's next run; the RunLease, or null.
  static Json Claim() {
    const Json r = Agent(std::string("mutation { claimRun(leaseSeconds: 60) { leaseId expiresAt "
                                     "run { ") +
                         kRunFields + " } } }");
    EXPECT_FALSE(r.contains("errors")) << r.dump(2);
    return r["data"]["claimRun"];
  }

  static Json Run(const std::string& id) {
    return Call(*server_,
                std::string("query($id: ID!) { run(id: $id) { ") + kRunFields +
                    " steps { position name state error startedAt finishedAt } "
                    "log(first: 500) { nextAfter lines { sequence at step level text } } } }",
                {{"id", id}})["data"]["run"];
  }

  static ServerProcess* server_;
  static Cluster* cluster_;
  static Cluster* other_;
};

ServerProcess* ServerAgentTest::server_ = nullptr;
Cluster* ServerAgentTest::cluster_ = nullptr;
Cluster* ServerAgentTest::other_ = nullptr;

TEST_F(ServerAgentTest, AnAgentClaimsReportsAndFinishesARunAndItsInstanceBecomesActive) {
  const std::string run_id = CreateDeployment(*server_, *cluster_, "grafana");
  ASSERT_FALSE(run_id.empty());
  const Json lease = Claim();
  ASSERT_TRUE(lease.is_object()) << lease.dump(2);
  EXPECT_EQ(lease["run"]["id"], run_id);
  EXPECT_EQ(lease["run"]["state"], "RUNNING");
  EXPECT_EQ(lease["run"]["attempts"], 1);
  EXPECT_EQ(lease["expiresAt"], lease["run"]["leaseExpiresAt"]);
  EXPECT_FALSE(lease["run"]["startedAt"].is_null());
  EXPECT_EQ(lease["run"]["instance"]["context"]["instance"]["namespace"], "prod-grafana");
  const std::string lease_id = lease["leaseId"];
  EXPECT_TRUE(Claim().is_null()) << "the only run is claimed already";

  const Json ids = {{"r", run_id}, {"l", lease_id}};
  const Json step = Agent(
      "mutation($r: ID!, $l: ID!) { startRunStep(runId: $r, leaseId: $l, name: \"core\") { "
      "position state } }",
      ids);
  ASSERT_FALSE(step.contains("errors")) << step.dump(2);
  EXPECT_EQ(step["data"]["startRunStep"]["position"], 0);
  const Json log = Agent(
      "mutation($r: ID!, $l: ID!) { appendRunLog(runId: $r, leaseId: $l, lines: ["
      "{text: \"helm upgrade --install\", step: 0}, "
      "{text: \"the confidential line\", level: WARNING, at: \"2026-11-24T10:00:00.5+01:00\"}]) }",
      ids);
  ASSERT_FALSE(log.contains("errors")) << log.dump(2);
  EXPECT_EQ(log["data"]["appendRunLog"], 2);
  const Json progress = Agent(
      "mutation($r: ID!, $l: ID!) { reportRunProgress(runId: $r, leaseId: $l, progress: 0.5) { "
      "progress } }",
      ids);
  EXPECT_EQ(progress["data"]["reportRunProgress"]["progress"], 0.5) << progress.dump(2);
  const Json renewed = Agent(
      "mutation($r: ID!, $l: ID!) { renewRunLease(runId: $r, leaseId: $l, leaseSeconds: 120) { "
      "leaseId expiresAt } }",
      ids);
  ASSERT_FALSE(renewed.contains("errors")) << renewed.dump(2);
  EXPECT_EQ(renewed["data"]["renewRunLease"]["leaseId"], lease_id);
  EXPECT_GT(renewed["data"]["renewRunLease"]["expiresAt"].get<std::string>(),
            lease["expiresAt"].get<std::string>());
  const Json finished_step = Agent(
      "mutation($r: ID!, $l: ID!) { finishRunStep(runId: $r, leaseId: $l, position: 0, "
      "state: SUCCEEDED) { state finishedAt } }",
      ids);
  EXPECT_EQ(finished_step["data"]["finishRunStep"]["state"], "SUCCEEDED") << finished_step.dump(2);
  const Json finished =
      Agent(std::string("mutation($r: ID!, $l: ID!) { finishRun(runId: $r, leaseId: $l, "
                        "state: SUCCEEDED) { ") +
                kRunFields + " } }",
            ids);
  ASSERT_FALSE(finished.contains("errors")) << finished.dump(2);
  const Json& run = finished["data"]["finishRun"];
  EXPECT_EQ(run["state"], "SUCCEEDED");
  EXPECT_EQ(run["progress"], 1.0);
  EXPECT_TRUE(run["leaseExpiresAt"].is_null());
  EXPECT_TRUE(run["deployment"]["currentRun"].is_null());
  ASSERT_EQ(run["deployment"]["instances"].size(), 1U);
  EXPECT_EQ(run["deployment"]["instances"][0]["active"], true);
  EXPECT_EQ(run["deployment"]["instances"][0]["id"], run["instance"]["id"]);

  const Json read = Run(run_id);
  ASSERT_EQ(read["steps"].size(), 1U) << read.dump(2);
  EXPECT_EQ(read["steps"][0]["name"], "core");
  EXPECT_EQ(read["log"]["nextAfter"], 2);
  ASSERT_EQ(read["log"]["lines"].size(), 2U);
  EXPECT_EQ(read["log"]["lines"][0]["step"], 0);
  EXPECT_EQ(read["log"]["lines"][0]["level"], "INFO");
  EXPECT_EQ(read["log"]["lines"][1]["level"], "WARNING");
  EXPECT_EQ(read["log"]["lines"][1]["at"], "2026-11-24T09:00:00.500Z");
  EXPECT_EQ(read["log"]["lines"][1]["text"], "the confidential line");

  // What the cluster should hold now: the StyrminDeployment of the Instance the run deployed.
  const Json desired =
      Agent("{ desiredDeployments { deployment { name } instance { id } manifest } }");
  ASSERT_FALSE(desired.contains("errors")) << desired.dump(2);
  const Json* entry = nullptr;
  for (const Json& d : desired["data"]["desiredDeployments"]) {
    if (d["deployment"]["name"] == "grafana") entry = &d;
  }
  ASSERT_NE(entry, nullptr) << desired.dump(2);
  EXPECT_EQ((*entry)["instance"]["id"], run["instance"]["id"]);
  const Json& manifest = (*entry)["manifest"];
  EXPECT_EQ(manifest["kind"], "StyrminDeployment");
  EXPECT_EQ(manifest["metadata"]["name"], "grafana");
  EXPECT_EQ(manifest["metadata"]["namespace"], "prod-grafana");
  EXPECT_EQ(manifest["spec"]["driver"]["name"], "grafana");
  EXPECT_EQ(manifest["spec"]["instanceId"], run["instance"]["id"]);
  EXPECT_EQ(manifest["spec"]["phase"], "running");
  EXPECT_EQ(manifest["spec"]["context"]["instance"]["namespace"], "prod-grafana");
  EXPECT_EQ(desired.dump().find("long enough password"), std::string::npos)
      << "a secret parameter reached the manifest";
  const Json other_desired =
      Call(*server_, "{ desiredDeployments { deployment { name } } }", {}, other_->agent_token);
  EXPECT_TRUE(other_desired["data"]["desiredDeployments"].empty()) << other_desired.dump(2);
  EXPECT_EQ(ErrorCodeOf(Call(*server_, "{ desiredDeployments { manifest } }")), "FORBIDDEN");

  // Every report is audited, as the agent's token; the log text is not repeated there.
  const Json audit = Call(*server_, R"({ auditEvents(first: 1, action: "appendRunLog") {
      events { actor outcome target arguments } } })");
  const Json& event = audit["data"]["auditEvents"]["events"][0];
  EXPECT_EQ(event["outcome"], "ok");
  EXPECT_EQ(event["target"], run_id);
  EXPECT_EQ(event["arguments"]["lines"], "2 lines");
  EXPECT_EQ(audit.dump().find("confidential"), std::string::npos) << audit.dump(2);
}

TEST_F(ServerAgentTest, OnlyTheAgentOfTheRunsClusterMayClaimOrReportOnIt) {
  const std::string run_id = CreateDeployment(*server_, *cluster_, "only-its-agent");
  const Json admin = Call(*server_, "mutation { claimRun { leaseId } }");
  EXPECT_EQ(ErrorCodeOf(admin), "FORBIDDEN") << admin.dump(2);
  // The other cluster's agent finds nothing of lab's to claim, and may not report on it.
  const Json other = Call(*server_, "mutation { claimRun { leaseId } }", {}, other_->agent_token);
  EXPECT_TRUE(other["data"]["claimRun"].is_null()) << other.dump(2);
  const Json lease = Claim();
  ASSERT_TRUE(lease.is_object());
  ASSERT_EQ(lease["run"]["id"], run_id);
  const Json ids = {{"r", run_id}, {"l", lease["leaseId"]}};
  const Json foreign = Call(
      *server_,
      "mutation($r: ID!, $l: ID!) { reportRunProgress(runId: $r, leaseId: $l, progress: 0.9) { "
      "progress } }",
      ids, other_->agent_token);
  EXPECT_EQ(ErrorCodeOf(foreign), "FORBIDDEN") << foreign.dump(2);
  EXPECT_NE(ErrorMessageOf(foreign).find("belongs to cluster"), std::string::npos);
  const Json operator_call = Call(
      *server_,
      "mutation($r: ID!, $l: ID!) { finishRun(runId: $r, leaseId: $l, state: SUCCEEDED) { id } }",
      ids);
  EXPECT_EQ(ErrorCodeOf(operator_call), "FORBIDDEN") << operator_call.dump(2);
  const Json read = Run(run_id);
  EXPECT_EQ(read["progress"], 0.0);
  EXPECT_EQ(read["state"], "RUNNING");
  ASSERT_FALSE(Agent("mutation($r: ID!, $l: ID!) { finishRun(runId: $r, leaseId: $l, "
                     "state: CANCELLED) { id } }",
                     ids)
                   .contains("errors"));
}

TEST_F(ServerAgentTest, BadReportsGetAClearErrorAndChangeNothing) {
  const std::string run_id = CreateDeployment(*server_, *cluster_, "bad-reports");
  const Json lease = Claim();
  ASSERT_TRUE(lease.is_object());
  ASSERT_EQ(lease["run"]["id"], run_id);
  const std::string lease_id = lease["leaseId"];
  const auto report = [&](const std::string& mutation, const std::string& run = "",
                          const std::string& leased = "") {
    return Agent("mutation($r: ID!, $l: ID!) { " + mutation + " }",
                 {{"r", run.empty() ? run_id : run}, {"l", leased.empty() ? lease_id : leased}});
  };
  struct Case {
    std::string mutation;
    std::string run;
    std::string lease;
    std::string code;
    std::string message;
  };
  const std::vector<Case> cases = {
      {"reportRunProgress(runId: $r, leaseId: $l, progress: 0.5) { id }", "", "lease-stale",
       "CONFLICT", "lease \"lease-stale\" on run " + run_id},
      {"reportRunProgress(runId: $r, leaseId: $l, progress: 0.5) { id }", "r-unknown", "",
       "NOT_FOUND", "run \"r-unknown\" not found"},
      {"reportRunProgress(runId: $r, leaseId: $l, progress: 1.5) { id }", "", "", "BAD_USER_INPUT",
       "progress must be between 0 and 1"},
      {"renewRunLease(runId: $r, leaseId: $l, leaseSeconds: 1) { leaseId }", "", "",
       "BAD_USER_INPUT", "leaseSeconds must be from 5 to 600, not 1"},
      {"startRunStep(runId: $r, leaseId: $l, name: \"\") { position }", "", "", "BAD_USER_INPUT",
       "step name must not be empty"},
      {"finishRunStep(runId: $r, leaseId: $l, position: 3, state: SUCCEEDED) { position }", "", "",
       "NOT_FOUND", "has no step 3"},
      {"appendRunLog(runId: $r, leaseId: $l, lines: [{text: \"x\", at: \"yesterday\"}])", "", "",
       "BAD_USER_INPUT", "lines[0].at"},
      {"appendRunLog(runId: $r, leaseId: $l, lines: [{text: \"x\", step: 4}])", "", "",
       "BAD_USER_INPUT", "names step 4"},
      {"finishRun(runId: $r, leaseId: $l, state: FAILED) { id }", "", "", "BAD_USER_INPUT",
       "a failed run needs an error"},
      {"finishRun(runId: $r, leaseId: $l, state: PENDING) { id }", "", "", "BAD_USER_INPUT",
       "not pending"},
  };
  for (const Case& c : cases) {
    const Json r = report(c.mutation, c.run, c.lease);
    EXPECT_EQ(ErrorCodeOf(r), c.code) << c.mutation << "\n" << r.dump(2);
    EXPECT_NE(ErrorMessageOf(r).find(c.message), std::string::npos) << c.mutation << "\n"
                                                                    << r.dump(2);
  }
  // A wrong type never reaches the store: the document does not validate.
  const Json typed = report("appendRunLog(runId: $r, leaseId: $l, lines: [{text: 3}])");
  EXPECT_TRUE(typed.contains("errors")) << typed.dump(2);
  EXPECT_FALSE(typed.contains("data")) << typed.dump(2);

  const Json read = Run(run_id);
  EXPECT_EQ(read["state"], "RUNNING");
  EXPECT_EQ(read["progress"], 0.0);
  EXPECT_TRUE(read["steps"].empty()) << read.dump(2);
  EXPECT_TRUE(read["log"]["lines"].empty()) << read.dump(2);
  EXPECT_EQ(read["leaseExpiresAt"], lease["expiresAt"]);
  ASSERT_FALSE(
      report("finishRun(runId: $r, leaseId: $l, state: CANCELLED) { id }").contains("errors"));
}

TEST_F(ServerAgentTest, AFailedRunIsRetriedByAnOperatorAndClaimedAgain) {
  const std::string run_id = CreateDeployment(*server_, *cluster_, "retried");
  const Json lease = Claim();
  ASSERT_TRUE(lease.is_object());
  ASSERT_EQ(lease["run"]["id"], run_id);
  const Json failed = Agent(
      "mutation($r: ID!, $l: ID!) { finishRun(runId: $r, leaseId: $l, state: FAILED, "
      "error: \"helm said no\") { state error } }",
      {{"r", run_id}, {"l", lease["leaseId"]}});
  ASSERT_EQ(failed["data"]["finishRun"]["state"], "FAILED") << failed.dump(2);
  const Json agent_retry = Agent("mutation($r: ID!) { retryRun(id: $r) { id } }", {{"r", run_id}});
  EXPECT_EQ(ErrorCodeOf(agent_retry), "FORBIDDEN") << agent_retry.dump(2);

  const Json retried = Call(*server_,
                            "mutation($r: ID!) { retryRun(id: $r) { id kind state reason "
                            "instance { id } deployment { currentRun { id } } } }",
                            {{"r", run_id}});
  ASSERT_FALSE(retried.contains("errors")) << retried.dump(2);
  const Json& run = retried["data"]["retryRun"];
  EXPECT_NE(run["id"], run_id);
  EXPECT_EQ(run["kind"], "CREATE");
  EXPECT_EQ(run["state"], "PENDING");
  EXPECT_EQ(run["instance"]["id"], lease["run"]["instance"]["id"]);
  EXPECT_EQ(run["deployment"]["currentRun"]["id"], run["id"]);
  EXPECT_EQ(run["reason"].get<std::string>().rfind("retry of run " + run_id, 0), 0U);
  const Json again =
      Call(*server_, "mutation($r: ID!) { retryRun(id: $r) { id } }", {{"r", run_id}});
  EXPECT_EQ(ErrorCodeOf(again), "CONFLICT") << again.dump(2);
  const Json unknown = Call(*server_, "mutation { retryRun(id: \"r-none\") { id } }");
  EXPECT_EQ(ErrorCodeOf(unknown), "NOT_FOUND") << unknown.dump(2);

  const Json next = Claim();
  ASSERT_TRUE(next.is_object());
  EXPECT_EQ(next["run"]["id"], run["id"]);
  EXPECT_EQ(next["run"]["attempts"], 1);
  ASSERT_FALSE(Agent("mutation($r: ID!, $l: ID!) { finishRun(runId: $r, leaseId: $l, "
                     "state: CANCELLED) { id } }",
                     {{"r", next["run"]["id"]}, {"l", next["leaseId"]}})
                   .contains("errors"));
}

TEST_F(ServerAgentTest, ObservedStatusIsReportedByTheAgentAndShownApartFromTheDeclaredState) {
  ASSERT_FALSE(CreateDeployment(*server_, *cluster_, "observed").empty());
  ASSERT_FALSE(CreateDeployment(*server_, *cluster_, "observed-too").empty());
  const Json listed = Call(*server_,
                           "query($e: ID) { deployments(environmentId: $e, first: 500) { "
                           "deployments { id name instances { id } } } }",
                           {{"e", cluster_->environment_id}});
  std::map<std::string, Json> by_name;
  for (const Json& d : listed["data"]["deployments"]["deployments"]) by_name[d["name"]] = d;
  ASSERT_TRUE(by_name.count("observed") && by_name.count("observed-too")) << listed.dump(2);
  const std::string id = by_name["observed"]["id"];
  const std::string instance = by_name["observed"]["instances"][0]["id"];

  const Json statuses = Agent(
      "mutation($d: ID!, $i: ID!, $o: ID!) { reportDeploymentStatuses(statuses: ["
      "{deploymentId: $d, phase: PROGRESSING, health: DEGRADED, observedInstanceId: $i, "
      "message: \"1 of 2 ready\", components: [{name: \"grafana\", readyReplicas: 1, "
      "desiredReplicas: 2, health: DEGRADED}]}, "
      "{deploymentId: $o, phase: FAILED, health: FAILING}]) }",
      {{"d", id}, {"i", instance}, {"o", by_name["observed-too"]["id"]}});
  ASSERT_FALSE(statuses.contains("errors")) << statuses.dump(2);
  EXPECT_EQ(statuses["data"]["reportDeploymentStatuses"], 2);
  const Json pods = Agent(
      "mutation($d: ID!) { reportPodStatuses(deploymentId: $d, pods: ["
      "{name: \"grafana-1\", component: \"grafana\", phase: PENDING, ready: false, "
      "conditions: [{type: \"PodScheduled\", status: \"False\", reason: \"Unschedulable\"}]}, "
      "{name: \"grafana-0\", component: \"grafana\", phase: RUNNING, ready: true, restarts: 2}]) }",
      {{"d", id}});
  ASSERT_FALSE(pods.contains("errors")) << pods.dump(2);
  EXPECT_EQ(pods["data"]["reportPodStatuses"], 2);

  const std::string query =
      "query($e: ID) { deployments(environmentId: $e, first: 500) { deployments { name phase "
      "activeInstance { id } status { phase health message reportedAt observedInstance { id } "
      "components { name readyReplicas desiredReplicas health } } "
      "pods { name component phase ready restarts conditions { type status reason message } } "
      "} } }";
  Json read = Call(*server_, query, {{"e", cluster_->environment_id}});
  ASSERT_FALSE(read.contains("errors")) << read.dump(2);
  by_name.clear();
  for (const Json& d : read["data"]["deployments"]["deployments"]) by_name[d["name"]] = d;
  const Json& observed = by_name["observed"];
  EXPECT_EQ(observed["phase"], "RUNNING") << "declared";
  EXPECT_TRUE(observed["activeInstance"].is_null()) << "declared: no run succeeded yet";
  EXPECT_EQ(observed["status"]["phase"], "PROGRESSING") << "observed";
  EXPECT_EQ(observed["status"]["health"], "DEGRADED");
  EXPECT_EQ(observed["status"]["message"], "1 of 2 ready");
  EXPECT_EQ(observed["status"]["observedInstance"]["id"], instance);
  EXPECT_EQ(observed["status"]["components"],
            Json::parse(R"([{"name":"grafana","readyReplicas":1,"desiredReplicas":2,)"
                        R"("health":"DEGRADED"}])"));
  ASSERT_EQ(observed["pods"].size(), 2U);
  EXPECT_EQ(observed["pods"][0]["name"], "grafana-0");
  EXPECT_EQ(observed["pods"][0]["restarts"], 2);
  EXPECT_EQ(observed["pods"][1]["conditions"][0],
            Json::parse(R"({"type":"PodScheduled","status":"False","reason":"Unschedulable",)"
                        R"("message":null})"));
  EXPECT_EQ(by_name["observed-too"]["status"]["phase"], "FAILED");
  EXPECT_TRUE(by_name["observed-too"]["pods"].empty());

  // Another report replaces the pods as a set.
  ASSERT_FALSE(Agent("mutation($d: ID!) { reportPodStatuses(deploymentId: $d, pods: [{name: "
                     "\"grafana-2\", phase: RUNNING, ready: true}]) }",
                     {{"d", id}})
                   .contains("errors"));
  read = Call(*server_, "query($d: ID!) { deployment(id: $d) { pods { name component } } }",
              {{"d", id}});
  EXPECT_EQ(read["data"]["deployment"]["pods"],
            Json::parse(R"([{"name":"grafana-2","component":null}])"))
      << read.dump(2);
}

TEST_F(ServerAgentTest, StatusReportsFromOthersOrAboutOtherClustersAreRefusedAndStoreNothing) {
  ASSERT_FALSE(CreateDeployment(*server_, *cluster_, "guarded").empty());
  const Json listed = Call(*server_, "{ deployments(first: 500) { deployments { id name } } }");
  std::string id;
  for (const Json& d : listed["data"]["deployments"]["deployments"]) {
    if (d["name"] == "guarded") id = d["id"];
  }
  ASSERT_FALSE(id.empty()) << listed.dump(2);
  const std::string report =
      "mutation($d: ID!) { reportDeploymentStatuses(statuses: [{deploymentId: $d, "
      "phase: RUNNING, health: HEALTHY}]) }";
  const Json admin = Call(*server_, report, {{"d", id}});
  EXPECT_EQ(ErrorCodeOf(admin), "FORBIDDEN") << admin.dump(2);
  const Json foreign = Call(*server_, report, {{"d", id}}, other_->agent_token);
  EXPECT_EQ(ErrorCodeOf(foreign), "FORBIDDEN") << foreign.dump(2);
  EXPECT_NE(ErrorMessageOf(foreign).find("is in cluster"), std::string::npos) << foreign.dump(2);
  const Json foreign_pods =
      Call(*server_, "mutation($d: ID!) { reportPodStatuses(deploymentId: $d, pods: []) }",
           {{"d", id}}, other_->agent_token);
  EXPECT_EQ(ErrorCodeOf(foreign_pods), "FORBIDDEN") << foreign_pods.dump(2);
  const Json unknown = Agent(
      "mutation { reportDeploymentStatuses(statuses: [{deploymentId: \"dp-none\", "
      "phase: RUNNING, health: HEALTHY}]) }");
  EXPECT_EQ(ErrorCodeOf(unknown), "BAD_USER_INPUT") << unknown.dump(2);
  EXPECT_NE(ErrorMessageOf(unknown).find("deployment \"dp-none\" does not exist"),
            std::string::npos);
  const Json negative = Agent(
      "mutation($d: ID!) { reportDeploymentStatuses(statuses: [{deploymentId: $d, "
      "phase: RUNNING, health: HEALTHY, components: [{name: \"grafana\", readyReplicas: -1, "
      "desiredReplicas: 1, health: HEALTHY}]}]) }",
      {{"d", id}});
  EXPECT_EQ(ErrorCodeOf(negative), "BAD_USER_INPUT") << negative.dump(2);
  const Json wrong_enum = Agent(
      "mutation($d: ID!) { reportDeploymentStatuses(statuses: [{deploymentId: $d, "
      "phase: ASLEEP, health: HEALTHY}]) }",
      {{"d", id}});
  EXPECT_TRUE(wrong_enum.contains("errors")) << wrong_enum.dump(2);
  EXPECT_FALSE(wrong_enum.contains("data")) << "refused before execution";

  const Json read = Call(*server_,
                         "query($d: ID!) { deployment(id: $d) { status { phase } "
                         "pods { name } } }",
                         {{"d", id}});
  EXPECT_TRUE(read["data"]["deployment"]["status"].is_null()) << read.dump(2);
  EXPECT_TRUE(read["data"]["deployment"]["pods"].empty()) << read.dump(2);
}

// Replicas: two server processes on one PostgreSQL, four agents claiming at once through both,
// and every waiting run handed out exactly once.
TEST(ServerAgentReplicasTest, TwoServersOnOnePostgresqlNeverHandTheSameRunToTwoAgents) {
  auto postgres = test::PostgresServer::Start();
  ASSERT_TRUE(postgres.has_value()) << postgres.error().ToString();
  auto created = (*postgres)->CreateDatabaseUrl();
  ASSERT_TRUE(created.has_value()) << created.error().ToString();
  const std::string url = *created;
  auto first = ServerProcess::Start(STYRMIN_SERVER_BINARY, {"--database", url});
  ASSERT_TRUE(first.has_value()) << first.error().ToString();
  auto second = ServerProcess::Start(STYRMIN_SERVER_BINARY, {"--database", url, "--secret-key-file",
                                                             (*first)->data_dir() + "/secret.key"});
  ASSERT_TRUE(second.has_value()) << second.error().ToString();
  const std::string admin = (*first)->admin_token();
  const Cluster cluster = MakeCluster(**first, "replicated", admin);
  constexpr int kRuns = 16;
  std::map<std::string, int> claims;
  for (int i = 0; i < kRuns; ++i) {
    const std::string run = CreateDeployment(i % 2 == 0 ? **first : **second, cluster,
                                             "app-" + std::to_string(i), admin);
    ASSERT_FALSE(run.empty());
    claims[run] = 0;
  }

  constexpr std::size_t kAgents = 4;
  std::latch start(kAgents);
  std::vector<std::vector<std::string>> claimed(kAgents);
  std::vector<std::string> errors(kAgents);
  std::vector<std::thread> agents;
  agents.reserve(kAgents);
  for (std::size_t a = 0; a < kAgents; ++a) {
    agents.emplace_back([&, a] {
      const ServerProcess& server = a % 2 == 0 ? **first : **second;
      start.arrive_and_wait();
      for (int tries = 0; tries < 2 * kRuns; ++tries) {
        auto body = server.Graphql("mutation { claimRun { run { id } } }", Json::object(),
                                   cluster.agent_token);
        if (!body || body->contains("errors")) {
          errors[a] = body ? body->dump() : body.error().ToString();
          return;
        }
        const Json& lease = (*body)["data"]["claimRun"];
        if (lease.is_null()) return;
        claimed[a].push_back(lease["run"]["id"]);
      }
    });
  }
  for (std::thread& agent : agents) agent.join();
  std::size_t total = 0;
  for (std::size_t a = 0; a < kAgents; ++a) {
    EXPECT_EQ(errors[a], "") << "agent " << a;
    total += claimed[a].size();
    for (const std::string& run : claimed[a]) ++claims[run];
  }
  EXPECT_EQ(total, static_cast<std::size_t>(kRuns));
  for (const auto& [run, count] : claims) EXPECT_EQ(count, 1) << run;
  EXPECT_EQ((*first)->Stop(), 0);
  EXPECT_EQ((*second)->Stop(), 0);
}

}  // namespace
}  // namespace styrmin
