#include "styrmin/driver/spec.h"

#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "styrmin/driver/testing/sample_driver.h"

namespace styrmin::driver {
namespace {

using testing::kSampleSpec;

// The sample spec with `from` replaced by `to` (which must occur).
std::string Edit(const std::string& from, const std::string& to) {
  std::string text = kSampleSpec;
  const auto at = text.find(from);
  EXPECT_NE(at, std::string::npos) << "the sample has no " << from;
  if (at != std::string::npos) text.replace(at, from.size(), to);
  return text;
}

std::string Dump(const std::vector<Problem>& problems) { return JoinProblems(problems); }

TEST(ParseSpec, ReadsEveryFieldOfTheSample) {
  const SpecParse parsed = ParseSpec(kSampleSpec);
  ASSERT_TRUE(parsed.spec) << Dump(parsed.problems);
  const DriverSpec& s = *parsed.spec;
  EXPECT_EQ(s.name, "infrahub");
  EXPECT_EQ(s.version, "3");
  EXPECT_EQ(s.supported_versions.text(), ">=1.4,<2.0");
  EXPECT_EQ(s.default_version.ToString(), "1.5.2");
  EXPECT_EQ(s.info.authors, std::vector<std::string>{"OpsMill"});
  ASSERT_EQ(s.info.links.size(), 1U);
  EXPECT_EQ(s.info.links[0].url, "https://docs.infrahub.app");
  EXPECT_EQ(s.chart.kind, ChartSource::Kind::kLocal);
  EXPECT_EQ(s.chart.location, "chart");
  EXPECT_EQ(s.chart.version, "4.1.0");
  ASSERT_EQ(s.components.size(), 4U);
  EXPECT_EQ(s.components.at("server").labels.at("app.kubernetes.io/component"), "server");
  ASSERT_TRUE(s.components.at("database").backup);
  EXPECT_EQ(s.components.at("database").backup->kind, BackupKind::kNeo4j);
  EXPECT_EQ(s.components.at("cache").backup->volumes, std::vector<std::string>{"data"});
  ASSERT_EQ(s.parameters.size(), 5U);
  EXPECT_EQ(s.parameters[0].kind, ParameterKind::kSecret);
  EXPECT_TRUE(s.parameters[0].required);
  EXPECT_EQ(s.parameters[0].pattern, ".{12,}");
  EXPECT_EQ(s.parameters[1].values, (std::vector<std::string>{"DEBUG", "INFO", "WARNING"}));
  EXPECT_EQ(s.parameters[1].default_value, Json("INFO"));
  EXPECT_FALSE(s.parameters[1].required);
  EXPECT_EQ(s.parameters[2].min, 1);
  EXPECT_EQ(s.parameters[2].max, 16);
  EXPECT_FALSE(s.parameters[4].required);
  EXPECT_FALSE(s.parameters[4].default_value);
  EXPECT_EQ(s.parameters[0].label, "Admin password");
  EXPECT_EQ(s.parameters[2].label, "workers");  // defaults to the name
  ASSERT_EQ(s.services.size(), 2U);
  EXPECT_EQ(s.services[0].scope, ServiceScope::kExternal);
  EXPECT_EQ(s.services[1].scope, ServiceScope::kInternal);  // the default
  EXPECT_EQ(s.services[1].port, 7687);
  ASSERT_EQ(s.env_vars.size(), 1U);
  EXPECT_EQ(s.env_vars[0].default_value, "INFO");
  ASSERT_EQ(s.container_overrides.size(), 1U);
  ASSERT_EQ(s.actions.size(), 3U);
  EXPECT_EQ(s.actions[0].mode, Mode::kPre);
  EXPECT_EQ(s.actions[1].file, "actions.py");
  EXPECT_EQ(s.actions[1].function, "migrate");
  EXPECT_EQ(s.actions[1].timeout_seconds, 900);
  EXPECT_EQ(s.actions[2].timeout_seconds, 600);
  EXPECT_EQ(s.FindService("bolt"), &s.services[1]);
  EXPECT_EQ(s.FindParameter("nope"), nullptr);
}

TEST(ParseSpec, SpecToJsonParsesBackToTheSameSpec) {
  const SpecParse first = ParseSpec(kSampleSpec);
  ASSERT_TRUE(first.spec) << Dump(first.problems);
  const Json json = SpecToJson(*first.spec);
  const SpecParse second = ParseSpec(json.dump());
  ASSERT_TRUE(second.spec) << Dump(second.problems);
  EXPECT_EQ(SpecToJson(*second.spec), json);
}

TEST(ParseSpec, AcceptsAnIntegerDriverVersionAsThePublicFormatWritesIt) {
  const SpecParse parsed = ParseSpec(Edit("version: \"3\"", "version: 3"));
  ASSERT_TRUE(parsed.spec) << Dump(parsed.problems);
  EXPECT_EQ(parsed.spec->version, "3");
}

TEST(ParseSpec, AcceptsChartsFromRepositories) {
  const SpecParse oci =
      ParseSpec(Edit("location: ./chart", "location: oci://registry.example/charts/infrahub"));
  ASSERT_TRUE(oci.spec) << Dump(oci.problems);
  EXPECT_EQ(oci.spec->chart.kind, ChartSource::Kind::kOci);
  const SpecParse https = ParseSpec(Edit("location: ./chart", "location: https://charts.example"));
  ASSERT_TRUE(https.spec) << Dump(https.problems);
  EXPECT_EQ(https.spec->chart.kind, ChartSource::Kind::kRepository);
}

TEST(ParseSpec, ReportsEveryProblemAtOnceWithItsPath) {
  std::string text = Edit("kind: enum, values", "kind: float, values");
  text.replace(text.find("port: 8000"), 10, "port: 99999");
  text.replace(text.find("component: database}"), 20, "component: db}");
  text.replace(text.find("hook: setup"), 11, "hook: install");
  const SpecParse parsed = ParseSpec(text);
  EXPECT_FALSE(parsed.spec);
  std::vector<std::string> paths;
  for (const auto& p : parsed.problems) paths.push_back(p.path);
  EXPECT_EQ(paths, (std::vector<std::string>{"spec.parameters[1].kind", "spec.services[0].port",
                                             "spec.services[1].component", "spec.actions[2].hook"}))
      << Dump(parsed.problems);
  EXPECT_EQ(parsed.problems[0].ToString(),
            "spec.parameters[1].kind: unknown kind \"float\" (expected one of: string, integer, "
            "boolean, enum, secret)");
}

struct Case {
  const char* name;
  std::string text;
  std::string path;
  std::string message;  // a part of the message
};

TEST(ParseSpec, NamesThePathAndTheReasonOfEachProblem) {
  const std::vector<Case> cases = {
      {"wrong api version", Edit("styrmin.io/v1", "styrmin.io/v2"), "apiVersion",
       "unsupported apiVersion \"styrmin.io/v2\""},
      {"wrong kind", Edit("kind: ApplicationDriver", "kind: Driver"), "kind", "unsupported kind"},
      {"bad name", Edit("name: infrahub", "name: Infra_Hub"), "metadata.name",
       "not a valid driver name"},
      {"missing spec version", Edit("  version: \"3\"\n", ""), "spec.version",
       "required field is missing"},
      {"bad range", Edit(">=1.4,<2.0", ">=1.4,<<2.0"), "spec.supported_versions", ""},
      {"default outside range", Edit("default_version: \"1.5.2\"", "default_version: \"2.1.0\""),
       "spec.default_version", "2.1.0 is outside supported_versions \">=1.4,<2.0\""},
      {"unquoted float version", Edit("default_version: \"1.5.2\"", "default_version: 1.5"),
       "spec.default_version", "quote it"},
      {"unknown field", Edit("  helm:", "  helmet: 1\n  helm:"), "spec.helmet", "unknown field"},
      {"non-http link", Edit("https://docs.infrahub.app", "ftp://docs"), "spec.info.links[0].url",
       "not an http(s) URL"},
      {"bad chart scheme", Edit("location: ./chart", "location: s3://bucket/chart"),
       "spec.helm.main.location", "unsupported chart location"},
      {"chart escaping the driver", Edit("location: ./chart", "location: ../chart"),
       "spec.helm.main.location", "inside the driver"},
      {"remote chart without version",
       Edit("{location: ./chart, version: \"4.1.0\"}", "{location: oci://r.example/c}"),
       "spec.helm.main.version", "required for a chart from a repository"},
      {"component without identifier",
       Edit("identifier: {label: {app.kubernetes.io/component: server}}", "backup: {kind: neo4j}"),
       "spec.components.server.identifier", "required field is missing"},
      {"empty selector", Edit("{label: {app.kubernetes.io/component: server}}", "{label: {}}"),
       "spec.components.server.identifier.label", "non-empty mapping"},
      {"numeric label value", Edit("app.kubernetes.io/component: server}", "tier: 1}"),
       "spec.components.server.identifier.label.tier", "quote it"},
      {"bad label key", Edit("app.kubernetes.io/component: server}", "-bad: x}"),
       "spec.components.server.identifier.label.-bad", "not a valid label key"},
      {"unknown backup kind", Edit("backup: {kind: neo4j}", "backup: {kind: tape}"),
       "spec.components.database.backup.kind", "unknown backup kind \"tape\""},
      {"disk backup without volume", Edit("{kind: disk, volume: data}", "{kind: disk}"),
       "spec.components.cache.backup", "names its volume"},
      {"volume on a database backup", Edit("{kind: neo4j}", "{kind: neo4j, volume: data}"),
       "spec.components.database.backup.volume", "only a backup of kind disk"},
      {"action backup without actions", Edit("{kind: neo4j}", "{kind: action}"),
       "spec.components.database.backup.kind", "hook backup"},
      {"duplicate parameter", Edit("name: workers", "name: log_level"), "spec.parameters[2].name",
       "duplicate parameter \"log_level\" (first at spec.parameters[1])"},
      {"bad parameter name", Edit("name: workers", "name: 2workers"), "spec.parameters[2].name",
       "not a valid parameter name"},
      {"enum without values", Edit("kind: enum, values: [DEBUG, INFO, WARNING],", "kind: enum,"),
       "spec.parameters[1].values", "lists its values"},
      {"enum default outside values", Edit("default: INFO}", "default: TRACE}"),
       "spec.parameters[1].default", "\"TRACE\" is not one of the values (DEBUG, INFO, WARNING)"},
      {"values on a string", Edit("kind: string, required", "kind: string, values: [a], required"),
       "spec.parameters[4].values", "only an enum parameter has values"},
      {"integer default of the wrong type", Edit("default: 2,", "default: two,"),
       "spec.parameters[2].default", "expected an integer default, got \"two\""},
      {"default above max", Edit("default: 2,", "default: 20,"), "spec.parameters[2].default",
       "20 is above the maximum 16"},
      {"min above max", Edit("min: 1, max: 16", "min: 17, max: 16"), "spec.parameters[2]",
       "min 17 is above max 16"},
      {"min on a boolean", Edit("default: false}", "default: false, min: 1}"),
       "spec.parameters[3].min", "only an integer parameter"},
      {"bad pattern", Edit("pattern: \".{12,}\"", "pattern: \"([a-z\""),
       "spec.parameters[0].pattern", "not a valid regular expression"},
      {"secret with a default", Edit("kind: secret,", "kind: secret, default: hunter2hunter2,"),
       "spec.parameters[0].default", "a secret parameter has no default"},
      {"required with a default", Edit("default: false}", "default: false, required: true}"),
       "spec.parameters[3].required", "a parameter with a default is not required"},
      {"boolean default as text", Edit("default: false}", "default: \"no\"}"),
       "spec.parameters[3].default", "expected true or false"},
      {"unknown service kind", Edit("kind: http,", "kind: smtp,"), "spec.services[0].kind",
       "unknown service kind \"smtp\""},
      {"unknown scope", Edit("scope: external", "scope: public"), "spec.services[0].scope",
       "unknown scope \"public\""},
      {"port as text", Edit("port: 8000", "port: \"8000\""), "spec.services[0].port",
       "expected an integer"},
      {"duplicate service", Edit("name: bolt", "name: infrahub"), "spec.services[1].name",
       "duplicate service"},
      {"env var on an unknown component",
       Edit("INFRAHUB_LOG_LEVEL, component: server", "INFRAHUB_LOG_LEVEL, component: api"),
       "spec.env_vars[0].component", "unknown component \"api\""},
      {"bad env var name", Edit("INFRAHUB_LOG_LEVEL", "LOG-LEVEL"), "spec.env_vars[0].name",
       "not a valid environment variable name"},
      {"override of an unknown component", Edit("{component: task-worker,", "{component: tw,"),
       "spec.container_overrides[0].component", "unknown component \"tw\""},
      {"location without function", Edit("actions.py::migrate", "actions.py"),
       "spec.actions[1].location", "expected FILE::FUNCTION"},
      {"location outside the driver", Edit("actions.py::migrate", "../x.py::migrate"),
       "spec.actions[1].location", "not a Python file inside the driver"},
      {"unknown mode", Edit("mode: pre", "mode: before"), "spec.actions[0].mode",
       "unknown mode \"before\""},
      {"two core actions for one hook",
       Edit("mode: pre, location: \"actions.py::stop_workers\"",
            "mode: core, location: \"actions.py::stop_workers\"}\n    - {name: m2, hook: "
            "upgrade, mode: core, location: \"actions.py::migrate\""),
       "spec.actions[1].mode", "already has a core action"},
      {"duplicate action", Edit("name: setup,", "name: migrate,"), "spec.actions[2].name",
       "duplicate action"},
      {"timeout out of range", Edit("timeout: 900", "timeout: 0"), "spec.actions[1].timeout",
       "not a timeout in seconds"},
      {"components as a list",
       Edit("  components:\n    server:", "  components: []\n  x:\n    server:"), "spec.components",
       "expected a mapping of component names"},
      {"not a mapping at all", "- just\n- a list\n", "", "expected a mapping, got a list"},
      {"yaml syntax error", "spec: [unclosed\n", "driver.styrmin.yml", "line"},
      {"empty document", "", "", "expected a mapping, got nothing (null)"},
  };
  for (const Case& c : cases) {
    SCOPED_TRACE(c.name);
    const SpecParse parsed = ParseSpec(c.text);
    EXPECT_FALSE(parsed.spec);
    bool found = false;
    for (const Problem& p : parsed.problems) {
      if (p.path == c.path && p.message.find(c.message) != std::string::npos) found = true;
    }
    EXPECT_TRUE(found) << "expected " << c.path << ": ..." << c.message << "...\ngot:\n"
                       << Dump(parsed.problems);
  }
}

TEST(ParseSpec, RefusesHugeAndDeepInputWithAProblem) {
  const SpecParse huge = ParseSpec(std::string(2 << 20, 'a'));
  EXPECT_FALSE(huge.spec);
  ASSERT_FALSE(huge.problems.empty());
  std::string deep;
  for (int i = 0; i < 10000; ++i) deep += "[";
  const SpecParse nested = ParseSpec(deep);
  EXPECT_FALSE(nested.spec);
  ASSERT_FALSE(nested.problems.empty());
}

}  // namespace
}  // namespace styrmin::driver
