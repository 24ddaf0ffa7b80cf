#include "styrmin/driver/pattern.h"

#include <gtest/gtest.h>

#include <string>

namespace styrmin::driver {
namespace {

TEST(Pattern, MatchesTheWholeValue) {
  const auto p = Pattern::Compile("[a-z]+");
  ASSERT_TRUE(p) << p.error().ToString();
  EXPECT_EQ(p->Matches("abc"), true);
  EXPECT_EQ(p->Matches("abc1"), false);
  EXPECT_EQ(p->Matches("1abc"), false);
  EXPECT_EQ(p->Matches(""), false);
  EXPECT_EQ(p->text(), "[a-z]+");
}

TEST(Pattern, ReportsAPatternThatDoesNotCompile) {
  const auto p = Pattern::Compile("([a-z");
  ASSERT_FALSE(p);
  EXPECT_EQ(p.error().code(), ErrorCode::kInvalidArgument);
  EXPECT_NE(p.error().message().find("not a valid regular expression"), std::string::npos);
}

TEST(Pattern, StopsCatastrophicBacktrackingWithAnError) {
  // Exponentially many ways to split the a's, and the '!' makes every one fail.
  const auto p = Pattern::Compile("(a|aa)+");
  ASSERT_TRUE(p);
  const auto m = p->Matches(std::string(60, 'a') + "!");
  ASSERT_FALSE(m);
  EXPECT_NE(m.error().message().find("too much work"), std::string::npos);
}

TEST(Pattern, MatchesLongValuesWithoutRecursingOnTheStack) {
  const auto p = Pattern::Compile("(?:ab|cd)*");
  ASSERT_TRUE(p);
  std::string value;
  for (int i = 0; i < 32768; ++i) value += i % 2 == 0 ? "ab" : "cd";
  const auto m = p->Matches(value);
  ASSERT_TRUE(m) << m.error().ToString();
  EXPECT_TRUE(*m);
}

TEST(Pattern, RefusesInvalidUtf8Values) {
  const auto p = Pattern::Compile(".*");
  ASSERT_TRUE(p);
  EXPECT_FALSE(p->Matches("\xff\xfe"));
  EXPECT_EQ(p->Matches("h\xc3\xa9"), true);
}

}  // namespace
}  // namespace styrmin::driver
