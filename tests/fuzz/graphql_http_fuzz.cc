// Fuzz target: the GraphQL-over-HTTP endpoint (api/graphql_http.h) on arbitrary requests
// against the validation schema. The input is split at NUL bytes into: method selector (first
// byte), Accept header, Content-Type header, query string, body. Every response must have a
// known status, a JSON body and a GraphQL media type (or 405/406/415 with a JSON error).
#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "styrmin/api/graphql_http.h"
#include "styrmin/core/json.h"
#include "styrmin/core/status.h"
#include "validation_schema.h"

namespace {

std::unique_ptr<styrmin::graphql::ExecutableSchema> g_schema;
std::unique_ptr<styrmin::api::GraphqlHttpEndpoint> g_endpoint;

std::vector<std::string_view> SplitAtNul(std::string_view input, std::size_t parts) {
  std::vector<std::string_view> out;
  while (out.size() + 1 < parts) {
    const auto nul = input.find('\0');
    if (nul == std::string_view::npos) break;
    out.push_back(input.substr(0, nul));
    input.remove_prefix(nul + 1);
  }
  out.push_back(input);
  out.resize(parts);
  return out;
}

}  // namespace

extern "C" int LLVMFuzzerInitialize(int*, char***) {
  g_schema = std::make_unique<styrmin::graphql::ExecutableSchema>(LoadValidationSchema());
  styrmin::api::GraphqlHttpOptions options;
  options.parse.max_bytes = 64 * 1024;
  g_endpoint = std::make_unique<styrmin::api::GraphqlHttpEndpoint>(*g_schema, options);
  return 0;
}

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  if (size == 0) return 0;
  static constexpr const char* kMethods[] = {"GET", "POST", "PUT", "OPTIONS"};
  const std::string_view input(reinterpret_cast<const char*>(data) + 1, size - 1);
  const auto parts = SplitAtNul(input, 4);
  styrmin::http::Request request;
  request.method = kMethods[data[0] % 4];
  request.target = "/graphql";
  if (!parts[2].empty()) request.target += "?" + std::string(parts[2]);
  if (!parts[0].empty()) request.headers.push_back({"Accept", std::string(parts[0])});
  if (!parts[1].empty()) request.headers.push_back({"Content-Type", std::string(parts[1])});
  request.body = std::string(parts[3]);
  const styrmin::http::Response response = g_endpoint->Handle(request);
  const int s = response.status;
  if (s != 200 && s != 400 && s != 405 && s != 406 && s != 415) __builtin_trap();
  if (!styrmin::ParseJson(response.body).has_value()) __builtin_trap();
  const auto type = response.header("Content-Type");
  if (!type || (type->find("application/json") == std::string_view::npos &&
                type->find("application/graphql-response+json") == std::string_view::npos)) {
    __builtin_trap();
  }
  return 0;
}
