#include "styrmin/http/message.h"

#include <gtest/gtest.h>

namespace styrmin::http {
namespace {

TEST(Request, SplitsTheTargetIntoPathAndQuery) {
  Request r;
  r.target = "/graphql?query=%7B%20a%20%7D&x=1";
  EXPECT_EQ(r.path(), "/graphql");
  EXPECT_EQ(r.query(), "query=%7B%20a%20%7D&x=1");
  r.target = "/healthz";
  EXPECT_EQ(r.path(), "/healthz");
  EXPECT_EQ(r.query(), "");
}

TEST(FindHeader, IgnoresCaseAndReturnsTheFirst) {
  const std::vector<Header> headers = {{"Content-Type", "a"}, {"content-type", "b"}};
  EXPECT_EQ(FindHeader(headers, "CONTENT-TYPE"), "a");
  EXPECT_EQ(FindHeader(headers, "Accept"), std::nullopt);
}

TEST(ParseQuery, DecodesFormEncoding) {
  const auto pairs = ParseQuery("query=%7B+a+%7D&empty=&flag&v=%F0%9F%8F%83");
  ASSERT_TRUE(pairs.has_value());
  ASSERT_EQ(pairs->size(), 4U);
  EXPECT_EQ((*pairs)[0], (std::pair<std::string, std::string>("query", "{ a }")));
  EXPECT_EQ((*pairs)[1], (std::pair<std::string, std::string>("empty", "")));
  EXPECT_EQ((*pairs)[2], (std::pair<std::string, std::string>("flag", "")));
  EXPECT_EQ((*pairs)[3].second, "\xF0\x9F\x8F\x83");
}

TEST(ParseQuery, RefusesMalformedEscapes) {
  EXPECT_FALSE(ParseQuery("a=%zz").has_value());
  EXPECT_FALSE(ParseQuery("a=%4").has_value());
  EXPECT_FALSE(ParseQuery("a=%").has_value());
}

TEST(PercentEncode, RoundTripsThroughParseQuery) {
  const std::string text = "{ __type(name: \"Run\xF0\x9F\x8F\x83\") { name } }&=+%";
  const auto pairs = ParseQuery("q=" + PercentEncode(text));
  ASSERT_TRUE(pairs.has_value());
  EXPECT_EQ(pairs->front().second, text);
}

}  // namespace
}  // namespace styrmin::http
