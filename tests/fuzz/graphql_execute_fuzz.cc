// Fuzz target: parse + validate + execute against a fixed schema
// (tests/graphql/corpus/validation_schema.graphql) and fixed JSON data. The input is the
// document, optionally followed by a NUL byte and the variables as JSON, so that variable
// coercion meets arbitrary values too. Execution never crashes, and every response is JSON.
#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>

#include "styrmin/core/json.h"
#include "styrmin/core/status.h"
#include "styrmin/graphql/execute.h"
#include "styrmin/graphql/parser.h"
#include "styrmin/graphql/validate.h"
#include "validation_schema.h"

namespace {

std::unique_ptr<styrmin::graphql::ExecutableSchema> g_schema;
std::unique_ptr<styrmin::OrderedJson> g_root;

constexpr const char* kData = R"({
  "dog": {"__typename": "Dog", "name": "Rex", "nickname": null, "barkVolume": 3, "barks": true,
          "doesKnowCommand": true, "isHouseTrained": false, "isAtLocation": "yes",
          "mother": {"__typename": "Dog", "name": "Ma"}, "father": null},
  "cat": {"__typename": "Cat", "name": 7, "meows": "no", "meowsVolume": 1.5, "furColor": "TAN"},
  "pet": {"__typename": "Cat", "name": "Tom"},
  "catOrDog": {"__typename": "Dog", "name": "Odie"},
  "dogOrHuman": {"__typename": "Human", "name": "Jon", "pets": [{"__typename": "Dog"}, null]},
  "humanOrAlien": {"__typename": "Nope"},
  "human": {"name": "Ann", "relatives": [{"name": "Bo"}, {"relatives": null}], "iq": 1e10},
  "alien": {"name": ["x"], "numEyes": "3"},
  "complicatedArgs": {"intArgField": 1, "stringListArgField": ["a", 1]}
})";

}  // namespace

extern "C" int LLVMFuzzerInitialize(int*, char***) {
  g_schema = std::make_unique<styrmin::graphql::ExecutableSchema>(LoadValidationSchema());
  g_root = std::make_unique<styrmin::OrderedJson>(styrmin::ParseOrderedJson(kData).value());
  return 0;
}

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view input(reinterpret_cast<const char*>(data), size);
  const std::size_t split = input.find('\0');
  styrmin::graphql::Source source(std::string(input.substr(0, split)));
  auto document = styrmin::graphql::Parse(source);
  if (!document) return 0;
  if (!styrmin::graphql::Validate(g_schema->schema(), *document, source).empty()) return 0;
  styrmin::graphql::ExecutionRequest request;
  request.document = &*document;
  request.source = &source;
  request.root_value = styrmin::graphql::FieldValue::JsonRef(*g_root);
  if (split != std::string_view::npos) {
    auto variables = styrmin::ParseOrderedJson(input.substr(split + 1), 64);
    if (variables) request.variables = std::move(*variables);
  }
  const auto result = styrmin::graphql::Execute(*g_schema, request);
  STYRMIN_CHECK(styrmin::ParseJson(result.body).has_value(), "responses are JSON");
  STYRMIN_CHECK(result.has_data || !result.errors.empty(), "a response without data says why");
  return 0;
}
