// The API's subscriptions (served over graphql-transport-ws, graphql_ws.h):
//
//   runUpdates(runId, afterLog)  a run as it executes: an event at once, then one whenever its
//                                state, progress, lease, steps or log change, each with the log
//                                lines since the previous one; it ends after the event that
//                                shows the run finished (readers: admin, operator, viewer)
//   runsWaiting                  the agent protocol's wake-up: an event at once and whenever the
//                                number of runs its cluster could claim changes (agent tokens)
//
// Each subscription has a producer thread that reads the store again when the API changes
// something (ChangeNotifier) and at least every poll interval (changes made by another server
// process), and pushes an event when what it watches changed. Cancelling the subscription stops
// and joins the producer.
#pragma once

#include <chrono>

#include "styrmin/core/clock.h"
#include "styrmin/graphql/resolve.h"
#include "styrmin/storage/store.h"

namespace styrmin::api {

struct SubscriptionOptions {
  std::chrono::milliseconds poll_interval{1000};
};

// Binds the Subscription type's fields; `store` and `clock` must outlive `schema` and every
// subscription started on it.
void BindSubscriptions(graphql::ExecutableSchema& schema, storage::Store& store, const Clock& clock,
                       SubscriptionOptions options = {});

}  // namespace styrmin::api
