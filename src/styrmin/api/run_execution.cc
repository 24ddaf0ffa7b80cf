#include "styrmin/api/run_execution.h"

#include <chrono>
#include <cstdint>
#include <functional>
#include <map>
#include <string>
#include <utility>
#include <vector>

#include "styrmin/api/deployments.h"
#include "styrmin/api/resolver_kit.h"
#include "styrmin/api/secrets.h"
#include "styrmin/auth/auth.h"
#include "styrmin/reconcile/styrmin_deployment.h"
#include "styrmin/storage/rfc3339.h"

namespace styrmin::api {
namespace {

using namespace internal;  // NOLINT(google-build-using-namespace): the resolvers' shared kit
using storage::LeaseRef;
using storage::Run;
using storage::RunLease;
using storage::RunLogLine;
using storage::RunStep;

constexpr std::int64_t kMinLeaseSeconds = 5;
constexpr std::int64_t kMaxLeaseSeconds = 600;

Result<std::chrono::milliseconds> LeaseDuration(const OrderedJson& args) {
  const OrderedJson& given = args["leaseSeconds"];
  const std::int64_t seconds = given.is_number_integer() ? given.get<std::int64_t>() : 0;
  if (seconds < kMinLeaseSeconds || seconds > kMaxLeaseSeconds) {
    return InvalidArgument("leaseSeconds must be from " + std::to_string(kMinLeaseSeconds) +
                           " to " + std::to_string(kMaxLeaseSeconds) + ", not " + given.dump());
  }
  return std::chrono::seconds(seconds);
}

// The lease the arguments name, once the caller is known to be the agent of the run's cluster.
Result<LeaseRef> OwnLease(const ResolveInfo& info, storage::Store& store, std::string& target) {
  const OrderedJson& args = info.args();
  const RunId id(args["runId"].get<std::string>());
  target = id.value();
  STYRMIN_ASSIGN_OR_RETURN(const Run run, store.GetRun(id));
  const auth::Principal& caller = Caller(info);
  if (!caller.cluster_id || *caller.cluster_id != run.cluster_id) {
    return PermissionDenied("token \"" + caller.name + "\" acts for cluster " +
                            (caller.cluster_id ? caller.cluster_id->value() : "(none)") + "; run " +
                            id.value() + " belongs to cluster " + run.cluster_id.value());
  }
  return LeaseRef{id, args["leaseId"].get<std::string>()};
}

using LeaseOperation = std::function<FieldValue(const LeaseRef& lease, const OrderedJson& args)>;

// An audited mutation on a claimed run: only its cluster's agent, under the lease it names.
void BindLeaseMutation(ExecutableSchema& s, storage::Store& store, const Clock& clock,
                       std::string_view field, LeaseOperation operation) {
  BindAuditedMutation(
      s, store, clock, field,
      [&store, operation = std::move(operation)](const ResolveInfo& info, std::string& target) {
        if (auto denied = Deny(info, auth::Action::kAgentProtocol)) return *denied;
        auto lease = OwnLease(info, store, target);
        if (!lease) return ErrorValue(lease.error());
        return operation(*lease, info.args());
      });
}

// The RunLogLineInput list as the store takes it; `now` for lines without a time.
Result<std::vector<RunLogLine>> LogLines(const OrderedJson& input, storage::Timestamp now) {
  std::vector<RunLogLine> lines;
  lines.reserve(input.size());
  for (std::size_t i = 0; i < input.size(); ++i) {
    const OrderedJson& given = input[i];
    RunLogLine line;
    line.at = now;
    if (const OrderedJson* at = Member(given, "at")) {
      if (!at->is_string()) return InvalidArgument("lines[" + std::to_string(i) + "].at: not text");
      auto parsed = storage::ParseRfc3339(at->get<std::string>());
      if (!parsed) {
        return InvalidArgument("lines[" + std::to_string(i) + "].at: " + parsed.error().message());
      }
      line.at = std::chrono::time_point_cast<std::chrono::milliseconds>(*parsed);
    }
    if (const OrderedJson* step = Member(given, "step")) line.step = step->get<int>();
    line.level = Lower(given["level"].get<std::string>());
    line.text = given["text"].get<std::string>();
    lines.push_back(std::move(line));
  }
  return lines;
}

// A page of a run's log and where the next read continues.
struct LogPage {
  std::vector<RunLogLine> lines;
  std::int64_t next_after = 0;
};

// The secret values to cut out of the logs of `run`.
Result<std::vector<std::string>> SecretsOfRun(storage::Store& store, DriverVersionCache& versions,
                                              const RunId& run, const secrets::SecretBox& box) {
  STYRMIN_ASSIGN_OR_RETURN(const Run r, store.GetRun(run));
  STYRMIN_ASSIGN_OR_RETURN(const storage::Deployment d, store.GetDeployment(r.deployment_id));
  STYRMIN_ASSIGN_OR_RETURN(const auto cached, versions.Get(store, d.driver_version_id));
  STYRMIN_ASSIGN_OR_RETURN(const auto values, DeploymentSecrets(d, *cached.spec, box));
  std::vector<std::string> out;
  out.reserve(values.size());
  for (const auto& [name, value] : values) out.push_back(value);
  return out;
}

void BindMutations(ExecutableSchema& s, storage::Store& store, const Clock& clock,
                   const secrets::SecretBox& box) {
  BindAuditedMutation(
      s, store, clock, "claimRun", [&store, &clock](const ResolveInfo& info, std::string& target) {
        if (auto denied = Deny(info, auth::Action::kAgentProtocol)) return *denied;
        auto cluster = AgentCluster(info);
        if (!cluster) return ErrorValue(cluster.error());
        auto duration = LeaseDuration(info.args());
        if (!duration) return ErrorValue(duration.error());
        auto claimed =
            store.ClaimRun(*cluster, auth::GenerateId("lease"), NowMillis(clock), *duration);
        if (!claimed) return ErrorValue(claimed.error());
        if (!*claimed) return FieldValue::Null();
        target = (*claimed)->run.id.value();
        return Owned(std::move(**claimed));
      });
  BindLeaseMutation(s, store, clock, "renewRunLease",
                    [&store, &clock](const LeaseRef& lease, const OrderedJson& args) {
                      auto duration = LeaseDuration(args);
                      if (!duration) return ErrorValue(duration.error());
                      auto run = store.RenewLease(lease, NowMillis(clock), *duration);
                      if (!run) return ErrorValue(run.error());
                      return Owned(RunLease{std::move(*run), lease.lease_id});
                    });
  BindLeaseMutation(s, store, clock, "startRunStep",
                    [&store, &clock](const LeaseRef& lease, const OrderedJson& args) {
                      return OwnedOrError(store.StartStep(lease, args["name"].get<std::string>(),
                                                          NowMillis(clock)));
                    });
  BindLeaseMutation(
      s, store, clock, "finishRunStep",
      [&store, &clock](const LeaseRef& lease, const OrderedJson& args) {
        const auto state = storage::StepStateFromName(Lower(args["state"].get<std::string>()));
        if (!state) return ErrorValue(InvalidArgument("unknown step state").value());
        return OwnedOrError(store.FinishStep(lease, args["position"].get<int>(), *state,
                                             OptionalString(args, "error"), NowMillis(clock)));
      });
  BindLeaseMutation(s, store, clock, "appendRunLog",
                    [&store, &clock, &box, versions = std::make_shared<DriverVersionCache>()](
                        const LeaseRef& lease, const OrderedJson& args) {
                      auto lines = LogLines(args["lines"], NowMillis(clock));
                      if (!lines) return ErrorValue(lines.error());
                      auto secrets = SecretsOfRun(store, *versions, lease.run, box);
                      if (!secrets) return ErrorValue(secrets.error());
                      for (auto& line : *lines) line.text = RedactSecrets(line.text, *secrets);
                      auto last = store.AppendLog(lease, *lines);
                      if (!last) return ErrorValue(last.error());
                      return FieldValue::Int(*last);
                    });
  BindLeaseMutation(
      s, store, clock, "reportRunProgress",
      [&store](const LeaseRef& lease, const OrderedJson& args) {
        return OwnedOrError(store.ReportProgress(lease, args["progress"].get<double>()));
      });
  BindLeaseMutation(s, store, clock, "finishRun",
                    [&store, &clock](const LeaseRef& lease, const OrderedJson& args) {
                      const auto state =
                          storage::RunStateFromName(Lower(args["state"].get<std::string>()));
                      if (!state) return ErrorValue(InvalidArgument("unknown run state").value());
                      return OwnedOrError(store.FinishRun(
                          lease, *state, OptionalString(args, "error"), NowMillis(clock)));
                    });
}

// One entry of desiredDeployments.
struct Desired {
  storage::Deployment deployment;
  storage::Instance instance;
  Json manifest;
};

// Every deployment of `cluster` that a run deployed, with its StyrminDeployment.
Result<std::vector<Desired>> DesiredOf(storage::Store& store, const ClusterId& cluster) {
  STYRMIN_ASSIGN_OR_RETURN(const std::vector<storage::Environment> environments,
                           store.ListEnvironments(cluster));
  std::map<DriverVersionId, storage::ApplicationDriverVersion> drivers;
  std::vector<Desired> out;
  for (const storage::Environment& environment : environments) {
    storage::DeploymentQuery query;
    query.environment = environment.id;
    query.limit = 500;
    // Bounded: a page holds 500 deployments, and an environment fewer than 500 pages.
    for (int page = 0; page < 500; ++page) {
      STYRMIN_ASSIGN_OR_RETURN(const std::vector<storage::Deployment> deployments,
                               store.ListDeployments(query));
      for (const storage::Deployment& deployment : deployments) {
        if (!deployment.active_instance_id) continue;
        STYRMIN_ASSIGN_OR_RETURN(storage::Instance instance,
                                 store.GetInstance(*deployment.active_instance_id));
        auto driver = drivers.find(instance.driver_version_id);
        if (driver == drivers.end()) {
          STYRMIN_ASSIGN_OR_RETURN(storage::ApplicationDriverVersion version,
                                   store.GetDriverVersion(instance.driver_version_id));
          version.files = Json::object();  // not needed here, and large
          driver = drivers.emplace(instance.driver_version_id, std::move(version)).first;
        }
        reconcile::DesiredDeployment desired;
        desired.deployment_id = deployment.id.value();
        desired.name = deployment.name;
        desired.environment = environment.name;
        desired.driver_name = driver->second.driver_name;
        desired.driver_version = driver->second.version;
        desired.driver_digest = driver->second.digest;
        desired.application_version = instance.application_version;
        desired.phase = instance.phase;
        desired.instance_id = instance.id.value();
        desired.context = instance.context;
        STYRMIN_ASSIGN_OR_RETURN(Json manifest, reconcile::StyrminDeploymentManifest(desired));
        out.push_back({deployment, std::move(instance), std::move(manifest)});
      }
      if (deployments.size() < query.limit) break;
      query.after = deployments.back().id;
    }
  }
  return out;
}

void BindTypes(ExecutableSchema& s, storage::Store& store) {
  BindOrDie(s, "Query", "desiredDeployments", [&store](const ResolveInfo& info) {
    if (auto denied = Deny(info, auth::Action::kAgentProtocol)) return *denied;
    auto cluster = AgentCluster(info);
    if (!cluster) return ErrorValue(cluster.error());
    return OwnedListOrError(DesiredOf(store, *cluster));
  });
  BindOrDie(s, "DesiredDeployment", "deployment", [](const ResolveInfo& info) {
    return FieldValue::Object(&info.Parent<Desired>().deployment);
  });
  BindOrDie(s, "DesiredDeployment", "instance", [](const ResolveInfo& info) {
    return FieldValue::Object(&info.Parent<Desired>().instance);
  });
  BindOrDie(s, "DesiredDeployment", "manifest",
            [](const ResolveInfo& info) { return JsonValue(info.Parent<Desired>().manifest); });

  BindOrDie(s, "RunLease", "run", [](const ResolveInfo& info) {
    return FieldValue::Object(&info.Parent<RunLease>().run);
  });
  BindOrDie(s, "RunLease", "leaseId", [](const ResolveInfo& info) {
    return FieldValue::StringRef(info.Parent<RunLease>().lease_id);
  });
  BindOrDie(s, "RunLease", "expiresAt", [](const ResolveInfo& info) {
    const auto& at = info.Parent<RunLease>().run.lease_expires_at;
    return at ? Time(*at) : FieldValue::Null();
  });

  BindOrDie(s, "Run", "attempts",
            [](const ResolveInfo& info) { return FieldValue::Int(info.Parent<Run>().attempts); });
  BindOrDie(s, "Run", "leaseExpiresAt", [](const ResolveInfo& info) {
    const auto& at = info.Parent<Run>().lease_expires_at;
    return at ? Time(*at) : FieldValue::Null();
  });
  BindOrDie(s, "Run", "steps", [&store](const ResolveInfo& info) {
    return OwnedListOrError(store.ListSteps(info.Parent<Run>().id));
  });
  BindOrDie(s, "Run", "log", [&store](const ResolveInfo& info) {
    const OrderedJson& args = info.args();
    const std::int64_t after = args["after"].get<std::int64_t>();
    if (after < 0) return ErrorValue(InvalidArgument("after must not be negative").value());
    const auto first = PageSize(args);
    if (!first) return ErrorValue(first.error());
    auto lines = store.ListLog(info.Parent<Run>().id, after, *first);
    if (!lines) return ErrorValue(lines.error());
    LogPage page;
    page.next_after = lines->empty() ? after : lines->back().sequence;
    page.lines = std::move(*lines);
    return Owned(std::move(page));
  });

  BindOrDie(s, "RunLogPage", "lines", [](const ResolveInfo& info) {
    return FieldValue::ObjectList(info.Parent<LogPage>().lines);
  });
  BindOrDie(s, "RunLogPage", "nextAfter", [](const ResolveInfo& info) {
    return FieldValue::Int(info.Parent<LogPage>().next_after);
  });
  BindOrDie(s, "RunLogLine", "sequence", [](const ResolveInfo& info) {
    return FieldValue::Int(info.Parent<RunLogLine>().sequence);
  });
  BindOrDie(s, "RunLogLine", "at",
            [](const ResolveInfo& info) { return Time(info.Parent<RunLogLine>().at); });
  BindOrDie(s, "RunLogLine", "step", [](const ResolveInfo& info) {
    const auto& step = info.Parent<RunLogLine>().step;
    return step ? FieldValue::Int(*step) : FieldValue::Null();
  });
  BindOrDie(s, "RunLogLine", "level",
            [](const ResolveInfo& info) { return EnumOf(info.Parent<RunLogLine>().level); });
  BindOrDie(s, "RunLogLine", "text", [](const ResolveInfo& info) {
    return FieldValue::StringRef(info.Parent<RunLogLine>().text);
  });

  BindOrDie(s, "RunStep", "position", [](const ResolveInfo& info) {
    return FieldValue::Int(info.Parent<RunStep>().position);
  });
  BindOrDie(s, "RunStep", "name", [](const ResolveInfo& info) {
    return FieldValue::StringRef(info.Parent<RunStep>().name);
  });
  BindOrDie(s, "RunStep", "state", [](const ResolveInfo& info) {
    return EnumOf(storage::StepStateName(info.Parent<RunStep>().state));
  });
  BindOrDie(s, "RunStep", "error", [](const ResolveInfo& info) {
    const std::string& error = info.Parent<RunStep>().error;
    return error.empty() ? FieldValue::Null() : FieldValue::StringRef(error);
  });
  BindOrDie(s, "RunStep", "startedAt",
            [](const ResolveInfo& info) { return Time(info.Parent<RunStep>().started_at); });
  BindOrDie(s, "RunStep", "finishedAt", [](const ResolveInfo& info) {
    const auto& at = info.Parent<RunStep>().finished_at;
    return at ? Time(*at) : FieldValue::Null();
  });
}

}  // namespace

void BindRunExecution(graphql::ExecutableSchema& schema, storage::Store& store, const Clock& clock,
                      const secrets::SecretBox& box) {
  BindMutations(schema, store, clock, box);
  BindTypes(schema, store);
}

}  // namespace styrmin::api
