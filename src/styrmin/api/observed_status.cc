#include "styrmin/api/observed_status.h"

#include <string>
#include <utility>
#include <vector>

#include "styrmin/api/resolver_kit.h"
#include "styrmin/auth/auth.h"

namespace styrmin::api {
namespace {

using namespace internal;  // NOLINT(google-build-using-namespace): the resolvers' shared kit
using storage::ComponentStatus;
using storage::Deployment;
using storage::DeploymentStatus;
using storage::PodCondition;
using storage::PodStatus;

// The list member `key` of an input object; an empty list when absent or null.
const OrderedJson& ListOf(const OrderedJson& input, std::string_view key) {
  static const OrderedJson kNone = OrderedJson::array();
  const OrderedJson* value = Member(input, key);
  return value == nullptr ? kNone : *value;
}

std::vector<DeploymentStatus> Statuses(const OrderedJson& input, storage::Timestamp now) {
  std::vector<DeploymentStatus> statuses;
  statuses.reserve(input.size());
  for (const OrderedJson& given : input) {
    DeploymentStatus status;
    status.deployment_id = DeploymentId(given["deploymentId"].get<std::string>());
    status.phase = Lower(given["phase"].get<std::string>());
    status.health = Lower(given["health"].get<std::string>());
    if (const OrderedJson* instance = Member(given, "observedInstanceId")) {
      status.observed_instance_id = InstanceId(instance->get<std::string>());
    }
    status.message = OptionalString(given, "message");
    for (const OrderedJson& c : ListOf(given, "components")) {
      status.components.push_back({c["name"].get<std::string>(), c["readyReplicas"].get<int>(),
                                   c["desiredReplicas"].get<int>(),
                                   Lower(c["health"].get<std::string>())});
    }
    status.reported_at = now;
    statuses.push_back(std::move(status));
  }
  return statuses;
}

std::vector<PodStatus> Pods(const OrderedJson& input, storage::Timestamp now) {
  std::vector<PodStatus> pods;
  pods.reserve(input.size());
  for (const OrderedJson& given : input) {
    PodStatus pod;
    pod.name = given["name"].get<std::string>();
    pod.component = OptionalString(given, "component");
    pod.phase = Lower(given["phase"].get<std::string>());
    pod.ready = given["ready"].get<bool>();
    pod.restarts = given["restarts"].get<int>();
    for (const OrderedJson& c : ListOf(given, "conditions")) {
      pod.conditions.push_back({c["type"].get<std::string>(), c["status"].get<std::string>(),
                                OptionalString(c, "reason"), OptionalString(c, "message")});
    }
    pod.reported_at = now;
    pods.push_back(std::move(pod));
  }
  return pods;
}

FieldValue TextOrNull(const std::string& text) {
  return text.empty() ? FieldValue::Null() : FieldValue::StringRef(text);
}

void BindMutations(ExecutableSchema& s, storage::Store& store, const Clock& clock) {
  BindAuditedMutation(s, store, clock, "reportDeploymentStatuses",
                      [&store, &clock](const ResolveInfo& info, std::string& /*target*/) {
                        if (auto denied = Deny(info, auth::Action::kAgentProtocol)) return *denied;
                        auto cluster = AgentCluster(info);
                        if (!cluster) return ErrorValue(cluster.error());
                        const auto statuses = Statuses(info.args()["statuses"], NowMillis(clock));
                        if (auto stored = store.ReportDeploymentStatuses(*cluster, statuses);
                            !stored) {
                          return ErrorValue(stored.error());
                        }
                        return FieldValue::Int(static_cast<std::int64_t>(statuses.size()));
                      });
  BindAuditedMutation(
      s, store, clock, "reportPodStatuses",
      [&store, &clock](const ResolveInfo& info, std::string& target) {
        if (auto denied = Deny(info, auth::Action::kAgentProtocol)) return *denied;
        auto cluster = AgentCluster(info);
        if (!cluster) return ErrorValue(cluster.error());
        const DeploymentId deployment(info.args()["deploymentId"].get<std::string>());
        target = deployment.value();
        const auto pods = Pods(info.args()["pods"], NowMillis(clock));
        if (auto stored = store.ReportPodStatuses(*cluster, deployment, pods); !stored) {
          return ErrorValue(stored.error());
        }
        return FieldValue::Int(static_cast<std::int64_t>(pods.size()));
      });
}

void BindTypes(ExecutableSchema& s, storage::Store& store) {
  BindOrDie(s, "Deployment", "status", [&store](const ResolveInfo& info) {
    // Batched: a page of deployments asks the store once for all their statuses.
    return RequestLoader(info, "status", ByDeployment<DeploymentStatus>([&store](const auto& ids) {
                           return store.FindDeploymentStatuses(ids);
                         }))
        .Load(info, info.Parent<Deployment>().id.value());
  });
  BindOrDie(s, "Deployment", "pods", [&store](const ResolveInfo& info) {
    return OwnedListOrError(store.ListPodStatuses(info.Parent<Deployment>().id));
  });

  BindOrDie(s, "DeploymentStatus", "phase",
            [](const ResolveInfo& info) { return EnumOf(info.Parent<DeploymentStatus>().phase); });
  BindOrDie(s, "DeploymentStatus", "health",
            [](const ResolveInfo& info) { return EnumOf(info.Parent<DeploymentStatus>().health); });
  BindOrDie(s, "DeploymentStatus", "observedInstance", [&store](const ResolveInfo& info) {
    const auto& id = info.Parent<DeploymentStatus>().observed_instance_id;
    return id ? OwnedOrError(store.GetInstance(*id)) : FieldValue::Null();
  });
  BindOrDie(s, "DeploymentStatus", "message", [](const ResolveInfo& info) {
    return TextOrNull(info.Parent<DeploymentStatus>().message);
  });
  BindOrDie(s, "DeploymentStatus", "components", [](const ResolveInfo& info) {
    return FieldValue::ObjectList(info.Parent<DeploymentStatus>().components);
  });
  BindOrDie(s, "DeploymentStatus", "reportedAt", [](const ResolveInfo& info) {
    return Time(info.Parent<DeploymentStatus>().reported_at);
  });

  STYRMIN_CHECK(s.BindMember<&ComponentStatus::name>("ComponentStatus", "name"), "binds");
  STYRMIN_CHECK(s.BindMember<&ComponentStatus::ready_replicas>("ComponentStatus", "readyReplicas"),
                "binds");
  STYRMIN_CHECK(
      s.BindMember<&ComponentStatus::desired_replicas>("ComponentStatus", "desiredReplicas"),
      "binds");
  BindOrDie(s, "ComponentStatus", "health",
            [](const ResolveInfo& info) { return EnumOf(info.Parent<ComponentStatus>().health); });

  STYRMIN_CHECK(s.BindMember<&PodStatus::name>("PodStatus", "name"), "binds");
  BindOrDie(s, "PodStatus", "component",
            [](const ResolveInfo& info) { return TextOrNull(info.Parent<PodStatus>().component); });
  BindOrDie(s, "PodStatus", "phase",
            [](const ResolveInfo& info) { return EnumOf(info.Parent<PodStatus>().phase); });
  STYRMIN_CHECK(s.BindMember<&PodStatus::ready>("PodStatus", "ready"), "binds");
  STYRMIN_CHECK(s.BindMember<&PodStatus::restarts>("PodStatus", "restarts"), "binds");
  BindOrDie(s, "PodStatus", "conditions", [](const ResolveInfo& info) {
    return FieldValue::ObjectList(info.Parent<PodStatus>().conditions);
  });
  BindOrDie(s, "PodStatus", "reportedAt",
            [](const ResolveInfo& info) { return Time(info.Parent<PodStatus>().reported_at); });

  STYRMIN_CHECK(s.BindMember<&PodCondition::type>("PodCondition", "type"), "binds");
  STYRMIN_CHECK(s.BindMember<&PodCondition::status>("PodCondition", "status"), "binds");
  BindOrDie(s, "PodCondition", "reason",
            [](const ResolveInfo& info) { return TextOrNull(info.Parent<PodCondition>().reason); });
  BindOrDie(s, "PodCondition", "message", [](const ResolveInfo& info) {
    return TextOrNull(info.Parent<PodCondition>().message);
  });
}

}  // namespace

void BindObservedStatus(graphql::ExecutableSchema& schema, storage::Store& store,
                        const Clock& clock) {
  BindMutations(schema, store, clock);
  BindTypes(schema, store);
}

}  // namespace styrmin::api
