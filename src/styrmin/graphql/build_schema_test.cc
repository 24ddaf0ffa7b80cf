#include "styrmin/graphql/build_schema.h"

#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "styrmin/graphql/print_schema.h"

namespace styrmin::graphql {
namespace {

TEST(BuildSchema, BuildsTypesFieldsAndRootsFromSdl) {
  auto schema = BuildSchema(R"(
    interface Node { id: ID! }
    type Deployment implements Node { id: ID! phase: Phase runs(first: Int = 20): [Run!]! }
    type Run { id: ID! }
    enum Phase { RUNNING STOPPED @deprecated(reason: "use PAUSED") }
    type Query { deployment(id: ID!): Deployment }
    extend type Query { node(id: ID!): Node }
  )");
  ASSERT_TRUE(schema) << schema.error().ToString();
  ASSERT_NE(schema->query_type(), nullptr);
  EXPECT_EQ(schema->query_type()->name, "Query");
  EXPECT_EQ(schema->query_type()->fields.size(), 2u) << "extensions add fields";
  const NamedType* deployment = schema->FindType("Deployment");
  ASSERT_NE(deployment, nullptr);
  EXPECT_EQ(deployment->FindField("runs")->type.ToString(), "[Run!]!");
  EXPECT_EQ(deployment->FindField("runs")->Argument("first")->default_value->text, "20");
  EXPECT_EQ(schema->FindType("Phase")->FindEnumValue("STOPPED")->deprecation_reason, "use PAUSED");
  const NamedType* node = schema->FindType("Node");
  EXPECT_EQ(schema->PossibleTypes(*node).size(), 1u);
  EXPECT_TRUE(schema->IsSubType(*node, *deployment));
  EXPECT_NE(schema->FindDirective("skip"), nullptr) << "specified directives are added";
}

// Names are compared word by word up to 16 bytes: every length, and a difference at every
// position, must still tell names apart.
TEST(BuildSchema, FindsEveryEnumValueAndFieldByItsWholeName) {
  std::string values;
  std::string fields;
  std::vector<std::string> names;
  for (std::size_t length = 1; length <= 20; ++length) {
    names.push_back("A" + std::string(length - 1, 'x'));
    values += " " + names.back();
    fields += " " + names.back() + ": Int";
  }
  auto schema = BuildSchema("enum E {" + values + " } type Query {" + fields + " }");
  ASSERT_TRUE(schema) << schema.error().ToString();
  const NamedType* e = schema->FindType("E");
  const NamedType* query = schema->query_type();
  for (const std::string& name : names) {
    ASSERT_NE(e->FindEnumValue(name), nullptr) << name;
    EXPECT_EQ(e->FindEnumValue(name)->name, name);
    EXPECT_EQ(query->FindField(name)->name, name);
    for (std::size_t at = 1; at < name.size(); ++at) {
      std::string other = name;
      other[at] = 'y';
      EXPECT_EQ(e->FindEnumValue(other), nullptr) << other;
      EXPECT_EQ(query->FindField(other), nullptr) << other;
    }
  }
  EXPECT_EQ(e->FindEnumValue(""), nullptr);
  EXPECT_EQ(e->FindEnumValue("B"), nullptr);
}

TEST(BuildSchema, ReportsEveryProblemAtOnce) {
  auto schema = BuildSchema("type Query { a: Strin b: Int b: Int }");
  ASSERT_FALSE(schema);
  EXPECT_EQ(schema.error().code(), ErrorCode::kInvalidArgument);
  EXPECT_EQ(schema.error().message(),
            "Field \"Query.b\" can only be defined once.\n\n"
            "Unknown type \"Strin\". Did you mean \"String\"?");
}

TEST(BuildSchema, SyntaxErrorsAreReportedAsSuch) {
  auto schema = BuildSchema("type Query {");
  ASSERT_FALSE(schema);
  EXPECT_EQ(schema.error().message(), "Syntax Error: Expected Name, found <EOF>.");
}

TEST(PrintSchema, RoundTripsItsOwnOutput) {
  const char* sdl = R"(directive @key(fields: String!) repeatable on OBJECT

"""A deployment of one application"""
type Deployment @key(fields: "id") {
  id: ID!

  """The parameters, as given"""
  parameters(
    """Only these names"""
    names: [String!] = ["a", "b"]
  ): String @deprecated(reason: "use values")
}

type Query {
  deployment: Deployment
})";
  auto schema = BuildSchema(sdl);
  ASSERT_TRUE(schema) << schema.error().ToString();
  const std::string printed = PrintSchema(*schema);
  auto again = BuildSchema(printed);
  ASSERT_TRUE(again) << again.error().ToString();
  EXPECT_EQ(PrintSchema(*again), printed);
}

TEST(PrintString, EscapesAsGraphqlJsDoes) {
  EXPECT_EQ(PrintString("a\"b\\c\nd\x01\x7f"), "\"a\\\"b\\\\c\\nd\\u0001\\u007F\"");
  EXPECT_EQ(PrintString("\xC2\x85 é"), "\"\\u0085 é\"");
  EXPECT_EQ(PrintBlockString("one line"), "\"\"\"one line\"\"\"");
  EXPECT_EQ(PrintBlockString("two\nlines"), "\"\"\"\ntwo\nlines\n\"\"\"");
  EXPECT_FALSE(IsPrintableAsBlockString("\n leading blank line"));
}

}  // namespace
}  // namespace styrmin::graphql
