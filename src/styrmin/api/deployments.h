// Deployments, Instances and Runs in the API (DESIGN.md §3, §5): the queries, and the
// mutations that change a deployment. A change is checked against the driver (parameters,
// application version), turned into a new Instance by the context builder, compared with the
// active Instance by the planner, and recorded with the run the planner chose, all or nothing;
// a deployment with a run in progress refuses another change, naming the run.
#pragma once

#include "styrmin/core/clock.h"
#include "styrmin/driver/spec.h"
#include "styrmin/graphql/resolve.h"
#include "styrmin/secrets/secret_box.h"
#include "styrmin/storage/store.h"

namespace styrmin::api {

// The parsed spec of a stored driver version; kInternal when it no longer parses.
Result<driver::DriverSpec> SpecOf(const storage::ApplicationDriverVersion& version);

// Binds the Deployment, Instance, Run and page types, their queries, the deployment
// mutations, and the agent's deploymentSecrets query; `store`, `clock` and `box` must outlive
// `schema`. Secret parameters are stored sealed with `box`.
void BindDeployments(graphql::ExecutableSchema& schema, storage::Store& store, const Clock& clock,
                     const secrets::SecretBox& box);

}  // namespace styrmin::api
