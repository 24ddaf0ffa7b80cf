#include "styrmin/api/graphql_http.h"

#include <gtest/gtest.h>

#include "styrmin/graphql/build_schema.h"

namespace styrmin::api {
namespace {

using graphql::ExecutableSchema;
using graphql::FieldValue;
using graphql::ResolveInfo;

class GraphqlHttpTest : public ::testing::Test {
 protected:
  GraphqlHttpTest() : schema_(Build()), endpoint_(*schema_) {}

  static std::unique_ptr<ExecutableSchema> Build() {
    auto built = graphql::BuildSchema(
        "type Query { hello(name: String): String who: String }\n"
        "type Mutation { bump: Int }");
    EXPECT_TRUE(built.has_value());
    auto owned = std::make_unique<ExecutableSchema>(std::move(built).value());
    ExecutableSchema& schema = *owned;
    EXPECT_TRUE(schema
                    .Bind("Query", "hello",
                          [](const ResolveInfo& info) {
                            const auto name = info.args().find("name");
                            const bool given = name != info.args().end() && name->is_string();
                            return FieldValue::String("hello " +
                                                      (given ? name->get<std::string>() : "world"));
                          })
                    .has_value());
    EXPECT_TRUE(schema
                    .Bind("Query", "who",
                          [](const ResolveInfo& info) {
                            return FieldValue::String(info.Context<std::string>());
                          })
                    .has_value());
    EXPECT_TRUE(
        schema.Bind("Mutation", "bump", [](const ResolveInfo&) { return FieldValue::Int(1); })
            .has_value());
    return owned;
  }

  static http::Request Post(std::string body, const std::string& accept = "") {
    http::Request r;
    r.method = "POST";
    r.target = "/graphql";
    r.headers.push_back({"Content-Type", "application/json"});
    if (!accept.empty()) r.headers.push_back({"Accept", accept});
    r.body = std::move(body);
    return r;
  }

  static http::Request Get(const std::string& query_string, const std::string& accept = "") {
    http::Request r;
    r.method = "GET";
    r.target = "/graphql?" + query_string;
    if (!accept.empty()) r.headers.push_back({"Accept", accept});
    return r;
  }

  std::unique_ptr<ExecutableSchema> schema_;
  GraphqlHttpEndpoint endpoint_;
};

constexpr char kGraphqlResponse[] = "application/graphql-response+json";

TEST_F(GraphqlHttpTest, ExecutesAPostedQueryAndAnswersInTheAcceptedMediaType) {
  auto r = endpoint_.Handle(Post(R"({"query":"{ hello }"})", kGraphqlResponse));
  EXPECT_EQ(r.status, 200);
  EXPECT_EQ(r.header("Content-Type"), "application/graphql-response+json; charset=utf-8");
  EXPECT_EQ(r.body, R"({"data":{"hello":"hello world"}})");
  r = endpoint_.Handle(Post(R"({"query":"{ hello }"})", "application/json"));
  EXPECT_EQ(r.header("Content-Type"), "application/json; charset=utf-8");
  r = endpoint_.Handle(Post(R"({"query":"{ hello }"})"));  // no Accept: application/json
  EXPECT_EQ(r.header("Content-Type"), "application/json; charset=utf-8");
  r = endpoint_.Handle(Post(R"({"query":"{ hello }"})", "*/*"));
  EXPECT_EQ(r.header("Content-Type"), "application/json; charset=utf-8");
}

TEST_F(GraphqlHttpTest, PassesVariablesOperationNameAndTheRequestContext) {
  std::string who = "agent c-1";
  auto r =
      endpoint_.Handle(Post(R"({"query":"query A { who } query B($n: String) { hello(name: $n) }",
               "operationName":"B","variables":{"n":"you"},"extensions":{"x":1}})"),
                       RequestContext::Of(&who));
  EXPECT_EQ(r.status, 200);
  EXPECT_EQ(r.body, R"({"data":{"hello":"hello you"}})");
  r = endpoint_.Handle(Post(R"({"query":"{ who }"})"), RequestContext::Of(&who));
  EXPECT_EQ(r.body, R"({"data":{"who":"agent c-1"}})");
}

TEST_F(GraphqlHttpTest, MalformedRequestsAre400WithAGraphqlErrorBody) {
  for (const std::string& body :
       {std::string("{ \"not a JSON"), std::string("[1]"), std::string(R"({"qeury":"{ hello }"})"),
        std::string(R"({"query":1})"), std::string(R"({"query":"{ hello }","operationName":0})"),
        std::string(R"({"query":"{ hello }","variables":"x"})"),
        std::string(R"({"query":"{ hello }","extensions":[1]})")}) {
    for (const char* accept : {kGraphqlResponse, "application/json"}) {
      const auto r = endpoint_.Handle(Post(body, accept));
      EXPECT_EQ(r.status, 400) << body;
      EXPECT_NE(r.body.find(R"({"errors":[{"message":")"), std::string::npos) << r.body;
    }
  }
  EXPECT_EQ(endpoint_.Handle(Post("")).status, 400);
}

TEST_F(GraphqlHttpTest, AcceptsNullOptionalParameters) {
  const auto r = endpoint_.Handle(
      Post(R"({"query":"{ hello }","operationName":null,"variables":null,"extensions":null})"));
  EXPECT_EQ(r.status, 200);
}

TEST_F(GraphqlHttpTest, DocumentErrorsAre400UnderGraphqlResponseJsonAnd200UnderJson) {
  for (const std::string& body :
       {std::string(R"({"query":"{"})"), std::string(R"({"query":"{ nope }"})"),
        std::string(
            R"({"query":"query($n: String!) { hello(name: $n) }","variables":{"n":null}})")}) {
    auto r = endpoint_.Handle(Post(body, kGraphqlResponse));
    EXPECT_EQ(r.status, 400) << body;
    EXPECT_EQ(r.body.find("\"data\""), std::string::npos) << r.body;
    r = endpoint_.Handle(Post(body, "application/json"));
    EXPECT_EQ(r.status, 200) << body;
  }
  const auto r = endpoint_.Handle(Post(R"({"query":"{"})", kGraphqlResponse));
  EXPECT_EQ(
      r.body,
      R"({"errors":[{"message":"Syntax Error: Expected Name, found <EOF>.","locations":[{"line":1,"column":2}]}]})");
}

TEST_F(GraphqlHttpTest, ServesQueriesOverGetButNotMutations) {
  auto r =
      endpoint_.Handle(Get("query=" + http::PercentEncode("query($n: String) { hello(name: $n) }") +
                           "&variables=" + http::PercentEncode(R"({"n":"get"})")));
  EXPECT_EQ(r.status, 200);
  EXPECT_EQ(r.body, R"({"data":{"hello":"hello get"}})");
  r = endpoint_.Handle(Get("query=" + http::PercentEncode("mutation { bump }"), kGraphqlResponse));
  EXPECT_EQ(r.status, 405);
  EXPECT_EQ(r.header("Allow"), "POST");
  r = endpoint_.Handle(Get("query=" + http::PercentEncode("{ hello }") + "&variables=%7Bnope"));
  EXPECT_EQ(r.status, 400);
  r = endpoint_.Handle(Get("query=%zz"));
  EXPECT_EQ(r.status, 400);
}

TEST_F(GraphqlHttpTest, RefusesOtherMethodsMediaTypesAndAccepts) {
  http::Request put = Post(R"({"query":"{ hello }"})");
  put.method = "PUT";
  auto r = endpoint_.Handle(put);
  EXPECT_EQ(r.status, 405);
  EXPECT_EQ(r.header("Allow"), "GET, POST");
  http::Request no_type = Post(R"({"query":"{ hello }"})");
  no_type.headers.clear();
  EXPECT_EQ(endpoint_.Handle(no_type).status, 415);
  http::Request text = no_type;
  text.headers.push_back({"Content-Type", "text/plain"});
  EXPECT_EQ(endpoint_.Handle(text).status, 415);
  http::Request charset = no_type;
  charset.headers.push_back({"Content-Type", "Application/JSON; charset=utf-8"});
  EXPECT_EQ(endpoint_.Handle(charset).status, 200);
  EXPECT_EQ(endpoint_.Handle(Post(R"({"query":"{ hello }"})", "text/html")).status, 406);
}

TEST(NegotiateGraphqlMediaType, PicksTheHighestQualityTypeItServes) {
  using M = GraphqlMediaType;
  EXPECT_EQ(NegotiateGraphqlMediaType(std::nullopt), M::kJson);
  EXPECT_EQ(NegotiateGraphqlMediaType("application/graphql-response+json, application/json;q=0.9"),
            M::kGraphqlResponseJson);
  EXPECT_EQ(NegotiateGraphqlMediaType("application/graphql-response+json;q=0.5, application/json"),
            M::kJson);
  EXPECT_EQ(NegotiateGraphqlMediaType("text/html, application/*;q=0.1"), M::kJson);
  EXPECT_EQ(NegotiateGraphqlMediaType("text/html"), std::nullopt);
  EXPECT_EQ(NegotiateGraphqlMediaType("application/json;q=0"), std::nullopt);
}

}  // namespace
}  // namespace styrmin::api
