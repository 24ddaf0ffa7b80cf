#include "styrmin/driver/parameters.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <cstdint>
#include <limits>
#include <string>
#include <utility>
#include <vector>

namespace styrmin::driver {
namespace {

using ::testing::HasSubstr;
using ::testing::Not;

Parameter Optional(std::string name, ParameterKind kind) {
  Parameter parameter;
  parameter.name = std::move(name);
  parameter.label = parameter.name;
  parameter.kind = kind;
  parameter.required = false;
  return parameter;
}

Parameter Required(std::string name, ParameterKind kind) {
  Parameter parameter = Optional(std::move(name), kind);
  parameter.required = true;
  return parameter;
}

Parameter WithDefault(std::string name, ParameterKind kind, Json default_value) {
  Parameter parameter = Optional(std::move(name), kind);
  parameter.default_value = std::move(default_value);
  return parameter;
}

DriverSpec SpecWith(std::vector<Parameter> parameters) {
  DriverSpec spec;
  spec.name = "demo";
  spec.version = "1";
  spec.parameters = std::move(parameters);
  return spec;
}

// One optional parameter of every kind and constraint, so each case exercises just the
// parameters it sets.
DriverSpec EveryKind() {
  Parameter slug = Optional("slug", ParameterKind::kString);
  slug.pattern = "[a-z]+";  // no anchors: the pattern must still match the whole value
  Parameter port = Optional("port", ParameterKind::kInteger);
  port.min = 1;
  port.max = 65535;
  Parameter log_level = Optional("log_level", ParameterKind::kEnum);
  log_level.values = {"DEBUG", "INFO"};
  Parameter pin = Optional("pin", ParameterKind::kSecret);
  pin.pattern = "^[0-9]{4}$";
  return SpecWith({Optional("title", ParameterKind::kString), slug,
                   Optional("token", ParameterKind::kSecret), port,
                   Optional("count", ParameterKind::kInteger),
                   Optional("debug", ParameterKind::kBoolean), log_level, pin});
}

std::vector<std::string> Lines(const std::vector<Problem>& problems) {
  std::vector<std::string> lines;
  lines.reserve(problems.size());
  for (const Problem& problem : problems) lines.push_back(problem.ToString());
  return lines;
}

struct ValueCase {
  const char* name;
  Json given;
  std::vector<std::string> problems;
};

TEST(CheckParameters, AcceptsOrRefusesEachKindAndConstraint) {
  const std::string at_limit(kMaxParameterValueBytes, 'a');
  const std::string over_limit(kMaxParameterValueBytes + 1, 'a');
  const std::vector<ValueCase> cases = {
      {"a string", {{"title", "Hello"}}, {}},
      {"an empty string", {{"title", ""}}, {}},
      {"a number for a string", {{"title", 5}}, {"parameters.title: expected a string, got 5"}},
      {"a boolean for a string",
       {{"title", true}},
       {"parameters.title: expected a string, got true"}},
      {"an object for a string",
       {{"title", {{"a", 1}}}},
       {"parameters.title: expected a string, got {\"a\":1}"}},
      {"a secret", {{"token", "hunter2"}}, {}},
      {"a number for a secret",
       {{"token", 12345}},
       {"parameters.token: expected a string, got a value of type integer"}},
      {"an integer", {{"port", 8080}}, {}},
      {"an integer at the minimum", {{"port", 1}}, {}},
      {"an integer at the maximum", {{"port", 65535}}, {}},
      {"an integer below the minimum",
       {{"port", 0}},
       {"parameters.port: 0 is below the minimum 1"}},
      {"an integer above the maximum",
       {{"port", 70000}},
       {"parameters.port: 70000 is above the maximum 65535"}},
      {"a negative integer without bounds", {{"count", -3}}, {}},
      {"the largest 64-bit integer", {{"count", std::numeric_limits<std::int64_t>::max()}}, {}},
      {"an integer beyond 64 bits",
       {{"count", std::numeric_limits<std::uint64_t>::max()}},
       {"parameters.count: 18446744073709551615 is outside the 64-bit integer range"}},
      {"a string for an integer",
       {{"port", "abc"}},
       {"parameters.port: expected an integer, got \"abc\""}},
      {"a numeric string for an integer",
       {{"port", "80"}},
       {"parameters.port: expected an integer, got \"80\""}},
      {"an integral float for an integer",
       {{"port", 3.0}},
       {"parameters.port: expected an integer, got 3.0"}},
      {"a fraction for an integer",
       {{"port", 2.5}},
       {"parameters.port: expected an integer, got 2.5"}},
      {"a boolean for an integer",
       {{"count", true}},
       {"parameters.count: expected an integer, got true"}},
      {"true", {{"debug", true}}, {}},
      {"false", {{"debug", false}}, {}},
      {"a string for a boolean",
       {{"debug", "true"}},
       {"parameters.debug: expected a boolean, got \"true\""}},
      {"a number for a boolean", {{"debug", 1}}, {"parameters.debug: expected a boolean, got 1"}},
      {"an enum value", {{"log_level", "INFO"}}, {}},
      {"a value outside the enum",
       {{"log_level", "TRACE"}},
       {"parameters.log_level: \"TRACE\" is not one of DEBUG, INFO"}},
      {"an enum value in the wrong case",
       {{"log_level", "info"}},
       {"parameters.log_level: \"info\" is not one of DEBUG, INFO"}},
      {"a number for an enum",
       {{"log_level", 42}},
       {"parameters.log_level: expected one of DEBUG, INFO, got 42"}},
      {"a value matching the pattern", {{"slug", "abc"}}, {}},
      {"a value matching only part of the pattern",
       {{"slug", "abc1"}},
       {"parameters.slug: does not match the pattern [a-z]+"}},
      {"an empty value against a pattern needing one character",
       {{"slug", ""}},
       {"parameters.slug: does not match the pattern [a-z]+"}},
      {"a value with a newline against the pattern",
       {{"slug", "abc\ndef"}},
       {"parameters.slug: does not match the pattern [a-z]+"}},
      {"a secret matching its pattern", {{"pin", "1234"}}, {}},
      {"a secret not matching its pattern",
       {{"pin", "12345"}},
       {"parameters.pin: does not match the pattern ^[0-9]{4}$"}},
      {"a value at the size limit against a pattern", {{"slug", at_limit}}, {}},
      {"a value over the size limit against a pattern",
       {{"slug", over_limit}},
       {"parameters.slug: value is 65537 bytes, above the limit of 65536"}},
      {"a value over the size limit without a pattern",
       {{"title", over_limit}},
       {"parameters.title: value is 65537 bytes, above the limit of 65536"}},
      {"a secret over the size limit",
       {{"token", over_limit}},
       {"parameters.token: value is 65537 bytes, above the limit of 65536"}},
      {"an enum value over the size limit",
       {{"log_level", over_limit}},
       {"parameters.log_level: value is 65537 bytes, above the limit of 65536"}},
      {"an explicit null for an optional parameter", {{"title", nullptr}}, {}},
  };
  const DriverSpec spec = EveryKind();
  for (const ValueCase& c : cases) {
    SCOPED_TRACE(c.name);
    const ParameterCheck check = CheckParameters(spec, c.given);
    EXPECT_EQ(Lines(check.problems), c.problems);
    if (c.problems.empty()) {
      for (const auto& [name, value] : c.given.items()) EXPECT_EQ(check.values.at(name), value);
    }
  }
}

TEST(CheckParameters, CutsLongValuesInMessages) {
  const DriverSpec spec = EveryKind();
  const ParameterCheck check = CheckParameters(spec, {{"port", std::string(1000, 'x')}});
  ASSERT_EQ(check.problems.size(), 1u);
  EXPECT_LT(check.problems[0].message.size(), 120u) << check.problems[0].message;
  EXPECT_THAT(check.problems[0].message, HasSubstr("\"xxxx"));
  EXPECT_THAT(check.problems[0].message, HasSubstr("..."));
}

TEST(CheckParameters, NeverQuotesASecretValueInAProblem) {
  const DriverSpec spec = EveryKind();
  for (const Json& value : {Json(987654321), Json::array({"s3cr3t"}), Json{{"k", "s3cr3t"}}}) {
    SCOPED_TRACE(DumpJson(value));
    const ParameterCheck check = CheckParameters(spec, {{"token", value}});
    ASSERT_EQ(check.problems.size(), 1u);
    EXPECT_THAT(check.problems[0].message, Not(HasSubstr("987654321")));
    EXPECT_THAT(check.problems[0].message, Not(HasSubstr("s3cr3t")));
  }
}

TEST(CheckParameters, ReportsAPatternThatDoesNotCompileAtTheParameter) {
  Parameter broken = Optional("name", ParameterKind::kString);
  broken.pattern = "([a-z";
  const ParameterCheck check = CheckParameters(SpecWith({broken}), {{"name", "abc"}});
  ASSERT_EQ(check.problems.size(), 1u);
  EXPECT_EQ(check.problems[0].path, "parameters.name");
  EXPECT_THAT(check.problems[0].message,
              HasSubstr("the driver's pattern ([a-z is not a usable regular expression"));
}

TEST(CheckParameters, UsesTheSamePatternEngineAsTheSpecCheck) {
  // PCRE2, as ParseSpec compiles it: back-references and lookahead work.
  Parameter twice = Optional("name", ParameterKind::kString);
  twice.pattern = "(a)\\1(?=b)b";
  EXPECT_TRUE(CheckParameters(SpecWith({twice}), {{"name", "aab"}}).problems.empty());
  EXPECT_FALSE(CheckParameters(SpecWith({twice}), {{"name", "abb"}}).problems.empty());
}

// Regression: libstdc++'s std::regex recursed once per character and overflowed the stack on
// values of a few thousand bytes, and ran exponentially long on nested quantifiers.
TEST(CheckParameters, MatchesLongValuesAndNestedQuantifiersWithoutBacktracking) {
  const std::string long_value(kMaxParameterValueBytes, 'a');
  struct Case {
    const char* pattern;
    std::string value;
    bool matches;
  };
  const std::vector<Case> cases = {
      {"(a|b)*", long_value, true},
      {"(?:[a-z0-9]+-?)*", long_value, true},
      {"[\\s\\S]*", long_value, true},
      {"(a+)+$", std::string(40, 'a') + "!", false},
  };
  for (const Case& c : cases) {
    SCOPED_TRACE(c.pattern);
    Parameter parameter = Optional("name", ParameterKind::kString);
    parameter.pattern = c.pattern;
    const ParameterCheck check = CheckParameters(SpecWith({parameter}), {{"name", c.value}});
    EXPECT_EQ(check.problems.empty(), c.matches) << testing::PrintToString(Lines(check.problems));
  }
}

TEST(CheckParameters, ReportsAMissingRequiredParameter) {
  const DriverSpec spec = SpecWith({Required("admin_password", ParameterKind::kSecret)});
  for (const Json& given : {Json::object(), Json{{"admin_password", nullptr}}, Json()}) {
    SCOPED_TRACE(DumpJson(given));
    const ParameterCheck check = CheckParameters(spec, given);
    EXPECT_EQ(Lines(check.problems),
              std::vector<std::string>{"parameters.admin_password: required parameter is missing"});
  }
}

TEST(CheckParameters, GivesNullForAnOptionalParameterLeftUnset) {
  const ParameterCheck check =
      CheckParameters(SpecWith({Optional("note", ParameterKind::kString)}), Json::object());
  EXPECT_TRUE(check.problems.empty());
  EXPECT_EQ(check.values, (Json{{"note", nullptr}}));
}

TEST(CheckParameters, FillsDefaultsAndPrefersGivenValues) {
  const DriverSpec spec = SpecWith({
      WithDefault("log_level", ParameterKind::kString, "INFO"),
      WithDefault("workers", ParameterKind::kInteger, 2),
      WithDefault("debug", ParameterKind::kBoolean, false),
      Required("name", ParameterKind::kString),
  });
  struct Case {
    const char* name;
    Json given;
    Json values;
  };
  const std::vector<Case> cases = {
      {"nothing but the required value",
       {{"name", "x"}},
       {{"log_level", "INFO"}, {"workers", 2}, {"debug", false}, {"name", "x"}}},
      {"every value",
       {{"name", "x"}, {"log_level", "DEBUG"}, {"workers", 8}, {"debug", true}},
       {{"log_level", "DEBUG"}, {"workers", 8}, {"debug", true}, {"name", "x"}}},
      {"a null falls back to the default",
       {{"name", "x"}, {"workers", nullptr}},
       {{"log_level", "INFO"}, {"workers", 2}, {"debug", false}, {"name", "x"}}},
  };
  for (const Case& c : cases) {
    SCOPED_TRACE(c.name);
    const ParameterCheck check = CheckParameters(spec, c.given);
    EXPECT_TRUE(check.problems.empty()) << testing::PrintToString(Lines(check.problems));
    EXPECT_EQ(check.values, c.values);
  }
}

TEST(CheckParameters, ReportsUnknownNamesSortedWithTheDeclaredOnes) {
  const DriverSpec spec = SpecWith(
      {Optional("b_param", ParameterKind::kString), Optional("a_param", ParameterKind::kString)});
  const ParameterCheck check =
      CheckParameters(spec, {{"zeta", 1}, {"alpha", "x"}, {"b_param", "ok"}});
  EXPECT_EQ(Lines(check.problems),
            (std::vector<std::string>{
                "parameters.alpha: unknown parameter (the driver declares: b_param, a_param)",
                "parameters.zeta: unknown parameter (the driver declares: b_param, a_param)"}));
}

TEST(CheckParameters, SaysSoWhenTheDriverDeclaresNoParameters) {
  const ParameterCheck check = CheckParameters(SpecWith({}), {{"x", 1}});
  EXPECT_EQ(Lines(check.problems),
            std::vector<std::string>{
                "parameters.x: unknown parameter (the driver declares no parameters)"});
}

TEST(CheckParameters, RefusesInputThatIsNotAnObject) {
  const DriverSpec spec = SpecWith({Required("name", ParameterKind::kString)});
  struct Case {
    Json given;
    const char* type;
  };
  const std::vector<Case> cases = {
      {Json::array({"a"}), "array"}, {"name", "string"}, {42, "integer"}, {true, "boolean"}};
  for (const Case& c : cases) {
    SCOPED_TRACE(c.type);
    const ParameterCheck check = CheckParameters(spec, c.given);
    EXPECT_EQ(Lines(check.problems),
              std::vector<std::string>{std::string("parameters: expected an object of parameter "
                                                   "values, got ") +
                                       c.type});
  }
}

TEST(CheckParameters, TreatsNullInputAsNoValues) {
  const DriverSpec spec = SpecWith({WithDefault("workers", ParameterKind::kInteger, 2)});
  const ParameterCheck check = CheckParameters(spec, Json());
  EXPECT_TRUE(check.problems.empty());
  EXPECT_EQ(check.values, (Json{{"workers", 2}}));
}

TEST(CheckParameters, ReportsEveryProblemAtOnceInDeclarationOrderThenUnknownNames) {
  Parameter port = Required("port", ParameterKind::kInteger);
  port.max = 10;
  Parameter level = Optional("level", ParameterKind::kEnum);
  level.values = {"DEBUG", "INFO"};
  const DriverSpec spec = SpecWith({Required("name", ParameterKind::kString), port, level,
                                    Required("admin_password", ParameterKind::kSecret)});
  const ParameterCheck check =
      CheckParameters(spec, {{"port", 42}, {"level", "TRACE"}, {"extra", true}, {"name", "ok"}});
  EXPECT_EQ(Lines(check.problems),
            (std::vector<std::string>{
                "parameters.port: 42 is above the maximum 10",
                "parameters.level: \"TRACE\" is not one of DEBUG, INFO",
                "parameters.admin_password: required parameter is missing",
                "parameters.extra: unknown parameter (the driver declares: name, port, level, "
                "admin_password)",
            }));
}

struct VersionCase {
  const char* text;
  const char* error;  // nullptr: accepted
};

TEST(CheckApplicationVersion, AcceptsVersionsInsideTheSupportedRangeOnly) {
  DriverSpec spec = SpecWith({});
  spec.supported_versions = VersionRange::Parse(">=1.4,<2.0").value();
  const std::vector<VersionCase> cases = {
      {"1.4.0", nullptr},
      {"1.5.2", nullptr},
      {"v1.9.9", nullptr},
      {"2.0.0-rc.1", nullptr},
      {"2.1.0",
       "application version 2.1.0 is outside the driver's supported versions \">=1.4,<2.0\""},
      {"1.3.9",
       "application version 1.3.9 is outside the driver's supported versions \">=1.4,<2.0\""},
      {"2.0.0",
       "application version 2.0.0 is outside the driver's supported versions \">=1.4,<2.0\""},
      {"x", "application version \"x\" is not a semantic version: "},
      {"1.5", "application version \"1.5\" is not a semantic version: "},
      {"", "application version \"\" is not a semantic version: "},
  };
  for (const VersionCase& c : cases) {
    SCOPED_TRACE(c.text);
    const Result<Version> version = CheckApplicationVersion(spec, c.text);
    if (c.error == nullptr) {
      ASSERT_TRUE(version) << version.error().ToString();
      EXPECT_EQ(*version, Version::Parse(c.text).value());
    } else {
      ASSERT_FALSE(version);
      EXPECT_EQ(version.error().code(), ErrorCode::kInvalidArgument);
      EXPECT_THAT(version.error().message(), ::testing::StartsWith(c.error));
    }
  }
}

}  // namespace
}  // namespace styrmin::driver
