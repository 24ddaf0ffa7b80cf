#include "styrmin/storage/store_values.h"

#include <algorithm>
#include <array>
#include <charconv>
#include <cmath>
#include <initializer_list>
#include <optional>
#include <string>
#include <system_error>

#include "styrmin/storage/rfc3339.h"

namespace styrmin::storage {
namespace {

// A row the store wrote but cannot read back is damage or a bug, not the caller's mistake.
Error Corrupt(std::string_view row, const Error& error) {
  return Error(ErrorCode::kInternal, std::string(row) + ": stored " + error.message());
}

Status ValidatePhase(std::string_view phase, std::string_view what) {
  if (IsDeploymentPhase(phase)) return OkStatus();
  return InvalidArgument(std::string(what) + " " + Quoted(phase) +
                         " is not \"running\", \"stopped\" or \"deleted\"");
}

Status ValidateLimit(std::size_t limit, std::string_view what) {
  if (limit < 1 || limit > kMaxListLimit) {
    return InvalidArgument(std::string(what) + " limit " + std::to_string(limit) +
                           " is outside 1.." + std::to_string(kMaxListLimit));
  }
  return OkStatus();
}

Status ValidateNewInstance(const Instance& instance, const Deployment& deployment) {
  STYRMIN_RETURN_IF_ERROR(RequireNonEmpty(instance.id.value(), "instance id"));
  if (instance.deployment_id != deployment.id) {
    return InvalidArgument("instance " + Quoted(instance.id.value()) + " is for deployment " +
                           Quoted(instance.deployment_id.value()) + ", not " +
                           Quoted(deployment.id.value()));
  }
  STYRMIN_RETURN_IF_ERROR(
      RequireNonEmpty(instance.driver_version_id.value(), "instance driver version id"));
  STYRMIN_RETURN_IF_ERROR(
      RequireNonEmpty(instance.application_version, "instance application version"));
  return ValidatePhase(instance.phase, "instance phase");
}

Status ValidateNewRun(const Run& run, const DeploymentChange& change) {
  STYRMIN_RETURN_IF_ERROR(RequireNonEmpty(run.id.value(), "run id"));
  const std::string named = "run " + Quoted(run.id.value());
  STYRMIN_RETURN_IF_ERROR(RequireNonEmpty(run.kind, "run kind"));
  STYRMIN_RETURN_IF_ERROR(RequireNonEmpty(run.environment_id.value(), "run environment id"));
  STYRMIN_RETURN_IF_ERROR(RequireNonEmpty(run.cluster_id.value(), "run cluster id"));
  if (run.deployment_id != change.deployment.id) {
    return InvalidArgument(named + " is for deployment " + Quoted(run.deployment_id.value()) +
                           ", not " + Quoted(change.deployment.id.value()));
  }
  if (run.instance_id != change.instance.id) {
    return InvalidArgument(named + " deploys instance " + Quoted(run.instance_id.value()) +
                           ", not the change's instance " + Quoted(change.instance.id.value()));
  }
  // Also false for NaN.
  if (!(run.progress >= 0 && run.progress <= 1)) {
    return InvalidArgument(named + " has progress " + FormatProgress(run.progress) +
                           ", outside 0..1");
  }
  if (change.create && run.environment_id != change.deployment.environment_id) {
    return InvalidArgument(named + " is for environment " + Quoted(run.environment_id.value()) +
                           ", but deployment " + Quoted(change.deployment.name) +
                           " is in environment " +
                           Quoted(change.deployment.environment_id.value()));
  }
  return OkStatus();
}

}  // namespace

std::string Quoted(std::string_view text) { return "\"" + std::string(text) + "\""; }

Status RequireNonEmpty(std::string_view value, std::string_view what) {
  if (value.empty()) return InvalidArgument(std::string(what) + " must not be empty");
  return OkStatus();
}

Status ValidateNewCluster(const Cluster& cluster, const ApiToken& agent_token) {
  STYRMIN_RETURN_IF_ERROR(RequireNonEmpty(cluster.id.value(), "cluster id"));
  STYRMIN_RETURN_IF_ERROR(RequireNonEmpty(cluster.name, "cluster name"));
  STYRMIN_RETURN_IF_ERROR(ValidateNewToken(agent_token));
  if (agent_token.role != Role::kAgent || agent_token.cluster_id != cluster.id) {
    return InvalidArgument("the token created with cluster " + Quoted(cluster.name) +
                           " must be an agent token for that cluster");
  }
  return OkStatus();
}

Status ValidateNewEnvironment(const Environment& environment) {
  STYRMIN_RETURN_IF_ERROR(RequireNonEmpty(environment.id.value(), "environment id"));
  return RequireNonEmpty(environment.name, "environment name");
}

Status ValidateNewBackupLocation(const BackupStorageLocation& location) {
  STYRMIN_RETURN_IF_ERROR(RequireNonEmpty(location.id.value(), "backup storage location id"));
  return RequireNonEmpty(location.name, "backup storage location name");
}

Status ValidateNewToken(const ApiToken& token) {
  STYRMIN_RETURN_IF_ERROR(RequireNonEmpty(token.id.value(), "API token id"));
  STYRMIN_RETURN_IF_ERROR(RequireNonEmpty(token.name, "API token name"));
  return RequireNonEmpty(token.secret_hash, "API token secret hash");
}

Status ValidateNewAuditEvent(const AuditEvent& event) {
  STYRMIN_RETURN_IF_ERROR(RequireNonEmpty(event.actor, "audit event actor"));
  STYRMIN_RETURN_IF_ERROR(RequireNonEmpty(event.action, "audit event action"));
  return RequireNonEmpty(event.outcome, "audit event outcome");
}

Status ValidateNewDriverVersion(const ApplicationDriverVersion& version,
                                const DriverId& new_driver) {
  STYRMIN_RETURN_IF_ERROR(RequireNonEmpty(version.id.value(), "driver version id"));
  STYRMIN_RETURN_IF_ERROR(RequireNonEmpty(version.driver_name, "driver name"));
  STYRMIN_RETURN_IF_ERROR(RequireNonEmpty(version.version, "driver version"));
  STYRMIN_RETURN_IF_ERROR(RequireNonEmpty(version.digest, "driver version digest"));
  return RequireNonEmpty(new_driver.value(), "new driver id");
}

Status ValidateDeploymentChange(const DeploymentChange& change) {
  const Deployment& deployment = change.deployment;
  STYRMIN_RETURN_IF_ERROR(RequireNonEmpty(deployment.id.value(), "deployment id"));
  // An update keeps the stored environment and name, so only a new deployment needs them.
  if (change.create) {
    STYRMIN_RETURN_IF_ERROR(
        RequireNonEmpty(deployment.environment_id.value(), "deployment environment id"));
    STYRMIN_RETURN_IF_ERROR(RequireNonEmpty(deployment.name, "deployment name"));
  }
  STYRMIN_RETURN_IF_ERROR(
      RequireNonEmpty(deployment.driver_version_id.value(), "deployment driver version id"));
  STYRMIN_RETURN_IF_ERROR(
      RequireNonEmpty(deployment.application_version, "deployment application version"));
  STYRMIN_RETURN_IF_ERROR(ValidatePhase(deployment.phase, "deployment phase"));
  STYRMIN_RETURN_IF_ERROR(ValidateNewInstance(change.instance, deployment));
  if (change.run) STYRMIN_RETURN_IF_ERROR(ValidateNewRun(*change.run, change));
  return OkStatus();
}

Status ValidateAuditQuery(const AuditQuery& query) { return ValidateLimit(query.limit, "audit"); }

Status ValidateDeploymentQuery(const DeploymentQuery& query) {
  STYRMIN_RETURN_IF_ERROR(ValidateLimit(query.limit, "deployment"));
  if (query.phase) STYRMIN_RETURN_IF_ERROR(ValidatePhase(*query.phase, "deployment phase"));
  return OkStatus();
}

Status ValidateRunQuery(const RunQuery& query) { return ValidateLimit(query.limit, "run"); }

bool IsDeploymentPhase(std::string_view phase) {
  return phase == "running" || phase == "stopped" || phase == "deleted";
}

std::string_view KindName(BackupLocationKind kind) {
  switch (kind) {
    case BackupLocationKind::kS3:
      return "s3";
    case BackupLocationKind::kFilesystem:
      return "filesystem";
  }
  STYRMIN_CHECK(false, "a BackupLocationKind outside its enumerators");
}

Result<BackupLocationKind> ParseKind(std::string_view name, std::string_view row) {
  if (name == "s3") return BackupLocationKind::kS3;
  if (name == "filesystem") return BackupLocationKind::kFilesystem;
  return Internal(std::string(row) + ": stored unknown kind " + Quoted(name));
}

std::string_view RoleName(Role role) {
  switch (role) {
    case Role::kAdmin:
      return "admin";
    case Role::kOperator:
      return "operator";
    case Role::kViewer:
      return "viewer";
    case Role::kAgent:
      return "agent";
  }
  STYRMIN_CHECK(false, "a Role outside its enumerators");
}

Result<Role> ParseRole(std::string_view name, std::string_view row) {
  if (name == "admin") return Role::kAdmin;
  if (name == "operator") return Role::kOperator;
  if (name == "viewer") return Role::kViewer;
  if (name == "agent") return Role::kAgent;
  return Internal(std::string(row) + ": stored unknown role " + Quoted(name));
}

std::string_view RunStateName(RunState state) {
  switch (state) {
    case RunState::kPending:
      return "pending";
    case RunState::kRunning:
      return "running";
    case RunState::kSucceeded:
      return "succeeded";
    case RunState::kFailed:
      return "failed";
    case RunState::kCancelled:
      return "cancelled";
  }
  STYRMIN_CHECK(false, "a RunState outside its enumerators");
}

std::optional<RunState> RunStateFromName(std::string_view name) {
  for (const RunState state : {RunState::kPending, RunState::kRunning, RunState::kSucceeded,
                               RunState::kFailed, RunState::kCancelled}) {
    if (RunStateName(state) == name) return state;
  }
  return std::nullopt;
}

Result<RunState> ParseRunState(std::string_view name, std::string_view row) {
  if (const std::optional<RunState> state = RunStateFromName(name)) return *state;
  return Internal(std::string(row) + ": stored unknown run state " + Quoted(name));
}

std::string_view StepStateName(StepState state) {
  switch (state) {
    case StepState::kRunning:
      return "running";
    case StepState::kSucceeded:
      return "succeeded";
    case StepState::kFailed:
      return "failed";
    case StepState::kSkipped:
      return "skipped";
  }
  STYRMIN_CHECK(false, "a StepState outside its enumerators");
}

std::optional<StepState> StepStateFromName(std::string_view name) {
  for (const StepState state :
       {StepState::kRunning, StepState::kSucceeded, StepState::kFailed, StepState::kSkipped}) {
    if (StepStateName(state) == name) return state;
  }
  return std::nullopt;
}

Result<StepState> ParseStepState(std::string_view name, std::string_view row) {
  if (const std::optional<StepState> state = StepStateFromName(name)) return *state;
  return Internal(std::string(row) + ": stored unknown step state " + Quoted(name));
}

bool IsLogLevel(std::string_view level) {
  return level == "debug" || level == "info" || level == "warning" || level == "error";
}

namespace {

bool OneOf(std::string_view value, std::initializer_list<std::string_view> names) {
  return std::find(names.begin(), names.end(), value) != names.end();
}

// kInvalidArgument "<where>: <what> ..." when `name` is empty or longer than a Kubernetes name.
Status CheckName(std::string_view name, const std::string& where, std::string_view what) {
  constexpr std::size_t kMaxNameBytes = 253;
  if (name.empty()) return InvalidArgument(where + ": " + std::string(what) + " must not be empty");
  if (name.size() > kMaxNameBytes) {
    return InvalidArgument(where + ": " + std::string(what) + " has " +
                           std::to_string(name.size()) + " bytes; at most " +
                           std::to_string(kMaxNameBytes) + " are accepted");
  }
  return OkStatus();
}

Status CheckMessage(std::string_view message, const std::string& where) {
  if (message.size() > kMaxStatusMessageBytes) {
    return InvalidArgument(where + ": the message has " + std::to_string(message.size()) +
                           " bytes; at most " + std::to_string(kMaxStatusMessageBytes) +
                           " are accepted");
  }
  return OkStatus();
}

Status CheckCount(std::size_t count, std::size_t limit, const std::string& what) {
  if (count > limit) {
    return InvalidArgument(std::to_string(count) + " " + what + "; at most " +
                           std::to_string(limit) + " are accepted");
  }
  return OkStatus();
}

}  // namespace

bool IsObservedPhase(std::string_view phase) {
  return OneOf(phase, {"progressing", "running", "stopped", "deleting", "failed", "unknown"});
}

bool IsHealth(std::string_view health) {
  return OneOf(health, {"healthy", "degraded", "failing", "unknown"});
}

bool IsPodPhase(std::string_view phase) {
  return OneOf(phase, {"pending", "running", "succeeded", "failed", "unknown"});
}

Status ValidateDeploymentStatuses(const std::vector<DeploymentStatus>& statuses) {
  STYRMIN_RETURN_IF_ERROR(
      CheckCount(statuses.size(), kMaxStatusesPerReport, "deployment statuses in one report"));
  for (std::size_t i = 0; i < statuses.size(); ++i) {
    const DeploymentStatus& status = statuses[i];
    const std::string where = "status " + std::to_string(i) + " (deployment " +
                              Quoted(status.deployment_id.value()) + ")";
    STYRMIN_RETURN_IF_ERROR(CheckName(status.deployment_id.value(), where, "the deployment id"));
    if (!IsObservedPhase(status.phase)) {
      return InvalidArgument(where + ": unknown phase " + Quoted(status.phase));
    }
    if (!IsHealth(status.health)) {
      return InvalidArgument(where + ": unknown health " + Quoted(status.health));
    }
    STYRMIN_RETURN_IF_ERROR(CheckMessage(status.message, where));
    STYRMIN_RETURN_IF_ERROR(
        CheckCount(status.components.size(), kMaxComponentsPerStatus, "components in " + where));
    for (const ComponentStatus& component : status.components) {
      const std::string at = where + ", component " + Quoted(component.name);
      STYRMIN_RETURN_IF_ERROR(CheckName(component.name, at, "the name"));
      if (component.ready_replicas < 0 || component.desired_replicas < 0) {
        return InvalidArgument(at + ": replicas must not be negative");
      }
      if (!IsHealth(component.health)) {
        return InvalidArgument(at + ": unknown health " + Quoted(component.health));
      }
    }
    for (std::size_t j = 0; j < i; ++j) {
      if (statuses[j].deployment_id == status.deployment_id) {
        return InvalidArgument(where + ": the deployment is reported twice");
      }
    }
  }
  return OkStatus();
}

Status ValidatePodStatuses(const std::vector<PodStatus>& pods) {
  STYRMIN_RETURN_IF_ERROR(CheckCount(pods.size(), kMaxPodsPerReport, "pods in one report"));
  std::vector<std::string_view> names;
  names.reserve(pods.size());
  for (std::size_t i = 0; i < pods.size(); ++i) {
    const PodStatus& pod = pods[i];
    const std::string where = "pod " + std::to_string(i) + " (" + Quoted(pod.name) + ")";
    STYRMIN_RETURN_IF_ERROR(CheckName(pod.name, where, "the name"));
    if (!IsPodPhase(pod.phase))
      return InvalidArgument(where + ": unknown phase " + Quoted(pod.phase));
    if (pod.restarts < 0) return InvalidArgument(where + ": restarts must not be negative");
    STYRMIN_RETURN_IF_ERROR(
        CheckCount(pod.conditions.size(), kMaxConditionsPerPod, "conditions in " + where));
    for (const PodCondition& condition : pod.conditions) {
      STYRMIN_RETURN_IF_ERROR(CheckName(condition.type, where, "a condition's type"));
      STYRMIN_RETURN_IF_ERROR(CheckMessage(condition.message, where));
    }
    names.push_back(pod.name);
  }
  std::sort(names.begin(), names.end());
  const auto twice = std::adjacent_find(names.begin(), names.end());
  if (twice != names.end()) return InvalidArgument("pod " + Quoted(*twice) + " is reported twice");
  return OkStatus();
}

std::string FormatProgress(double progress) {
  // Shortest round trip: 0.1 is "0.1", and every double reads back as itself.
  std::array<char, 32> buffer{};
  const auto [end, error] = std::to_chars(buffer.data(), buffer.data() + buffer.size(), progress);
  STYRMIN_CHECK(error == std::errc(), "32 characters hold any double");
  return std::string(buffer.data(), end);
}

Result<double> ParseStoredProgress(std::string_view text, std::string_view row) {
  double progress = 0;
  const char* end = text.data() + text.size();
  const auto [stop, error] = std::from_chars(text.data(), end, progress);
  if (error != std::errc() || stop != end || !std::isfinite(progress)) {
    return Internal(std::string(row) + ": stored progress " + Quoted(text) +
                    " that is not a number");
  }
  return progress;
}

Result<Json> ParseStoredJson(std::string_view text, std::string_view row) {
  if (text == "{}") return Json::object();  // most configs: no parser for them
  auto json = ParseJson(text);
  if (!json) return tl::unexpected(Corrupt(row, json.error()));
  return json;
}

Result<Timestamp> ParseStoredTimestamp(std::string_view text, std::string_view row) {
  auto timestamp = ParseRfc3339(text);
  if (!timestamp) return tl::unexpected(Corrupt(row, timestamp.error()));
  return timestamp;
}

}  // namespace styrmin::storage
