// Runs as agents execute them (DESIGN.md §5): the agent protocol's mutations, which claim a
// run of the caller's cluster under a lease and report its steps, log lines, progress and
// result; and the Run fields that show what was reported (attempts, lease, steps, log).
//
// Only agent tokens use the protocol, each for runs of its own cluster; any other caller is
// FORBIDDEN and nothing changes. Every report names the lease its claim returned, so a stalled
// agent whose lease expired and whose run was claimed again cannot overwrite its successor.
#pragma once

#include "styrmin/core/clock.h"
#include "styrmin/graphql/resolve.h"
#include "styrmin/secrets/secret_box.h"
#include "styrmin/storage/store.h"

namespace styrmin::api {

// Binds the agent protocol's mutations and the Run fields it fills; `store`, `clock` and `box`
// must outlive `schema`. Appended log lines have the run's deployment's secret parameter
// values cut out (`box` opens them) before they are stored.
void BindRunExecution(graphql::ExecutableSchema& schema, storage::Store& store, const Clock& clock,
                      const secrets::SecretBox& box);

}  // namespace styrmin::api
