#include "styrmin/core/yaml.h"

#include <gtest/gtest.h>

#include <cstdint>
#include <limits>
#include <string>

namespace styrmin {
namespace {

TEST(Yaml, ResolvesPlainScalarsByTheCoreSchema) {
  auto j = ParseYaml(R"(
name: infrahub
replicas: 3
negative: -7
hex: 0x1f
ratio: 0.5
enabled: true
nothing: ~
empty:
version: 1.5.2
)");
  ASSERT_TRUE(j) << j.error().ToString();
  EXPECT_EQ((*j)["name"], "infrahub");
  EXPECT_EQ((*j)["replicas"], 3);
  EXPECT_EQ((*j)["negative"], -7);
  EXPECT_EQ((*j)["hex"], 31);
  EXPECT_DOUBLE_EQ((*j)["ratio"].get<double>(), 0.5);
  EXPECT_EQ((*j)["enabled"], true);
  EXPECT_TRUE((*j)["nothing"].is_null());
  EXPECT_TRUE((*j)["empty"].is_null());
  EXPECT_EQ((*j)["version"], "1.5.2");
}

TEST(Yaml, OnlyCoreSchemaFloatsAreNumbers) {
  auto j = ParseYaml("a: +1.5\nb: .5\nc: 1.\nd: 2e3\ne: +-1\nf: 1e\ng: .\nh: 1.2.3\n").value();
  EXPECT_DOUBLE_EQ(j["a"].get<double>(), 1.5);
  EXPECT_DOUBLE_EQ(j["b"].get<double>(), 0.5);
  EXPECT_DOUBLE_EQ(j["c"].get<double>(), 1.0);
  EXPECT_DOUBLE_EQ(j["d"].get<double>(), 2000.0);
  EXPECT_EQ(j["e"], "+-1");
  EXPECT_EQ(j["f"], "1e");
  EXPECT_EQ(j["g"], ".");
  EXPECT_EQ(j["h"], "1.2.3");
}

TEST(Yaml, QuotedScalarsStayStrings) {
  auto j = ParseYaml("a: \"3\"\nb: 'true'\nc: \"null\"\n").value();
  EXPECT_EQ(j["a"], "3");
  EXPECT_EQ(j["b"], "true");
  EXPECT_EQ(j["c"], "null");
}

TEST(Yaml, ConvertsNestedMappingsAndSequences) {
  auto j = ParseYaml(R"(
spec:
  components:
    server: {identifier: {label: {app.kubernetes.io/component: server}}}
  parameters:
    - {name: log_level, kind: enum, values: [DEBUG, INFO], default: INFO}
)")
               .value();
  EXPECT_EQ(j["spec"]["components"]["server"]["identifier"]["label"]["app.kubernetes.io/component"],
            "server");
  EXPECT_EQ(j["spec"]["parameters"][0]["values"][1], "INFO");
}

TEST(Yaml, SyntaxErrorsGiveLineAndColumn) {
  auto j = ParseYaml("a: 1\nb: [1, 2\nc: 3\n");
  ASSERT_FALSE(j);
  EXPECT_EQ(j.error().code(), ErrorCode::kInvalidArgument);
  EXPECT_NE(j.error().message().find("invalid YAML at line"), std::string::npos)
      << j.error().message();
}

TEST(Yaml, EmptyInputIsNull) { EXPECT_TRUE(ParseYaml("").value().is_null()); }

TEST(Yaml, SplitsMultiDocumentStreams) {
  auto docs = ParseYamlDocuments("a: 1\n---\n---\nb: 2\n").value();
  ASSERT_EQ(docs.size(), 2u);
  EXPECT_EQ(docs[1]["b"], 2);
  EXPECT_FALSE(ParseYaml("a: 1\n---\nb: 2\n")) << "one document expected";
  EXPECT_FALSE(ParseYaml("a: 1\n---\nnull\n")) << "an explicit null is a document";
  EXPECT_EQ(ParseYamlDocuments("---\nnull\n").value().size(), 1u);
}

TEST(Yaml, RejectsDeepFlowNestingAndOversizedInput) {
  EXPECT_FALSE(ParseYaml(std::string(10000, '[')));
  YamlLimits limits;
  limits.max_bytes = 8;
  EXPECT_FALSE(ParseYaml("a: 123456789", limits));
}

TEST(Yaml, RejectsNonScalarKeys) {
  auto j = ParseYaml("? [a, b]\n: 1\n");
  ASSERT_FALSE(j);
  EXPECT_NE(j.error().message().find("not a scalar"), std::string::npos);
}

TEST(Yaml, IntegersBeyondInt64BecomeFloats) {
  EXPECT_EQ(ParseYaml("n: 99999999999999999999").value()["n"].is_number_float(), true);
  EXPECT_EQ(ParseYaml("n: -9223372036854775808").value()["n"],
            std::numeric_limits<std::int64_t>::min());
}

TEST(Yaml, ExpandsAliasesAndKeepsExplicitStrings) {
  auto j = ParseYaml("base: &b {x: 1}\ncopy: *b\ntagged: !!str 42\n").value();
  EXPECT_EQ(j["copy"]["x"], 1);
  EXPECT_EQ(j["tagged"], "42");
}

TEST(Yaml, RefusesAliasBombs) {
  // Each level doubles the previous: 2^30 nodes once expanded.
  std::string bomb = "a0: &a0 [x, x]\n";
  for (int i = 1; i <= 30; ++i) {
    bomb += "a" + std::to_string(i) + ": &a" + std::to_string(i) + " [*a" + std::to_string(i - 1) +
            ", *a" + std::to_string(i - 1) + "]\n";
  }
  auto j = ParseYaml(bomb);
  ASSERT_FALSE(j);
  EXPECT_NE(j.error().message().find("more than 1000000 nodes"), std::string::npos)
      << j.error().message();
}

// Review finding: one alias of a large scalar cost one node, so 1 MiB copied a million times
// fit the node budget.
TEST(Yaml, RefusesAliasBombsOfLargeScalars) {
  std::string bomb = "a: &a \"" + std::string(1 << 20, 'x') + "\"\nb: [";
  for (int i = 0; i < 100; ++i) bomb += "*a, ";
  bomb += "*a]\n";
  auto j = ParseYaml(bomb);
  ASSERT_FALSE(j);
  EXPECT_NE(j.error().message().find("more than 67108864 bytes"), std::string::npos)
      << j.error().message();
  YamlLimits small;
  small.max_expanded_bytes = 1 << 10;
  EXPECT_FALSE(ParseYaml("a: &a " + std::string(300, 'y') + "\nb: [*a, *a, *a, *a]\n", small));
  EXPECT_TRUE(ParseYaml("a: &a " + std::string(300, 'y') + "\nb: [*a]\n", small));
}

TEST(Yaml, RefusesUnknownAliasesAndDuplicateKeys) {
  auto alias = ParseYaml("a: *nowhere\n");
  ASSERT_FALSE(alias);
  EXPECT_NE(alias.error().message().find("*nowhere"), std::string::npos);
  auto dup = ParseYaml("a: 1\nb: 2\na: 3\n");
  ASSERT_FALSE(dup);
  EXPECT_EQ(dup.error().message(), "duplicate YAML mapping key \"a\" at line 3, column 1");
}

TEST(Yaml, RejectsDeepBlockNestingWithoutRecursing) {
  std::string deep;
  for (int i = 0; i < 5000; ++i) deep += "- ";
  deep += "x\n";
  auto j = ParseYaml(deep);
  ASSERT_FALSE(j);
  EXPECT_NE(j.error().message().find("nested deeper than 256"), std::string::npos);
}

// Found by yaml_fuzz: yaml-cpp 0.7 looped forever on this input (ADR 0003).
TEST(Yaml, MalformedSequenceThatHungYamlCppIsAnError) {
  const std::string input("-\n, --\n- nea\n-\xff-\xff\n--\xff\xff\xff\xff\xff\xff\xff:)1", 30);
  auto j = ParseYamlDocuments(input);
  EXPECT_FALSE(j);
}

TEST(Yaml, RejectsInvalidUtf8) { EXPECT_FALSE(ParseYaml("a: \"\xff\xfe\"\n")); }

}  // namespace
}  // namespace styrmin
