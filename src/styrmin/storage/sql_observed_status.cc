// SqlStore's ObservedStatusStore: what agents observed of their cluster's deployments.
//
// A report is checked whole before anything is written (ValidateDeploymentStatuses), then in its
// transaction against the database: every deployment exists and is in the reporting cluster,
// every observed Instance is the deployment's own. Statuses are upserted; a deployment's pods
// are replaced as a set, so a pod that is gone disappears.
#include <string>
#include <unordered_map>
#include <utility>

#include "styrmin/storage/sql_store.h"
#include "styrmin/storage/sql_store_internal.h"
#include "styrmin/storage/store_values.h"

namespace styrmin::storage {
namespace {

using sql::ReadAll;

constexpr std::size_t kMaxIdsPerQuery = 1000;

// "?<first>, ?<first+1>, ..." for `count` parameters.
std::string Placeholders(std::size_t first, std::size_t count) {
  std::string out;
  for (std::size_t i = 0; i < count; ++i) {
    if (i > 0) out += ", ";
    out += "?" + std::to_string(first + i);
  }
  return out;
}

// The cluster of each of `deployments` that exists, by deployment id.
Result<std::unordered_map<std::string, std::string>> ClustersOf(
    SqlSession& session, const std::vector<std::string>& deployments) {
  STYRMIN_ASSIGN_OR_RETURN(const SqlRows rows,
                           session.Query("SELECT d.id, e.cluster_id FROM deployments d "
                                         "JOIN environments e ON e.id = d.environment_id WHERE " +
                                             sql::InJsonList(session.dialect(), "d.id", 1),
                                         {sql::JsonList(deployments)}));
  std::unordered_map<std::string, std::string> clusters;
  for (const SqlRow& row : rows) clusters.emplace(row.Text(0), row.Text(1));
  return clusters;
}

// kInvalidArgument for an unknown deployment, kPermissionDenied for one outside `cluster`.
Status RequireInCluster(const std::unordered_map<std::string, std::string>& clusters,
                        const std::string& deployment, const ClusterId& cluster,
                        const std::string& where) {
  const auto found = clusters.find(deployment);
  if (found == clusters.end()) {
    return InvalidArgument(where + ": deployment " + Quoted(deployment) + " does not exist");
  }
  if (found->second != cluster.value()) {
    return PermissionDenied(where + ": deployment " + Quoted(deployment) + " is in cluster " +
                            found->second + ", not " + cluster.value());
  }
  return OkStatus();
}

Json ComponentsJson(const std::vector<ComponentStatus>& components) {
  Json out = Json::array();
  for (const ComponentStatus& c : components) {
    out.push_back({{"name", c.name},
                   {"ready_replicas", c.ready_replicas},
                   {"desired_replicas", c.desired_replicas},
                   {"health", c.health}});
  }
  return out;
}

Json ConditionsJson(const std::vector<PodCondition>& conditions) {
  Json out = Json::array();
  for (const PodCondition& c : conditions) {
    out.push_back(
        {{"type", c.type}, {"status", c.status}, {"reason", c.reason}, {"message", c.message}});
  }
  return out;
}

// The text member `key` of a stored JSON object; kInternal naming `row` when it is not there.
Result<std::string> StoredText(const Json& object, const char* key, const std::string& row) {
  const auto found = object.find(key);
  if (found == object.end() || !found->is_string()) {
    return Internal(row + ": stored JSON without text \"" + key + "\"");
  }
  return found->get<std::string>();
}

Result<int> StoredInt(const Json& object, const char* key, const std::string& row) {
  const auto found = object.find(key);
  if (found == object.end() || !found->is_number_integer()) {
    return Internal(row + ": stored JSON without integer \"" + key + "\"");
  }
  return found->get<int>();
}

constexpr std::string_view kStatusColumns =
    "deployment_id, phase, health, observed_instance_id, message, components, reported_at";

Result<DeploymentStatus> ReadStatus(const SqlRow& row) {
  DeploymentStatus status;
  status.deployment_id = DeploymentId(row.Text(0));
  const std::string where = "status of deployment " + Quoted(status.deployment_id.value());
  status.phase = row.Text(1);
  status.health = row.Text(2);
  if (const auto& instance = row.OptionalText(3))
    status.observed_instance_id = InstanceId(*instance);
  status.message = row.Text(4);
  STYRMIN_ASSIGN_OR_RETURN(const Json components, ParseStoredJson(row.Text(5), where));
  if (!components.is_array()) return Internal(where + ": stored components that are no list");
  for (const Json& c : components) {
    ComponentStatus component;
    STYRMIN_ASSIGN_OR_RETURN(component.name, StoredText(c, "name", where));
    STYRMIN_ASSIGN_OR_RETURN(component.ready_replicas, StoredInt(c, "ready_replicas", where));
    STYRMIN_ASSIGN_OR_RETURN(component.desired_replicas, StoredInt(c, "desired_replicas", where));
    STYRMIN_ASSIGN_OR_RETURN(component.health, StoredText(c, "health", where));
    status.components.push_back(std::move(component));
  }
  STYRMIN_ASSIGN_OR_RETURN(status.reported_at, ParseStoredTimestamp(row.Text(6), where));
  return status;
}

constexpr std::string_view kPodColumns =
    "deployment_id, name, component, phase, ready, restarts, conditions, reported_at";

Result<PodStatus> ReadPod(const SqlRow& row) {
  PodStatus pod;
  pod.deployment_id = DeploymentId(row.Text(0));
  pod.name = row.Text(1);
  const std::string where = "pod " + Quoted(pod.name);
  pod.component = row.Text(2);
  pod.phase = row.Text(3);
  const std::optional<std::int64_t> ready = row.Int(4);
  const std::optional<std::int64_t> restarts = row.Int(5);
  if (!ready || !restarts) return Internal(where + ": stored counts that are not integers");
  pod.ready = *ready != 0;
  pod.restarts = static_cast<int>(*restarts);
  STYRMIN_ASSIGN_OR_RETURN(const Json conditions, ParseStoredJson(row.Text(6), where));
  if (!conditions.is_array()) return Internal(where + ": stored conditions that are no list");
  for (const Json& c : conditions) {
    PodCondition condition;
    STYRMIN_ASSIGN_OR_RETURN(condition.type, StoredText(c, "type", where));
    STYRMIN_ASSIGN_OR_RETURN(condition.status, StoredText(c, "status", where));
    STYRMIN_ASSIGN_OR_RETURN(condition.reason, StoredText(c, "reason", where));
    STYRMIN_ASSIGN_OR_RETURN(condition.message, StoredText(c, "message", where));
    pod.conditions.push_back(std::move(condition));
  }
  STYRMIN_ASSIGN_OR_RETURN(pod.reported_at, ParseStoredTimestamp(row.Text(7), where));
  return pod;
}

// How many pods one INSERT writes: 8 parameters each.
constexpr std::size_t kPodsPerInsert = 100;

}  // namespace

Status SqlStore::ReportDeploymentStatuses(const ClusterId& cluster,
                                          const std::vector<DeploymentStatus>& statuses) {
  STYRMIN_RETURN_IF_ERROR(RequireNonEmpty(cluster.value(), "cluster id"));
  STYRMIN_RETURN_IF_ERROR(ValidateDeploymentStatuses(statuses));
  if (statuses.empty()) return OkStatus();
  std::vector<std::string> ids;
  ids.reserve(statuses.size());
  for (const DeploymentStatus& status : statuses) ids.push_back(status.deployment_id.value());
  return database().InTransaction(Access::kWrite, [&](SqlSession& session) -> Status {
    STYRMIN_ASSIGN_OR_RETURN(const auto clusters, ClustersOf(session, ids));
    std::vector<std::string> instances;
    for (std::size_t i = 0; i < statuses.size(); ++i) {
      const DeploymentStatus& status = statuses[i];
      STYRMIN_RETURN_IF_ERROR(RequireInCluster(clusters, status.deployment_id.value(), cluster,
                                               "status " + std::to_string(i)));
      if (status.observed_instance_id) instances.push_back(status.observed_instance_id->value());
    }
    if (!instances.empty()) {
      STYRMIN_ASSIGN_OR_RETURN(const SqlRows rows,
                               session.Query("SELECT id, deployment_id FROM instances WHERE " +
                                                 sql::InJsonList(session.dialect(), "id", 1),
                                             {sql::JsonList(instances)}));
      std::unordered_map<std::string, std::string> owners;
      for (const SqlRow& row : rows) owners.emplace(row.Text(0), row.Text(1));
      for (std::size_t i = 0; i < statuses.size(); ++i) {
        const auto& instance = statuses[i].observed_instance_id;
        if (!instance) continue;
        const auto owner = owners.find(instance->value());
        if (owner == owners.end() || owner->second != statuses[i].deployment_id.value()) {
          return InvalidArgument("status " + std::to_string(i) + ": instance " +
                                 Quoted(instance->value()) + " is not one of deployment " +
                                 Quoted(statuses[i].deployment_id.value()) + "'s");
        }
      }
    }
    for (const DeploymentStatus& status : statuses) {
      STYRMIN_RETURN_IF_ERROR(session.Exec(
          "INSERT INTO deployment_statuses (" + std::string(kStatusColumns) +
              ") VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7) ON CONFLICT (deployment_id) DO UPDATE SET "
              "phase = excluded.phase, health = excluded.health, "
              "observed_instance_id = excluded.observed_instance_id, "
              "message = excluded.message, components = excluded.components, "
              "reported_at = excluded.reported_at",
          {status.deployment_id.value(), status.phase, status.health, status.observed_instance_id,
           status.message, DumpJson(ComponentsJson(status.components)),
           FormatRfc3339(status.reported_at)},
          "store the status of deployment " + Quoted(status.deployment_id.value())));
    }
    return OkStatus();
  });
}

Status SqlStore::ReportPodStatuses(const ClusterId& cluster, const DeploymentId& deployment,
                                   const std::vector<PodStatus>& pods) {
  STYRMIN_RETURN_IF_ERROR(RequireNonEmpty(cluster.value(), "cluster id"));
  STYRMIN_RETURN_IF_ERROR(RequireNonEmpty(deployment.value(), "deployment id"));
  STYRMIN_RETURN_IF_ERROR(ValidatePodStatuses(pods));
  return database().InTransaction(Access::kWrite, [&](SqlSession& session) -> Status {
    STYRMIN_ASSIGN_OR_RETURN(const auto clusters, ClustersOf(session, {deployment.value()}));
    STYRMIN_RETURN_IF_ERROR(
        RequireInCluster(clusters, deployment.value(), cluster, "the pod report"));
    STYRMIN_RETURN_IF_ERROR(session.Exec("DELETE FROM pod_statuses WHERE deployment_id = ?1",
                                         {deployment.value()}, "forget the reported pods"));
    std::vector<std::string> texts;  // what the parameters point at, alive until they ran
    texts.reserve(pods.size() * 2);
    for (const PodStatus& pod : pods) {
      texts.push_back(DumpJson(ConditionsJson(pod.conditions)));
      texts.push_back(FormatRfc3339(pod.reported_at));
    }
    for (std::size_t first = 0; first < pods.size(); first += kPodsPerInsert) {
      const std::size_t end = std::min(pods.size(), first + kPodsPerInsert);
      std::string statement = "INSERT INTO pod_statuses (" + std::string(kPodColumns) + ") VALUES ";
      std::vector<SqlValue> params;
      params.reserve((end - first) * 8);
      for (std::size_t i = first; i < end; ++i) {
        if (i > first) statement += ", ";
        statement += "(" + Placeholders(params.size() + 1, 8) + ")";
        params.emplace_back(deployment.value());
        params.emplace_back(pods[i].name);
        params.emplace_back(pods[i].component);
        params.emplace_back(pods[i].phase);
        params.emplace_back(std::int64_t{pods[i].ready ? 1 : 0});
        params.emplace_back(static_cast<std::int64_t>(pods[i].restarts));
        params.emplace_back(texts[2 * i]);
        params.emplace_back(texts[(2 * i) + 1]);
      }
      STYRMIN_RETURN_IF_ERROR(
          session.Query(statement, std::span<const SqlValue>(params),
                        "store the pods of deployment " + Quoted(deployment.value())));
    }
    return OkStatus();
  });
}

Result<std::vector<DeploymentStatus>> SqlStore::FindDeploymentStatuses(
    const std::vector<DeploymentId>& deployments) {
  if (deployments.size() > kMaxIdsPerQuery) {
    return InvalidArgument("at most " + std::to_string(kMaxIdsPerQuery) +
                           " deployments at once, not " + std::to_string(deployments.size()));
  }
  if (deployments.empty()) return std::vector<DeploymentStatus>();
  const std::string list = sql::JsonList(deployments);
  return database().InTransaction(
      Access::kRead, [&](SqlSession& session) -> Result<std::vector<DeploymentStatus>> {
        return ReadAll(session.Query("SELECT " + std::string(kStatusColumns) +
                                         " FROM deployment_statuses WHERE " +
                                         sql::InJsonList(session.dialect(), "deployment_id", 1),
                                     {list}),
                       ReadStatus);
      });
}

Result<std::vector<PodStatus>> SqlStore::ListPodStatuses(const DeploymentId& deployment) {
  return database().InTransaction(
      Access::kRead, [&](SqlSession& session) -> Result<std::vector<PodStatus>> {
        STYRMIN_RETURN_IF_ERROR(sql::FailIfMissing(
            session, "SELECT 1 FROM deployments WHERE id = ?1", {deployment.value()},
            NotFound("deployment " + Quoted(deployment.value()) + " not found")));
        return ReadAll(session.Query("SELECT " + std::string(kPodColumns) +
                                         " FROM pod_statuses WHERE deployment_id = ?1" +
                                         sql::OrderByBytes(session.dialect(), {"name"}),
                                     {deployment.value()}),
                       ReadPod);
      });
}

}  // namespace styrmin::storage
