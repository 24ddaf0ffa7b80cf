// Observed status in the API (DESIGN.md §3): agents report what they see of their cluster's
// deployments and pods (reportDeploymentStatuses, reportPodStatuses), and Deployment.status and
// Deployment.pods show it, apart from the declared state (Deployment.phase, activeInstance).
//
// Only agent tokens report, each for deployments of its own cluster (FORBIDDEN otherwise); a
// report is stored whole or not at all.
#pragma once

#include "styrmin/core/clock.h"
#include "styrmin/graphql/resolve.h"
#include "styrmin/storage/store.h"

namespace styrmin::api {

// Binds the report mutations and the observed-status types; `store` and `clock` must outlive
// `schema`.
void BindObservedStatus(graphql::ExecutableSchema& schema, storage::Store& store,
                        const Clock& clock);

}  // namespace styrmin::api
