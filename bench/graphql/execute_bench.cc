// Parse + validate + execute of the dashboard query over in-memory data: 100 deployments with
// their components and runs, resolved by bound C++ resolvers (BM_Execute) and by the default
// resolver over JSON (BM_ExecuteJson). graphql_js_bench.cjs runs graphql-js on the same data;
// run.sh prints the ratio. Each iteration's time is also kept, for the p99 counter.
#include <benchmark/benchmark.h>

#include <algorithm>
#include <chrono>
#include <fstream>
#include <optional>
#include <sstream>
#include <string>
#include <vector>

#include "styrmin/core/status.h"
#include "styrmin/graphql/build_schema.h"
#include "styrmin/graphql/execute.h"
#include "styrmin/graphql/parser.h"
#include "styrmin/graphql/validate.h"

namespace {

using styrmin::OrderedJson;
using styrmin::graphql::ExecutableSchema;
using styrmin::graphql::FieldValue;
using styrmin::graphql::ResolveInfo;

std::string ReadFile(const std::string& path) {
  std::ifstream in(path);
  std::ostringstream out;
  out << in.rdbuf();
  return out.str();
}

struct Cluster {
  std::string id, name;
  std::optional<std::string> fqdn_suffix;
  bool agent_connected = false;
};
struct Component {
  std::string name;
  int ready = 0, desired = 0;
  std::string health;
};
struct Run {
  std::string id, kind, state;
  std::optional<double> progress;
  std::optional<std::string> started_at, finished_at;
};
struct Deployment {
  std::string id, name, driver, driver_version, application_version, phase, health, ns, created_at,
      updated_at, parameters;
  std::vector<Component> components;
  std::optional<Run> last_run, active_run;
  std::vector<std::string> labels;
};
struct Environment {
  std::string id, name;
  const Cluster* cluster = nullptr;
  std::vector<Deployment> deployments;
};

// The same data graphql_js_bench.cjs builds, as JSON and as structs.
OrderedJson DataJson() {
  static const char* kHealth[] = {"HEALTHY", "DEGRADED", "FAILING", "UNKNOWN"};
  static const char* kPhase[] = {"RUNNING", "STOPPED"};
  OrderedJson clusters = OrderedJson::array();
  for (int c = 0; c < 3; ++c) {
    clusters.push_back({{"id", "cluster-" + std::to_string(c)},
                        {"name", "cluster " + std::to_string(c)},
                        {"fqdnSuffix", c == 0 ? OrderedJson("example.com") : OrderedJson()},
                        {"agentConnected", c != 2}});
  }
  OrderedJson deployments = OrderedJson::array();
  for (int d = 0; d < 100; ++d) {
    const std::string n = std::to_string(d);
    OrderedJson components = OrderedJson::array();
    for (int k = 0; k < 3; ++k) {
      components.push_back({{"name", "component-" + std::to_string(k)},
                            {"readyReplicas", (d + k) % 3},
                            {"desiredReplicas", 2},
                            {"health", kHealth[(d + k) % 4]}});
    }
    OrderedJson run = {{"id", "run-" + n},
                       {"kind", "upgrade"},
                       {"state", "SUCCEEDED"},
                       {"progress", 1.0},
                       {"startedAt", "2026-11-23T10:00:00Z"},
                       {"finishedAt", "2026-11-23T10:05:00Z"}};
    deployments.push_back({{"id", "deployment-" + n},
                           {"name", "app-" + n},
                           {"driver", "infrahub"},
                           {"driverVersion", "1.2.3"},
                           {"applicationVersion", "1.4." + std::to_string(d % 10)},
                           {"phase", kPhase[d % 2]},
                           {"health", kHealth[d % 4]},
                           {"namespace", "env-1-app-" + n},
                           {"createdAt", "2026-11-01T00:00:00Z"},
                           {"updatedAt", "2026-11-23T10:05:00Z"},
                           {"parameters", "{}"},
                           {"components", std::move(components)},
                           {"pods", OrderedJson::array()},
                           {"lastRun", std::move(run)},
                           {"activeRun", nullptr},
                           {"labels", {"team-a", "tier-" + std::to_string(d % 3)}}});
  }
  return {{"clusters", std::move(clusters)},
          {"environment",
           {{"id", "env-1"},
            {"name", "production"},
            {"cluster",
             {{"id", "cluster-0"},
              {"name", "cluster 0"},
              {"fqdnSuffix", "example.com"},
              {"agentConnected", true}}},
            {"deployments", std::move(deployments)}}}};
}

struct Data {
  std::vector<Cluster> clusters;
  Environment environment;
};

Data DataStructs(const OrderedJson& json) {
  Data data;
  for (const auto& c : json["clusters"]) {
    data.clusters.push_back({c["id"], c["name"],
                             c["fqdnSuffix"].is_null()
                                 ? std::nullopt
                                 : std::optional<std::string>(c["fqdnSuffix"].get<std::string>()),
                             c["agentConnected"]});
  }
  const auto& env = json["environment"];
  data.environment.id = env["id"];
  data.environment.name = env["name"];
  data.environment.cluster = &data.clusters.front();
  for (const auto& d : env["deployments"]) {
    Deployment out{d["id"],
                   d["name"],
                   d["driver"],
                   d["driverVersion"],
                   d["applicationVersion"],
                   d["phase"],
                   d["health"],
                   d["namespace"],
                   d["createdAt"],
                   d["updatedAt"],
                   d["parameters"],
                   {},
                   {},
                   {},
                   {}};
    for (const auto& c : d["components"]) {
      out.components.push_back({c["name"], c["readyReplicas"], c["desiredReplicas"], c["health"]});
    }
    const auto& r = d["lastRun"];
    out.last_run = Run{r["id"],
                       r["kind"],
                       r["state"],
                       r["progress"].get<double>(),
                       r["startedAt"].get<std::string>(),
                       r["finishedAt"].get<std::string>()};
    for (const auto& l : d["labels"]) out.labels.push_back(l);
    data.environment.deployments.push_back(std::move(out));
  }
  return data;
}

template <typename T, typename F>
void Bind(ExecutableSchema& schema, const char* type, const char* field, F read) {
  const auto status =
      schema.Bind(type, field, [read](const ResolveInfo& info) { return read(info.Parent<T>()); });
  STYRMIN_CHECK(status.has_value(), "the benchmark binds existing fields");
}

template <auto M>
void Member(ExecutableSchema& schema, const char* type, const char* field) {
  const auto status = schema.BindMember<M>(type, field);
  STYRMIN_CHECK(status.has_value(), "the benchmark binds leaf fields to members");
}

std::unique_ptr<ExecutableSchema> MakeSchema(const Data* data) {
  auto built = styrmin::graphql::BuildSchema(ReadFile(STYRMIN_BENCH_DIR "/dashboard.graphql"));
  STYRMIN_CHECK(built.has_value(), "the benchmark schema builds");
  auto schema = std::make_unique<ExecutableSchema>(std::move(built).value());
  if (data == nullptr) return schema;  // the default resolver over JSON
  ExecutableSchema& s = *schema;
  STYRMIN_CHECK(s.Bind("Query", "environment",
                       [data](const ResolveInfo& info) {
                         return info.args()["id"] == data->environment.id
                                    ? FieldValue::Object(&data->environment)
                                    : FieldValue();
                       })
                    .has_value(),
                "binds");
  STYRMIN_CHECK(
      s.Bind("Query", "clusters",
             [data](const ResolveInfo&) { return FieldValue::ObjectList(data->clusters); })
          .has_value(),
      "binds");
  Member<&Cluster::id>(s, "Cluster", "id");
  Member<&Cluster::name>(s, "Cluster", "name");
  Member<&Cluster::fqdn_suffix>(s, "Cluster", "fqdnSuffix");
  Member<&Cluster::agent_connected>(s, "Cluster", "agentConnected");
  Member<&Environment::id>(s, "Environment", "id");
  Member<&Environment::name>(s, "Environment", "name");
  Bind<Environment>(s, "Environment", "cluster",
                    [](const Environment& e) { return FieldValue::Object(e.cluster); });
  STYRMIN_CHECK(s.Bind("Environment", "deployments",
                       [](const ResolveInfo& info) {
                         const auto& all = info.Parent<Environment>().deployments;
                         const auto& args = info.args();
                         const std::size_t first = args["first"].get<std::size_t>();
                         const auto phase = args.find("phase");
                         std::vector<FieldValue> out;
                         out.reserve(std::min(first, all.size()));
                         for (const auto& d : all) {
                           if (out.size() >= first) break;
                           if (phase != args.end() && !phase->is_null() && *phase != d.phase)
                             continue;
                           out.push_back(FieldValue::Object(&d));
                         }
                         return FieldValue::List(std::move(out));
                       })
                    .has_value(),
                "binds");
  Member<&Deployment::id>(s, "Deployment", "id");
  Member<&Deployment::name>(s, "Deployment", "name");
  Member<&Deployment::driver>(s, "Deployment", "driver");
  Member<&Deployment::driver_version>(s, "Deployment", "driverVersion");
  Member<&Deployment::application_version>(s, "Deployment", "applicationVersion");
  Member<&Deployment::phase>(s, "Deployment", "phase");
  Member<&Deployment::health>(s, "Deployment", "health");
  Member<&Deployment::ns>(s, "Deployment", "namespace");
  Member<&Deployment::created_at>(s, "Deployment", "createdAt");
  Member<&Deployment::updated_at>(s, "Deployment", "updatedAt");
  Member<&Deployment::parameters>(s, "Deployment", "parameters");
  Bind<Deployment>(s, "Deployment", "components",
                   [](const Deployment& d) { return FieldValue::ObjectList(d.components); });
  Bind<Deployment>(s, "Deployment", "pods", [](const Deployment&) { return FieldValue::List({}); });
  Bind<Deployment>(s, "Deployment", "lastRun", [](const Deployment& d) {
    return d.last_run ? FieldValue::Object(&*d.last_run) : FieldValue();
  });
  Bind<Deployment>(s, "Deployment", "activeRun", [](const Deployment& d) {
    return d.active_run ? FieldValue::Object(&*d.active_run) : FieldValue();
  });
  Bind<Deployment>(s, "Deployment", "labels",
                   [](const Deployment& d) { return FieldValue::StringList(d.labels); });
  Member<&Component::name>(s, "Component", "name");
  Member<&Component::ready>(s, "Component", "readyReplicas");
  Member<&Component::desired>(s, "Component", "desiredReplicas");
  Member<&Component::health>(s, "Component", "health");
  Member<&Run::id>(s, "Run", "id");
  Member<&Run::kind>(s, "Run", "kind");
  Member<&Run::state>(s, "Run", "state");
  Member<&Run::progress>(s, "Run", "progress");
  Member<&Run::started_at>(s, "Run", "startedAt");
  Member<&Run::finished_at>(s, "Run", "finishedAt");
  return schema;
}

void RunPipeline(benchmark::State& state, const ExecutableSchema& schema, const FieldValue& root) {
  const std::string query = ReadFile(STYRMIN_BENCH_DIR "/dashboard_query.graphql");
  const OrderedJson variables = {{"env", "env-1"}, {"first", 100}};
  std::vector<double> samples;
  std::size_t bytes = 0;
  for (auto _ : state) {
    const auto start = std::chrono::steady_clock::now();
    styrmin::graphql::Source source(query);
    auto document = styrmin::graphql::Parse(source);
    auto errors = styrmin::graphql::Validate(schema.schema(), *document, source);
    if (!errors.empty()) state.SkipWithError(errors.front().message.c_str());
    styrmin::graphql::ExecutionRequest request;
    request.document = &*document;
    request.source = &source;
    request.variables = variables;
    request.root_value = root;
    auto result = styrmin::graphql::Execute(schema, request);
    if (!result.errors.empty()) state.SkipWithError(result.errors.front().message.c_str());
    bytes = result.body.size();
    benchmark::DoNotOptimize(result);
    samples.push_back(
        std::chrono::duration<double, std::micro>(std::chrono::steady_clock::now() - start)
            .count());
  }
  std::sort(samples.begin(), samples.end());
  if (!samples.empty()) {
    state.counters["p50_us"] = samples[samples.size() / 2];
    state.counters["p90_us"] = samples[samples.size() * 90 / 100];
    state.counters["p99_us"] = samples[samples.size() * 99 / 100];
    state.counters["response_bytes"] = static_cast<double>(bytes);
  }
}

void BM_Execute(benchmark::State& state) {
  static const OrderedJson json = DataJson();
  static const Data data = DataStructs(json);
  static const auto schema = MakeSchema(&data);
  RunPipeline(state, *schema, FieldValue());
}
BENCHMARK(BM_Execute);

void BM_ExecuteJson(benchmark::State& state) {
  static const OrderedJson json = DataJson();
  static const auto schema = MakeSchema(nullptr);
  RunPipeline(state, *schema, FieldValue::JsonRef(json));
}
BENCHMARK(BM_ExecuteJson);

}  // namespace

namespace {

// Execution alone, the document parsed and validated once: where the pipeline's time goes.
void BM_ExecuteOnly(benchmark::State& state) {
  static const OrderedJson json = DataJson();
  static const Data data = DataStructs(json);
  static const auto schema = MakeSchema(&data);
  const std::string query = ReadFile(STYRMIN_BENCH_DIR "/dashboard_query.graphql");
  styrmin::graphql::Source source(query);
  auto document = styrmin::graphql::Parse(source);
  styrmin::graphql::ExecutionRequest request;
  request.document = &*document;
  request.source = &source;
  request.variables = {{"env", "env-1"}, {"first", 100}};
  for (auto _ : state) {
    auto result = styrmin::graphql::Execute(*schema, request);
    benchmark::DoNotOptimize(result);
  }
}
BENCHMARK(BM_ExecuteOnly);

}  // namespace
