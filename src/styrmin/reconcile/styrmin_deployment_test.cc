#include "styrmin/reconcile/styrmin_deployment.h"

#include <gtest/gtest.h>

namespace styrmin::reconcile {
namespace {

DesiredDeployment Sample() {
  DesiredDeployment d;
  d.deployment_id = "dp-1";
  d.name = "grafana";
  d.environment = "prod";
  d.driver_name = "grafana";
  d.driver_version = "1.0.0";
  d.driver_digest = "sha256:abc";
  d.application_version = "12.2.1";
  d.phase = "running";
  d.instance_id = "in-1";
  d.context =
      Json{{"instance", {{"namespace", "prod-grafana"}, {"release_name", "grafana"}}},
           {"parameters", {{"admin_password", {{"secret_name", "s"}, {"secret_key", "k"}}}}}};
  return d;
}

TEST(StyrminDeploymentManifest, NamesTheResourceAfterTheDeploymentInTheContextsNamespace) {
  auto manifest = StyrminDeploymentManifest(Sample());
  ASSERT_TRUE(manifest) << manifest.error().ToString();
  EXPECT_EQ((*manifest)["apiVersion"], "styrmin.io/v1alpha1");
  EXPECT_EQ((*manifest)["kind"], "StyrminDeployment");
  EXPECT_EQ((*manifest)["metadata"]["name"], "grafana");
  EXPECT_EQ((*manifest)["metadata"]["namespace"], "prod-grafana");
  EXPECT_EQ((*manifest)["metadata"]["labels"]["styrmin.io/deployment-id"], "dp-1");
  EXPECT_EQ((*manifest)["spec"]["driver"],
            (Json{{"name", "grafana"}, {"version", "1.0.0"}, {"digest", "sha256:abc"}}));
  EXPECT_EQ((*manifest)["spec"]["phase"], "running");
  EXPECT_EQ((*manifest)["spec"]["instanceId"], "in-1");
  EXPECT_EQ((*manifest)["spec"]["context"], Sample().context);
}

TEST(StyrminDeploymentManifest, RefusesAContextWithoutANamespaceOrAnEmptyField) {
  DesiredDeployment no_namespace = Sample();
  no_namespace.context = Json{{"instance", {{"release_name", "grafana"}}}};
  auto refused = StyrminDeploymentManifest(no_namespace);
  ASSERT_FALSE(refused);
  EXPECT_NE(refused.error().message().find("names no namespace"), std::string::npos);
  DesiredDeployment no_digest = Sample();
  no_digest.driver_digest.clear();
  refused = StyrminDeploymentManifest(no_digest);
  ASSERT_FALSE(refused);
  EXPECT_EQ(refused.error().message(), "a StyrminDeployment needs its driver digest");
}

}  // namespace
}  // namespace styrmin::reconcile
