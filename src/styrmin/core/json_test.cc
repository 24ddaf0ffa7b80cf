#include "styrmin/core/json.h"

#include <gtest/gtest.h>

#include <string>
#include <vector>

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

// Equal values of equal types all the way down (nlohmann's == takes 1u and 1 as equal).
bool Identical(const Json& a, const Json& b) {
  if (a.type() != b.type() || a != b) return false;
  if (a.is_object()) {
    for (auto it = a.begin(); it != a.end(); ++it) {
      if (!Identical(it.value(), b.at(it.key()))) return false;
    }
  }
  if (a.is_array()) {
    for (std::size_t k = 0; k < a.size(); ++k) {
      if (!Identical(a[k], b[k])) return false;
    }
  }
  return true;
}

TEST(JsonFastPath, AnswersWhatNlohmannAnswersTypesIncluded) {
  // A stored deployment's parameters, and integers of every kind.
  const std::string stored =
      R"({"admin_password":"stm-sealed:v1:AbC+/=","admin_user":"admin","allow_sign_up":false,)"
      R"("n":-42,"u":42,"zero":0,"minus_zero":-0,"big":999999999999999999,"none":null})";
  const std::vector<std::string> documents = {
      stored,
      R"([1,[2,[3,[]]],{},{"a":{}},"",true])",
      " \t\r\n {\"spaced\" : [ 1 , 2 ] } \n",
      R"({"escapes":"q\" b\\ s\/ \b\f\n\r\t end","del":"\u007f"})",
      R"("just a string")",
      "17",
      "-3",
      "null",
  };
  for (const std::string& text : documents) {
    const Json reference = Json::parse(text);
    const auto fast = ParseJsonFastPath(text);
    // The \u escape is not the fast path's: it gives the document up, ParseJson still parses it.
    if (text.find("\\u") != std::string::npos) {
      EXPECT_FALSE(fast) << text;
    } else {
      ASSERT_TRUE(fast) << text;
      EXPECT_TRUE(Identical(*fast, reference)) << text << " -> " << fast->dump();
    }
    const auto parsed = ParseJson(text);
    ASSERT_TRUE(parsed) << text;
    EXPECT_TRUE(Identical(*parsed, reference)) << text;
    const auto ordered = ParseOrderedJson(text);
    ASSERT_TRUE(ordered) << text;
    EXPECT_EQ(ordered->dump(), OrderedJson::parse(text).dump()) << text;
  }
}

TEST(JsonFastPath, GivesUpOnWhatItDoesNotHandleAndParseJsonStillDecides) {
  struct Case {
    std::string text;
    bool valid;
  };
  const std::vector<Case> cases = {
      {"1.5", true},
      {"1e3", true},
      {"1234567890123456789", true},   // 19 digits
      {"-9223372036854775809", true},  // beyond int64: nlohmann makes it a float
      {"\"caf\xc3\xa9\"", true},       // non-ASCII
      {"\"\\u00e9\"", true},           // \u escape
      {R"({"a":1,"a":2})", true},      // a key twice: the last wins
      {"[[[]]]", true},                // deeper than the limit of 2 below
      {"", false},
      {"{} {}", false},
      {"01", false},
      {"[1,]", false},
      {R"({"a" 1})", false},
      {"\"\x01\"", false},
      {"\"\xff\"", false},
      {"tru", false},
      {"-", false},
      {R"("\x")", false},
      {"\"open", false},
  };
  for (const Case& c : cases) {
    EXPECT_FALSE(ParseJsonFastPath(c.text, 2)) << c.text;
    EXPECT_FALSE(ParseOrderedJsonFastPath(c.text, 2)) << c.text;
    const auto parsed = ParseJson(c.text);
    EXPECT_EQ(parsed.has_value(), c.valid) << c.text;
    if (c.valid && c.text != "[[[]]]") {
      EXPECT_TRUE(Identical(*parsed, Json::parse(c.text))) << c.text;
    }
  }
  EXPECT_EQ(ParseJson(R"({"a":1,"a":2})").value()["a"], 2);
  EXPECT_EQ(ParseOrderedJson(R"({"b":1,"a":2,"b":3})").value().dump(), R"({"b":3,"a":2})");
}

}  // namespace
}  // namespace styrmin
