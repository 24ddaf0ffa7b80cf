// The example drivers of drivers/ end to end, short of running their images: each is loaded as
// the server loads it, its values are rendered by the real Python runtime from a context built
// for a sample deployment, its local chart is templated by helm with those values, and the
// manifests are checked against the driver's spec (components, services, secrets) and then by
// the plane's API server (a server-side dry run). The actions run against recording primitives.
#include <gtest/gtest.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <filesystem>
#include <fstream>
#include <map>
#include <set>
#include <string>
#include <vector>

#include "styrmin/core/json.h"
#include "styrmin/core/yaml.h"
#include "styrmin/driver/context.h"
#include "styrmin/driver/loader.h"
#include "styrmin/driver/parameters.h"
#include "styrmin/runtime/driver_runtime.h"
#include "support/kube_plane.h"

namespace styrmin::test {
namespace {

namespace fs = std::filesystem;
using std::chrono::milliseconds;

runtime::RuntimeConfig Config() { return {STYRMIN_PYTHON, STYRMIN_SOURCE_DIR "/python"}; }

fs::path DriverDir(const std::string& name) {
  return fs::path(STYRMIN_SOURCE_DIR) / "drivers" / name;
}

// A sample deployment of one example driver.
struct ExampleDriver {
  std::string name;
  Json parameters;           // every required parameter, and a few others
  Json deployment_config;    // components' env vars, replicas, overrides
  std::string secret_value;  // the value given to its secret parameter, "" without one
};

void PrintTo(const ExampleDriver& driver, std::ostream* out) { *out << driver.name; }

std::vector<ExampleDriver> ExampleDrivers() {
  return {
      {"infrahub",
       {{"admin_password", "Infrahub-Sample-Passw0rd!"},
        {"log_level", "DEBUG"},
        {"server_workers", 2},
        {"allow_anonymous_access", true}},
       {{"components",
         {{"server", {{"env_vars", {{"INFRAHUB_SECURITY_ACCESS_TOKEN_LIFETIME", "7200"}}}}},
          {"task-worker", {{"replicas", 3}, {"env_vars", {{"INFRAHUB_TIMEOUT", "120"}}}}}}}},
       "Infrahub-Sample-Passw0rd!"},
      {"semaphore",
       {{"admin_password", "Semaphore-Sample-Passw0rd!"},
        {"admin_email", "ops@example.test"},
        {"max_parallel_tasks", 4},
        {"git_client", "go_git"}},
       {{"components",
         {{"semaphore", {{"env_vars", {{"SEMAPHORE_SCHEDULE_TIMEZONE", "Europe/Paris"}}}}}}}},
       "Semaphore-Sample-Passw0rd!"},
      {"grafana",
       {{"admin_password", "Grafana-Sample-Passw0rd!"},
        {"anonymous_access", true},
        {"log_level", "warn"}},
       {{"components",
         {{"grafana", {{"env_vars", {{"GF_FEATURE_TOGGLES_ENABLE", "publicDashboards"}}}}}}}},
       "Grafana-Sample-Passw0rd!"},
      {"prometheus",
       {{"retention_time", "30d"},
        {"scrape_interval_seconds", 15},
        {"extra_scrape_targets", "node-exporter:9100"},
        {"enable_remote_write_receiver", true}},
       {{"components", {{"prometheus", {{"replicas", 1}, {"env_vars", {{"GOGC", "50"}}}}}}}},
       ""},
  };
}

driver::LoadedDriver Load(const std::string& name) {
  auto load = driver::LoadDriverDirectory(DriverDir(name));
  EXPECT_TRUE(load.problems.empty()) << driver::JoinProblems(load.problems);
  return load.driver ? *load.driver : driver::LoadedDriver{};
}

// The context of a sample deployment of `example` into namespace `name_space`.
Result<Json> SampleContext(const driver::DriverSpec& spec, const ExampleDriver& example,
                           const std::string& name_space) {
  const auto params = driver::CheckParameters(spec, example.parameters);
  if (!params.problems.empty()) return InvalidArgument(driver::JoinProblems(params.problems));
  Json deployment_config = example.deployment_config;
  deployment_config["namespace"] = name_space;
  driver::ContextInput input;
  input.cluster = {"c1", "local", {{"fqdn_suffix", "example.test"}}};
  input.environment = {"e1", "staging", Json::object()};
  input.deployment = {"d1", example.name + "-demo", deployment_config};
  input.driver = &spec;
  input.application_version = spec.default_version;
  input.parameters = params.values;
  return driver::BuildContext(input);
}

const Json* Find(const Json& object, const std::string& key) {
  if (!object.is_object()) return nullptr;
  const auto it = object.find(key);
  return it == object.end() ? nullptr : &*it;
}

// The string map at `path` inside `object` ({} when absent).
std::map<std::string, std::string> StringMap(const Json& object,
                                             const std::vector<std::string>& path) {
  const Json* node = &object;
  for (const auto& key : path) {
    node = Find(*node, key);
    if (node == nullptr) return {};
  }
  std::map<std::string, std::string> out;
  if (!node->is_object()) return out;
  for (const auto& [k, v] : node->items()) {
    if (v.is_string()) out[k] = v.get<std::string>();
  }
  return out;
}

bool Includes(const std::map<std::string, std::string>& labels,
              const std::map<std::string, std::string>& wanted) {
  for (const auto& [k, v] : wanted) {
    const auto it = labels.find(k);
    if (it == labels.end() || it->second != v) return false;
  }
  return true;
}

std::string Kind(const Json& doc) { return doc.value("kind", ""); }
std::string Name(const Json& doc) {
  const Json* metadata = Find(doc, "metadata");
  return metadata == nullptr ? "" : metadata->value("name", "");
}

bool IsWorkload(const Json& doc) {
  const std::string kind = Kind(doc);
  return kind == "Deployment" || kind == "StatefulSet";
}

std::map<std::string, std::string> PodLabels(const Json& workload) {
  return StringMap(workload, {"spec", "template", "metadata", "labels"});
}

// Every container (init containers included) of a workload's pod template.
std::vector<Json> Containers(const Json& workload) {
  std::vector<Json> out;
  const Json& pod = workload["spec"]["template"]["spec"];
  for (const char* key : {"initContainers", "containers"}) {
    if (const Json* list = Find(pod, key); list != nullptr && list->is_array()) {
      for (const auto& c : *list) out.push_back(c);
    }
  }
  return out;
}

// Whether some env entry anywhere under `node` takes its value from Secret `name`, key `key`.
bool RefersToSecret(const Json& node, const std::string& name, const std::string& key) {
  if (node.is_object()) {
    if (const Json* ref = Find(node, "secretKeyRef");
        ref != nullptr && ref->value("name", "") == name && ref->value("key", "") == key) {
      return true;
    }
    for (const auto& [k, v] : node.items()) {
      if (RefersToSecret(v, name, key)) return true;
    }
  } else if (node.is_array()) {
    for (const auto& v : node) {
      if (RefersToSecret(v, name, key)) return true;
    }
  }
  return false;
}

// A temporary directory, removed with what it holds.
class TempDir {
 public:
  TempDir() {
    std::string templ = (fs::temp_directory_path() / "example-drivers-XXXXXX").string();
    if (mkdtemp(templ.data()) != nullptr) path_ = templ;
  }
  ~TempDir() {
    std::error_code ec;
    if (!path_.empty()) fs::remove_all(path_, ec);
  }
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;
  const fs::path& path() const { return path_; }

 private:
  fs::path path_;
};

class ExampleDriverTest : public ::testing::TestWithParam<ExampleDriver> {};

TEST_P(ExampleDriverTest, RendersTemplatesAndPassesTheApiServersDryRun) {
  const ExampleDriver& example = GetParam();
  const driver::LoadedDriver loaded = Load(example.name);
  ASSERT_FALSE(loaded.spec.name.empty());
  const driver::DriverSpec& spec = loaded.spec;
  ASSERT_EQ(spec.name, example.name);

  PlaneNamespace name_space(UniqueNamespace());
  auto built = SampleContext(spec, example, name_space.name());
  ASSERT_TRUE(built) << built.error().ToString();
  const Json& context = *built;
  const std::string release = context["instance"]["release_name"];
  ASSERT_EQ(context["instance"]["namespace"], name_space.name());

  // values.j2.yml through the Python runtime, StrictUndefined.
  auto values =
      runtime::RenderValues(Config(), DriverDir(example.name), context, milliseconds(60000));
  ASSERT_TRUE(values) << values.error().ToString();
  auto parsed_values = ParseYaml(*values);
  ASSERT_TRUE(parsed_values) << parsed_values.error().ToString() << "\n" << *values;
  ASSERT_TRUE(parsed_values->is_object()) << *values;
  if (!example.secret_value.empty()) {
    EXPECT_EQ(values->find(example.secret_value), std::string::npos)
        << "a secret parameter's value reached the values:\n"
        << *values;
  }

  TempDir temp;
  ASSERT_FALSE(temp.path().empty());
  const fs::path values_file = temp.path() / "values.yaml";
  std::ofstream(values_file) << *values;
  const std::string chart = (DriverDir(example.name) / spec.chart.location).string();

  auto lint = Helm({"lint", chart, "-f", values_file.string()});
  EXPECT_TRUE(lint) << lint.error().ToString();
  auto manifests = Helm(
      {"template", release, chart, "--namespace", name_space.name(), "-f", values_file.string()});
  ASSERT_TRUE(manifests) << manifests.error().ToString();
  if (!example.secret_value.empty()) {
    EXPECT_EQ(manifests->find(example.secret_value), std::string::npos)
        << "a secret parameter's value reached the manifests";
  }
  auto docs = ParseYamlDocuments(*manifests);
  ASSERT_TRUE(docs) << docs.error().ToString() << "\n" << *manifests;
  std::vector<Json> workloads, services, ingresses;
  for (const auto& doc : *docs) {
    if (IsWorkload(doc)) workloads.push_back(doc);
    if (Kind(doc) == "Service") services.push_back(doc);
    if (Kind(doc) == "Ingress") ingresses.push_back(doc);
  }

  // Every component has exactly one pod template its identifier selects.
  std::map<std::string, const Json*> workload_of;
  for (const auto& [name, component] : spec.components) {
    SCOPED_TRACE("component " + name);
    int matches = 0;
    for (const auto& w : workloads) {
      if (!Includes(PodLabels(w), component.labels)) continue;
      ++matches;
      workload_of[name] = &w;
      EXPECT_TRUE(Includes(PodLabels(w), StringMap(w, {"spec", "selector", "matchLabels"})))
          << Name(w) << ": its selector does not select its own pods";
    }
    EXPECT_EQ(matches, 1) << "pod templates whose labels match the identifier";
  }

  for (const auto& [name, component] : spec.components) {
    SCOPED_TRACE("component " + name);
    const auto it = workload_of.find(name);
    if (it == workload_of.end()) continue;
    const Json& w = *it->second;
    const Json& settings = context["components"][name];
    // The deployment's replicas, env vars and overrides reach the component's pods.
    if (settings["replicas"].is_number_integer()) {
      EXPECT_EQ(w["spec"]["replicas"], settings["replicas"]) << Name(w);
    }
    for (const auto& var : settings["env_vars"]) {
      bool found = false;
      for (const auto& c : Containers(w)) {
        for (const auto& env : c.value("env", Json::array())) found |= env == var;
      }
      EXPECT_TRUE(found) << Name(w) << " lacks env " << var.dump();
    }
    // A disk backup names volumes of the component's pods.
    if (component.backup && component.backup->kind == driver::BackupKind::kDisk) {
      std::set<std::string> volumes;
      for (const auto& v : w["spec"]["template"]["spec"].value("volumes", Json::array())) {
        volumes.insert(v.value("name", ""));
      }
      for (const auto& t : w["spec"].value("volumeClaimTemplates", Json::array())) {
        volumes.insert(Name(t));
      }
      for (const auto& volume : component.backup->volumes) {
        EXPECT_EQ(volumes.count(volume), 1u) << Name(w) << " has no volume " << volume;
      }
    }
  }

  // Every driver service is a Service named as the context says, on its port, selecting the
  // pods of its component only.
  for (const auto& service : spec.services) {
    SCOPED_TRACE("service " + service.name);
    const std::string wanted = context["services"][service.name]["service_name"];
    const Json* found = nullptr;
    for (const auto& s : services) {
      if (Name(s) == wanted) found = &s;
    }
    ASSERT_NE(found, nullptr) << "no Service " << wanted;
    bool port = false;
    for (const auto& p : (*found)["spec"]["ports"]) port |= p["port"] == service.port;
    EXPECT_TRUE(port) << wanted << " does not serve port " << service.port;
    const auto selector = StringMap(*found, {"spec", "selector"});
    ASSERT_FALSE(selector.empty()) << wanted << " selects nothing";
    for (const auto& [name, w] : workload_of) {
      EXPECT_EQ(Includes(PodLabels(*w), selector), name == service.component)
          << wanted << " and the pods of " << name;
    }
    // External services are reachable under their primary host name.
    const std::string host = context["services"][service.name]["primary_fqdn"];
    if (service.scope == driver::ServiceScope::kExternal) {
      ASSERT_FALSE(host.empty());
      bool routed = false;
      for (const auto& ingress : ingresses) {
        for (const auto& rule : ingress["spec"].value("rules", Json::array())) {
          if (rule.value("host", "") != host) continue;
          for (const auto& path : rule["http"]["paths"]) {
            routed |= path["backend"]["service"]["name"] == wanted;
          }
        }
      }
      EXPECT_TRUE(routed) << "no Ingress routes " << host << " to " << wanted;
    }
  }

  // Secret parameters are referenced where Styrmin keeps them, never copied.
  for (const auto& parameter : spec.parameters) {
    if (parameter.kind != driver::ParameterKind::kSecret) continue;
    const Json& ref = context["parameters"][parameter.name];
    EXPECT_TRUE(std::any_of(docs->begin(), docs->end(),
                            [&](const Json& doc) {
                              return RefersToSecret(doc, ref["secret_name"], ref["secret_key"]);
                            }))
        << "nothing reads the secret parameter " << parameter.name;
  }

  // The images run the application version of the context.
  const std::string version = context["app"]["version"];
  bool versioned = false;
  for (const auto& w : workloads) {
    for (const auto& c : Containers(w)) {
      const std::string image = c.value("image", "");
      versioned |= image.ends_with(":" + version) || image.ends_with(":v" + version);
    }
  }
  EXPECT_TRUE(versioned) << "no image is tagged " << version;

  // The API server takes every manifest (schemas, names, references between fields).
  auto created = name_space.Create();
  ASSERT_TRUE(created) << created.error().ToString();
  auto applied = Kubectl({"apply", "--dry-run=server", "-n", name_space.name(), "-f", "-"},
                         *manifests, std::chrono::seconds(120));
  ASSERT_TRUE(applied) << applied.error().ToString();
  EXPECT_NE(applied->find("(server dry run)"), std::string::npos) << *applied;
}

std::string DriverName(const ::testing::TestParamInfo<ExampleDriver>& param) {
  return param.param.name;
}

INSTANTIATE_TEST_SUITE_P(Drivers, ExampleDriverTest, ::testing::ValuesIn(ExampleDrivers()),
                         DriverName);

// --- actions ----------------------------------------------------------------------------

class RecordingLog final : public runtime::RunLog {
 public:
  void Line(std::string_view source, std::string_view level, std::string_view text) override {
    lines.push_back(std::string(source) + " " + std::string(level) + " " + std::string(text));
  }
  void Progress(double /*fraction*/, std::string_view /*message*/) override {}
  std::string All() const {
    std::string out;
    for (const auto& l : lines) out += l + "\n";
    return out;
  }
  std::vector<std::string> lines;
};

// Records every primitive call. execute_commands answers one result per command, each with
// `exit_code` and `stdout`; the others answer null.
class FakePrimitives final : public runtime::PrimitiveHandler {
 public:
  Result<Json> Call(std::string_view primitive, const Json& args,
                    std::chrono::steady_clock::time_point /*deadline*/) override {
    calls.push_back(Json{{"primitive", primitive}, {"args", args}});
    if (primitive != "execute_commands") return Json();
    Json results = Json::array();
    for (std::size_t i = 0; i < args["commands"].size(); ++i) {
      results.push_back({{"exit_code", exit_code}, {"stdout", stdout_text}, {"stderr", ""}});
    }
    return results;
  }
  std::vector<std::string> Names() const {
    std::vector<std::string> names;
    for (const auto& c : calls) names.push_back(c["primitive"]);
    return names;
  }
  std::vector<Json> calls;
  int exit_code = 0;
  std::string stdout_text;
};

const driver::Action* FindAction(const driver::DriverSpec& spec, driver::Hook hook) {
  for (const auto& a : spec.actions) {
    if (a.hook == hook) return &a;
  }
  return nullptr;
}

Json ContextFor(const driver::DriverSpec& spec, const std::string& name) {
  for (const auto& example : ExampleDrivers()) {
    if (example.name != name) continue;
    auto context = SampleContext(spec, example, "actions-" + name);
    EXPECT_TRUE(context) << context.error().ToString();
    return context ? *context : Json();
  }
  ADD_FAILURE() << "no example driver " << name;
  return Json();
}

TEST(InfrahubUpgrade, StopsTheWorkersMigratesInTheServerThenRestartsAndWaits) {
  const driver::LoadedDriver loaded = Load("infrahub");
  const driver::Action* upgrade = FindAction(loaded.spec, driver::Hook::kUpgrade);
  ASSERT_NE(upgrade, nullptr);
  EXPECT_EQ(upgrade->mode, driver::Mode::kPost);
  FakePrimitives primitives;
  primitives.stdout_text = "Step 1/7: Database migrations\nUpgrade complete";
  RecordingLog log;
  auto result = runtime::RunAction(Config(), DriverDir("infrahub"), *upgrade,
                                   ContextFor(loaded.spec, "infrahub"), primitives, log);
  ASSERT_TRUE(result) << result.error().ToString() << "\n" << log.All();
  EXPECT_EQ(*result, (Json{{"version", loaded.spec.default_version.ToString()}}));
  ASSERT_EQ(primitives.Names(),
            (std::vector<std::string>{"stop_components", "execute_commands", "start_components",
                                      "wait_for_components_ready"}))
      << log.All();
  EXPECT_EQ(primitives.calls[0]["args"], (Json{{"components", {"task-worker"}}}));
  EXPECT_EQ(primitives.calls[1]["args"],
            (Json{{"component", "server"},
                  {"commands", Json::array({Json::array({"infrahub", "upgrade"})})}}));
  EXPECT_EQ(primitives.calls[2]["args"], (Json{{"components", {"task-worker"}}}));
  const Json& waited = primitives.calls[3]["args"]["components"];
  EXPECT_NE(std::find(waited.begin(), waited.end(), "server"), waited.end()) << waited;
  EXPECT_NE(std::find(waited.begin(), waited.end(), "task-worker"), waited.end()) << waited;
}

TEST(InfrahubUpgrade, AFailedMigrationFailsTheActionAndLeavesTheWorkersStopped) {
  const driver::LoadedDriver loaded = Load("infrahub");
  const driver::Action* upgrade = FindAction(loaded.spec, driver::Hook::kUpgrade);
  ASSERT_NE(upgrade, nullptr);
  const Json context = ContextFor(loaded.spec, "infrahub");

  FakePrimitives failing;
  failing.exit_code = 1;
  RecordingLog log;
  auto result =
      runtime::RunAction(Config(), DriverDir("infrahub"), *upgrade, context, failing, log);
  ASSERT_FALSE(result);
  EXPECT_EQ(result.error().code(), ErrorCode::kFailedPrecondition) << result.error().ToString();
  EXPECT_EQ(failing.Names(), (std::vector<std::string>{"stop_components", "execute_commands"}));

  // `infrahub upgrade` reports a failed migration on its output while exiting 0.
  FakePrimitives cancelled;
  cancelled.stdout_text =
      "Migration: Migration042 FAILED\nUpgrade cancelled due to migration failure.";
  result = runtime::RunAction(Config(), DriverDir("infrahub"), *upgrade, context, cancelled, log);
  ASSERT_FALSE(result);
  EXPECT_NE(result.error().message().find("cancelled"), std::string::npos)
      << result.error().ToString();
  EXPECT_EQ(cancelled.Names(), (std::vector<std::string>{"stop_components", "execute_commands"}));
}

// Every action of every example driver imports, runs to the end against primitives that
// succeed, and names only components of its driver.
TEST(ExampleDriverActions, EveryActionRunsAgainstSucceedingPrimitives) {
  for (const auto& example : ExampleDrivers()) {
    const driver::LoadedDriver loaded = Load(example.name);
    const Json context = ContextFor(loaded.spec, example.name);
    for (const auto& action : loaded.spec.actions) {
      SCOPED_TRACE(example.name + " " + action.name);
      FakePrimitives primitives;
      // What Grafana's /api/health answers; the other actions ignore the output.
      primitives.stdout_text =
          DumpJson({{"database", "ok"}, {"version", context["app"]["version"]}});
      RecordingLog log;
      auto result =
          runtime::RunAction(Config(), DriverDir(example.name), action, context, primitives, log);
      EXPECT_TRUE(result) << result.error().ToString() << "\n" << log.All();
      EXPECT_FALSE(primitives.calls.empty()) << "the action called no primitive";
      for (const auto& call : primitives.calls) {
        const Json& args = call["args"];
        std::vector<std::string> named;
        if (args.contains("component")) named.push_back(args["component"]);
        for (const auto& c : args.value("components", Json::array())) named.push_back(c);
        for (const auto& name : named) {
          EXPECT_EQ(loaded.spec.components.count(name), 1u)
              << call.dump() << " names an unknown component";
        }
      }
    }
  }
}

}  // namespace
}  // namespace styrmin::test
