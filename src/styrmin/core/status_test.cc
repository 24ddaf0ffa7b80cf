#include "styrmin/core/status.h"

#include <gtest/gtest.h>

#include <set>
#include <string>

namespace styrmin {
namespace {

Result<int> ParsePositive(int x) {
  if (x <= 0) return InvalidArgument("x must be positive, got " + std::to_string(x));
  return x;
}

Status RequireEven(int x) {
  if (x % 2 != 0) return FailedPrecondition("odd");
  return OkStatus();
}

Result<int> DoubleIfPositiveAndEven(int x) {
  STYRMIN_ASSIGN_OR_RETURN(int value, ParsePositive(x));
  STYRMIN_RETURN_IF_ERROR(RequireEven(value));
  return value * 2;
}

TEST(Status, ResultCarriesValueOrError) {
  EXPECT_EQ(ParsePositive(3).value(), 3);
  auto bad = ParsePositive(-1);
  ASSERT_FALSE(bad);
  EXPECT_EQ(bad.error().code(), ErrorCode::kInvalidArgument);
  EXPECT_EQ(bad.error().message(), "x must be positive, got -1");
}

TEST(Status, MacrosPropagateTheFirstError) {
  EXPECT_EQ(DoubleIfPositiveAndEven(4).value(), 8);
  EXPECT_EQ(DoubleIfPositiveAndEven(-4).error().code(), ErrorCode::kInvalidArgument);
  EXPECT_EQ(DoubleIfPositiveAndEven(3).error().code(), ErrorCode::kFailedPrecondition);
}

TEST(Status, AssignOrReturnAssignsToAnExistingVariable) {
  auto f = [](int x) -> Result<int> {
    int out = 0;
    STYRMIN_ASSIGN_OR_RETURN(out, ParsePositive(x));
    return out + 1;
  };
  EXPECT_EQ(f(1).value(), 2);
  EXPECT_FALSE(f(0));
}

TEST(Status, WithContextPrefixesTheMessageAndKeepsTheCode) {
  Error e = NotFound("deployment d-1").value().WithContext("upgrade");
  EXPECT_EQ(e.code(), ErrorCode::kNotFound);
  EXPECT_EQ(e.message(), "upgrade: deployment d-1");
  EXPECT_EQ(e.ToString(), "not_found: upgrade: deployment d-1");
}

TEST(Status, EveryCodeHasADistinctName) {
  const ErrorCode codes[] = {
      ErrorCode::kInvalidArgument,    ErrorCode::kNotFound,        ErrorCode::kAlreadyExists,
      ErrorCode::kFailedPrecondition, ErrorCode::kUnavailable,     ErrorCode::kDeadlineExceeded,
      ErrorCode::kPermissionDenied,   ErrorCode::kUnauthenticated, ErrorCode::kInternal};
  std::set<std::string_view> names;
  for (auto c : codes) names.insert(ErrorCodeName(c));
  EXPECT_EQ(names.size(), std::size(codes));
  EXPECT_EQ(ErrorCodeName(ErrorCode::kUnavailable), "unavailable");
}

TEST(StatusDeathTest, CheckAbortsWithTheReason) {
  EXPECT_DEATH(STYRMIN_CHECK(1 + 1 == 3, "arithmetic broke"), "arithmetic broke");
}

}  // namespace
}  // namespace styrmin
