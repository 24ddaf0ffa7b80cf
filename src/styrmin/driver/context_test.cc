#include "styrmin/driver/context.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <regex>
#include <set>
#include <string>
#include <utility>
#include <vector>

namespace styrmin::driver {
namespace {

constexpr const char* kSecretValue = "hunter2-never-shown";

Component MakeComponent(std::string name, std::string label_key, std::string label_value) {
  Component component;
  component.name = std::move(name);
  component.labels[std::move(label_key)] = std::move(label_value);
  return component;
}

Parameter MakeParameter(std::string name, ParameterKind kind) {
  Parameter parameter;
  parameter.name = std::move(name);
  parameter.label = parameter.name;
  parameter.kind = kind;
  return parameter;
}

Service MakeService(std::string name, std::string kind, ServiceScope scope, int port,
                    std::string component) {
  Service service;
  service.name = std::move(name);
  service.kind = std::move(kind);
  service.scope = scope;
  service.port = port;
  service.component = std::move(component);
  return service;
}

EnvVarOption MakeEnvVar(std::string name, std::string component,
                        std::optional<std::string> default_value) {
  EnvVarOption option;
  option.name = std::move(name);
  option.component = std::move(component);
  option.default_value = std::move(default_value);
  return option;
}

// Shaped like the public infrahub driver: three components, an external http service and an
// internal database one.
DriverSpec Infrahub() {
  DriverSpec spec;
  spec.name = "infrahub";
  spec.version = "3";
  spec.supported_versions = VersionRange::Parse(">=1.4,<2.0").value();
  spec.default_version = Version(1, 5, 2);
  spec.chart.kind = ChartSource::Kind::kOci;
  spec.chart.location = "oci://registry.opsmill.io/opsmill/chart/infrahub";
  spec.chart.version = "4.1.0";
  spec.components["server"] = MakeComponent("server", "app.kubernetes.io/component", "server");
  spec.components["task-worker"] =
      MakeComponent("task-worker", "app.kubernetes.io/component", "task-worker");
  spec.components["database"] = MakeComponent("database", "app.kubernetes.io/name", "neo4j");
  BackupStrategy backup;
  backup.kind = BackupKind::kNeo4j;
  spec.components["database"].backup = backup;

  Parameter log_level = MakeParameter("log_level", ParameterKind::kEnum);
  log_level.values = {"DEBUG", "INFO"};
  log_level.default_value = "INFO";
  Parameter license = MakeParameter("license_key", ParameterKind::kSecret);
  license.required = false;
  spec.parameters = {MakeParameter("admin_password", ParameterKind::kSecret), log_level,
                     MakeParameter("workers", ParameterKind::kInteger), license};

  spec.services = {MakeService("infrahub", "http", ServiceScope::kExternal, 8000, "server"),
                   MakeService("database", "tcp", ServiceScope::kInternal, 7687, "database")};
  spec.env_vars = {MakeEnvVar("INFRAHUB_LOG_LEVEL", "server", "INFO"),
                   MakeEnvVar("INFRAHUB_TIMEOUT", "server", std::nullopt),
                   MakeEnvVar("WORKER_COUNT", "task-worker", "4")};
  ContainerOverrideOption server_override;
  server_override.component = "server";
  spec.container_overrides = {server_override};
  return spec;
}

// A minimal valid input; tests change what they are about.
ContextInput BaseInput(const DriverSpec& driver) {
  ContextInput input;
  input.cluster = {"c-1", "prod-eu", Json::object()};
  input.environment = {"e-1", "staging", Json::object()};
  input.deployment = {"d-1", "main", Json::object()};
  input.driver = &driver;
  input.application_version = Version(1, 5, 2);
  input.parameters = {{"admin_password", kSecretValue},
                      {"log_level", "INFO"},
                      {"workers", 2},
                      {"license_key", nullptr}};
  return input;
}

Json Build(const ContextInput& input) {
  const Result<Json> context = BuildContext(input);
  EXPECT_TRUE(context) << context.error().ToString();
  return context.value_or(Json());
}

bool IsDnsLabel(const std::string& text, std::size_t max_length) {
  static const std::regex kLabel("^[a-z0-9]([-a-z0-9]*[a-z0-9])?$");
  return text.size() <= max_length && std::regex_match(text, kLabel);
}

TEST(BuildContext, BuildsTheFullShapeForAnInfrahubDeployment) {
  const DriverSpec driver = Infrahub();
  ContextInput input = BaseInput(driver);
  input.cluster.config = {{"cluster_domain", "k8s.example"},
                          {"fqdn_suffix", "apps.example.com"},
                          {"registry", {{"host", "r.example"}, {"insecure", false}}}};
  input.cluster_capabilities = {{"storage_classes", {"fast"}}};
  input.environment.name = "Staging";
  input.environment.config = {{"registry", {{"insecure", true}}}};
  input.deployment.name = "Main_Site";
  input.deployment.config = {{"components",
                              {{"server",
                                {{"replicas", 2},
                                 {"env_vars", {{"INFRAHUB_TIMEOUT", "30"}}},
                                 {"command", {"infrahub"}},
                                 {"args", {"server", "--debug"}}}}}}};

  const Json expected_config = {{"cluster_domain", "k8s.example"},
                                {"fqdn_suffix", "apps.example.com"},
                                {"registry", {{"host", "r.example"}, {"insecure", true}}},
                                {"components", input.deployment.config["components"]}};
  const Json expected = {
      {"cluster",
       {{"id", "c-1"},
        {"name", "prod-eu"},
        {"config", input.cluster.config},
        {"capabilities", {{"storage_classes", {"fast"}}}}}},
      {"environment", {{"id", "e-1"}, {"name", "Staging"}, {"config", input.environment.config}}},
      {"deployment", {{"id", "d-1"}, {"name", "Main_Site"}, {"config", input.deployment.config}}},
      {"instance",
       {{"config", expected_config},
        {"namespace", "staging-main-site"},
        {"release_name", "main-site"}}},
      {"app",
       {{"name", "infrahub"},
        {"version", "1.5.2"},
        {"driver_version", "3"},
        {"chart",
         {{"location", "oci://registry.opsmill.io/opsmill/chart/infrahub"},
          {"version", "4.1.0"}}}}},
      {"components",
       {{"server",
         {{"env_vars",
           {{{"name", "INFRAHUB_LOG_LEVEL"}, {"value", "INFO"}},
            {{"name", "INFRAHUB_TIMEOUT"}, {"value", "30"}}}},
          {"command", {"infrahub"}},
          {"args", {"server", "--debug"}},
          {"replicas", 2}}},
        {"task-worker",
         {{"env_vars", {{{"name", "WORKER_COUNT"}, {"value", "4"}}}},
          {"command", Json::array()},
          {"args", Json::array()},
          {"replicas", nullptr}}},
        {"database",
         {{"env_vars", Json::array()},
          {"command", Json::array()},
          {"args", Json::array()},
          {"replicas", nullptr}}}}},
      {"parameters",
       {{"admin_password",
         {{"secret_name", "main-site-parameters"}, {"secret_key", "admin_password"}}},
        {"log_level", "INFO"},
        {"workers", 2},
        {"license_key", nullptr}}},
      {"services",
       {{"infrahub",
         {{"name", "infrahub"},
          {"port", 8000},
          {"kind", "http"},
          {"scope", "external"},
          {"service_name", "main-site-infrahub"},
          {"host", "main-site-infrahub.staging-main-site.svc.k8s.example"},
          {"primary_fqdn", "infrahub-main-site-staging.apps.example.com"},
          {"human_readable_fqdn", "infrahub.main-site.staging.apps.example.com"}}},
        {"database",
         {{"name", "database"},
          {"port", 7687},
          {"kind", "tcp"},
          {"scope", "internal"},
          {"service_name", "main-site-database"},
          {"host", "main-site-database.staging-main-site.svc.k8s.example"},
          {"primary_fqdn", ""},
          {"human_readable_fqdn", ""}}}}},
  };
  const Json context = Build(input);
  EXPECT_EQ(context, expected) << "got:\n" << context.dump(2) << "\nwant:\n" << expected.dump(2);
}

TEST(BuildContext, MergesClusterThenEnvironmentThenDeploymentConfig) {
  const DriverSpec driver = Infrahub();
  ContextInput input = BaseInput(driver);
  input.cluster.config = {{"level", "cluster"},
                          {"only_cluster", 1},
                          {"nested", {{"a", "cluster"}, {"b", "cluster"}, {"c", "cluster"}}}};
  input.environment.config = {
      {"level", "environment"}, {"only_environment", 2}, {"nested", {{"b", "environment"}}}};
  input.deployment.config = {{"level", "deployment"}, {"nested", {{"c", "deployment"}}}};
  const Json context = Build(input);
  EXPECT_EQ(context["instance"]["config"],
            (Json{{"level", "deployment"},
                  {"only_cluster", 1},
                  {"only_environment", 2},
                  {"nested", {{"a", "cluster"}, {"b", "environment"}, {"c", "deployment"}}}}));
  EXPECT_EQ(context["cluster"]["config"], input.cluster.config) << "scopes keep their own config";
  EXPECT_EQ(context["environment"]["config"], input.environment.config);
  EXPECT_EQ(context["deployment"]["config"], input.deployment.config);
}

TEST(BuildContext, TreatsANullScopeConfigAsEmpty) {
  const DriverSpec driver = Infrahub();
  ContextInput input = BaseInput(driver);
  input.environment.config = nullptr;
  const Json context = Build(input);
  EXPECT_EQ(context["environment"]["config"], Json::object());
  EXPECT_EQ(context["instance"]["config"], Json::object());
}

TEST(BuildContext, AppliesDeploymentComponentSettingsOverEnvironmentOnes) {
  const DriverSpec driver = Infrahub();
  ContextInput input = BaseInput(driver);
  input.environment.config = {
      {"components", {{"server", {{"replicas", 3}, {"env_vars", {{"INFRAHUB_TIMEOUT", "10"}}}}}}}};
  input.deployment.config = {
      {"components", {{"server", {{"env_vars", {{"INFRAHUB_LOG_LEVEL", "DEBUG"}}}}}}}};
  const Json server = Build(input)["components"]["server"];
  EXPECT_EQ(server["replicas"], 3);
  EXPECT_EQ(server["env_vars"], (Json{{{"name", "INFRAHUB_LOG_LEVEL"}, {"value", "DEBUG"}},
                                      {{"name", "INFRAHUB_TIMEOUT"}, {"value", "10"}}}));
}

struct MergeCase {
  const char* name;
  Json base;
  Json over;
  Json merged;
};

TEST(MergeConfig, MergesObjectsDeeplyAndReplacesEverythingElse) {
  const std::vector<MergeCase> cases = {
      {"disjoint keys", {{"a", 1}}, {{"b", 2}}, {{"a", 1}, {"b", 2}}},
      {"a scalar replaces", {{"a", 1}}, {{"a", "x"}}, {{"a", "x"}}},
      {"nested objects merge",
       {{"a", {{"x", 1}, {"y", {{"deep", 1}, {"keep", true}}}}}},
       {{"a", {{"y", {{"deep", 2}}}, {"z", 3}}}},
       {{"a", {{"x", 1}, {"y", {{"deep", 2}, {"keep", true}}}, {"z", 3}}}}},
      {"arrays replace, not append", {{"a", {1, 2}}}, {{"a", {3}}}, {{"a", {3}}}},
      {"null replaces", {{"a", {{"x", 1}}}}, {{"a", nullptr}}, {{"a", nullptr}}},
      {"an object replaces a scalar", {{"a", 1}}, {{"a", {{"x", 1}}}}, {{"a", {{"x", 1}}}}},
      {"a scalar replaces an object", {{"a", {{"x", 1}}}}, {{"a", 1}}, {{"a", 1}}},
      {"an empty object changes nothing", {{"a", {{"x", 1}}}}, Json::object(), {{"a", {{"x", 1}}}}},
      {"a non-object replaces the whole", {{"a", 1}}, Json::array({1}), Json::array({1})},
      {"a null replaces the whole", {{"a", 1}}, Json(), Json()},
      {"an object replaces a non-object base", Json(5), {{"a", 1}}, {{"a", 1}}},
  };
  for (const MergeCase& c : cases) {
    SCOPED_TRACE(c.name);
    EXPECT_EQ(MergeConfig(c.base, c.over), c.merged);
  }
}

struct LabelCase {
  const char* text;
  std::size_t max_length;
  const char* label;
};

TEST(DnsLabel, SanitisesTextIntoALabel) {
  const std::vector<LabelCase> cases = {
      {"main", 63, "main"},    {"Main_Site", 63, "main-site"},
      {"--A--B--", 63, "a-b"}, {"a  b..c", 63, "a-b-c"},
      {"1st", 63, "1st"},      {"caf\xc3\xa9 bar", 63, "caf-bar"},
      {"", 63, "x"},           {"___", 63, "x"},
      {"\xc3\xa9", 63, "x"},   {"abcdefghij", 10, "abcdefghij"},
  };
  for (const LabelCase& c : cases) {
    SCOPED_TRACE(c.text);
    EXPECT_EQ(DnsLabel(c.text, c.max_length), c.label);
  }
}

// Generated names identify objects that already exist in clusters: changing the hash or the
// cut would orphan them, so these values are pinned.
TEST(DnsLabel, KeepsCutNamesStableAcrossVersions) {
  EXPECT_EQ(DnsLabel(std::string(100, 'a')), std::string(54, 'a') + "-0a0bb1d9");
  EXPECT_EQ(DnsLabel(std::string(100, 'a'), 53), std::string(44, 'a') + "-0a0bb1d9");
  EXPECT_EQ(DnsLabel(std::string(64, 'B')), std::string(54, 'b') + "-2b46edc5");
}

TEST(DnsLabel, CutsLongTextToAValidLabelWithAHashOfTheOriginal) {
  const std::vector<std::string> texts = {
      std::string(64, 'a'),
      std::string(100, 'a'),
      std::string(100, 'A'),
      std::string(53, 'a') + "-" + std::string(40, 'b'),  // '-' right at the cut
      std::string(53, 'a') + "__" + std::string(40, 'b'),
      std::string(52, 'a') + "-b" + std::string(40, 'c'),
      std::string(30, '_') + std::string(70, 'z') + std::string(30, '_'),
      "environment-with-a-rather-long-name-for-testing/deployment-with-an-even-longer-name",
  };
  for (const std::size_t max_length : {std::size_t{10}, std::size_t{53}, std::size_t{63}}) {
    std::set<std::string> labels;
    for (const std::string& text : texts) {
      SCOPED_TRACE(text + " max " + std::to_string(max_length));
      const std::string label = DnsLabel(text, max_length);
      EXPECT_TRUE(IsDnsLabel(label, max_length)) << label;
      EXPECT_EQ(label, DnsLabel(text, max_length)) << "deterministic";
      EXPECT_THAT(label, ::testing::MatchesRegex(".*-[0-9a-f]{8}"));
      labels.insert(label);
    }
    EXPECT_EQ(labels.size(), texts.size()) << "distinct inputs stay distinct";
  }
}

TEST(DnsLabel, KeepsTextThatDiffersOnlyAfterTheCutDistinct) {
  const std::string prefix(100, 'n');
  EXPECT_NE(DnsLabel(prefix + "1"), DnsLabel(prefix + "2"));
  EXPECT_NE(DnsLabel(prefix + "1", 53), DnsLabel(prefix + "2", 53));
}

TEST(BuildContext, DerivesTheNamespaceFromEnvironmentAndDeployment) {
  const DriverSpec driver = Infrahub();
  ContextInput input = BaseInput(driver);
  input.environment.name = "QA Team";
  input.deployment.name = "Infrahub.Main";
  const Json instance = Build(input)["instance"];
  EXPECT_EQ(instance["namespace"], "qa-team-infrahub-main");
  EXPECT_EQ(instance["release_name"], "infrahub-main");
}

TEST(BuildContext, TakesTheNamespaceFromConfigLaterScopesWinning) {
  const DriverSpec driver = Infrahub();
  ContextInput input = BaseInput(driver);
  input.cluster.config = {{"namespace", "from-cluster"}};
  EXPECT_EQ(Build(input)["instance"]["namespace"], "from-cluster");
  input.deployment.config = {{"namespace", "from-deployment"}};
  const Json context = Build(input);
  EXPECT_EQ(context["instance"]["namespace"], "from-deployment");
  EXPECT_EQ(context["services"]["infrahub"]["host"],
            "main-infrahub.from-deployment.svc.cluster.local");
  input.deployment.config = {{"namespace", nullptr}};
  EXPECT_EQ(Build(input)["instance"]["namespace"], "staging-main") << "null unsets";
  input.deployment.config = {{"namespace", std::string(63, 'n')}};
  EXPECT_EQ(Build(input)["instance"]["namespace"], std::string(63, 'n'));
}

TEST(BuildContext, RefusesANamespaceThatIsNotADnsLabel) {
  const DriverSpec driver = Infrahub();
  for (const Json& bad :
       {Json("Upper"), Json("under_score"), Json("-lead"), Json("trail-"), Json(""), Json("a.b"),
        Json(std::string(64, 'n')), Json(42), Json::array({"ns"})}) {
    SCOPED_TRACE(DumpJson(bad));
    ContextInput input = BaseInput(driver);
    input.environment.config = {{"namespace", bad}};
    const Result<Json> context = BuildContext(input);
    ASSERT_FALSE(context);
    EXPECT_EQ(context.error().code(), ErrorCode::kInvalidArgument);
    EXPECT_THAT(context.error().message(), ::testing::StartsWith("config key \"namespace\": "));
  }
}

TEST(BuildContext, KeepsGeneratedNamesShortValidAndDistinctForLongInputs) {
  const DriverSpec driver = Infrahub();
  const std::string long_environment(100, 'e');
  std::set<std::string> names;
  for (const std::string& deployment : {std::string(99, 'D') + "1", std::string(99, 'D') + "2",
                                        std::string(50, 'x') + "_" + std::string(49, 'y')}) {
    SCOPED_TRACE(deployment);
    ContextInput input = BaseInput(driver);
    input.environment.name = long_environment;
    input.deployment.name = deployment;
    input.cluster.config = {{"fqdn_suffix", "apps.example.com"}};
    const Json context = Build(input);

    const std::string name_space = context["instance"]["namespace"];
    const std::string release_name = context["instance"]["release_name"];
    EXPECT_TRUE(IsDnsLabel(name_space, 63)) << name_space;
    EXPECT_TRUE(IsDnsLabel(release_name, 53)) << release_name;
    const Json& service = context["services"]["infrahub"];
    EXPECT_TRUE(IsDnsLabel(service["service_name"], 63)) << service["service_name"];
    EXPECT_TRUE(IsDnsLabel(context["parameters"]["admin_password"]["secret_name"], 63));

    const std::string primary = service["primary_fqdn"];
    ASSERT_TRUE(primary.ends_with(".apps.example.com")) << primary;
    EXPECT_TRUE(IsDnsLabel(primary.substr(0, primary.find('.')), 63)) << primary;
    const std::string human = service["human_readable_fqdn"];
    ASSERT_TRUE(human.ends_with(".apps.example.com")) << human;
    const std::string labels =
        human.substr(0, human.size() - std::string(".apps.example.com").size());
    std::size_t start = 0;
    for (int i = 0; i < 3; ++i) {
      const std::size_t end = labels.find('.', start);
      const std::string label = labels.substr(start, end - start);
      EXPECT_TRUE(IsDnsLabel(label, 63)) << label;
      start = end == std::string::npos ? labels.size() : end + 1;
    }

    for (const std::string& name :
         {name_space, release_name, service["service_name"].get<std::string>(), primary}) {
      EXPECT_TRUE(names.insert(name).second) << "repeated " << name;
    }
  }
}

TEST(BuildContext, CutsLongNamespacesWithAHashSuffix) {
  const DriverSpec driver = Infrahub();
  ContextInput input = BaseInput(driver);
  input.environment.name = std::string(40, 'e');
  input.deployment.name = std::string(40, 'd');
  const std::string name_space = Build(input)["instance"]["namespace"];
  EXPECT_EQ(name_space.size(), 63u);
  EXPECT_EQ(name_space, DnsLabel(input.environment.name + "-" + input.deployment.name));
  EXPECT_THAT(name_space, ::testing::MatchesRegex("e+-d+-[0-9a-f]{8}"));
}

TEST(BuildContext, BuildsInClusterHostsUnderTheClusterDomain) {
  const DriverSpec driver = Infrahub();
  ContextInput input = BaseInput(driver);
  EXPECT_EQ(Build(input)["services"]["database"]["host"],
            "main-database.staging-main.svc.cluster.local");
  input.cluster.config = {{"cluster_domain", "corp.internal"}};
  EXPECT_EQ(Build(input)["services"]["database"]["host"],
            "main-database.staging-main.svc.corp.internal");
}

TEST(BuildContext, GivesExternalHostNamesOnlyWithAnFqdnSuffix) {
  const DriverSpec driver = Infrahub();
  struct Case {
    const char* name;
    Json config;
    const char* primary;
    const char* human_readable;
  };
  const std::vector<Case> cases = {
      {"no suffix", Json::object(), "", ""},
      {"an empty suffix", {{"fqdn_suffix", ""}}, "", ""},
      {"a null suffix", {{"fqdn_suffix", nullptr}}, "", ""},
      {"a suffix",
       {{"fqdn_suffix", "example.org"}},
       "infrahub-main-staging.example.org",
       "infrahub.main.staging.example.org"},
  };
  for (const Case& c : cases) {
    SCOPED_TRACE(c.name);
    ContextInput input = BaseInput(driver);
    input.environment.config = c.config;
    const Json services = Build(input)["services"];
    EXPECT_EQ(services["infrahub"]["primary_fqdn"], c.primary);
    EXPECT_EQ(services["infrahub"]["human_readable_fqdn"], c.human_readable);
    EXPECT_EQ(services["database"]["primary_fqdn"], "") << "internal services get none";
    EXPECT_EQ(services["database"]["human_readable_fqdn"], "");
  }
}

TEST(BuildContext, IncludesEnvVarDefaultsAndLetsConfigOverrideThem) {
  const DriverSpec driver = Infrahub();
  struct Case {
    const char* name;
    Json server_env_vars;
    Json expected;
  };
  const std::vector<Case> cases = {
      {"defaults only", nullptr, {{{"name", "INFRAHUB_LOG_LEVEL"}, {"value", "INFO"}}}},
      {"a default overridden",
       {{"INFRAHUB_LOG_LEVEL", "DEBUG"}},
       {{{"name", "INFRAHUB_LOG_LEVEL"}, {"value", "DEBUG"}}}},
      {"a variable without a default, sorted in",
       {{"INFRAHUB_TIMEOUT", "5"}},
       {{{"name", "INFRAHUB_LOG_LEVEL"}, {"value", "INFO"}},
        {{"name", "INFRAHUB_TIMEOUT"}, {"value", "5"}}}},
      {"null restores the default",
       {{"INFRAHUB_LOG_LEVEL", nullptr}},
       {{{"name", "INFRAHUB_LOG_LEVEL"}, {"value", "INFO"}}}},
      {"an empty value is a value",
       {{"INFRAHUB_LOG_LEVEL", ""}},
       {{{"name", "INFRAHUB_LOG_LEVEL"}, {"value", ""}}}},
  };
  for (const Case& c : cases) {
    SCOPED_TRACE(c.name);
    ContextInput input = BaseInput(driver);
    if (!c.server_env_vars.is_null()) {
      input.deployment.config = {{"components", {{"server", {{"env_vars", c.server_env_vars}}}}}};
    }
    const Json components = Build(input)["components"];
    EXPECT_EQ(components["server"]["env_vars"], c.expected);
    EXPECT_EQ(components["task-worker"]["env_vars"],
              (Json{{{"name", "WORKER_COUNT"}, {"value", "4"}}}));
  }
}

TEST(BuildContext, AcceptsZeroReplicasToStopAComponent) {
  const DriverSpec driver = Infrahub();
  ContextInput input = BaseInput(driver);
  input.deployment.config = {{"components", {{"database", {{"replicas", 0}}}}}};
  EXPECT_EQ(Build(input)["components"]["database"]["replicas"], 0);
}

struct ErrorCase {
  const char* name;
  Json config;
  const char* message;  // the start of the error message
};

TEST(BuildContext, RefusesConfigOfTheWrongShapeNamingTheKey) {
  const DriverSpec driver = Infrahub();
  const std::vector<ErrorCase> cases = {
      {"components not an object",
       {{"components", {"server"}}},
       "config key \"components\": expected an object"},
      {"a component the driver does not have",
       {{"components", {{"web", {{"replicas", 1}}}}}},
       "config key \"components.web\": the driver has no component \"web\" (it has: database, "
       "server, task-worker)"},
      {"a component config not an object",
       {{"components", {{"server", 3}}}},
       "config key \"components.server\": expected an object, got 3"},
      {"an unknown component setting",
       {{"components", {{"server", {{"replica", 2}}}}}},
       "config key \"components.server.replica\": unknown key"},
      {"env vars not an object",
       {{"components", {{"server", {{"env_vars", {"A=1"}}}}}}},
       "config key \"components.server.env_vars\": expected an object"},
      {"an env var the driver does not offer",
       {{"components", {{"server", {{"env_vars", {{"NOPE", "1"}}}}}}}},
       "config key \"components.server.env_vars.NOPE\": the driver does not offer env var "
       "\"NOPE\" for component \"server\" (it offers: INFRAHUB_LOG_LEVEL, INFRAHUB_TIMEOUT)"},
      {"an env var offered for another component",
       {{"components", {{"server", {{"env_vars", {{"WORKER_COUNT", "1"}}}}}}}},
       "config key \"components.server.env_vars.WORKER_COUNT\": the driver does not offer env "
       "var"},
      {"an env var on a component offering none",
       {{"components", {{"database", {{"env_vars", {{"X", "1"}}}}}}}},
       "config key \"components.database.env_vars.X\": the driver does not offer env var \"X\" "
       "for component \"database\" (it offers: none)"},
      {"an env var that is not a string",
       {{"components", {{"server", {{"env_vars", {{"INFRAHUB_TIMEOUT", 30}}}}}}}},
       "config key \"components.server.env_vars.INFRAHUB_TIMEOUT\": expected a string, got 30"},
      {"a command override the driver does not offer",
       {{"components", {{"database", {{"command", {"neo4j"}}}}}}},
       "config key \"components.database.command\": the driver does not allow overriding the "
       "command of component \"database\""},
      {"an args override the driver does not offer",
       {{"components", {{"task-worker", {{"args", {"--fast"}}}}}}},
       "config key \"components.task-worker.args\": the driver does not allow overriding the "
       "args of component \"task-worker\""},
      {"a command that is not an array",
       {{"components", {{"server", {{"command", "infrahub server"}}}}}},
       "config key \"components.server.command\": expected an array of strings"},
      {"args with a non-string element",
       {{"components", {{"server", {{"args", {"a", 1}}}}}}},
       "config key \"components.server.args[1]\": expected a string, got 1"},
      {"negative replicas",
       {{"components", {{"server", {{"replicas", -1}}}}}},
       "config key \"components.server.replicas\": expected a non-negative integer"},
      {"fractional replicas",
       {{"components", {{"server", {{"replicas", 1.5}}}}}},
       "config key \"components.server.replicas\": expected a non-negative integer"},
      {"replicas as a string",
       {{"components", {{"server", {{"replicas", "2"}}}}}},
       "config key \"components.server.replicas\": expected a non-negative integer"},
      {"replicas as a boolean",
       {{"components", {{"server", {{"replicas", true}}}}}},
       "config key \"components.server.replicas\": expected a non-negative integer"},
      {"replicas beyond int32",
       {{"components", {{"server", {{"replicas", 2147483648}}}}}},
       "config key \"components.server.replicas\": expected a non-negative integer"},
      {"a cluster domain that is not a string",
       {{"cluster_domain", 5}},
       "config key \"cluster_domain\": expected a string, got 5"},
      {"an empty cluster domain", {{"cluster_domain", ""}}, "config key \"cluster_domain\": "},
      {"an fqdn suffix that is not a string",
       {{"fqdn_suffix", {"example.org"}}},
       "config key \"fqdn_suffix\": expected a string, got [\"example.org\"]"},
      {"a namespace that is not a string",
       {{"namespace", 42}},
       "config key \"namespace\": expected a string, got 42"},
  };
  for (const ErrorCase& c : cases) {
    SCOPED_TRACE(c.name);
    ContextInput input = BaseInput(driver);
    input.deployment.config = c.config;
    const Result<Json> context = BuildContext(input);
    ASSERT_FALSE(context) << context->dump();
    EXPECT_EQ(context.error().code(), ErrorCode::kInvalidArgument);
    EXPECT_THAT(context.error().message(), ::testing::StartsWith(c.message));
  }
}

TEST(BuildContext, RefusesAScopeConfigThatIsNotAnObject) {
  const DriverSpec driver = Infrahub();
  ContextInput input = BaseInput(driver);
  input.deployment.config = Json::array({1});
  const Result<Json> context = BuildContext(input);
  ASSERT_FALSE(context);
  EXPECT_EQ(context.error().code(), ErrorCode::kInvalidArgument);
  EXPECT_EQ(context.error().message(), "deployment config: expected an object, got array");
}

TEST(BuildContext, RefusesParametersThatAreNotAnObject) {
  const DriverSpec driver = Infrahub();
  ContextInput input = BaseInput(driver);
  input.parameters = "admin_password";
  const Result<Json> context = BuildContext(input);
  ASSERT_FALSE(context);
  EXPECT_EQ(context.error().code(), ErrorCode::kInvalidArgument);
}

TEST(BuildContext, RefusesAMissingDriver) {
  const DriverSpec driver = Infrahub();
  ContextInput input = BaseInput(driver);
  input.driver = nullptr;
  const Result<Json> context = BuildContext(input);
  ASSERT_FALSE(context);
  EXPECT_EQ(context.error().code(), ErrorCode::kInvalidArgument);
}

TEST(BuildContext, NeverPutsASecretParameterValueInTheContext) {
  const DriverSpec driver = Infrahub();
  ContextInput input = BaseInput(driver);
  input.parameters["license_key"] = "license-" + std::string(kSecretValue);
  input.deployment.name = "secret-holder";
  input.cluster.config = {{"fqdn_suffix", "example.org"}};
  const Json context = Build(input);
  EXPECT_EQ(DumpJson(context).find(kSecretValue), std::string::npos) << context.dump(2);
  EXPECT_EQ(context["parameters"]["admin_password"],
            (Json{{"secret_name", "secret-holder-parameters"}, {"secret_key", "admin_password"}}));
  EXPECT_EQ(context["parameters"]["license_key"],
            (Json{{"secret_name", "secret-holder-parameters"}, {"secret_key", "license_key"}}));
}

TEST(BuildContext, CarriesTheVersionOfASecretThatHasOne) {
  const DriverSpec driver = Infrahub();
  ContextInput input = BaseInput(driver);
  input.deployment.name = "secret-holder";
  input.secret_versions["admin_password"] = "hmac-sha256:0123456789abcdef";
  input.secret_versions["not_a_parameter"] = "hmac-sha256:ffffffffffffffff";
  const Json context = Build(input);
  EXPECT_EQ(context["parameters"]["admin_password"],
            (Json{{"secret_name", "secret-holder-parameters"},
                  {"secret_key", "admin_password"},
                  {"secret_version", "hmac-sha256:0123456789abcdef"}}));
  EXPECT_FALSE(context["parameters"].contains("not_a_parameter"));
}

}  // namespace
}  // namespace styrmin::driver
