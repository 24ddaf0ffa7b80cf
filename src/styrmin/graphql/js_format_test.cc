#include "styrmin/graphql/js_format.h"

#include <gtest/gtest.h>

#include <cmath>
#include <cstdint>
#include <cstring>
#include <limits>
#include <random>
#include <string>

#include "styrmin/graphql/response_text.h"

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

TEST(JsNumberToString, ShortcutForPlainDecimalsAgreesWithTheSpecificationAlgorithm) {
  std::mt19937_64 random(7);
  std::uniform_real_distribution<double> exponent(-8, 22);
  std::uniform_int_distribution<std::uint64_t> bits;
  int checked = 0;
  for (int k = 0; k < 200000; ++k) {
    // Random magnitudes across and past the shortcut's range, and random bit patterns.
    double value = std::pow(10.0, exponent(random)) * (k % 2 == 0 ? 1 : -1);
    if (k % 3 == 0) {
      const std::uint64_t b = bits(random);
      std::memcpy(&value, &b, sizeof value);
      if (!std::isfinite(value)) continue;
    }
    if (k % 5 == 0) value = std::round(value);
    ASSERT_EQ(JsNumberToString(value), JsNumberToStringSlow(value)) << value;
    ++checked;
  }
  EXPECT_GT(checked, 150000);
  for (double edge :
       {1e-6, -1e-6, 9.999999999999999e20, 1e21, 0.1 + 0.2, 5e-324, 1.7976931348623157e308}) {
    EXPECT_EQ(JsNumberToString(edge), JsNumberToStringSlow(edge)) << edge;
  }
}

TEST(AppendJsonString, WordAtATimeCopiesFindEverySpecialByte) {
  // Every length up to 70 (each size class of the copy: short, 4, 8, 16 and 32-byte pieces,
  // and the loop past 32), with one special byte, or a byte on either side of the control
  // range, at every position (or none), through both the std::string and the ResponseText
  // entry points.
  for (std::size_t size = 0; size <= 70; ++size) {
    for (std::size_t at = 0; at <= size; ++at) {
      for (char special : {'"', '\\', '\n', '\x1f', ' ', '\x7f', '\x80'}) {
        std::string value(size, 'x');
        std::string expected = "\"" + value + "\"";
        if (at < size) {
          value[at] = special;
          std::string escaped = special == '"'      ? "\\\""
                                : special == '\\'   ? "\\\\"
                                : special == '\n'   ? "\\n"
                                : special == '\x1f' ? "\\u001f"
                                : special == ' '    ? " "
                                : special == '\x7f' ? "\x7f"
                                                    : "\xEF\xBF\xBD";
          expected = "\"" + std::string(at, 'x') + escaped + std::string(size - at - 1, 'x') + "\"";
        }
        std::string out = ">";
        AppendJsonString(out, value);
        EXPECT_EQ(out, ">" + expected) << size << " " << at;
        ResponseText text;
        text.Append('>');
        text.AppendJsonString(value);
        EXPECT_EQ(text.view(), ">" + expected) << size << " " << at;
      }
    }
  }
}

TEST(ResponseText, GrowsKeepsTextAndHandsItOver) {
  ResponseText text(4);
  for (int k = 0; k < 1000; ++k) text.AppendInt(k);
  text.AppendJsNumber(0.5);
  text.Append(std::string_view("end"));
  const std::string expected = [] {
    std::string s;
    for (int k = 0; k < 1000; ++k) s += std::to_string(k);
    return s + "0.5end";
  }();
  EXPECT_EQ(text.view(), expected);
  text.Truncate(3);
  EXPECT_EQ(text.view(), "012");
  text.Truncate(10);  // never grows
  EXPECT_EQ(text.size(), 3U);
  EXPECT_EQ(text.Take(), "012");
  EXPECT_TRUE(text.empty());
  text.Append('x');
  EXPECT_EQ(text.view(), "x");
}

}  // namespace
}  // namespace styrmin::graphql
