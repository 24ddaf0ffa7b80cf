// The StyrminDeployment CRD (deploy/crds) on the local plane's API server: it installs and is
// established, a resource built by reconcile::StyrminDeploymentManifest is stored and reads
// back as written, its status is its own subresource, and the schema refuses what the server
// would never write (an unknown phase, a missing instance).
#include <gtest/gtest.h>

#include <string>

#include "styrmin/core/json.h"
#include "styrmin/reconcile/styrmin_deployment.h"
#include "support/kube_plane.h"

namespace styrmin::test {
namespace {

using namespace std::chrono_literals;

constexpr const char* kCrd = STYRMIN_SOURCE_DIR "/deploy/crds/styrmin.io_styrmindeployments.yaml";

class StyrminDeploymentCrd : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    auto applied = Kubectl({"apply", "-f", kCrd});
    ASSERT_TRUE(applied) << applied.error().ToString();
    auto established = Kubectl({"wait", "--for=condition=Established", "--timeout=60s",
                                "crd/styrmindeployments.styrmin.io"},
                               {}, 90s);
    ASSERT_TRUE(established) << established.error().ToString();
  }

  static reconcile::DesiredDeployment Sample(const std::string& name_space) {
    reconcile::DesiredDeployment d;
    d.deployment_id = "dp-0123";
    d.name = "grafana";
    d.environment = "prod";
    d.driver_name = "grafana";
    d.driver_version = "1";
    d.driver_digest = "sha256:0f";
    d.application_version = "12.2.1";
    d.phase = "running";
    d.instance_id = "in-0456";
    d.context = Json{{"instance", {{"namespace", name_space}, {"release_name", "grafana"}}},
                     {"app", {{"version", "12.2.1"}}},
                     {"parameters",
                      {{"admin_password",
                        {{"secret_name", "grafana-params"}, {"secret_key", "admin_password"}}}}}};
    return d;
  }
};

TEST_F(StyrminDeploymentCrd, StoresTheManifestTheServerBuildsAndReadsItBackAsWritten) {
  PlaneNamespace name_space(UniqueNamespace());
  ASSERT_TRUE(name_space.Create());
  auto manifest = reconcile::StyrminDeploymentManifest(Sample(name_space.name()));
  ASSERT_TRUE(manifest) << manifest.error().ToString();
  auto applied = Kubectl({"apply", "--server-side", "--field-manager=styrmin-agent", "-f", "-"},
                         DumpJson(*manifest));
  ASSERT_TRUE(applied) << applied.error().ToString();

  auto read =
      Kubectl({"get", "styrmindeployment", "grafana", "-n", name_space.name(), "-o", "json"});
  ASSERT_TRUE(read) << read.error().ToString();
  auto stored = ParseJson(*read);
  ASSERT_TRUE(stored) << *read;
  EXPECT_EQ((*stored)["spec"], (*manifest)["spec"]);
  EXPECT_EQ((*stored)["metadata"]["labels"]["styrmin.io/deployment-id"], "dp-0123");

  // The status is a subresource: the operator writes it apart from the spec.
  auto patched = Kubectl({"patch", "styrmindeployment", "grafana", "-n", name_space.name(),
                          "--subresource=status", "--type=merge", "-p",
                          R"({"status":{"observedInstanceId":"in-0456","conditions":)"
                          R"([{"type":"Ready","status":"True","reason":"Converged"}]}})"});
  ASSERT_TRUE(patched) << patched.error().ToString();
  auto columns = Kubectl({"get", "sdep", "grafana", "-n", name_space.name()});
  ASSERT_TRUE(columns) << columns.error().ToString();
  EXPECT_NE(columns->find("in-0456"), std::string::npos) << *columns;
  EXPECT_NE(columns->find("12.2.1"), std::string::npos) << *columns;
}

TEST_F(StyrminDeploymentCrd, RefusesWhatTheServerNeverWrites) {
  PlaneNamespace name_space(UniqueNamespace());
  ASSERT_TRUE(name_space.Create());
  auto manifest = reconcile::StyrminDeploymentManifest(Sample(name_space.name()));
  ASSERT_TRUE(manifest) << manifest.error().ToString();
  Json bad_phase = *manifest;
  bad_phase["spec"]["phase"] = "sleeping";
  auto refused = Kubectl({"apply", "--dry-run=server", "-f", "-"}, DumpJson(bad_phase));
  ASSERT_FALSE(refused) << "a phase outside running, stopped, deleted was accepted";
  EXPECT_NE(refused.error().message().find("spec.phase"), std::string::npos)
      << refused.error().ToString();
  Json no_instance = *manifest;
  no_instance["spec"].erase("instanceId");
  refused = Kubectl({"apply", "--dry-run=server", "-f", "-"}, DumpJson(no_instance));
  ASSERT_FALSE(refused) << "a spec without its instance was accepted";
  EXPECT_NE(refused.error().message().find("instanceId"), std::string::npos)
      << refused.error().ToString();
}

}  // namespace
}  // namespace styrmin::test
