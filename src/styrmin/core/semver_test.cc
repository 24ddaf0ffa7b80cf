#include "styrmin/core/semver.h"

#include <gtest/gtest.h>

#include <string>
#include <vector>

namespace styrmin {
namespace {

Version V(std::string_view s) {
  auto v = Version::Parse(s);
  EXPECT_TRUE(v) << s << ": " << v.error().ToString();
  return v.value_or(Version());
}

TEST(Version, ParsesFullSemver) {
  auto v = V("v1.5.2-rc.1+build.7");
  EXPECT_EQ(v.major(), 1u);
  EXPECT_EQ(v.minor(), 5u);
  EXPECT_EQ(v.patch(), 2u);
  EXPECT_EQ(v.prerelease(), (std::vector<std::string>{"rc", "1"}));
  EXPECT_EQ(v.build(), "build.7");
  EXPECT_EQ(v.ToString(), "1.5.2-rc.1+build.7");
}

TEST(Version, RejectsMalformedVersionsWithTheInputInTheMessage) {
  for (const char* bad : {"", "1", "1.2", "1.2.3.4", "01.2.3", "1.2.x", "1.2.3-", "1.2.3-01",
                          "1.2.3+", "a.b.c", "1..3", "99999999999999999999.0.0"}) {
    auto v = Version::Parse(bad);
    ASSERT_FALSE(v) << "accepted \"" << bad << "\"";
    EXPECT_EQ(v.error().code(), ErrorCode::kInvalidArgument);
    EXPECT_NE(v.error().message().find(std::string("\"") + bad), std::string::npos)
        << v.error().message();
  }
}

TEST(Version, PartialParsingFillsMissingPartsWithZero) {
  EXPECT_EQ(Version::ParsePartial("1.4").value(), V("1.4.0"));
  EXPECT_EQ(Version::ParsePartial("2").value(), V("2.0.0"));
}

TEST(Version, OrdersBySemverPrecedence) {
  // The example chain of semver.org 2.0.0, section 11.
  const std::vector<std::string> chain = {"1.0.0-alpha", "1.0.0-alpha.1", "1.0.0-alpha.beta",
                                          "1.0.0-beta",  "1.0.0-beta.2",  "1.0.0-beta.11",
                                          "1.0.0-rc.1",  "1.0.0",         "1.0.1",
                                          "1.1.0",       "2.0.0"};
  for (std::size_t i = 0; i + 1 < chain.size(); ++i) {
    EXPECT_LT(V(chain[i]), V(chain[i + 1])) << chain[i] << " < " << chain[i + 1];
    EXPECT_GT(V(chain[i + 1]), V(chain[i]));
  }
  EXPECT_EQ(V("1.0.0+a"), V("1.0.0+b")) << "build metadata does not affect precedence";
  EXPECT_LT(V("1.9.0"), V("1.10.0"));
}

struct RangeCase {
  const char* range;
  const char* version;
  bool matches;
};

class VersionRangeMatch : public ::testing::TestWithParam<RangeCase> {};

TEST_P(VersionRangeMatch, MatchesAsDeclared) {
  const auto& c = GetParam();
  auto range = VersionRange::Parse(c.range);
  ASSERT_TRUE(range) << range.error().ToString();
  EXPECT_EQ(range->Matches(V(c.version)), c.matches) << c.range << " vs " << c.version;
}

INSTANTIATE_TEST_SUITE_P(
    Table, VersionRangeMatch,
    ::testing::Values(
        RangeCase{">=1.4,<2.0", "1.4.0", true}, RangeCase{">=1.4,<2.0", "1.5.2", true},
        RangeCase{">=1.4,<2.0", "1.3.9", false}, RangeCase{">=1.4,<2.0", "2.0.0", false},
        RangeCase{">=1.4,<2.0", "2.0.0-rc.1", true}, RangeCase{" >= 1.4 , < 2.0 ", "1.9.9", true},
        RangeCase{"1.5.2", "1.5.2", true}, RangeCase{"=1.5.2", "1.5.3", false},
        RangeCase{"==1.5", "1.5.0", true}, RangeCase{"!=1.5.0", "1.5.0", false},
        RangeCase{">1.0", "1.0.0", false}, RangeCase{">1.0", "1.0.1", true},
        RangeCase{"<=1.0", "1.0.0", true}, RangeCase{"<1.0 || >=2.0", "0.9.0", true},
        RangeCase{"<1.0 || >=2.0", "1.5.0", false}, RangeCase{"<1.0 || >=2.0", "2.1.0", true}));

TEST(VersionRange, RejectsMalformedRanges) {
  for (const char* bad : {"", ">=", ">=1.4,", "~1.4", ">=1.x", "=>1.0", ">=1.4,,<2"}) {
    auto r = VersionRange::Parse(bad);
    EXPECT_FALSE(r) << "accepted \"" << bad << "\"";
  }
  EXPECT_NE(VersionRange::Parse(">=1.x").error().message().find("\">=1.x\""), std::string::npos);
}

}  // namespace
}  // namespace styrmin
