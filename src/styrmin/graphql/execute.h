// Execution of a validated document (spec section 6) against an ExecutableSchema, as
// graphql-js 17 executes: field collection with @skip/@include, argument and variable
// coercion, serial mutations, list and non-null completion, null propagation, abstract types,
// and errors with message, locations, path and extensions in graphql-js's order.
//
// The response is written straight to JSON text in selection order; there is no intermediate
// document tree. Pending values (resolve.h) leave a hole that is filled when their promise
// resolves; a null that propagates out of a filled hole nulls the region already written for
// the enclosing nullable field.
//
// The document must have passed Validate (validate.h): execution trusts its static
// correctness and checks only what requests bring at run time (variables, resolver values).
// Execute blocks until every pending value has resolved or the deadline has passed; the
// resolvers' promises may complete on any thread.
#pragma once

#include <chrono>
#include <cstddef>
#include <optional>
#include <string>
#include <typeinfo>
#include <vector>

#include "styrmin/core/json.h"
#include "styrmin/graphql/ast.h"
#include "styrmin/graphql/resolve.h"
#include "styrmin/graphql/source.h"

namespace styrmin::graphql {

struct ExecutionError {
  std::string message;
  std::vector<SourceLocation> locations;
  std::vector<PathSegment> path;  // empty for request errors
  OrderedJson extensions;         // null when none
};

struct ExecutionRequest {
  const Document* document = nullptr;
  const Source* source = nullptr;
  std::optional<std::string> operation_name;
  OrderedJson variables = OrderedJson::object();
  FieldValue root_value;
  // Handed to resolvers through ResolveInfo::Context<T>().
  void* context = nullptr;
  const std::type_info* context_type = nullptr;
  // Pending values still unresolved then become field errors.
  std::chrono::milliseconds timeout{30000};
  // Variable coercion stops after this many errors, as graphql-js's maxCoercionErrors.
  std::size_t max_variable_errors = 50;

  template <typename T>
  void SetContext(T* value) {
    context = value;
    context_type = &typeid(T);
  }
};

struct ExecutionResult {
  // The whole response as JSON text: {"errors":[...],"data":...}, errors first, "errors" only
  // when there are some, "data" absent for request errors (no operation, invalid variables).
  std::string body;
  std::vector<ExecutionError> errors;
  bool has_data = false;
};

ExecutionResult Execute(const ExecutableSchema& schema, const ExecutionRequest& request);

// The errors as the response's "errors" member: [{"message", "locations", "path",
// "extensions"}...].
std::string ErrorsToJson(const std::vector<ExecutionError>& errors);

}  // namespace styrmin::graphql
