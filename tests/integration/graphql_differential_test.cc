// Differential tests of the GraphQL engine against graphql-js (the pinned npm `graphql`): the
// same cases go through tests/graphql/oracle.cjs and through the C++ engine, and the results
// must be equal as JSON. Corpora live in tests/graphql/corpus/*.jsonl, one case per line.
#include <gtest/gtest.h>

#include <algorithm>
#include <cstdlib>
#include <fstream>
#include <map>
#include <memory>
#include <sstream>
#include <string>
#include <variant>

#include "styrmin/core/json.h"
#include "styrmin/graphql/ast_json.h"
#include "styrmin/graphql/build_schema.h"
#include "styrmin/graphql/execute.h"
#include "styrmin/graphql/lexer.h"
#include "styrmin/graphql/parser.h"
#include "styrmin/graphql/print_schema.h"
#include "styrmin/graphql/schema_validation.h"
#include "styrmin/graphql/subscribe.h"
#include "styrmin/graphql/validate.h"
#include "support/command.h"

namespace styrmin::test {
namespace {

using graphql::Lexer;
using graphql::Source;
using graphql::TokenKind;

std::string ReadFile(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::ostringstream out;
  out << in.rdbuf();
  return out.str();
}

// Runs every case of `corpus` through graphql-js; results by case id.
std::map<std::string, Json> RunOracle(const std::string& corpus) {
  const char* graphql_js = std::getenv("STYRMIN_GRAPHQL_JS");
  EXPECT_NE(graphql_js, nullptr)
      << "STYRMIN_GRAPHQL_JS is set by ctest (tools/setup.sh installs it)";
  if (graphql_js == nullptr) return {};
  auto out = RunCommandOk({"node", STYRMIN_SOURCE_DIR "/tests/graphql/oracle.cjs", graphql_js},
                          std::chrono::seconds(120), corpus);
  EXPECT_TRUE(out) << out.error().ToString();
  std::map<std::string, Json> results;
  if (!out) return results;
  std::istringstream lines(*out);
  for (std::string line; std::getline(lines, line);) {
    auto result = ParseJson(line);
    EXPECT_TRUE(result) << line;
    if (result) results[(*result)["id"].get<std::string>()] = *result;
  }
  return results;
}

std::string JsKind(TokenKind kind) {
  std::string description = graphql::TokenKindDescription(kind);
  if (description.size() > 2 && description.front() == '"') {
    return description.substr(1, description.size() - 2);
  }
  return description;
}

Json ErrorJson(const Source& source, const graphql::SyntaxError& e) {
  const auto loc = source.LocationOf(e.offset);
  return {{"message", "Syntax Error: " + e.message},
          {"locations", Json::array({{{"line", loc.line}, {"column", loc.column}}})}};
}

Json Lex(const std::string& id, const std::string& text) {
  Source source(text);
  Lexer lexer(source);
  Json tokens = Json::array();
  for (int i = 0; i < 100000; ++i) {
    auto token = lexer.Next();
    if (!token) return {{"id", id}, {"error", ErrorJson(source, token.error())}};
    if (token->kind == TokenKind::kEof) break;
    const auto loc = source.LocationOf(token->start);
    Json t = {{"kind", JsKind(token->kind)}, {"line", loc.line}, {"column", loc.column}};
    switch (token->kind) {
      case TokenKind::kName:
      case TokenKind::kInt:
      case TokenKind::kFloat:
      case TokenKind::kString:
      case TokenKind::kBlockString:
        t["value"] = token->value;
        break;
      default:
        break;
    }
    tokens.push_back(std::move(t));
  }
  return {{"id", id}, {"tokens", std::move(tokens)}};
}

Json ParseCase(const std::string& id, const std::string& text) {
  Source source(text);
  auto document = graphql::Parse(source);
  if (!document) return {{"id", id}, {"error", ErrorJson(source, document.error())}};
  return {{"id", id}, {"ast", graphql::AstToJson(*document)}};
}

Json BuildSchemaCase(const std::string& id, const std::string& text) {
  auto schema = graphql::BuildSchema(text);
  if (!schema) return {{"id", id}, {"error", {{"message", schema.error().message()}}}};
  return {{"id", id}, {"printed", graphql::PrintSchema(*schema)}};
}

Json LocationsJson(const std::vector<graphql::SourceLocation>& locations) {
  Json out = Json::array();
  for (const auto& l : locations) out.push_back({{"line", l.line}, {"column", l.column}});
  return out;
}

// Validation errors as the oracle reports them.
Json ErrorsJson(const std::vector<graphql::GraphQLError>& errors) {
  Json out = Json::array();
  for (const auto& e : errors) {
    out.push_back({{"message", e.message}, {"locations", LocationsJson(e.locations)}});
  }
  return out;
}

Json ValidateCase(const std::string& id, const Json& test_case) {
  auto schema = graphql::BuildSchema(test_case["schema"].get<std::string>());
  if (!schema) return {{"id", id}, {"crash", "schema: " + schema.error().message()}};
  Source source(test_case["source"].get<std::string>());
  auto document = graphql::Parse(source);
  if (!document) return {{"id", id}, {"error", ErrorJson(source, document.error())}};
  return {{"id", id}, {"errors", ErrorsJson(graphql::Validate(*schema, *document, source))}};
}

// Per-execution state of the marker-reading resolver: values behind "$async" markers wait in
// `waiting` until the loader's next round, as promises wait for graphql-js's next tick.
struct MarkerContext {
  std::vector<graphql::FieldValue> waiting;
  graphql::BatchLoader later{
      [this](std::vector<std::string> keys, std::vector<graphql::Promise> promises) {
        for (std::size_t i = 0; i < keys.size(); ++i) {
          promises[i].Resolve(waiting[std::stoul(keys[i])]);
        }
      }};
};

// The oracle's root value markers (see transformRoot in oracle.cjs), read from JSON.
graphql::FieldValue ReadMarkers(const graphql::ResolveInfo& info, graphql::FieldValue value) {
  using graphql::FieldValue;
  if (value.kind() != FieldValue::Kind::kJson) return value;
  const OrderedJson& json = value.json();
  if (json.is_array()) {
    std::vector<FieldValue> items;
    for (const auto& item : json) items.push_back(ReadMarkers(info, value.JsonMember(item)));
    return FieldValue::List(std::move(items));
  }
  if (!json.is_object()) return value;
  if (json.contains("$error")) return FieldValue::Error(json["$error"].get<std::string>());
  if (json.contains("$errorExt")) {
    return FieldValue::Error(json["$errorExt"]["message"].get<std::string>(),
                             json["$errorExt"]["extensions"]);
  }
  if (json.contains("$args")) return FieldValue::Json(info.args());
  const bool async = json.contains("$async");
  if (async || json.contains("$asyncError")) {
    auto& context = info.Context<MarkerContext>();
    FieldValue later = async ? ReadMarkers(info, value.JsonMember(json["$async"]))
                             : FieldValue::Error(json["$asyncError"].get<std::string>());
    context.waiting.push_back(std::move(later));
    return context.later.Load(info, std::to_string(context.waiting.size() - 1));
  }
  return value;
}

// An execute or subscribe case made ready to run: its schema, whose default resolver reads the
// oracle's markers, its parsed and valid document, and the request over them. Not movable: the
// request and the marker loader point into it.
struct MarkerCase {
  std::unique_ptr<graphql::ExecutableSchema> schema;
  std::unique_ptr<Source> source;
  graphql::Document document;
  OrderedJson root;
  MarkerContext context;
  graphql::ExecutionRequest request;
};

// `line` is the case as written: variables and root values keep their member order, which
// graphql-js shows in messages. Either the case, ready, or the result to give instead (a
// schema that does not build, or the document's syntax or validation errors).
std::variant<std::unique_ptr<MarkerCase>, Json> PrepareMarkerCase(const std::string& id,
                                                                  const Json& test_case,
                                                                  const std::string& line) {
  const OrderedJson ordered = ParseOrderedJson(line).value();
  auto built = graphql::BuildSchema(test_case["schema"].get<std::string>());
  if (!built) return Json{{"id", id}, {"crash", "schema: " + built.error().message()}};
  auto c = std::make_unique<MarkerCase>();
  c->schema = std::make_unique<graphql::ExecutableSchema>(std::move(*built));
  c->schema->SetDefaultResolver([](const graphql::ResolveInfo& info) {
    return ReadMarkers(info, graphql::ExecutableSchema::ResolveFromJson(info));
  });
  c->source = std::make_unique<Source>(test_case["source"].get<std::string>());
  auto document = graphql::Parse(*c->source);
  if (!document) {
    return Json{{"id", id},
                {"response", {{"errors", Json::array({ErrorJson(*c->source, document.error())})}}}};
  }
  c->document = std::move(*document);
  const auto invalid = graphql::Validate(c->schema->schema(), c->document, *c->source);
  if (!invalid.empty()) return Json{{"id", id}, {"response", {{"errors", ErrorsJson(invalid)}}}};
  c->root = ordered.contains("rootValue") ? ordered["rootValue"] : OrderedJson::object();
  c->request.document = &c->document;
  c->request.source = c->source.get();
  c->request.root_value = graphql::FieldValue::JsonRef(c->root);
  if (ordered.contains("variables")) c->request.variables = ordered["variables"];
  if (ordered.contains("operationName")) {
    c->request.operation_name = ordered["operationName"].get<std::string>();
  }
  c->request.SetContext(&c->context);
  return c;
}

Json ExecuteCase(const std::string& id, const Json& test_case, const std::string& line) {
  auto prepared = PrepareMarkerCase(id, test_case, line);
  if (auto* result = std::get_if<Json>(&prepared)) return std::move(*result);
  const auto& c = *std::get<std::unique_ptr<MarkerCase>>(prepared);
  const auto result = graphql::Execute(*c.schema, c.request);
  auto response = ParseJson(result.body);
  if (!response) return {{"id", id}, {"crash", "unparsable response: " + result.body}};
  return {{"id", id}, {"response", std::move(*response)}};
}

// A subscription case: every event of the root value's {"$stream": [...]} marker executed.
Json SubscribeCase(const std::string& id, const Json& test_case, const std::string& line) {
  auto prepared = PrepareMarkerCase(id, test_case, line);
  if (auto* result = std::get_if<Json>(&prepared)) return std::move(*result);
  auto& c = *std::get<std::unique_ptr<MarkerCase>>(prepared);
  if (const auto* type = c.schema->schema().subscription_type()) {
    for (const auto& field : type->fields) {
      const Status bound = c.schema->BindSubscription(
          field.name,
          [](const graphql::ResolveInfo& info) -> Result<std::shared_ptr<graphql::EventStream>> {
            const auto source = graphql::ExecutableSchema::ResolveFromJson(info);
            if (source.kind() != graphql::FieldValue::Kind::kJson || !source.json().is_object()) {
              return InvalidArgument(
                  "Subscription field must return Async Iterable. Received: undefined.");
            }
            if (source.json().contains("$error")) {
              return InvalidArgument(source.json()["$error"].get<std::string>());
            }
            auto stream = std::make_shared<graphql::EventStream>();
            for (const auto& event : source.json()["$stream"]) {
              EXPECT_TRUE(stream->Push(source.JsonMember(event)));
            }
            stream->Close();
            return stream;
          });
      EXPECT_TRUE(bound);
    }
  }
  auto started = graphql::Subscribe(*c.schema, c.request);
  if (started.error) return {{"id", id}, {"response", ParseJson(started.error->body).value()}};
  Json responses = Json::array();
  for (int i = 0; i < 1000; ++i) {
    auto next = started.subscription->Next(std::chrono::seconds(10));
    if (!next) break;
    responses.push_back(ParseJson(next->body).value());
  }
  return {{"id", id}, {"responses", std::move(responses)}};
}

// The C++ engine's answer to one case, in the oracle's result format.
Json RunCase(const Json& test_case, const std::string& line) {
  const std::string id = test_case["id"];
  const std::string op = test_case["op"];
  if (op == "lex") return Lex(id, test_case["source"]);
  if (op == "parse") return ParseCase(id, test_case["source"]);
  if (op == "buildSchema") return BuildSchemaCase(id, test_case["source"]);
  if (op == "validate") return ValidateCase(id, test_case);
  if (op == "execute") return ExecuteCase(id, test_case, line);
  if (op == "subscribe") return SubscribeCase(id, test_case, line);
  if (op == "validateSchema") {
    auto schema = graphql::BuildSchema(test_case["source"].get<std::string>());
    if (!schema) return {{"id", id}, {"error", {{"message", schema.error().message()}}}};
    return {{"id", id}, {"messages", graphql::ValidateSchema(*schema)}};
  }
  if (op == "printIntrospectionSchema") {
    auto schema = graphql::BuildSchema(test_case["source"].get<std::string>());
    if (!schema) return {{"id", id}, {"error", {{"message", schema.error().message()}}}};
    return {{"id", id}, {"printed", graphql::PrintIntrospectionSchema(*schema)}};
  }
  return {{"id", id}, {"unsupported", op}};
}

// Runs every case of tests/graphql/corpus/`name`.jsonl through both engines; returns how many
// were compared.
int CompareCorpus(const std::string& name) {
  const std::string corpus =
      ReadFile(STYRMIN_SOURCE_DIR "/tests/graphql/corpus/" + name + ".jsonl");
  const auto oracle = RunOracle(corpus);
  std::istringstream lines(corpus);
  int compared = 0;
  for (std::string line; std::getline(lines, line);) {
    if (line.empty()) continue;
    const Json test_case = ParseJson(line).value();
    const std::string id = test_case["id"];
    const auto expected = oracle.find(id);
    if (expected == oracle.end()) {
      ADD_FAILURE() << "graphql-js gave no result for " << id;
      continue;
    }
    const Json ours = RunCase(test_case, line);
    EXPECT_EQ(ours, expected->second)
        << id << " source: " << test_case["source"].dump() << "\n  ours:       " << ours.dump()
        << "\n  graphql-js: " << expected->second.dump();
    ++compared;
  }
  EXPECT_EQ(static_cast<std::size_t>(compared), oracle.size());
  return compared;
}

TEST(GraphqlDifferential, LexerAgreesWithGraphqlJsOnEveryCase) {
  EXPECT_GE(CompareCorpus("lexer"), 150) << "the lexer corpus lost cases";
}

TEST(GraphqlDifferential, ParserAgreesWithGraphqlJsOnEveryCase) {
  EXPECT_GE(CompareCorpus("parser"), 230) << "the parser corpus lost cases";
}

TEST(GraphqlDifferential, SchemaBuildingAndPrintingAgreeWithGraphqlJsOnEveryCase) {
  EXPECT_GE(CompareCorpus("schema"), 100) << "the schema corpus lost cases";
}

TEST(GraphqlDifferential, ExecutionAgreesWithGraphqlJsOnEveryCase) {
  EXPECT_GE(CompareCorpus("execution"), 100) << "the execution corpus lost cases";
}

TEST(GraphqlDifferential, SchemaValidationAgreesWithGraphqlJsOnEveryCase) {
  EXPECT_GE(CompareCorpus("schema_validation"), 50) << "the schema validation corpus lost cases";
}

// Introspection complete enough for clients: this engine's answer to graphql-js's full
// introspection query, given to graphql-js's buildClientSchema and printed, reproduces the
// schema as printSchema prints the SDL, for every schema of the schema corpus that builds and
// passes ValidateSchema.
TEST(GraphqlDifferential, IntrospectionRebuildsEverySchemaInGraphqlJs) {
  const std::string query =
      ReadFile(STYRMIN_SOURCE_DIR "/tests/graphql/introspection_query.graphql");
  ASSERT_FALSE(query.empty());
  const std::string corpus = ReadFile(STYRMIN_SOURCE_DIR "/tests/graphql/corpus/schema.jsonl");
  std::istringstream lines(corpus);
  std::string cases;
  std::map<std::string, std::string> expected;
  for (std::string line; std::getline(lines, line);) {
    if (line.empty()) continue;
    const Json test_case = ParseJson(line).value();
    if (test_case["op"] != "buildSchema") continue;
    auto built = graphql::BuildSchema(test_case["source"].get<std::string>());
    if (!built || !graphql::ValidateSchema(*built).empty()) continue;
    // graphql-js's introspection query leaves deprecated directives out, so no client could
    // rebuild those; skip such schemas.
    const auto& directives = built->directives();
    if (std::any_of(directives.begin(), directives.end(),
                    [](const auto& d) { return d.deprecation_reason.has_value(); })) {
      continue;
    }
    const std::string id = test_case["id"];
    expected[id] = graphql::PrintSchema(*built);
    graphql::ExecutableSchema schema(std::move(*built));
    Source source(query);
    auto document = graphql::Parse(source).value();
    graphql::ExecutionRequest request;
    request.document = &document;
    request.source = &source;
    const auto result = graphql::Execute(schema, request);
    ASSERT_TRUE(result.errors.empty()) << id << ": " << result.body;
    Json introspection = ParseJson(result.body).value()["data"];
    cases += Json{{"id", id}, {"op", "clientSchema"}, {"introspection", std::move(introspection)}}
                 .dump() +
             "\n";
  }
  ASSERT_GE(expected.size(), 40u) << "the schema corpus lost valid schemas";
  const auto printed = RunOracle(cases);
  EXPECT_EQ(printed.size(), expected.size());
  for (const auto& [id, sdl] : expected) {
    const auto it = printed.find(id);
    if (it == printed.end()) {
      ADD_FAILURE() << "graphql-js gave no result for " << id;
      continue;
    }
    EXPECT_EQ(it->second.value("printed", it->second.dump()), sdl) << id;
  }
}

TEST(GraphqlDifferential, ValidationAgreesWithGraphqlJsOnEveryCase) {
  EXPECT_GE(CompareCorpus("validation"), 100) << "the validation corpus lost cases";
}

}  // namespace
}  // namespace styrmin::test
