// Input coercion at execution time (spec section 6.1.2 and 6.4.1), as graphql-js 17 does it:
// request variables from JSON, and field and directive arguments from literals with variables
// substituted. Messages and paths are graphql-js's.
//
// Coerced values are JSON with members in definition order: Int as integer, Float as number,
// String, ID and enum values as strings, input objects as objects, custom scalars as given.
// A variable that was not provided and has no default is absent from the coerced variables,
// which is how arguments tell "not provided" from an explicit null.
//
// Argument coercion assumes a document that passed validation: literals are statically
// valid, so what can still fail is what variables bring at run time.
#pragma once

#include <cstddef>
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <tl/expected.hpp>
#include <vector>

#include "styrmin/core/json.h"
#include "styrmin/graphql/ast.h"
#include "styrmin/graphql/schema.h"

namespace styrmin::graphql {

struct CoercionError {
  std::string message;
  std::vector<std::size_t> offsets;  // AST nodes the message refers to
};

// The coerced variables of `operation`, or every problem with `inputs` (an object; null reads
// as an empty one) up to `max_errors`, past which graphql-js's "Too many errors processing
// variables" ends the list.
tl::expected<OrderedJson, std::vector<CoercionError>> CoerceVariableValues(
    const Schema& schema, const OperationDefinition& operation, const OrderedJson& inputs,
    std::size_t max_errors = 50);

// The coerced arguments of a field or directive: `definitions` are its arguments, `owner`
// names it in messages ("Query.user" for fields, "@skip" for directives), `node_offset` is
// where the field or directive is written.
tl::expected<OrderedJson, CoercionError> CoerceArgumentValues(
    const std::vector<InputValue>& definitions, const std::vector<Argument>& arguments,
    const OrderedJson& variables, std::string_view owner, std::size_t node_offset);

// A literal's value for `type` with variables substituted from `variables` (null: none), or
// nullopt when the literal does not fit the type.
std::optional<OrderedJson> CoerceInputLiteral(const Value& literal, const WrappedType& type,
                                              const OrderedJson* variables);

// graphql-js's validateInputLiteral without variables, as validation and default values check
// literals: every reason `literal` does not fit `type`, with the offset of the node it is about
// and its path inside the literal (" at .a[0]"; empty at the top). Variables pass.
using LiteralErrorFn =
    std::function<void(const std::string& message, std::size_t offset, const std::string& path)>;
void ValidateLiteral(const Value& literal, const WrappedType& type, const LiteralErrorFn& on_error);

// A JSON value's coercion to `type`, or nullopt when it does not fit.
std::optional<OrderedJson> CoerceInputValue(const OrderedJson& value, const WrappedType& type);

}  // namespace styrmin::graphql
