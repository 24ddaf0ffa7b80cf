#include "styrmin/api/graphql_http.h"

#include <algorithm>
#include <cctype>
#include <cstdlib>
#include <optional>
#include <string>
#include <utility>
#include <variant>

#include "styrmin/core/json.h"

namespace styrmin::api {

namespace {

constexpr std::string_view kGraphqlResponseJson = "application/graphql-response+json";
constexpr std::string_view kJson = "application/json";

std::string Lower(std::string_view text) {
  std::string out(text);
  for (char& c : out) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return out;
}

std::string_view Trim(std::string_view text) {
  while (!text.empty() && (text.front() == ' ' || text.front() == '\t')) text.remove_prefix(1);
  while (!text.empty() && (text.back() == ' ' || text.back() == '\t')) text.remove_suffix(1);
  return text;
}

// The media type of a Content-Type or Accept entry, lowercased, without parameters.
std::string MediaTypeOf(std::string_view value) {
  return Lower(Trim(value.substr(0, value.find(';'))));
}

std::string_view ContentTypeOf(GraphqlMediaType media) {
  return media == GraphqlMediaType::kGraphqlResponseJson
             ? "application/graphql-response+json; charset=utf-8"
             : "application/json; charset=utf-8";
}

http::Response Reply(int status, GraphqlMediaType media, std::string body) {
  return http::Response::Of(status, std::move(body), std::string(ContentTypeOf(media)));
}

// The parameters of a GraphQL-over-HTTP request.
struct Params {
  std::string query;
  std::optional<std::string> operation_name;
  OrderedJson variables = OrderedJson::object();
};

// The parameters of a POST body, or why they are malformed.
std::variant<Params, std::string> ParamsFromJson(const OrderedJson& body) {
  if (!body.is_object()) return std::string("the request body must be a JSON object");
  Params out;
  const auto query = body.find("query");
  if (query == body.end() || query->is_null()) {
    return std::string("the request has no \"query\" parameter");
  }
  if (!query->is_string()) return std::string("the \"query\" parameter must be a string");
  out.query = query->get<std::string>();
  if (const auto name = body.find("operationName"); name != body.end() && !name->is_null()) {
    if (!name->is_string()) return std::string("the \"operationName\" parameter must be a string");
    out.operation_name = name->get<std::string>();
  }
  if (const auto variables = body.find("variables");
      variables != body.end() && !variables->is_null()) {
    if (!variables->is_object()) {
      return std::string("the \"variables\" parameter must be a map");
    }
    out.variables = *variables;
  }
  if (const auto extensions = body.find("extensions");
      extensions != body.end() && !extensions->is_null() && !extensions->is_object()) {
    return std::string("the \"extensions\" parameter must be a map");
  }
  return out;
}

// The parameters of a GET query string, or why they are malformed.
std::variant<Params, std::string> ParamsFromQuery(std::string_view query) {
  const auto pairs = http::ParseQuery(query);
  if (!pairs) return std::string("the query string has a malformed %-escape");
  OrderedJson body = OrderedJson::object();
  for (const auto& [name, value] : *pairs) {
    if (body.contains(name)) return "the \"" + name + "\" parameter is given twice";
    if (name == "variables" || name == "extensions") {
      auto parsed = ParseOrderedJson(value);
      if (!parsed) return "the \"" + name + "\" parameter is not valid JSON";
      body[name] = std::move(*parsed);
    } else {
      body[name] = value;
    }
  }
  return ParamsFromJson(body);
}

// GraphQL request errors (syntax or validation) as a response body.
std::string RequestErrorsBody(const std::vector<graphql::ExecutionError>& errors) {
  return "{\"errors\":" + graphql::ErrorsToJson(errors) + "}";
}

}  // namespace

std::optional<GraphqlMediaType> NegotiateGraphqlMediaType(std::optional<std::string_view> accept) {
  if (!accept || Trim(*accept).empty()) return GraphqlMediaType::kJson;
  std::optional<GraphqlMediaType> best;
  double best_q = 0;
  std::string_view rest = *accept;
  while (!rest.empty()) {
    const auto comma = rest.find(',');
    const std::string_view entry = rest.substr(0, comma);
    rest = comma == std::string_view::npos ? std::string_view() : rest.substr(comma + 1);
    const std::string type = MediaTypeOf(entry);
    double q = 1;
    for (std::size_t at = entry.find(';'); at != std::string_view::npos;
         at = entry.find(';', at + 1)) {
      const std::string param = Lower(Trim(entry.substr(at + 1, entry.find(';', at + 1) - at - 1)));
      if (param.rfind("q=", 0) == 0) q = std::strtod(param.c_str() + 2, nullptr);
    }
    std::optional<GraphqlMediaType> media;
    if (type == kGraphqlResponseJson) {
      media = GraphqlMediaType::kGraphqlResponseJson;
    } else if (type == kJson || type == "application/*" || type == "*/*") {
      media = GraphqlMediaType::kJson;
    }
    if (media && q > 0 && q > best_q) {
      best = media;
      best_q = q;
    }
  }
  return best;
}

const graphql::OperationDefinition* FindOperation(const graphql::Document& document,
                                                  const std::optional<std::string>& name) {
  const graphql::OperationDefinition* found = nullptr;
  for (const auto& definition : document.definitions) {
    const auto* op = std::get_if<graphql::OperationDefinition>(&definition);
    if (op == nullptr) continue;
    if (name ? (op->name && op->name->value == *name) : found == nullptr) {
      found = op;
      if (name) break;
    } else if (!name) {
      return nullptr;  // several operations and no name: Execute explains
    }
  }
  return found;
}

tl::expected<graphql::Document, std::vector<graphql::ExecutionError>> PrepareDocument(
    const graphql::ExecutableSchema& schema, const graphql::Source& source,
    const GraphqlHttpOptions& options) {
  auto document = graphql::Parse(source, options.parse);
  if (!document) {
    return tl::unexpected(
        std::vector<graphql::ExecutionError>{{"Syntax Error: " + document.error().message,
                                              {source.LocationOf(document.error().offset)},
                                              {},
                                              nullptr}});
  }
  const auto invalid = graphql::Validate(schema.schema(), *document, source, options.validation);
  if (!invalid.empty()) {
    std::vector<graphql::ExecutionError> errors;
    errors.reserve(invalid.size());
    for (const auto& e : invalid) errors.push_back({e.message, e.locations, {}, nullptr});
    return tl::unexpected(std::move(errors));
  }
  return std::move(*document);
}

std::string GraphqlErrorBody(std::string_view message) {
  OrderedJson body = {{"errors", OrderedJson::array({OrderedJson{{"message", message}}})}};
  return body.dump(-1, ' ', false, OrderedJson::error_handler_t::replace);
}

GraphqlHttpEndpoint::GraphqlHttpEndpoint(const graphql::ExecutableSchema& schema,
                                         GraphqlHttpOptions options)
    : schema_(schema), options_(options) {}

http::Response GraphqlHttpEndpoint::Handle(const http::Request& request,
                                           RequestContext context) const {
  const auto negotiated = NegotiateGraphqlMediaType(request.header("Accept"));
  if (!negotiated) {
    return Reply(406, GraphqlMediaType::kJson,
                 GraphqlErrorBody("the response can only be application/graphql-response+json "
                                  "or application/json; the Accept header allows neither"));
  }
  const GraphqlMediaType media = *negotiated;
  const auto bad_request = [&](std::string_view message) {
    return Reply(400, media, GraphqlErrorBody(message));
  };

  std::variant<Params, std::string> parsed;
  const bool is_get = request.method == "GET";
  if (is_get) {
    parsed = ParamsFromQuery(request.query());
  } else if (request.method == "POST") {
    const auto content_type = request.header("Content-Type");
    if (!content_type) {
      return Reply(415, media, GraphqlErrorBody("a POST request needs a Content-Type header"));
    }
    if (MediaTypeOf(*content_type) != kJson) {
      return Reply(415, media,
                   GraphqlErrorBody("the request body must be application/json, not " +
                                    std::string(*content_type)));
    }
    if (request.body.empty()) return bad_request("the request has no body");
    auto body = ParseOrderedJson(request.body);
    if (!body) return bad_request("the request body is not valid JSON: " + body.error().message());
    parsed = ParamsFromJson(*body);
  } else {
    http::Response r = Reply(405, media, GraphqlErrorBody("GraphQL is served by GET and POST"));
    r.headers.push_back({"Allow", "GET, POST"});
    return r;
  }
  if (const auto* problem = std::get_if<std::string>(&parsed)) return bad_request(*problem);
  const Params& params = std::get<Params>(parsed);

  // A request the document itself makes invalid: 200 with the errors under application/json,
  // 400 under application/graphql-response+json.
  const int request_error_status = media == GraphqlMediaType::kJson ? 200 : 400;
  graphql::Source source(params.query);
  auto document = PrepareDocument(schema_, source, options_);
  if (!document) return Reply(request_error_status, media, RequestErrorsBody(document.error()));
  if (is_get) {
    const graphql::OperationDefinition* op = FindOperation(*document, params.operation_name);
    if (op != nullptr && op->operation != graphql::OperationType::kQuery) {
      http::Response r =
          Reply(405, media,
                GraphqlErrorBody(std::string("a ") + graphql::OperationTypeName(op->operation) +
                                 " cannot be sent with GET; use POST"));
      r.headers.push_back({"Allow", "POST"});
      return r;
    }
  }

  graphql::ExecutionRequest execution;
  execution.document = &*document;
  execution.source = &source;
  execution.operation_name = params.operation_name;
  execution.variables = params.variables;
  execution.context = context.value;
  execution.context_type = context.type;
  execution.timeout = options_.execution_timeout;
  graphql::ExecutionResult result = graphql::Execute(schema_, execution);
  return Reply(result.has_data ? 200 : request_error_status, media, std::move(result.body));
}

}  // namespace styrmin::api
