#include "styrmin/graphql/validate.h"

#include <gtest/gtest.h>

#include "styrmin/graphql/build_schema.h"
#include "styrmin/graphql/parser.h"

namespace styrmin::graphql {
namespace {

std::vector<GraphQLError> ValidateText(const std::string& query, ValidationOptions options = {}) {
  auto schema = BuildSchema(R"(
    type Query { deployment(id: ID!): Deployment deployments: [Deployment!]! }
    type Deployment { id: ID! name: String phase: Phase }
    enum Phase { RUNNING STOPPED }
  )");
  EXPECT_TRUE(schema) << schema.error().ToString();
  Source source(query);
  auto document = Parse(source);
  EXPECT_TRUE(document) << document.error().message;
  return Validate(*schema, *document, source, options);
}

TEST(Validate, AcceptsAValidQuery) {
  EXPECT_TRUE(ValidateText("query Q($id: ID!) { deployment(id: $id) { id name phase } "
                           "deployments { ...Row } } fragment Row on Deployment { id }")
                  .empty());
}

TEST(Validate, ReportsMessagesWithLocations) {
  const auto errors = ValidateText("{ deployment { nme } }");
  ASSERT_EQ(errors.size(), 2u);
  EXPECT_EQ(errors[0].message,
            "Cannot query field \"nme\" on type \"Deployment\". Did you mean \"name\"?");
  EXPECT_EQ(errors[0].locations, (std::vector<SourceLocation>{{1, 16}}));
  EXPECT_EQ(errors[1].message,
            "Argument \"Query.deployment(id:)\" of type \"ID!\" is required, but it was not "
            "provided.");
}

TEST(Validate, StopsAtTheErrorLimit) {
  std::string query = "{";
  for (int i = 0; i < 10; ++i) query += " unknown" + std::to_string(i);
  query += " }";
  ValidationOptions options;
  options.max_errors = 3;
  const auto errors = ValidateText(query, options);
  ASSERT_EQ(errors.size(), 4u);
  EXPECT_EQ(errors.back().message,
            "Too many validation errors, error limit reached. Validation aborted.");
}

// Comparing every pair of 1,000 spread fragments exceeds graphql-js's complexity budget for
// OverlappingFieldsCanBeMerged, which aborts validation rather than run on.
TEST(Validate, OverlappingFieldsAbortsPastItsComplexityBudget) {
  std::string query = "{ deployments {";
  std::string fragments;
  for (int i = 0; i < 1000; ++i) {
    query += " ...F" + std::to_string(i);
    fragments += " fragment F" + std::to_string(i) + " on Deployment { x: name }";
  }
  const auto errors = ValidateText(query + " } }" + fragments);
  ASSERT_EQ(errors.size(), 1u) << "graphql-js reports the abort alone, here too";
  EXPECT_EQ(errors.back().message, "Validation aborted.");
}

}  // namespace
}  // namespace styrmin::graphql
