#include "styrmin/kube/kubeconfig.h"

#include <gtest/gtest.h>

#include <string>

namespace styrmin::kube {
namespace {

constexpr std::string_view kInline = R"(
apiVersion: v1
kind: Config
clusters:
- name: local
  cluster:
    server: https://127.0.0.1:6443/
    certificate-authority-data: Q0EgQllURVM=
- name: other
  cluster: {server: "http://127.0.0.1:8001", insecure-skip-tls-verify: true}
users:
- name: admin
  user:
    client-certificate-data: Q0VSVA==
    client-key-data: S0VZ
- name: robot
  user: {tokenFile: secrets/token}
- name: plugin
  user: {exec: {command: aws}}
contexts:
- name: main
  context: {cluster: local, user: admin, namespace: styrmin}
- name: bot
  context: {cluster: other, user: robot}
- name: broken
  context: {cluster: local, user: plugin}
current-context: main
)";

TEST(Kubeconfig, ReadsTheCurrentContextWithInlineCredentials) {
  auto access = ParseKubeconfig(kInline, "", "/etc/kube");
  ASSERT_TRUE(access) << access.error().ToString();
  EXPECT_EQ(access->context, "main");
  EXPECT_EQ(access->server, "https://127.0.0.1:6443");
  EXPECT_EQ(access->namespace_name, "styrmin");
  EXPECT_EQ(access->certificate_authority.data.value(), "CA BYTES");
  EXPECT_EQ(access->client_certificate.data.value(), "CERT");
  EXPECT_EQ(access->client_key.data.value(), "KEY");
  EXPECT_TRUE(access->token.empty());
}

TEST(Kubeconfig, ResolvesRelativeFilesAgainstTheKubeconfigDirectory) {
  auto access = ParseKubeconfig(kInline, "bot", "/etc/kube");
  ASSERT_TRUE(access) << access.error().ToString();
  EXPECT_EQ(access->namespace_name, "default");
  EXPECT_TRUE(access->insecure_skip_tls_verify);
  EXPECT_EQ(access->token.file.value(), "/etc/kube/secrets/token");
}

TEST(Kubeconfig, RefusesCredentialPluginsByName) {
  auto access = ParseKubeconfig(kInline, "broken", "/");
  ASSERT_FALSE(access);
  EXPECT_EQ(access.error().message(),
            "users[plugin].user.exec: credential plugins are not supported; use a client "
            "certificate or a token");
}

TEST(Kubeconfig, NamesAMissingContext) {
  auto access = ParseKubeconfig(kInline, "nope", "/");
  ASSERT_FALSE(access);
  EXPECT_EQ(access.error().message(), "kubeconfig: contexts has no entry named \"nope\"");
}

TEST(Kubeconfig, ReportsBadBase64WithItsKeyPath) {
  auto access = ParseKubeconfig(R"(
clusters: [{name: c, cluster: {server: "https://x", certificate-authority-data: "!!"}}]
contexts: [{name: x, context: {cluster: c}}]
current-context: x
)",
                                "", "/");
  ASSERT_FALSE(access);
  EXPECT_EQ(access.error().message(),
            "clusters[c].cluster.certificate-authority-data: invalid base64");
}

TEST(Kubeconfig, RejectsACertificateWithoutAKey) {
  auto access = ParseKubeconfig(R"(
clusters: [{name: c, cluster: {server: "https://x"}}]
users: [{name: u, user: {client-certificate: a.crt}}]
contexts: [{name: x, context: {cluster: c, user: u}}]
current-context: x
)",
                                "", "/");
  ASSERT_FALSE(access);
  EXPECT_NE(access.error().message().find("needs a client key"), std::string::npos);
}

TEST(Kubeconfig, RejectsMalformedDocuments) {
  EXPECT_FALSE(ParseKubeconfig("", "", "/"));
  EXPECT_FALSE(ParseKubeconfig("[1, 2]", "", "/"));
  EXPECT_FALSE(ParseKubeconfig("current-context: x\n", "", "/"));
  EXPECT_FALSE(ParseKubeconfig("clusters: [}", "", "/"));
  auto bad_server = ParseKubeconfig(R"(
clusters: [{name: c, cluster: {server: "ftp://x"}}]
contexts: [{name: x, context: {cluster: c}}]
current-context: x
)",
                                    "", "/");
  ASSERT_FALSE(bad_server);
  EXPECT_NE(bad_server.error().message().find("expected an http(s) URL"), std::string::npos);
}

// Found by kubeconfig_fuzz: "https://" has no host, yet was accepted as "https:".
TEST(Kubeconfig, RejectsAServerUrlWithoutAHost) {
  for (const char* server :
       {"https://", "https:///", "http://", "https://:6443", "https://?x", "https://user@/x"}) {
    auto access = ParseKubeconfig(std::string(R"(
clusters: [{name: c, cluster: {server: ")") +
                                      server + R"("}}]
contexts: [{name: x, context: {cluster: c}}]
current-context: x
)",
                                  "", "/");
    ASSERT_FALSE(access) << server;
    EXPECT_NE(access.error().message().find("with a host"), std::string::npos);
  }
}

// Found by kubeconfig_fuzz: a non-string `name` made nlohmann's value() throw.
TEST(Kubeconfig, NonStringEntryNamesAreSkippedNotThrown) {
  auto access = ParseKubeconfig(R"(
clusters: [{name: [1], cluster: {}}, {name: c, cluster: {server: "https://x"}}]
contexts: [{name: 7, context: {}}, {name: x, context: {cluster: c}}]
current-context: x
)",
                                "", "/");
  ASSERT_TRUE(access) << access.error().ToString();
  EXPECT_EQ(access->server, "https://x");
}

TEST(Kubeconfig, LoadNamesTheFileWhenItIsMissing) {
  auto access = LoadKubeconfig("/nonexistent/kubeconfig");
  ASSERT_FALSE(access);
  EXPECT_EQ(access.error().code(), ErrorCode::kNotFound);
}

}  // namespace
}  // namespace styrmin::kube
