#include "styrmin/graphql/parser.h"

#include <gtest/gtest.h>

#include <string>

#include "styrmin/graphql/ast_json.h"

namespace styrmin::graphql {
namespace {

Document ParseOk(const std::string& text) {
  Source source(text);
  auto document = Parse(source);
  EXPECT_TRUE(document) << text << ": " << document.error().message;
  return document ? std::move(document).value() : Document{};
}

std::string ParseError(const std::string& text, const ParseOptions& options = {}) {
  Source source(text);
  auto document = Parse(source, options);
  if (document) {
    ADD_FAILURE() << "parsed without error: " << text;
    return {};
  }
  const auto loc = source.LocationOf(document.error().offset);
  return document.error().message + " @" + std::to_string(loc.line) + ":" +
         std::to_string(loc.column);
}

TEST(Parser, ParsesAnOperationWithVariablesDirectivesAndFragments) {
  auto doc = ParseOk(R"(
    query Dashboard($env: ID!, $first: Int = 10) @cached {
      environment(id: $env) {
        name
        deployments(first: $first) { ...Row ... on Deployment { phase } }
      }
    }
    fragment Row on Deployment { id status: observedStatus }
  )");
  ASSERT_EQ(doc.definitions.size(), 2u);
  const auto& op = std::get<OperationDefinition>(doc.definitions[0]);
  EXPECT_EQ(op.name->value, "Dashboard");
  ASSERT_EQ(op.variables.size(), 2u);
  EXPECT_EQ(op.variables[0].type.kind, TypeRef::Kind::kNonNull);
  EXPECT_EQ(op.variables[1].default_value->text, "10");
  EXPECT_EQ(op.directives[0].name.value, "cached");
  const auto& deployments = op.selections[0].selections[1];
  EXPECT_EQ(deployments.arguments[0].value.kind, Value::Kind::kVariable);
  EXPECT_EQ(deployments.selections[0].kind, Selection::Kind::kFragmentSpread);
  EXPECT_EQ(deployments.selections[1].type_condition->value, "Deployment");
  const auto& fragment = std::get<FragmentDefinition>(doc.definitions[1]);
  EXPECT_EQ(fragment.selections[1].alias->value, "status");
}

TEST(Parser, ParsesTheTypeSystemLanguage) {
  auto doc = ParseOk(R"(
    "A deployment" type Deployment implements Node & Named @key(fields: "id") {
      id: ID!
      runs(first: Int = 20, state: [RunState!]): [Run!]! @deprecated(reason: "use history")
    }
    enum RunState { QUEUED RUNNING }
    input Filter @oneOf { id: ID name: String }
    union Target = | Cluster | Environment
    directive @key(fields: String!) repeatable on OBJECT | INTERFACE
    extend schema @link { subscription: Subscription }
  )");
  ASSERT_EQ(doc.definitions.size(), 6u);
  const auto& type = std::get<TypeSystemDefinition>(doc.definitions[0]);
  EXPECT_EQ(type.description->value, "A deployment");
  EXPECT_EQ(type.interfaces.size(), 2u);
  EXPECT_EQ(type.fields[1].arguments[1].type.of->kind, TypeRef::Kind::kNonNull);
  EXPECT_EQ(std::get<TypeSystemDefinition>(doc.definitions[3]).union_members.size(), 2u);
  const auto& directive = std::get<TypeSystemDefinition>(doc.definitions[4]);
  EXPECT_TRUE(directive.repeatable);
  EXPECT_EQ(directive.locations.size(), 2u);
  EXPECT_TRUE(std::get<TypeSystemDefinition>(doc.definitions[5]).extension);
}

TEST(Parser, ProducesGraphqlJsShapedJson) {
  auto doc = ParseOk("{ a(x: [1, \"s\", {k: null}]) }");
  const Json json = AstToJson(doc);
  EXPECT_EQ(json["definitions"][0]["kind"], "OperationDefinition");
  EXPECT_FALSE(json["definitions"][0].contains("name")) << "absent members are omitted";
  const auto& arg = json["definitions"][0]["selectionSet"]["selections"][0]["arguments"][0];
  EXPECT_EQ(arg["value"]["values"][2]["fields"][0]["value"]["kind"], "NullValue");
}

TEST(Parser, ErrorsAreWordedAsGraphqlJsWordsThem) {
  EXPECT_EQ(ParseError(""), "Unexpected <EOF>. @1:1");
  EXPECT_EQ(ParseError("{ a"), "Expected Name, found <EOF>. @1:4");
  EXPECT_EQ(ParseError("query { a(b) }"), "Expected \":\", found \")\". @1:12");
  EXPECT_EQ(ParseError("fragment on on T { a }"), "Unexpected Name \"on\". @1:10");
  EXPECT_EQ(ParseError("query ($v: Int = $x) { a }"),
            "Unexpected variable \"$x\" in constant value. @1:18");
  EXPECT_EQ(ParseError("enum E { true }"),
            "Name \"true\" is reserved and cannot be used for an enum value. @1:10");
  EXPECT_EQ(ParseError("\"d\" { a }"),
            "Unexpected description, descriptions are not supported on shorthand queries. @1:1");
  EXPECT_EQ(ParseError("\"d\" extend type T { a: A }"),
            "Unexpected description, only GraphQL definitions support descriptions. @1:1");
  EXPECT_EQ(ParseError("extend scalar S"), "Unexpected <EOF>. @1:16");
  EXPECT_EQ(ParseError("directive @d on NOWHERE"), "Unexpected Name \"NOWHERE\". @1:17");
  EXPECT_EQ(ParseError("notakeyword"), "Unexpected Name \"notakeyword\". @1:1");
}

TEST(Parser, DeepNestingIsAnErrorNotACrash) {
  std::string deep;
  for (int i = 0; i < 10000; ++i) deep += "{a";
  EXPECT_EQ(ParseError(deep).rfind("Document is nested deeper than 256 levels", 0), 0u);
  std::string list = "{ a(x: " + std::string(10000, '[') + ") }";
  EXPECT_EQ(ParseError(list).rfind("Document is nested deeper than 256 levels", 0), 0u);
  std::string type = "query ($v: " + std::string(10000, '[') + "Int) { a }";
  EXPECT_EQ(ParseError(type).rfind("Document is nested deeper than 256 levels", 0), 0u);
}

TEST(Parser, TokenLimitAbortsWithGraphqlJsWording) {
  ParseOptions options;
  options.max_tokens = 4;
  EXPECT_EQ(ParseError("{ a b c }", options),
            "Document contains more than 4 tokens. Parsing aborted. @1:9");
  EXPECT_TRUE(Parse(Source("{ a b }"), options));
}

}  // namespace
}  // namespace styrmin::graphql
