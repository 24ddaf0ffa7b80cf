// GraphQL over HTTP, per the GraphQL-over-HTTP specification, for one executable schema.
//
// - POST with an `application/json` body {query, operationName?, variables?, extensions?};
//   GET with the same parameters in the query string (variables and extensions as JSON text),
//   for query operations only (a mutation over GET is 405, so that links cannot change state).
// - The response media type follows Accept: `application/graphql-response+json` when the
//   client asks for it, `application/json` for `application/json`, `*/*` or no Accept; 406
//   when it accepts neither.
// - Status codes: malformed requests (bad JSON, wrong parameter types, missing query) are 400
//   with a GraphQL error body. A document that does not parse or validate, or variables that do
//   not coerce, is 400 under application/graphql-response+json and 200 under application/json,
//   as the specification asks for each. A response with data is 200.
//
// Thread-safety: Handle is const and may run on many threads at once.
#pragma once

#include <chrono>
#include <typeinfo>

#include "styrmin/graphql/execute.h"
#include "styrmin/graphql/parser.h"
#include "styrmin/graphql/validate.h"
#include "styrmin/http/message.h"

namespace styrmin::api {

struct GraphqlHttpOptions {
  graphql::ParseOptions parse;
  graphql::ValidationOptions validation;
  std::chrono::milliseconds execution_timeout{30'000};
};

// What the resolvers of one request see through ResolveInfo::Context<T>().
struct RequestContext {
  void* value = nullptr;
  const std::type_info* type = nullptr;

  template <typename T>
  static RequestContext Of(T* value) {
    return {value, &typeid(T)};
  }
};

class GraphqlHttpEndpoint final {
 public:
  // `schema` must outlive the endpoint.
  GraphqlHttpEndpoint(const graphql::ExecutableSchema& schema, GraphqlHttpOptions options = {});

  http::Response Handle(const http::Request& request, RequestContext context = {}) const;

 private:
  const graphql::ExecutableSchema& schema_;
  const GraphqlHttpOptions options_;
};

// Parses `source` and validates it against `schema` within `options`' limits: the document, or
// the GraphQL errors (a syntax error, or every validation error) that refuse it.
tl::expected<graphql::Document, std::vector<graphql::ExecutionError>> PrepareDocument(
    const graphql::ExecutableSchema& schema, const graphql::Source& source,
    const GraphqlHttpOptions& options);

// The operation a request names (or the only one); null when there is none to pick, which
// Execute then explains.
const graphql::OperationDefinition* FindOperation(const graphql::Document& document,
                                                  const std::optional<std::string>& name);

enum class GraphqlMediaType { kGraphqlResponseJson, kJson };
// The media type to answer with for an Accept header (nullopt: no Accept header); nullopt
// when the client accepts neither.
std::optional<GraphqlMediaType> NegotiateGraphqlMediaType(std::optional<std::string_view> accept);

// {"errors":[{"message":...}]} for one message, as JSON text.
std::string GraphqlErrorBody(std::string_view message);

}  // namespace styrmin::api
