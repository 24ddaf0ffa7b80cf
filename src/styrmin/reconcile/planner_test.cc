#include "styrmin/reconcile/planner.h"

#include <gtest/gtest.h>

#include <string>
#include <vector>

namespace styrmin::reconcile {
namespace {

InstanceState Instance(std::string driver, std::string app, Json context, Phase phase) {
  return {std::move(driver), std::move(app), std::move(context), phase};
}

TEST(PlanChange, ChoosesTheRunForEachKindOfChange) {
  const Json ctx = {{"parameters", {{"log_level", "INFO"}}}};
  const Json changed = {{"parameters", {{"log_level", "DEBUG"}}}};
  const InstanceState running = Instance("dv1", "1.5.2", ctx, Phase::kRunning);
  const InstanceState stopped = Instance("dv1", "1.5.2", ctx, Phase::kStopped);
  struct Case {
    const char* name;
    std::optional<InstanceState> active;
    InstanceState desired;
    std::optional<RunKind> run;
  };
  const std::vector<Case> cases = {
      {"first deployment", std::nullopt, running, RunKind::kCreate},
      {"first deployment, stopped", std::nullopt, stopped, RunKind::kCreate},
      {"deleting what was never deployed", std::nullopt,
       Instance("dv1", "1.5.2", ctx, Phase::kDeleted), std::nullopt},
      {"delete", running, Instance("dv1", "1.5.2", ctx, Phase::kDeleted), RunKind::kDelete},
      {"delete wins over a version change", running, Instance("dv2", "1.6.0", ctx, Phase::kDeleted),
       RunKind::kDelete},
      {"driver upgrade", running, Instance("dv2", "1.5.2", ctx, Phase::kRunning),
       RunKind::kUpgrade},
      {"application upgrade", running, Instance("dv1", "1.6.0", ctx, Phase::kRunning),
       RunKind::kUpgrade},
      {"upgrade carries a phase change", running, Instance("dv1", "1.6.0", ctx, Phase::kStopped),
       RunKind::kUpgrade},
      {"parameters changed", running, Instance("dv1", "1.5.2", changed, Phase::kRunning),
       RunKind::kUpdate},
      {"update carries a phase change", stopped, Instance("dv1", "1.5.2", changed, Phase::kRunning),
       RunKind::kUpdate},
      {"stop", running, stopped, RunKind::kStop},
      {"start", stopped, running, RunKind::kStart},
      {"nothing changed", running, running, std::nullopt},
      {"still stopped", stopped, stopped, std::nullopt},
  };
  for (const Case& c : cases) {
    SCOPED_TRACE(c.name);
    const Plan plan = PlanChange(c.active, c.desired);
    EXPECT_EQ(plan.run, c.run);
    EXPECT_FALSE(plan.reason.empty());
  }
}

TEST(PlanChange, SaysWhatChangedInTheReason) {
  const InstanceState a = Instance("dv1", "1.5.2", Json::object(), Phase::kRunning);
  EXPECT_EQ(PlanChange(a, Instance("dv1", "1.6.0", Json::object(), Phase::kRunning)).reason,
            "application version 1.5.2 -> 1.6.0");
  EXPECT_EQ(PlanChange(a, Instance("dv2", "1.5.2", Json::object(), Phase::kRunning)).reason,
            "driver version dv1 -> dv2");
}

TEST(Names, RoundTrip) {
  for (const Phase p : {Phase::kRunning, Phase::kStopped, Phase::kDeleted}) {
    EXPECT_EQ(PhaseFromName(PhaseName(p)), p);
  }
  for (const RunKind k : {RunKind::kCreate, RunKind::kUpdate, RunKind::kUpgrade, RunKind::kStop,
                          RunKind::kStart, RunKind::kDelete}) {
    EXPECT_EQ(RunKindFromName(RunKindName(k)), k);
  }
  EXPECT_EQ(PhaseFromName("paused"), std::nullopt);
  EXPECT_EQ(RunKindFromName("backup"), std::nullopt);
}

}  // namespace
}  // namespace styrmin::reconcile
