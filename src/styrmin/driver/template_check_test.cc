#include "styrmin/driver/template_check.h"

#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "styrmin/driver/testing/sample_driver.h"

namespace styrmin::driver {
namespace {

TEST(CheckTemplate, AcceptsTheSampleValuesTemplate) {
  EXPECT_EQ(JoinProblems(CheckTemplate(testing::kSampleValues, "values.j2.yml")), "");
}

TEST(CheckTemplate, AcceptsWhatJinjaAccepts) {
  const std::vector<std::string> good = {
      "plain text with { braces } and }} alone",
      "{{ x }}{{- y -}}{%- if a -%}{% elif b %}{% else %}{% endif %}",
      "{% for i in items %}{{ i }}{% else %}none{% endfor %}",
      "{% set x = 1 %}{% set y %}block{% endset %}",
      "{% set b | replace(\"a=\", 'b') %}x{% endset %}{% set c = a == b %}",
      "{% macro m(a) %}{{ a }}{% endmacro %}{% call m(1) %}{% endcall %}",
      "{% raw %}{% if %}{{ unclosed{% endraw %}",
      "{{ \"}}\" }} {% if x == '%}' %}{% endif %}",
      "{# a comment with {{ and {% inside #}",
      "{% with a = 1 %}{% filter upper %}x{% endfilter %}{% endwith %}",
      "{% include 'x' %}{% import 'y' as z %}{% from 'f' import g %}",
  };
  for (const auto& text : good) {
    EXPECT_EQ(JoinProblems(CheckTemplate(text, "t")), "") << text;
  }
}

TEST(CheckTemplate, ReportsEachProblemWithItsLine) {
  struct Case {
    std::string text;
    std::string expected;
  };
  const std::vector<Case> cases = {
      {"a\n{{ x\n", "t:2: {{ is never closed (expected }}, or a string in it is unterminated)"},
      {"{% if x %}\n", "t:1: {% if %} is never closed (expected {% endif %})"},
      {"{% endif %}", "t:1: {% endif %} without an opening {% if %}"},
      {"{% if a %}\n{% for b in c %}\n{% endif %}",
       "t:3: {% endif %} closes {% for %} opened at line 2 (expected {% endfor %})"},
      {"{# open", "t:1: {# is never closed (expected #})"},
      {"{% else %}", "t:1: {% else %} outside an {% if %} or {% for %}"},
      {"{% frobnicate %}", "t:1: unknown tag {% frobnicate %}"},
      {"{%  %}", "t:1: a {% %} tag without a tag name"},
      {"{{ }}", "t:1: {{ }} is empty"},
      {"x\n\n{% raw %}", "t:3: {% raw %} is never closed (expected {% endraw %})"},
      {"{{ 'unterminated }}",
       "t:1: {{ is never closed (expected }}, or a string in it is "
       "unterminated)"},
  };
  for (const auto& c : cases) {
    EXPECT_EQ(JoinProblems(CheckTemplate(c.text, "t")), c.expected) << c.text;
  }
}

TEST(CheckTemplate, ReportsAllProblemsInOnePass) {
  const auto problems = CheckTemplate("{% frob %}\n{{ }}\n{% if a %}", "values.j2.yml");
  ASSERT_EQ(problems.size(), 3U) << JoinProblems(problems);
  EXPECT_EQ(problems[0].path, "values.j2.yml:1");
  EXPECT_EQ(problems[1].path, "values.j2.yml:2");
  EXPECT_EQ(problems[2].path, "values.j2.yml:3");
}

TEST(CheckTemplate, StaysLinearOnLargeTemplates) {
  std::string text;
  for (int i = 0; i < 200000; ++i) text += "{{ x }}\n";
  EXPECT_TRUE(CheckTemplate(text, "t").empty());
}

}  // namespace
}  // namespace styrmin::driver
