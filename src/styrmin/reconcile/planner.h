// The server's reconciliation planner (DESIGN.md §5): a pure function from the active Instance
// of a deployment (what was last deployed) and the desired one (the new context and phase
// after a change) to the run that takes the cluster from one to the other, or none.
//
// Rules, first match wins:
//   no active instance:   desired deleted → none; otherwise → create (which honours the phase)
//   desired deleted       → delete
//   driver version or application version changed → upgrade (which applies the phase too)
//   context changed       → update (which applies the phase too)
//   phase running → stopped → stop;  stopped → running → start
//   nothing changed       → none
#pragma once

#include <optional>
#include <string>
#include <string_view>

#include "styrmin/core/json.h"

namespace styrmin::reconcile {

enum class Phase { kRunning, kStopped, kDeleted };
enum class RunKind { kCreate, kUpdate, kUpgrade, kStop, kStart, kDelete };

// "running", "stopped", "deleted"; "create", "update", ...: stored and shown names.
std::string_view PhaseName(Phase phase);
std::string_view RunKindName(RunKind kind);
std::optional<Phase> PhaseFromName(std::string_view name);
std::optional<RunKind> RunKindFromName(std::string_view name);

// One Instance as the planner compares it.
struct InstanceState {
  std::string driver_version_id;
  std::string application_version;
  Json context = Json::object();  // the frozen context (driver/context.h)
  Phase phase = Phase::kRunning;
};

struct Plan {
  std::optional<RunKind> run;  // none: the cluster already is as desired
  std::string reason;          // why, for the run's first log line and the API
};

Plan PlanChange(const std::optional<InstanceState>& active, const InstanceState& desired);

}  // namespace styrmin::reconcile
