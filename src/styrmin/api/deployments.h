// Deployments, Instances and Runs in the API (DESIGN.md §3, §5): the queries, and the
// mutations that change a deployment. A change is checked against the driver (parameters,
// application version), turned into a new Instance by the context builder, compared with the
// active Instance by the planner, and recorded with the run the planner chose, all or nothing;
// a deployment with a run in progress refuses another change, naming the run.
#pragma once

#include <map>
#include <memory>
#include <mutex>

#include "styrmin/core/clock.h"
#include "styrmin/driver/spec.h"
#include "styrmin/graphql/resolve.h"
#include "styrmin/secrets/secret_box.h"
#include "styrmin/storage/store.h"

namespace styrmin::api {

// The parsed spec of a stored driver version; kInternal when it no longer parses.
Result<driver::DriverSpec> SpecOf(const storage::ApplicationDriverVersion& version);

// Driver versions (without their files) and their parsed specs, by id. Versions are immutable,
// so an entry never goes stale: each is read and parsed once per cache, not once per row or
// per call. Thread-safe.
class DriverVersionCache {
 public:
  struct Entry {
    std::shared_ptr<const storage::ApplicationDriverVersion> version;  // files left empty
    std::shared_ptr<const driver::DriverSpec> spec;
  };
  Result<Entry> Get(storage::Store& store, const DriverVersionId& id);

 private:
  std::mutex mu_;
  std::map<DriverVersionId, Entry> entries_;  // guarded by mu_
};

// Binds the Deployment, Instance, Run and page types, their queries, the deployment
// mutations, and the agent's deploymentSecrets query; `store`, `clock` and `box` must outlive
// `schema`. Secret parameters are stored sealed with `box`.
void BindDeployments(graphql::ExecutableSchema& schema, storage::Store& store, const Clock& clock,
                     const secrets::SecretBox& box);

}  // namespace styrmin::api
