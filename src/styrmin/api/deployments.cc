#include "styrmin/api/deployments.h"

#include <algorithm>
#include <array>
#include <charconv>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "styrmin/api/resolver_kit.h"
#include "styrmin/api/secrets.h"
#include "styrmin/auth/auth.h"
#include "styrmin/driver/context.h"
#include "styrmin/driver/parameters.h"
#include "styrmin/driver/spec.h"
#include "styrmin/reconcile/planner.h"

namespace styrmin::api {
namespace {

using namespace internal;  // NOLINT(google-build-using-namespace): the resolvers' shared kit
using storage::Deployment;
using storage::Instance;
using storage::Run;

// What a mutation asks to change; unset members keep the deployment's current values.
struct ChangeRequest {
  std::optional<DriverVersionId> driver_version;
  std::optional<std::string> application_version;
  std::optional<Json> parameters;  // merged over the current ones; null unsets
  std::optional<Json> config;      // replaces
  std::optional<std::string> phase;
};

// The payload of a deployment mutation.
struct ChangeResult {
  Deployment deployment;
  std::optional<Run> run;
  std::string plan;
};

// A page of deployments or runs and the cursor of the next one.
struct DeploymentPage {
  std::vector<Deployment> items;
  std::optional<std::string> next;
};
struct RunPage {
  std::vector<Run> items;
  std::optional<std::string> next;
};

// `parameters` with each secret parameter's value replaced by null: the API never returns one.
Json WithoutSecrets(const Json& parameters, const driver::DriverSpec& spec) {
  Json out = parameters;
  for (const auto& p : spec.parameters) {
    if (p.kind == driver::ParameterKind::kSecret && out.contains(p.name)) out[p.name] = nullptr;
  }
  return out;
}

// The Deployment fields that read a deployment's parameters or config: a list of deployments
// leaves both out (unparsed) when none of these is selected.
constexpr std::array<std::string_view, 2> kFieldsReadingSettings = {"parameters", "config"};

// An enum argument as the store names it (RUNNING -> "running"); nullopt when absent.
std::optional<std::string> StoredName(const OrderedJson& args, std::string_view key) {
  const OrderedJson* value = Member(args, key);
  if (value == nullptr) return std::nullopt;
  return Lower(value->get<std::string>());
}

// The whole change: check, build, plan, record.
class DeploymentChanger {
 public:
  DeploymentChanger(storage::Store& store, const Clock& clock, const secrets::SecretBox& box,
                    const auth::Principal& caller)
      : store_(store), clock_(clock), box_(box), caller_(caller) {}

  Result<ChangeResult> Create(const OrderedJson& input) {
    Deployment d;
    d.name = input["name"].get<std::string>();
    STYRMIN_RETURN_IF_ERROR(CheckDnsLabel("input.name", d.name));
    d.environment_id = EnvironmentId(input["environmentId"].get<std::string>());
    d.driver_version_id = DriverVersionId(input["driverVersionId"].get<std::string>());
    d.application_version = OptionalString(input, "applicationVersion");
    STYRMIN_ASSIGN_OR_RETURN(d.config, ConfigObject(input, "config"));
    STYRMIN_ASSIGN_OR_RETURN(Json parameters, ConfigObject(input, "parameters"));
    d.parameters = std::move(parameters);
    d.phase = StoredName(input, "phase").value_or("running");
    d.id = DeploymentId(auth::GenerateId("dp"));
    d.created_at = NowMillis(clock_);
    return Record(std::move(d), /*create=*/true);
  }

  Result<ChangeResult> Change(const DeploymentId& id, const ChangeRequest& request) {
    STYRMIN_ASSIGN_OR_RETURN(Deployment d, store_.GetDeployment(id));
    if (d.phase == "deleted") {
      return FailedPrecondition("deployment \"" + d.name + "\" is deleted");
    }
    {
      // The change works on plain values; Record seals them again for the store.
      STYRMIN_ASSIGN_OR_RETURN(const storage::ApplicationDriverVersion stored_version,
                               store_.GetDriverVersion(d.driver_version_id));
      STYRMIN_ASSIGN_OR_RETURN(const driver::DriverSpec stored_spec, SpecOf(stored_version));
      STYRMIN_ASSIGN_OR_RETURN(d.parameters,
                               OpenSecretParameters(d.parameters, stored_spec, d.id, box_));
    }
    if (request.driver_version && *request.driver_version != d.driver_version_id) {
      // Another version of the same driver: a deployment never changes application.
      STYRMIN_ASSIGN_OR_RETURN(const auto current, store_.GetDriverVersion(d.driver_version_id));
      auto next = store_.GetDriverVersion(*request.driver_version);
      if (!next) {
        if (next.error().code() == ErrorCode::kNotFound) {
          return InvalidArgument("driver version \"" + request.driver_version->value() +
                                 "\" does not exist");
        }
        return tl::unexpected(next.error());
      }
      if (next->driver_id != current.driver_id) {
        return InvalidArgument("driver version \"" + next->id.value() + "\" is of driver " +
                               next->driver_name + ", not " + current.driver_name +
                               ", the driver of deployment \"" + d.name + "\"");
      }
      d.driver_version_id = *request.driver_version;
    }
    if (request.application_version) d.application_version = *request.application_version;
    if (request.config) d.config = *request.config;
    if (request.parameters) {
      for (const auto& [name, value] : request.parameters->items()) {
        if (value.is_null()) {
          d.parameters.erase(name);
        } else {
          d.parameters[name] = value;
        }
      }
    }
    if (request.phase) d.phase = *request.phase;
    return Record(std::move(d), /*create=*/false);
  }

  // The parameter problems of the last refused change, for extensions.problems.
  const std::vector<driver::Problem>& problems() const { return problems_; }

 private:
  Result<ChangeResult> Record(Deployment d, bool create) {
    // A token limited to some environments changes deployments there only (and may not move
    // one elsewhere: a deployment's environment never changes).
    STYRMIN_RETURN_IF_ERROR(auth::AuthorizeEnvironment(caller_, d.environment_id));
    auto version = store_.GetDriverVersion(d.driver_version_id);
    if (!version) {
      if (version.error().code() == ErrorCode::kNotFound) {
        return InvalidArgument("driver version \"" + d.driver_version_id.value() +
                               "\" does not exist");
      }
      return tl::unexpected(version.error());
    }
    STYRMIN_ASSIGN_OR_RETURN(const driver::DriverSpec spec, SpecOf(*version));
    if (d.application_version.empty()) d.application_version = spec.default_version.ToString();
    STYRMIN_ASSIGN_OR_RETURN(const Version app_version,
                             driver::CheckApplicationVersion(spec, d.application_version));
    driver::ParameterCheck checked = driver::CheckParameters(spec, d.parameters);
    if (!checked.problems.empty()) {
      problems_ = std::move(checked.problems);
      return InvalidArgument("the parameters for driver " + spec.name + " " + spec.version);
    }
    d.parameters = checked.values;

    auto environment = store_.GetEnvironment(d.environment_id);
    if (!environment) {
      if (environment.error().code() == ErrorCode::kNotFound) {
        return InvalidArgument("environment \"" + d.environment_id.value() + "\" does not exist");
      }
      return tl::unexpected(environment.error());
    }
    STYRMIN_ASSIGN_OR_RETURN(const storage::Cluster cluster,
                             store_.GetCluster(environment->cluster_id));
    driver::ContextInput input;
    input.cluster = {cluster.id.value(), cluster.name, cluster.config};
    input.environment = {environment->id.value(), environment->name, environment->config};
    input.deployment = {d.id.value(), d.name, d.config};
    input.driver = &spec;
    input.application_version = app_version;
    input.parameters = d.parameters;
    input.secret_versions = SecretVersions(d.parameters, spec, d.id, box_);
    STYRMIN_ASSIGN_OR_RETURN(Json context, driver::BuildContext(input));
    d.parameters = SealSecretParameters(d.parameters, spec, d.id, box_);

    const auto phase = reconcile::PhaseFromName(d.phase);
    if (!phase) return InvalidArgument("unknown phase \"" + d.phase + "\"");
    std::optional<reconcile::InstanceState> active;
    if (d.active_instance_id) {
      STYRMIN_ASSIGN_OR_RETURN(const Instance current, store_.GetInstance(*d.active_instance_id));
      active = reconcile::InstanceState{
          current.driver_version_id.value(), current.application_version, current.context,
          reconcile::PhaseFromName(current.phase).value_or(reconcile::Phase::kRunning)};
    }
    const reconcile::Plan plan = reconcile::PlanChange(
        active, reconcile::InstanceState{d.driver_version_id.value(), d.application_version,
                                         context, *phase});

    if (!plan.run && !create && *phase != reconcile::Phase::kDeleted) {
      // The cluster already is as desired, and so is the stored deployment: nothing to write.
      STYRMIN_ASSIGN_OR_RETURN(Deployment stored, store_.GetDeployment(d.id));
      return ChangeResult{std::move(stored), std::nullopt, plan.reason};
    }
    const storage::Timestamp now = NowMillis(clock_);
    d.updated_at = now;
    storage::DeploymentChange change;
    change.create = create;
    change.instance.id = InstanceId(auth::GenerateId("in"));
    change.instance.deployment_id = d.id;
    change.instance.driver_version_id = d.driver_version_id;
    change.instance.application_version = d.application_version;
    change.instance.phase = d.phase;
    change.instance.context = std::move(context);
    change.instance.created_at = now;
    if (plan.run) {
      Run run;
      run.id = RunId(auth::GenerateId("r"));
      run.deployment_id = d.id;
      run.environment_id = d.environment_id;
      run.cluster_id = environment->cluster_id;
      run.kind = std::string(reconcile::RunKindName(*plan.run));
      run.state = storage::RunState::kPending;
      run.instance_id = change.instance.id;
      run.reason = plan.reason;
      run.created_at = now;
      change.run = run;
    }
    change.deployment = d;
    STYRMIN_RETURN_IF_ERROR(store_.RecordDeploymentChange(change));
    STYRMIN_ASSIGN_OR_RETURN(Deployment stored, store_.GetDeployment(d.id));
    return ChangeResult{std::move(stored), change.run, plan.reason};
  }

 private:
  storage::Store& store_;
  const Clock& clock_;
  const secrets::SecretBox& box_;
  const auth::Principal& caller_;
  std::vector<driver::Problem> problems_;
};

using ChangeFn = std::function<Result<ChangeResult>(DeploymentChanger&, const OrderedJson& args,
                                                    std::string& target)>;

// A deployment mutation: authorised for operators, audited, errors with their problems.
void BindChange(ExecutableSchema& s, storage::Store& store, const Clock& clock,
                const secrets::SecretBox& box, std::string_view field, ChangeFn change) {
  BindAuditedMutation(s, store, clock, field,
                      [&store, &clock, &box, change = std::move(change)](const ResolveInfo& info,
                                                                         std::string& target) {
                        if (auto denied = Deny(info, auth::Action::kChangeDeployments))
                          return *denied;
                        DeploymentChanger changer(store, clock, box, Caller(info));
                        auto result = change(changer, info.args(), target);
                        if (!result) {
                          if (!changer.problems().empty()) {
                            return ProblemsError(result.error().message(), changer.problems());
                          }
                          return ErrorValue(result.error());
                        }
                        return Owned(std::move(*result));
                      });
}

ChangeFn ById(std::function<ChangeRequest(const OrderedJson&)> request) {
  return [request = std::move(request)](DeploymentChanger& changer, const OrderedJson& args,
                                        std::string& target) -> Result<ChangeResult> {
    const DeploymentId id(args["id"].get<std::string>());
    target = id.value();
    return changer.Change(id, request(args));
  };
}

ChangeFn ToPhase(const char* phase) {
  return ById([phase](const OrderedJson&) {
    ChangeRequest r;
    r.phase = phase;
    return r;
  });
}

// Refuses a run change (cancel, retry) to callers who may not change deployments, or not in
// the run's environment; an unknown run is left to the store to report.
std::optional<FieldValue> DenyRunChange(const ResolveInfo& info, storage::Store& store,
                                        const RunId& id) {
  if (auto denied = Deny(info, auth::Action::kChangeDeployments)) return denied;
  if (Caller(info).environment_ids.empty()) return std::nullopt;
  auto run = store.GetRun(id);
  if (!run)
    return run.error().code() == ErrorCode::kNotFound
               ? std::nullopt
               : std::optional<FieldValue>(ErrorValue(run.error()));
  if (Status allowed = auth::AuthorizeEnvironment(Caller(info), run->environment_id); !allowed) {
    return ErrorValue(allowed.error());
  }
  return std::nullopt;
}

void BindMutations(ExecutableSchema& s, storage::Store& store, const Clock& clock,
                   const secrets::SecretBox& box) {
  BindChange(s, store, clock, box, "createDeployment",
             [](DeploymentChanger& changer, const OrderedJson& args,
                std::string& target) -> Result<ChangeResult> {
               auto result = changer.Create(args["input"]);
               if (result) target = result->deployment.id.value();
               return result;
             });
  BindChange(s, store, clock, box, "updateDeployment",
             [](DeploymentChanger& changer, const OrderedJson& args,
                std::string& target) -> Result<ChangeResult> {
               const DeploymentId id(args["id"].get<std::string>());
               target = id.value();
               ChangeRequest request;
               if (const OrderedJson* p = Member(args, "parameters")) {
                 if (!p->is_object()) return InvalidArgument("parameters must be a JSON object");
                 request.parameters = Json(*p);
               }
               if (const OrderedJson* c = Member(args, "config")) {
                 if (!c->is_object()) return InvalidArgument("config must be a JSON object");
                 request.config = Json(*c);
               }
               return changer.Change(id, request);
             });
  BindChange(s, store, clock, box, "upgradeDeployment", ById([](const OrderedJson& args) {
               ChangeRequest r;
               if (const OrderedJson* v = Member(args, "driverVersionId")) {
                 r.driver_version = DriverVersionId(v->get<std::string>());
               }
               if (const OrderedJson* v = Member(args, "applicationVersion")) {
                 r.application_version = v->get<std::string>();
               }
               return r;
             }));
  BindChange(s, store, clock, box, "stopDeployment", ToPhase("stopped"));
  BindChange(s, store, clock, box, "startDeployment", ToPhase("running"));
  BindChange(s, store, clock, box, "deleteDeployment", ToPhase("deleted"));

  BindAuditedMutation(s, store, clock, "cancelRun",
                      [&store, &clock](const ResolveInfo& info, std::string& target) {
                        const RunId id(info.args()["id"].get<std::string>());
                        target = id.value();
                        if (auto denied = DenyRunChange(info, store, id)) return *denied;
                        return OwnedOrError(store.CancelRun(id, NowMillis(clock)));
                      });
  BindAuditedMutation(
      s, store, clock, "retryRun", [&store, &clock](const ResolveInfo& info, std::string& target) {
        const RunId id(info.args()["id"].get<std::string>());
        target = id.value();
        if (auto denied = DenyRunChange(info, store, id)) return *denied;
        return OwnedOrError(store.RetryRun(id, RunId(auth::GenerateId("r")), NowMillis(clock)));
      });
  BindOrDie(s, "DeploymentChangePayload", "deployment", [](const ResolveInfo& info) {
    return FieldValue::Object(&info.Parent<ChangeResult>().deployment);
  });
  BindOrDie(s, "DeploymentChangePayload", "run", [](const ResolveInfo& info) {
    const auto& run = info.Parent<ChangeResult>().run;
    return run ? FieldValue::Object(&*run) : FieldValue::Null();
  });
  BindOrDie(s, "DeploymentChangePayload", "plan", [](const ResolveInfo& info) {
    return FieldValue::StringRef(info.Parent<ChangeResult>().plan);
  });
}

// A page of runs for Query.runs and Deployment.runs: first, before, state and environmentId
// from `args`, the deployment from the caller.
FieldValue RunsPage(storage::Store& store, const ResolveInfo& info,
                    std::optional<DeploymentId> deployment) {
  const OrderedJson& args = info.args();
  storage::RunQuery query;
  auto limit = PageSize(args);
  if (!limit) return ErrorValue(limit.error());
  query.limit = *limit + 1;  // the look-ahead row
  query.deployment = std::move(deployment);
  if (const OrderedJson* e = Member(args, "environmentId")) {
    query.environment = EnvironmentId(e->get<std::string>());
    if (auto denied = DenyEnvironment(info, *query.environment)) return *denied;
  }
  query.environments = ScopeOf(info);
  if (const auto state = StoredName(args, "state")) query.state = storage::RunStateFromName(*state);
  if (const OrderedJson* b = Member(args, "before")) query.before = RunId(b->get<std::string>());
  auto runs = store.ListRuns(query);
  if (!runs) return ErrorValue(runs.error());
  RunPage page;
  if (DropLookAhead(*runs, *limit)) page.next = runs->back().id.value();
  page.items = std::move(*runs);
  return Owned(std::move(page));
}

void BindQueries(ExecutableSchema& s, storage::Store& store) {
  BindOrDie(s, "Query", "deployments", [&store](const ResolveInfo& info) {
    if (auto denied = Deny(info, auth::Action::kRead)) return *denied;
    const OrderedJson& args = info.args();
    storage::DeploymentQuery query;
    auto limit = PageSize(args);
    if (!limit) return ErrorValue(limit.error());
    query.limit = *limit + 1;  // the look-ahead row
    if (const OrderedJson* e = Member(args, "environmentId")) {
      query.environment = EnvironmentId(e->get<std::string>());
      if (auto denied = DenyEnvironment(info, *query.environment)) return *denied;
    }
    query.environments = ScopeOf(info);
    query.phase = StoredName(args, "phase");
    if (const OrderedJson* a = Member(args, "after"))
      query.after = DeploymentId(a->get<std::string>());
    // Parsing every row's parameters and config was a tenth of a dashboard page's time.
    query.with_settings = std::any_of(kFieldsReadingSettings.begin(), kFieldsReadingSettings.end(),
                                      [&info](std::string_view field) {
                                        return info.MaySelect({"deployments", field});
                                      });
    auto deployments = store.ListDeployments(query);
    if (!deployments) return ErrorValue(deployments.error());
    DeploymentPage page;
    if (DropLookAhead(*deployments, *limit)) page.next = deployments->back().id.value();
    page.items = std::move(*deployments);
    return Owned(std::move(page));
  });
  BindOrDie(s, "Query", "deployment", [&store](const ResolveInfo& info) {
    if (auto denied = Deny(info, auth::Action::kRead)) return *denied;
    auto deployment = store.GetDeployment(DeploymentId(info.args()["id"].get<std::string>()));
    if (deployment) {
      if (auto denied = DenyEnvironment(info, deployment->environment_id)) return *denied;
    }
    return OwnedOrNull(std::move(deployment));
  });
  BindOrDie(s, "Query", "runs", [&store](const ResolveInfo& info) {
    if (auto denied = Deny(info, auth::Action::kRead)) return *denied;
    const OrderedJson& args = info.args();
    std::optional<DeploymentId> deployment;
    if (const OrderedJson* d = Member(args, "deploymentId")) {
      deployment = DeploymentId(d->get<std::string>());
    }
    return RunsPage(store, info, std::move(deployment));
  });
  BindOrDie(s, "Query", "run", [&store](const ResolveInfo& info) {
    if (auto denied = Deny(info, auth::Action::kRead)) return *denied;
    auto run = store.GetRun(RunId(info.args()["id"].get<std::string>()));
    if (run) {
      if (auto denied = DenyEnvironment(info, run->environment_id)) return *denied;
    }
    return OwnedOrNull(std::move(run));
  });
  BindOrDie(s, "DeploymentPage", "deployments", [](const ResolveInfo& info) {
    return FieldValue::ObjectList(info.Parent<DeploymentPage>().items);
  });
  BindOrDie(s, "DeploymentPage", "nextAfter", [](const ResolveInfo& info) {
    const auto& next = info.Parent<DeploymentPage>().next;
    return next ? FieldValue::StringRef(*next) : FieldValue::Null();
  });
  BindOrDie(s, "RunPage", "runs", [](const ResolveInfo& info) {
    return FieldValue::ObjectList(info.Parent<RunPage>().items);
  });
  BindOrDie(s, "RunPage", "nextBefore", [](const ResolveInfo& info) {
    const auto& next = info.Parent<RunPage>().next;
    return next ? FieldValue::StringRef(*next) : FieldValue::Null();
  });
}

void BindTypes(ExecutableSchema& s, storage::Store& store,
               const std::shared_ptr<DriverVersionCache>& versions) {
  BindOrDie(s, "Deployment", "id", [](const ResolveInfo& info) {
    return FieldValue::StringRef(info.Parent<Deployment>().id.value());
  });
  BindOrDie(s, "Deployment", "name", [](const ResolveInfo& info) {
    return FieldValue::StringRef(info.Parent<Deployment>().name);
  });
  BindOrDie(s, "Deployment", "environment", [&store](const ResolveInfo& info) {
    const EnvironmentId& id = info.Parent<Deployment>().environment_id;
    auto& request = info.Context<RequestState>();
    {
      const std::lock_guard<std::mutex> lock(request.mu);
      const auto it = request.environments.find(id);
      if (it != request.environments.end()) return FieldValue::Object(it->second);
    }
    auto environment = store.GetEnvironment(id);
    if (!environment) return ErrorValue(environment.error());
    auto shared = std::make_shared<const storage::Environment>(std::move(*environment));
    const std::lock_guard<std::mutex> lock(request.mu);
    request.environments.emplace(id, shared);
    return FieldValue::Object(std::move(shared));
  });

  BindOrDie(s, "Deployment", "applicationVersion", [](const ResolveInfo& info) {
    return FieldValue::StringRef(info.Parent<Deployment>().application_version);
  });
  BindOrDie(s, "Deployment", "parameters", [&store, versions](const ResolveInfo& info) {
    const Deployment& d = info.Parent<Deployment>();
    auto cached = versions->Get(store, d.driver_version_id);
    if (!cached) return ErrorValue(cached.error());
    return JsonValue(WithoutSecrets(d.parameters, *cached->spec));
  });
  BindOrDie(s, "Deployment", "driverVersion", [&store, versions](const ResolveInfo& info) {
    auto cached = versions->Get(store, info.Parent<Deployment>().driver_version_id);
    if (!cached) return ErrorValue(cached.error());
    return FieldValue::Object(cached->version);
  });
  BindOrDie(s, "Deployment", "config",
            [](const ResolveInfo& info) { return JsonValue(info.Parent<Deployment>().config); });
  BindOrDie(s, "Deployment", "phase",
            [](const ResolveInfo& info) { return EnumOf(info.Parent<Deployment>().phase); });
  BindOrDie(s, "Deployment", "activeInstance", [&store](const ResolveInfo& info) {
    const auto& id = info.Parent<Deployment>().active_instance_id;
    if (!id) return FieldValue::Null();
    return OwnedOrError(store.GetInstance(*id));
  });
  BindOrDie(s, "Deployment", "instances", [&store](const ResolveInfo& info) {
    return OwnedListOrError(store.ListInstances(info.Parent<Deployment>().id));
  });
  BindOrDie(s, "Deployment", "currentRun", [&store](const ResolveInfo& info) {
    // Batched: a page of deployments asks the store once for all their current runs.
    return RequestLoader(info, "currentRun", ByDeployment<Run>([&store](const auto& ids) {
                           return store.FindUnfinishedRuns(ids);
                         }))
        .Load(info, info.Parent<Deployment>().id.value());
  });
  BindOrDie(s, "Deployment", "runs", [&store](const ResolveInfo& info) {
    return RunsPage(store, info, info.Parent<Deployment>().id);
  });
  BindOrDie(s, "Deployment", "createdAt",
            [](const ResolveInfo& info) { return Time(info.Parent<Deployment>().created_at); });
  BindOrDie(s, "Deployment", "updatedAt",
            [](const ResolveInfo& info) { return Time(info.Parent<Deployment>().updated_at); });

  BindOrDie(s, "Instance", "id", [](const ResolveInfo& info) {
    return FieldValue::StringRef(info.Parent<Instance>().id.value());
  });
  BindOrDie(s, "Instance", "driverVersion", [&store, versions](const ResolveInfo& info) {
    auto cached = versions->Get(store, info.Parent<Instance>().driver_version_id);
    if (!cached) return ErrorValue(cached.error());
    return FieldValue::Object(cached->version);
  });
  BindOrDie(s, "Instance", "applicationVersion", [](const ResolveInfo& info) {
    return FieldValue::StringRef(info.Parent<Instance>().application_version);
  });
  BindOrDie(s, "Instance", "phase",
            [](const ResolveInfo& info) { return EnumOf(info.Parent<Instance>().phase); });
  BindOrDie(s, "Instance", "context",
            [](const ResolveInfo& info) { return JsonValue(info.Parent<Instance>().context); });
  BindOrDie(s, "Instance", "active", [&store](const ResolveInfo& info) {
    const Instance& instance = info.Parent<Instance>();
    auto deployment = store.GetDeployment(instance.deployment_id);
    if (!deployment) return ErrorValue(deployment.error());
    return FieldValue::Bool(deployment->active_instance_id == instance.id);
  });
  BindOrDie(s, "Instance", "createdAt",
            [](const ResolveInfo& info) { return Time(info.Parent<Instance>().created_at); });

  BindOrDie(s, "Run", "id", [](const ResolveInfo& info) {
    return FieldValue::StringRef(info.Parent<Run>().id.value());
  });
  BindOrDie(s, "Run", "kind",
            [](const ResolveInfo& info) { return EnumOf(info.Parent<Run>().kind); });
  BindOrDie(s, "Run", "state", [](const ResolveInfo& info) {
    return EnumOf(storage::RunStateName(info.Parent<Run>().state));
  });
  BindOrDie(s, "Run", "deployment", [&store](const ResolveInfo& info) {
    return OwnedOrError(store.GetDeployment(info.Parent<Run>().deployment_id));
  });
  BindOrDie(s, "Run", "instance", [&store](const ResolveInfo& info) {
    return OwnedOrError(store.GetInstance(info.Parent<Run>().instance_id));
  });
  BindOrDie(s, "Run", "reason", [](const ResolveInfo& info) {
    return FieldValue::StringRef(info.Parent<Run>().reason);
  });
  BindOrDie(s, "Run", "error", [](const ResolveInfo& info) {
    const std::string& error = info.Parent<Run>().error;
    return error.empty() ? FieldValue::Null() : FieldValue::StringRef(error);
  });
  BindOrDie(s, "Run", "progress",
            [](const ResolveInfo& info) { return FieldValue::Float(info.Parent<Run>().progress); });
  BindOrDie(s, "Run", "createdAt",
            [](const ResolveInfo& info) { return Time(info.Parent<Run>().created_at); });
  BindOrDie(s, "Run", "startedAt", [](const ResolveInfo& info) {
    const auto& at = info.Parent<Run>().started_at;
    return at ? Time(*at) : FieldValue::Null();
  });
  BindOrDie(s, "Run", "finishedAt", [](const ResolveInfo& info) {
    const auto& at = info.Parent<Run>().finished_at;
    return at ? Time(*at) : FieldValue::Null();
  });
}

// One secret parameter's value, as deploymentSecrets returns it.
struct SecretValue {
  std::string name;
  std::string value;
};

void BindAgentSecrets(ExecutableSchema& s, storage::Store& store, const secrets::SecretBox& box,
                      std::shared_ptr<DriverVersionCache> versions) {
  BindOrDie(s, "Query", "deploymentSecrets", [&store, &box, versions](const ResolveInfo& info) {
    if (auto denied = Deny(info, auth::Action::kAgentProtocol)) return *denied;
    auto values = [&]() -> Result<std::vector<SecretValue>> {
      STYRMIN_ASSIGN_OR_RETURN(const ClusterId cluster, AgentCluster(info));
      const DeploymentId id(info.args()["deploymentId"].get<std::string>());
      STYRMIN_ASSIGN_OR_RETURN(const Deployment d, store.GetDeployment(id));
      STYRMIN_ASSIGN_OR_RETURN(const storage::Environment environment,
                               store.GetEnvironment(d.environment_id));
      if (environment.cluster_id != cluster) {
        return PermissionDenied("deployment " + id.value() + " is not on this agent's cluster");
      }
      STYRMIN_ASSIGN_OR_RETURN(const auto cached, versions->Get(store, d.driver_version_id));
      STYRMIN_ASSIGN_OR_RETURN(auto plain, DeploymentSecrets(d, *cached.spec, box));
      std::vector<SecretValue> out;
      out.reserve(plain.size());
      for (auto& [name, value] : plain) out.push_back({name, std::move(value)});
      return out;
    }();
    return OwnedListOrError(std::move(values));
  });
  BindOrDie(s, "SecretValue", "name", [](const ResolveInfo& info) {
    return FieldValue::StringRef(info.Parent<SecretValue>().name);
  });
  BindOrDie(s, "SecretValue", "value", [](const ResolveInfo& info) {
    return FieldValue::StringRef(info.Parent<SecretValue>().value);
  });
}

}  // namespace

Result<driver::DriverSpec> SpecOf(const storage::ApplicationDriverVersion& version) {
  driver::SpecParse parsed = driver::ParseSpec(version.spec.dump());
  if (!parsed.spec) {
    return Internal("the stored spec of driver version " + version.id.value() +
                    " does not parse: " + driver::JoinProblems(parsed.problems));
  }
  return std::move(*parsed.spec);
}

Result<DriverVersionCache::Entry> DriverVersionCache::Get(storage::Store& store,
                                                          const DriverVersionId& id) {
  {
    const std::lock_guard<std::mutex> lock(mu_);
    const auto it = entries_.find(id);
    if (it != entries_.end()) return it->second;
  }
  STYRMIN_ASSIGN_OR_RETURN(storage::ApplicationDriverVersion version, store.GetDriverVersion(id));
  version.files = Json::object();
  STYRMIN_ASSIGN_OR_RETURN(driver::DriverSpec spec, SpecOf(version));
  Entry entry{std::make_shared<const storage::ApplicationDriverVersion>(std::move(version)),
              std::make_shared<const driver::DriverSpec>(std::move(spec))};
  const std::lock_guard<std::mutex> lock(mu_);
  return entries_.emplace(id, std::move(entry)).first->second;
}

void BindDeployments(graphql::ExecutableSchema& schema, storage::Store& store, const Clock& clock,
                     const secrets::SecretBox& box) {
  // One cache for the types and the agent's secrets: a version is read and parsed once.
  auto versions = std::make_shared<DriverVersionCache>();
  BindQueries(schema, store);
  BindTypes(schema, store, versions);
  BindMutations(schema, store, clock, box);
  BindAgentSecrets(schema, store, box, versions);
}

}  // namespace styrmin::api
