// Proves the local Kubernetes plane: the API server through libcurl with the kubeconfig's client
// certificate, and kubectl driving a Deployment to Ready pods on the simulated node.
#include "support/kube_plane.h"

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <memory>
#include <set>
#include <sstream>
#include <string>

#include "styrmin/core/json.h"
#include "styrmin/kube/rest_client.h"

namespace styrmin::test {
namespace {

using namespace std::chrono_literals;
using kube::HttpMethod;

class KubePlane : public ::testing::Test {
 protected:
  void SetUp() override {
    auto access = PlaneAccess();
    ASSERT_TRUE(access) << access.error().ToString();
    auto client = kube::CurlRestClient::Create(*access);
    ASSERT_TRUE(client) << client.error().ToString();
    client_ = std::move(client).value();
  }

  Result<Json> Get(const std::string& path) {
    STYRMIN_ASSIGN_OR_RETURN(auto response, rest().Send(HttpMethod::kGet, path));
    STYRMIN_RETURN_IF_ERROR(kube::StatusFromResponse(response, "GET " + path));
    return ParseJson(response.body);
  }

  kube::RestClient& rest() { return *client_; }
  std::unique_ptr<kube::CurlRestClient> client_;
};

TEST_F(KubePlane, ApiServerIsReadyWithTheClientCertificate) {
  auto response = rest().Send(HttpMethod::kGet, "/readyz");
  ASSERT_TRUE(response) << response.error().ToString();
  EXPECT_EQ(response->status, 200);
  EXPECT_EQ(response->body, "ok");
  auto version = Get("/version");
  ASSERT_TRUE(version) << version.error().ToString();
  EXPECT_EQ((*version)["gitVersion"].get<std::string>().rfind("v1.34.", 0), 0u) << *version;
}

TEST_F(KubePlane, NamespaceIsCreatedListedAndDeletedThroughTheApiServer) {
  const std::string name = UniqueNamespace();
  const Json body = {{"apiVersion", "v1"},
                     {"kind", "Namespace"},
                     {"metadata", {{"name", name}, {"labels", {{"styrmin.io/test", "true"}}}}}};
  auto created = rest().Send(HttpMethod::kPost, "/api/v1/namespaces", DumpJson(body));
  ASSERT_TRUE(created) << created.error().ToString();
  ASSERT_EQ(created->status, 201) << created->body;

  auto list = Get("/api/v1/namespaces?labelSelector=styrmin.io%2Ftest%3Dtrue");
  ASSERT_TRUE(list) << list.error().ToString();
  bool listed = false;
  for (const auto& item : list->at("items")) listed |= item.at("metadata").at("name") == name;
  EXPECT_TRUE(listed) << "namespace " << name << " missing from the list";

  auto duplicate = rest().Send(HttpMethod::kPost, "/api/v1/namespaces", DumpJson(body));
  ASSERT_TRUE(duplicate);
  EXPECT_EQ(kube::StatusFromResponse(*duplicate, "create").error().code(),
            ErrorCode::kAlreadyExists);

  auto deleted = rest().Send(HttpMethod::kDelete, "/api/v1/namespaces/" + name);
  ASSERT_TRUE(deleted) << deleted.error().ToString();
  EXPECT_EQ(deleted->status, 200) << deleted->body;
  // Deletion is finished by the namespace controller of kube-controller-manager.
  auto gone = WaitUntil("namespace " + name + " to disappear", 60s, [&]() -> Result<bool> {
    STYRMIN_ASSIGN_OR_RETURN(auto r, rest().Send(HttpMethod::kGet, "/api/v1/namespaces/" + name));
    return r.status == 404;
  });
  EXPECT_TRUE(gone) << gone.error().ToString();
}

TEST_F(KubePlane, UnknownNamespaceIsNotFound) {
  auto missing = Get("/api/v1/namespaces/styrmin-does-not-exist");
  ASSERT_FALSE(missing);
  EXPECT_EQ(missing.error().code(), ErrorCode::kNotFound);
}

TEST_F(KubePlane, EveryPlaneProcessListensOnLoopbackOnly) {
  auto dir = PlaneDir();
  ASSERT_TRUE(dir) << dir.error().ToString();
  std::set<std::string> pids;
  for (const auto& entry : std::filesystem::directory_iterator(*dir + "/pids")) {
    if (entry.path().extension() != ".pid") continue;
    std::ifstream in(entry.path());
    std::string pid;
    in >> pid;
    pids.insert(pid);
  }
  ASSERT_GE(pids.size(), 5u) << "etcd, apiserver, controller-manager, scheduler and kwok";
  int listening = 0;
  for (const char* flags : {"-ltnpH", "-lunpH"}) {
    auto out = RunCommandOk({"ss", flags});
    ASSERT_TRUE(out) << out.error().ToString();
    std::istringstream lines(*out);
    for (std::string line; std::getline(lines, line);) {
      bool ours = false;
      for (const auto& pid : pids) ours |= line.find("pid=" + pid + ",") != std::string::npos;
      if (!ours) continue;
      ++listening;
      std::istringstream fields(line);
      std::string state, recv_q, send_q, local;
      fields >> state >> recv_q >> send_q >> local;
      EXPECT_TRUE(local.rfind("127.0.0.1:", 0) == 0 || local.rfind("[::1]:", 0) == 0)
          << "plane process listens beyond loopback: " << line;
    }
  }
  EXPECT_GE(listening, 4) << "etcd (client, peer), apiserver and kwok listen";
}

constexpr std::string_view kDeployment = R"(
apiVersion: apps/v1
kind: Deployment
metadata: {name: web}
spec:
  replicas: 3
  selector: {matchLabels: {app: web}}
  template:
    metadata: {labels: {app: web}}
    spec:
      containers:
      - {name: web, image: "registry.invalid/never-pulled:1.0"}
)";

TEST_F(KubePlane, DeploymentOfThreeReplicasReachesThreeReadyPodsAndExecRunsACommand) {
  const std::string ns = UniqueNamespace();
  auto created = Kubectl({"create", "namespace", ns});
  ASSERT_TRUE(created) << created.error().ToString();
  auto applied = Kubectl({"apply", "-n", ns, "-f", "-"}, std::string(kDeployment));
  ASSERT_TRUE(applied) << applied.error().ToString();

  Json pods;
  auto ready = WaitUntil("3 ready pods of deployment web", 90s, [&]() -> Result<bool> {
    STYRMIN_ASSIGN_OR_RETURN(std::string out,
                             Kubectl({"get", "pods", "-n", ns, "-l", "app=web", "-o", "json"}));
    STYRMIN_ASSIGN_OR_RETURN(pods, ParseJson(out));
    int ready_pods = 0;
    for (const auto& pod : pods.at("items")) {
      const Json status = pod.value("status", Json::object());
      if (status.value("phase", "") != "Running") continue;
      for (const auto& c : status.value("conditions", Json::array())) {
        if (c.value("type", "") == "Ready" && c.value("status", "") == "True") ++ready_pods;
      }
    }
    return ready_pods == 3;
  });
  ASSERT_TRUE(ready) << ready.error().ToString() << "\n" << pods.dump(2);

  // The deployment controller counts the ready pods a moment after the pods are ready: wait
  // for its status too, rather than read it once.
  Result<std::string> deployment = std::string();
  const auto counted =
      WaitUntil("deployment web to count 3 ready replicas", 60s, [&]() -> Result<bool> {
        deployment = Kubectl(
            {"get", "deployment", "web", "-n", ns, "-o", "jsonpath={.status.readyReplicas}"});
        if (!deployment) return tl::unexpected(deployment.error());
        return *deployment == "3";
      });
  ASSERT_TRUE(deployment);
  EXPECT_TRUE(counted) << counted.error().ToString();
  EXPECT_EQ(*deployment, "3");

  // kwok serves exec by running the command on this machine (ClusterExec "local").
  const std::string pod = pods.at("items").at(0).at("metadata").at("name");
  auto exec = Kubectl({"exec", "-n", ns, pod, "--", "sh", "-c", "echo exec-in-$STYRMIN_PLANE_DIR"});
  ASSERT_TRUE(exec) << exec.error().ToString();
  EXPECT_EQ(exec->rfind("exec-in-/", 0), 0u) << *exec;

  // Stdin streams through exec too: later, restores take this path. kwok v0.8.0 never closes
  // the command's stdin at end of input (docs/adr/0002), so the command reads a known length.
  const std::string payload(256 * 1024, 'x');
  auto piped = Kubectl({"exec", "-i", "-n", ns, pod, "--", "sh", "-c",
                        "head -c " + std::to_string(payload.size()) + " | wc -c"},
                       payload);
  ASSERT_TRUE(piped) << piped.error().ToString();
  EXPECT_EQ(*piped, std::to_string(payload.size()) + "\n");

  auto failing = Kubectl({"exec", "-n", ns, pod, "--", "sh", "-c", "exit 3"});
  EXPECT_FALSE(failing) << "a failing command in the pod must fail kubectl exec";

  EXPECT_TRUE(Kubectl({"delete", "namespace", ns, "--wait=false"}));
}

}  // namespace
}  // namespace styrmin::test
