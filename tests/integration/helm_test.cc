// Proves the helm built with the plane installs a real release into it and waits for its
// workloads, as the agent's operator will.
#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <string>

#include "styrmin/core/json.h"
#include "support/kube_plane.h"

namespace styrmin::test {
namespace {

namespace fs = std::filesystem;

void WriteFile(const fs::path& path, const std::string& text) {
  fs::create_directories(path.parent_path());
  std::ofstream(path) << text;
}

class HelmOnPlane : public ::testing::Test {
 protected:
  void SetUp() override {
    chart_ = fs::temp_directory_path() / ("styrmin-chart-" + std::to_string(::getpid()));
    WriteFile(chart_ / "Chart.yaml", "apiVersion: v2\nname: hello\nversion: 0.1.0\n");
    WriteFile(chart_ / "values.yaml", "replicas: 2\ngreeting: hello\n");
    WriteFile(chart_ / "templates" / "all.yaml", R"(apiVersion: v1
kind: ConfigMap
metadata: {name: {{ .Release.Name }}-config}
data: {greeting: {{ .Values.greeting | quote }}}
---
apiVersion: apps/v1
kind: Deployment
metadata: {name: {{ .Release.Name }}}
spec:
  replicas: {{ .Values.replicas }}
  selector: {matchLabels: {app: {{ .Release.Name }}}}
  template:
    metadata: {labels: {app: {{ .Release.Name }}}}
    spec:
      containers: [{name: app, image: "registry.invalid/hello:0.1.0"}]
)");
  }
  void TearDown() override {
    std::error_code ec;
    fs::remove_all(chart_, ec);
  }

  fs::path chart_;
};

TEST_F(HelmOnPlane, InstallsWaitsListsAndUninstallsARelease) {
  const std::string ns = UniqueNamespace();
  auto installed = Helm({"install", "greeter", chart_.string(), "-n", ns, "--create-namespace",
                         "--set", "greeting=hi there", "--wait", "--timeout", "90s"});
  ASSERT_TRUE(installed) << installed.error().ToString();

  auto greeting =
      Kubectl({"get", "configmap", "greeter-config", "-n", ns, "-o", "jsonpath={.data.greeting}"});
  ASSERT_TRUE(greeting) << greeting.error().ToString();
  EXPECT_EQ(*greeting, "hi there");
  auto ready =
      Kubectl({"get", "deployment", "greeter", "-n", ns, "-o", "jsonpath={.status.readyReplicas}"});
  ASSERT_TRUE(ready) << ready.error().ToString();
  EXPECT_EQ(*ready, "2") << "--wait returned before the release's pods were ready";

  auto list = Helm({"list", "-n", ns, "-o", "json"});
  ASSERT_TRUE(list) << list.error().ToString();
  auto releases = ParseJson(*list);
  ASSERT_TRUE(releases) << *list;
  ASSERT_EQ(releases->size(), 1u) << *list;
  EXPECT_EQ((*releases)[0]["name"], "greeter");
  EXPECT_EQ((*releases)[0]["status"], "deployed");

  auto uninstalled = Helm({"uninstall", "greeter", "-n", ns, "--wait"});
  ASSERT_TRUE(uninstalled) << uninstalled.error().ToString();
  auto gone = Kubectl({"get", "configmap", "greeter-config", "-n", ns});
  EXPECT_FALSE(gone) << "the release's objects must be removed";
  EXPECT_TRUE(Kubectl({"delete", "namespace", ns, "--wait=false"}));
}

TEST_F(HelmOnPlane, AChartThatFailsToRenderIsAnErrorAndInstallsNothing) {
  WriteFile(chart_ / "templates" / "broken.yaml", "{{ .Values.missing.field }}\n");
  const std::string ns = UniqueNamespace();
  auto installed = Helm({"install", "broken", chart_.string(), "-n", ns, "--create-namespace"});
  ASSERT_FALSE(installed);
  EXPECT_NE(installed.error().message().find("nil pointer"), std::string::npos)
      << installed.error().message();
  auto list = Helm({"list", "-A", "-o", "json", "--filter", "^broken$"});
  ASSERT_TRUE(list) << list.error().ToString();
  auto releases = ParseJson(*list);
  ASSERT_TRUE(releases) << *list;
  EXPECT_EQ(releases->size(), 0u);
}

}  // namespace
}  // namespace styrmin::test
