// Defensive limits and malformed input through the whole pipeline: every case ends in a clear
// error (or a valid response), never a crash, a hang or unbounded growth.
#include <gtest/gtest.h>

#include <string>

#include "styrmin/core/json.h"
#include "styrmin/graphql/build_schema.h"
#include "styrmin/graphql/execute.h"
#include "styrmin/graphql/parser.h"
#include "styrmin/graphql/validate.h"

namespace styrmin::graphql {
namespace {

constexpr const char* kSdl =
    "type Query { node: Node name(s: String): String n(i: Int!): Int } "
    "type Node { child: Node name: String }";

std::vector<GraphQLError> ValidateText(const std::string& text, const ValidationOptions& options) {
  static const Schema schema = BuildSchema(kSdl).value();
  Source source(text);
  auto document = Parse(source);
  EXPECT_TRUE(document) << document.error().message;
  if (!document) return {};
  return Validate(schema, *document, source, options);
}

std::string Nested(int depth) {
  std::string q = "query Deep { node {";
  for (int i = 0; i < depth; ++i) q += " child {";
  q += " name";
  for (int i = 0; i < depth; ++i) q += " }";
  return q + " } }";
}

TEST(Limits, RefusesDocumentsLargerThanTheByteLimit) {
  ParseOptions options;
  options.max_bytes = 16;
  Source source("{ name name name name }");
  auto document = Parse(source, options);
  ASSERT_FALSE(document);
  EXPECT_EQ(document.error().message,
            "Document is 23 bytes long, more than the limit of 16 bytes.");
}

TEST(Limits, RefusesSelectionsNestedDeeperThanTheLimit) {
  ValidationOptions options;
  options.max_depth = 10;
  EXPECT_TRUE(ValidateText(Nested(8), options).empty());
  const auto errors = ValidateText(Nested(9), options);
  ASSERT_EQ(errors.size(), 1u);
  EXPECT_EQ(errors[0].message,
            "Operation \"Deep\" nests selections more than 10 levels deep, the limit.");
  EXPECT_EQ(errors[0].locations.front(), (SourceLocation{1, 1}));
}

TEST(Limits, CountsFieldsWithFragmentsExpandedAndStopsEarly) {
  // 2^40 fields once expanded: the check must stop at the limit, not expand them.
  std::string doc = "{ ...F0 }";
  for (int i = 0; i < 40; ++i) {
    doc += " fragment F" + std::to_string(i) + " on Query { ...F" + std::to_string(i + 1) +
           " ...F" + std::to_string(i + 1) + " }";
  }
  doc += " fragment F40 on Query { name }";
  ValidationOptions options;
  options.max_fields = 1000;
  const auto errors = ValidateText(doc, options);
  ASSERT_EQ(errors.size(), 1u);
  EXPECT_EQ(errors[0].message,
            "The anonymous operation selects more than 1000 fields with its fragments expanded, "
            "the limit.");
}

TEST(Limits, RefusesTooManyAliases) {
  std::string doc = "{";
  for (int i = 0; i < 20; ++i) doc += " a" + std::to_string(i) + ": name";
  doc += " }";
  ValidationOptions options;
  options.max_aliases = 10;
  const auto errors = ValidateText(doc, options);
  ASSERT_EQ(errors.size(), 1u);
  EXPECT_EQ(errors[0].message,
            "The anonymous operation uses more than 10 aliases with its fragments expanded, the "
            "limit.");
  options.max_aliases = 0;
  EXPECT_TRUE(ValidateText(doc, options).empty());
}

// Runs text through parse, validate and execute; the response body, or the first error.
std::string Pipeline(const std::string& text, OrderedJson variables = OrderedJson::object()) {
  static const ExecutableSchema schema(BuildSchema(kSdl).value());
  static const OrderedJson root = OrderedJson::parse(R"({"name": "x", "n": 1})");
  Source source(text);
  auto document = Parse(source);
  if (!document) return "syntax: " + document.error().message;
  const auto errors = Validate(schema.schema(), *document, source);
  if (!errors.empty()) return "invalid: " + errors.front().message;
  ExecutionRequest request;
  request.document = &*document;
  request.source = &source;
  request.variables = std::move(variables);
  request.root_value = FieldValue::JsonRef(root);
  auto result = Execute(schema, request);
  EXPECT_TRUE(ParseJson(result.body)) << result.body;
  return result.body;
}

TEST(MalformedInput, EveryTruncationOfADocumentIsAnErrorOrValid) {
  const std::string full =
      R"(query Q($s: String = "a\u00e9") { name(s: $s) node { child { name } } })";
  for (std::size_t n = 0; n < full.size(); ++n) {
    const std::string out = Pipeline(full.substr(0, n));
    EXPECT_TRUE(out.rfind("syntax: ", 0) == 0 || out.rfind("invalid: ", 0) == 0 ||
                out.rfind('{', 0) == 0)
        << out;
  }
  EXPECT_EQ(Pipeline(full), R"({"data":{"name":"x","node":null}})");
}

TEST(MalformedInput, TenThousandDeepNestingIsASyntaxError) {
  std::string deep(10000, '{');
  EXPECT_EQ(Pipeline(deep).rfind("syntax: ", 0), 0u);
  std::string list = "{ name(s: " + std::string(10000, '[') + ") }";
  EXPECT_EQ(Pipeline(list).rfind("syntax: ", 0), 0u);
}

TEST(MalformedInput, HugeStringsAndInvalidUtf8StayValidJson) {
  const std::string big(1 << 20, 'x');
  EXPECT_EQ(Pipeline("query($s: String) { name(s: $s) }", {{"s", big}}),
            R"({"data":{"name":"x"}})");
  const std::string bad_utf8 = "{ name(s: \"\xff\xfe\") }";
  const std::string out = Pipeline(bad_utf8);
  EXPECT_TRUE(out.rfind("syntax: ", 0) == 0 || out.rfind('{', 0) == 0) << out;
}

TEST(MalformedInput, WrongVariableTypesAreRequestErrors) {
  EXPECT_EQ(
      Pipeline("query($i: Int!) { n(i: $i) }", {{"i", "7"}}),
      R"({"errors":[{"message":"Variable \"$i\" has invalid value: Int cannot represent non-integer value: \"7\"","locations":[{"line":1,"column":7}]}]})");
  EXPECT_EQ(
      Pipeline("query($i: Int!) { n(i: $i) }", {{"i", {{"a", {1, 2}}}}}),
      R"({"errors":[{"message":"Variable \"$i\" has invalid value: Int cannot represent non-integer value: { a: [1, 2] }","locations":[{"line":1,"column":7}]}]})");
  EXPECT_EQ(
      Pipeline("query($i: Int!) { n(i: $i) }", OrderedJson::object()),
      R"({"errors":[{"message":"Variable \"$i\" has invalid value: Expected a value of non-null type \"Int!\" to be provided.","locations":[{"line":1,"column":7}]}]})");
}

}  // namespace
}  // namespace styrmin::graphql
