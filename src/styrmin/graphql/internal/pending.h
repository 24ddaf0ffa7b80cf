// Internals shared by resolve.cc and execute.cc; not part of the module's interface.
#pragma once

#include <functional>
#include <mutex>
#include <span>
#include <vector>

#include "styrmin/graphql/execute.h"
#include "styrmin/graphql/resolve.h"

namespace styrmin::graphql::internal {

// The shared state of a pending FieldValue and its Promise.
struct PendingState {
  std::mutex mu;
  bool done = false;                        // guarded by mu
  FieldValue value;                         // guarded by mu; set when done without on_done
  std::function<void(FieldValue)> on_done;  // guarded by mu; set by whoever waits

  // Delivers `result` to on_done (outside the lock) or keeps it; later calls are ignored.
  void Complete(FieldValue result);
};

// The path of the internal path node a ResolveInfo points at.
std::vector<PathSegment> PathOf(const void* path_node);

// ResolveInfo::MaySelect: whether `nodes`' selections reach the fields of `path`, one inside the
// other, through `execution`'s fragments.
bool MaySelect(const Execution* execution, std::span<const Selection* const> nodes,
               std::span<const std::string_view> path);

// Makes `execution` dispatch `loader` when it runs out of ready work.
void RegisterLoader(Execution* execution, BatchLoader* loader);

// Resolves the source stream of `request`'s subscription operation (subscribe.cc).
tl::expected<std::shared_ptr<EventStream>, ExecutionResult> StartSubscription(
    const ExecutableSchema& schema, const ExecutionRequest& request);

}  // namespace styrmin::graphql::internal
