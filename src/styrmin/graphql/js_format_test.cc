#include "styrmin/graphql/js_format.h"

#include <gtest/gtest.h>

#include <limits>

namespace styrmin::graphql {
namespace {

TEST(JsNumberToString, WritesNumbersAsJavaScriptDoes) {
  EXPECT_EQ(JsNumberToString(1), "1");
  EXPECT_EQ(JsNumberToString(-1.5), "-1.5");
  EXPECT_EQ(JsNumberToString(0.1), "0.1");
  EXPECT_EQ(JsNumberToString(-0.0), "0");
  EXPECT_EQ(JsNumberToString(1e21), "1e+21");
  EXPECT_EQ(JsNumberToString(1e20), "100000000000000000000");
  EXPECT_EQ(JsNumberToString(123456789012345680000.0), "123456789012345680000");
  EXPECT_EQ(JsNumberToString(1.5e-7), "1.5e-7");
  EXPECT_EQ(JsNumberToString(0.000001), "0.000001");
  EXPECT_EQ(JsNumberToString(2.5e300), "2.5e+300");
  EXPECT_EQ(JsNumberToString(std::numeric_limits<double>::infinity()), "Infinity");
  EXPECT_EQ(JsNumberToString(std::numeric_limits<double>::quiet_NaN()), "NaN");
}

TEST(Inspect, FormatsValuesAsGraphqlJsInspect) {
  EXPECT_EQ(Inspect(OrderedJson("a\"b")), "\"a\\\"b\"");
  EXPECT_EQ(Inspect(OrderedJson::parse(R"({"b": 1, "a": [true, null]})")),
            "{ b: 1, a: [true, null] }");
  EXPECT_EQ(Inspect(OrderedJson::parse(R"({"a": {"b": {}}})")), "{ a: { b: {} } }");
  EXPECT_EQ(Inspect(OrderedJson::parse(R"({"a": {"b": {"c": 1}}})")), "{ a: { b: [Object] } }");
  EXPECT_EQ(Inspect(OrderedJson::parse("[[[[1]]]]")), "[[[Array]]]");
  EXPECT_EQ(Inspect(OrderedJson::parse("[1,2,3,4,5,6,7,8,9,10,11,12]")),
            "[1, 2, 3, 4, 5, 6, 7, 8, 9, 10, ... 2 more items]");
  EXPECT_EQ(Inspect(OrderedJson::parse("[]")), "[]");
  EXPECT_EQ(Inspect(OrderedJson(1.5)), "1.5");
}

TEST(AppendJsonString, EscapesControlCharactersAndReplacesInvalidUtf8) {
  std::string out;
  AppendJsonString(out, std::string("a\n\x01\xff\xc3\xa9", 6));
  EXPECT_EQ(out, "\"a\\n\\u0001\xEF\xBF\xBD\xC3\xA9\"");
}

}  // namespace
}  // namespace styrmin::graphql
