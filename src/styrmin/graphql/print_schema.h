// Printing schemas and values as SDL, character for character as graphql-js's printSchema and
// print do, so schemas can be compared with graphql-js's and round-tripped through
// introspection.
#pragma once

#include <string>
#include <string_view>

#include "styrmin/graphql/ast.h"
#include "styrmin/graphql/schema.h"

namespace styrmin::graphql {

// The schema's own definitions: specified scalars and directives and introspection types are
// left out, the schema block only when it is not implied by the names Query, Mutation and
// Subscription.
std::string PrintSchema(const Schema& schema);

// The specified directives and the introspection types, as graphql-js's
// printIntrospectionSchema prints them.
std::string PrintIntrospectionSchema(const Schema& schema);

// A value literal: `[1, 2]`, `{ a: "x" }`, `"""block"""`...
std::string PrintValue(const Value& value);

// A JSON-style quoted string, with graphql-js's escapes.
std::string PrintString(std::string_view value);
// A block string, laid out as graphql-js lays them out.
std::string PrintBlockString(std::string_view value);
// Whether `value` survives a round trip through a block string.
bool IsPrintableAsBlockString(std::string_view value);

}  // namespace styrmin::graphql
