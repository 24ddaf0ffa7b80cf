#include "styrmin/reconcile/styrmin_deployment.h"

#include <string_view>
#include <utility>

namespace styrmin::reconcile {

Result<Json> StyrminDeploymentManifest(const DesiredDeployment& desired) {
  for (const auto& [what, value] :
       {std::pair<std::string_view, const std::string*>{"deployment id", &desired.deployment_id},
        {"name", &desired.name},
        {"environment", &desired.environment},
        {"driver name", &desired.driver_name},
        {"driver version", &desired.driver_version},
        {"driver digest", &desired.driver_digest},
        {"application version", &desired.application_version},
        {"phase", &desired.phase},
        {"instance id", &desired.instance_id}}) {
    if (value->empty()) {
      return InvalidArgument("a StyrminDeployment needs its " + std::string(what));
    }
  }
  const Json* name_space = nullptr;
  if (desired.context.is_object()) {
    const auto instance = desired.context.find("instance");
    if (instance != desired.context.end() && instance->is_object()) {
      const auto found = instance->find("namespace");
      if (found != instance->end() && found->is_string() && !found->get<std::string>().empty()) {
        name_space = &*found;
      }
    }
  }
  if (name_space == nullptr) {
    return InvalidArgument("the context of instance " + desired.instance_id +
                           " names no namespace (instance.namespace)");
  }
  return Json{{"apiVersion", kStyrminDeploymentApiVersion},
              {"kind", kStyrminDeploymentKind},
              {"metadata",
               {{"name", desired.name},
                {"namespace", *name_space},
                {"labels",
                 {{"app.kubernetes.io/managed-by", "styrmin"},
                  {"app.kubernetes.io/name", desired.driver_name},
                  {"styrmin.io/deployment-id", desired.deployment_id},
                  {"styrmin.io/environment", desired.environment}}}}},
              {"spec",
               {{"deploymentId", desired.deployment_id},
                {"environment", desired.environment},
                {"driver",
                 {{"name", desired.driver_name},
                  {"version", desired.driver_version},
                  {"digest", desired.driver_digest}}},
                {"applicationVersion", desired.application_version},
                {"phase", desired.phase},
                {"instanceId", desired.instance_id},
                {"context", desired.context}}}};
}

}  // namespace styrmin::reconcile
