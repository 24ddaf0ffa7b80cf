// Deployments, Instances and Runs in the API (DESIGN.md §3, §5): the queries, and the
// mutations that change a deployment. A change is checked against the driver (parameters,
// application version), turned into a new Instance by the context builder, compared with the
// active Instance by the planner, and recorded with the run the planner chose, all or nothing;
// a deployment with a run in progress refuses another change, naming the run.
#pragma once

#include "styrmin/core/clock.h"
#include "styrmin/graphql/resolve.h"
#include "styrmin/storage/store.h"

namespace styrmin::api {

// Binds the Deployment, Instance, Run and page types, their queries and the deployment
// mutations; `store` and `clock` must outlive `schema`.
void BindDeployments(graphql::ExecutableSchema& schema, storage::Store& store, const Clock& clock);

}  // namespace styrmin::api
