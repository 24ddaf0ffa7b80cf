// The StyrminDeployment custom resource of a deployment (DESIGN.md §6; its definition is
// deploy/crds/styrmin.io_styrmindeployments.yaml): what the server tells the agent to hold in
// the cluster, and what the agent's operator reconciles into a Helm release and Styrmin's own
// objects. A pure function of the deployment, its Instance and its driver version.
#pragma once

#include <string>

#include "styrmin/core/json.h"
#include "styrmin/core/status.h"

namespace styrmin::reconcile {

inline constexpr const char* kStyrminDeploymentApiVersion = "styrmin.io/v1alpha1";
inline constexpr const char* kStyrminDeploymentKind = "StyrminDeployment";

struct DesiredDeployment {
  std::string deployment_id;
  std::string name;         // the deployment's name, a DNS label: the resource's name
  std::string environment;  // the environment's name
  std::string driver_name;
  std::string driver_version;
  std::string driver_digest;
  std::string application_version;
  std::string phase;  // "running", "stopped" or "deleted"
  std::string instance_id;
  Json context = Json::object();  // the Instance's frozen context (driver/context.h)
};

// The resource, in the namespace the context names (context.instance.namespace), labelled as
// Styrmin's with the deployment's id and environment. kInvalidArgument when the context names
// no namespace or a field the resource requires is empty.
Result<Json> StyrminDeploymentManifest(const DesiredDeployment& desired);

}  // namespace styrmin::reconcile
