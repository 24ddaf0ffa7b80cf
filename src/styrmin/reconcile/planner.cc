#include "styrmin/reconcile/planner.h"

#include <array>
#include <utility>

namespace styrmin::reconcile {
namespace {

constexpr std::array kPhases = {std::pair{Phase::kRunning, std::string_view("running")},
                                std::pair{Phase::kStopped, std::string_view("stopped")},
                                std::pair{Phase::kDeleted, std::string_view("deleted")}};
constexpr std::array kRunKinds = {std::pair{RunKind::kCreate, std::string_view("create")},
                                  std::pair{RunKind::kUpdate, std::string_view("update")},
                                  std::pair{RunKind::kUpgrade, std::string_view("upgrade")},
                                  std::pair{RunKind::kStop, std::string_view("stop")},
                                  std::pair{RunKind::kStart, std::string_view("start")},
                                  std::pair{RunKind::kDelete, std::string_view("delete")}};

template <typename E, std::size_t N>
std::string_view NameIn(const std::array<std::pair<E, std::string_view>, N>& table, E value) {
  for (const auto& [e, name] : table) {
    if (e == value) return name;
  }
  return "?";
}

template <typename E, std::size_t N>
std::optional<E> ValueIn(const std::array<std::pair<E, std::string_view>, N>& table,
                         std::string_view name) {
  for (const auto& [e, n] : table) {
    if (n == name) return e;
  }
  return std::nullopt;
}

Plan Run(RunKind kind, std::string reason) { return {kind, std::move(reason)}; }

}  // namespace

std::string_view PhaseName(Phase phase) { return NameIn(kPhases, phase); }
std::string_view RunKindName(RunKind kind) { return NameIn(kRunKinds, kind); }
std::optional<Phase> PhaseFromName(std::string_view name) { return ValueIn(kPhases, name); }
std::optional<RunKind> RunKindFromName(std::string_view name) { return ValueIn(kRunKinds, name); }

Plan PlanChange(const std::optional<InstanceState>& active, const InstanceState& desired) {
  if (!active) {
    if (desired.phase == Phase::kDeleted) return {std::nullopt, "nothing is deployed to delete"};
    return Run(RunKind::kCreate, "first deployment");
  }
  if (desired.phase == Phase::kDeleted) return Run(RunKind::kDelete, "the deployment is deleted");
  if (active->driver_version_id != desired.driver_version_id) {
    return Run(RunKind::kUpgrade,
               "driver version " + active->driver_version_id + " -> " + desired.driver_version_id);
  }
  if (active->application_version != desired.application_version) {
    return Run(RunKind::kUpgrade, "application version " + active->application_version + " -> " +
                                      desired.application_version);
  }
  if (active->context != desired.context) return Run(RunKind::kUpdate, "the context changed");
  if (active->phase == Phase::kRunning && desired.phase == Phase::kStopped) {
    return Run(RunKind::kStop, "the deployment is stopped");
  }
  if (active->phase == Phase::kStopped && desired.phase == Phase::kRunning) {
    return Run(RunKind::kStart, "the deployment is started");
  }
  return {std::nullopt, "nothing changed"};
}

}  // namespace styrmin::reconcile
