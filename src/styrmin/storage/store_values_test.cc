#include "styrmin/storage/store_values.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <limits>
#include <string>

namespace styrmin::storage {
namespace {

using ::testing::HasSubstr;

TEST(RunStateName, ReadsBackAsTheSameStateForEveryState) {
  for (const RunState state : {RunState::kPending, RunState::kRunning, RunState::kSucceeded,
                               RunState::kFailed, RunState::kCancelled}) {
    EXPECT_EQ(RunStateFromName(RunStateName(state)), state) << RunStateName(state);
  }
  EXPECT_EQ(RunStateName(RunState::kCancelled), "cancelled");
}

TEST(RunStateName, KnowsNoOtherNames) {
  for (const std::string name : {"", "Pending", "canceled", "done", "pending "}) {
    EXPECT_FALSE(RunStateFromName(name).has_value()) << name;
  }
  auto parsed = ParseRunState("done", "run \"r-1\"");
  ASSERT_FALSE(parsed);
  EXPECT_EQ(parsed.error().code(), ErrorCode::kInternal);
  EXPECT_THAT(parsed.error().message(),
              HasSubstr("run \"r-1\": stored unknown run state \"done\""));
}

TEST(FormatProgress, WritesTheShortestTextThatReadsBackAsTheSameDouble) {
  EXPECT_EQ(FormatProgress(0), "0");
  EXPECT_EQ(FormatProgress(1), "1");
  EXPECT_EQ(FormatProgress(0.1), "0.1");
  for (const double progress : {0.0, 0.1, 1.0 / 3.0, 2.0 / 3.0, 0.999999999999999, 1e-300,
                                std::numeric_limits<double>::denorm_min(), 1.0}) {
    auto parsed = ParseStoredProgress(FormatProgress(progress), "run");
    ASSERT_TRUE(parsed) << parsed.error().ToString();
    EXPECT_EQ(*parsed, progress) << FormatProgress(progress);
  }
}

TEST(ParseStoredProgress, RefusesTextThatIsNotAFiniteNumber) {
  for (const std::string text : {"", "half", "0.5x", " 0.5", "nan", "inf", "1e999"}) {
    auto parsed = ParseStoredProgress(text, "run \"r-1\"");
    ASSERT_FALSE(parsed) << text;
    EXPECT_EQ(parsed.error().code(), ErrorCode::kInternal);
    EXPECT_THAT(parsed.error().message(), HasSubstr("run \"r-1\": stored progress"));
  }
}

TEST(IsDeploymentPhase, KnowsRunningStoppedAndDeletedOnly) {
  EXPECT_TRUE(IsDeploymentPhase("running"));
  EXPECT_TRUE(IsDeploymentPhase("stopped"));
  EXPECT_TRUE(IsDeploymentPhase("deleted"));
  EXPECT_FALSE(IsDeploymentPhase("Running"));
  EXPECT_FALSE(IsDeploymentPhase(""));
  EXPECT_FALSE(IsDeploymentPhase("paused"));
}

}  // namespace
}  // namespace styrmin::storage
