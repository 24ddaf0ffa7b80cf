#include "styrmin/core/json.h"

#include <gtest/gtest.h>

#include <string>

namespace styrmin {
namespace {

TEST(Json, ParsesValidDocuments) {
  auto j = ParseJson(R"({"name":"infrahub","replicas":3,"enabled":true,"tags":["a"]})");
  ASSERT_TRUE(j) << j.error().ToString();
  EXPECT_EQ(GetString(*j, "name").value(), "infrahub");
  EXPECT_EQ(GetInt(*j, "replicas").value(), 3);
  EXPECT_TRUE(GetBool(*j, "enabled").value());
  EXPECT_EQ(GetArray(*j, "tags").value().size(), 1u);
}

TEST(Json, SyntaxErrorsNameTheByteOffset) {
  auto j = ParseJson(R"({"a": 1,})");
  ASSERT_FALSE(j);
  EXPECT_EQ(j.error().code(), ErrorCode::kInvalidArgument);
  EXPECT_NE(j.error().message().find("at byte 9"), std::string::npos) << j.error().message();
}

TEST(Json, RejectsTrailingGarbageAndEmptyInput) {
  EXPECT_FALSE(ParseJson("{} {}"));
  EXPECT_FALSE(ParseJson(""));
}

TEST(Json, RejectsInvalidUtf8) { EXPECT_FALSE(ParseJson("\"\xff\xfe\"")); }

TEST(Json, RejectsNestingBeyondTheLimitWithoutRecursing) {
  const std::string deep(100000, '[');
  auto j = ParseJson(deep);
  ASSERT_FALSE(j);
  EXPECT_NE(j.error().message().find("nested deeper than 512"), std::string::npos);
  EXPECT_TRUE(ParseJson(std::string(10, '[') + std::string(10, ']'), 10));
  EXPECT_FALSE(ParseJson(std::string(11, '[') + std::string(11, ']'), 10));
}

TEST(Json, BracketsInsideStringsDoNotCountAsNesting) {
  auto j = ParseJson(R"({"s":"[[[[[[[[[[[[\"[[["})", 2);
  ASSERT_TRUE(j) << j.error().ToString();
  EXPECT_EQ(GetString(*j, "s").value(), "[[[[[[[[[[[[\"[[[");
}

TEST(Json, TypedGettersNameTheFieldAndBothTypes) {
  auto j = ParseJson(R"({"replicas":"three","big":18446744073709551615})").value();
  EXPECT_EQ(GetInt(j, "replicas").error().message(),
            "field \"replicas\": expected integer, got string");
  EXPECT_EQ(GetString(j, "missing").error().message(), "missing field \"missing\"");
  EXPECT_FALSE(GetInt(j, "big")) << "values beyond int64 are not silently wrapped";
  EXPECT_EQ(GetObject(Json::array(), "x").error().message(),
            "expected an object to read field \"x\", got array");
}

TEST(Json, DumpReplacesInvalidUtf8InsteadOfThrowing) {
  Json j = std::string("a\xff");
  EXPECT_EQ(DumpJson(j), "\"a\xEF\xBF\xBD\"");
}

}  // namespace
}  // namespace styrmin
