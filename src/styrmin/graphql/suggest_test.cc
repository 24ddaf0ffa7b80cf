#include "styrmin/graphql/suggest.h"

#include <gtest/gtest.h>

namespace styrmin::graphql {
namespace {

TEST(SuggestionList, RanksByDistanceThenNaturalOrder) {
  EXPECT_EQ(SuggestionList("Strin", {"String", "Int", "Sting", "Query"}),
            (std::vector<std::string>{"String", "Sting"}));
  EXPECT_EQ(SuggestionList("abc", {"a", "ab", "abc"}),
            (std::vector<std::string>{"abc", "ab", "a"}));  // threshold: 40% of 3, plus 1
  EXPECT_EQ(SuggestionList("GraphQl", {"graphql", "GraphQL"}),
            (std::vector<std::string>{"GraphQL", "graphql"}))
      << "a case difference counts 1, ties in natural order";
  EXPECT_EQ(SuggestionList("ab", {"ba"}), (std::vector<std::string>{"ba"}))
      << "a transposition costs 1";
  EXPECT_TRUE(SuggestionList("Query", {"Mutation", "Subscription"}).empty());
}

TEST(SuggestionList, NaturalOrderComparesDigitRunsAsNumbers) {
  EXPECT_LT(NaturalCompare("a2", "a10"), 0);
  EXPECT_GT(NaturalCompare("a10", "a2"), 0);
  EXPECT_EQ(NaturalCompare("x", "x"), 0);
  EXPECT_LT(NaturalCompare("x", "xy"), 0);
}

TEST(DidYouMean, FormatsAtMostFiveQuotedSuggestions) {
  EXPECT_EQ(DidYouMean({}), "");
  EXPECT_EQ(DidYouMean({"a"}), " Did you mean \"a\"?");
  EXPECT_EQ(DidYouMean({"a", "b"}), " Did you mean \"a\" or \"b\"?");
  EXPECT_EQ(DidYouMean({"a", "b", "c", "d", "e", "f"}),
            " Did you mean \"a\", \"b\", \"c\", \"d\", or \"e\"?");
  EXPECT_EQ(DidYouMean({"A"}, "the enum value"), " Did you mean the enum value \"A\"?");
}

}  // namespace
}  // namespace styrmin::graphql
