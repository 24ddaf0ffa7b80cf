#include "styrmin/graphql/execute.h"

#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <string>
#include <thread>
#include <vector>

#include "styrmin/graphql/build_schema.h"
#include "styrmin/graphql/parser.h"
#include "styrmin/graphql/validate.h"

namespace styrmin::graphql {
namespace {

struct User {
  std::string id;
  std::string name;
};

// Parses, validates and executes `query`; the response body.
class Runner {
 public:
  explicit Runner(std::string_view sdl) : schema_(BuildSchema(sdl).value()) {}
  ExecutableSchema& schema() { return schema_; }

  ExecutionResult Run(const std::string& query, OrderedJson variables = OrderedJson::object(),
                      FieldValue root = {},
                      std::chrono::milliseconds timeout = std::chrono::milliseconds(30000)) {
    Source source(query);
    auto document = Parse(source);
    EXPECT_TRUE(document) << query;
    if (!document) return {};
    const auto errors = Validate(schema_.schema(), *document, source);
    EXPECT_TRUE(errors.empty()) << errors.front().message;
    ExecutionRequest request;
    request.document = &*document;
    request.source = &source;
    request.variables = std::move(variables);
    request.root_value = std::move(root);
    request.timeout = timeout;
    request.SetContext(&context_);
    return Execute(schema_, request);
  }
  int context_ = 42;

 private:
  ExecutableSchema schema_;
};

TEST(Execute, ReadsJsonRootValuesWithTheDefaultResolver) {
  Runner r("type Query { a: Int b: String c: [Boolean] d: Q } type Q { e: Float }");
  const OrderedJson root =
      OrderedJson::parse(R"({"a": 1, "b": "x", "c": [true, false], "d": {"e": 1.5}})");
  const auto result = r.Run("{ b a c d { e } x: a }", {}, FieldValue::JsonRef(root));
  EXPECT_EQ(result.body, R"({"data":{"b":"x","a":1,"c":[true,false],"d":{"e":1.5},"x":1}})");
  EXPECT_TRUE(result.errors.empty());
}

// Field collection merges fields by response name among many names, through fragments too,
// and keeps the order in which each name was first seen.
TEST(Execute, MergesFieldsOfOneResponseNameAmongManyNames) {
  Runner r("type Query { a: Int b: String }");
  const OrderedJson root = OrderedJson::parse(R"({"a": 1, "b": "x"})");
  std::string query = "{";
  std::string expected = R"({"data":{)";
  for (int k = 0; k < 40; ++k) {
    const std::string alias = "f" + std::to_string(k);
    query += " " + alias + ": a";
    expected += (k == 0 ? "\"" : ",\"") + alias + "\":1";
  }
  query += " f3: a f30: a ... on Query { f17: a f39: a } b }";
  expected += R"(,"b":"x"}})";
  const auto result = r.Run(query, {}, FieldValue::JsonRef(root));
  EXPECT_EQ(result.body, expected);
  EXPECT_TRUE(result.errors.empty());
}

// A merged field's nodes: the first two are kept inline, more spill to the heap; a resolver
// sees them all in document order, and MaySelect looks through each.
TEST(Execute, GivesAResolverEveryNodeOfAMergedField) {
  Runner r("type Query { page: Page } type Page { a: Int b: Int c: Int d: Int }");
  std::vector<std::size_t> offsets;
  std::string reaches;
  ASSERT_TRUE(r.schema()
                  .Bind("Query", "page",
                        [&](const ResolveInfo& info) {
                          offsets.clear();
                          for (const Selection* node : info.nodes())
                            offsets.push_back(node->offset);
                          reaches += info.MaySelect({"d"}) ? "d" : "-";
                          return FieldValue();
                        })
                  .has_value());
  r.Run("{ page { a } }");
  EXPECT_EQ(offsets, (std::vector<std::size_t>{2}));
  r.Run("{ page { a } page { b } }");
  EXPECT_EQ(offsets, (std::vector<std::size_t>{2, 13}));
  r.Run("{ page { a } page { b } ... on Query { page { c } } page { d } }");
  EXPECT_EQ(offsets, (std::vector<std::size_t>{2, 13, 39, 52}));
  EXPECT_EQ(reaches, "--d");
}

TEST(Execute, TellsAResolverWhatItsSelectionMayReach) {
  Runner r(R"(type Query { page: Page } type Page { items: [Item] next: String }
              type Item { id: String heavy: String other: Item })");
  std::vector<std::string> seen;
  ASSERT_TRUE(r.schema()
                  .Bind("Query", "page",
                        [&seen](const ResolveInfo& info) {
                          std::string answer;
                          answer += info.MaySelect({"items", "heavy"}) ? "H" : "-";
                          answer += info.MaySelect({"items", "other", "heavy"}) ? "O" : "-";
                          answer += info.MaySelect({"next"}) ? "N" : "-";
                          answer += info.MaySelect({"heavy"}) ? "!" : "-";  // not at this level
                          seen.push_back(answer);
                          return FieldValue();
                        })
                  .has_value());
  r.Run("{ page { items { id } } }");
  r.Run("{ page { next items { x: heavy } } }");  // an alias does not hide the field
  r.Run(
      "query { page { ...P } } fragment P on Page { items { ...I } } fragment I on Item { heavy }");
  r.Run("{ page { ... on Page { items { other { ... { heavy } } } } } }");
  // Conditions are not evaluated: a skipped field may still be selected, as far as it knows.
  r.Run("{ page { items { heavy @skip(if: true) } } }");
  r.Run("{ page { items { id } } other: page { next } }");  // another field's selection
  EXPECT_EQ(seen,
            (std::vector<std::string>{"----", "H-N-", "H---", "-O--", "H---", "----", "--N-"}));
}

TEST(Execute, CallsBoundResolversWithCoercedArgumentsAndContext) {
  Runner r("type Query { user(id: ID!, n: Int = 3): User } type User { id: ID! name: String }");
  static const User kAda{"7", "Ada"};
  ASSERT_TRUE(r.schema().Bind("Query", "user", [](const ResolveInfo& info) {
    EXPECT_EQ(info.args()["id"], "7");
    EXPECT_EQ(info.args()["n"], 3);
    EXPECT_EQ(info.Context<int>(), 42);
    return FieldValue::Object(&kAda);
  }));
  ASSERT_TRUE(r.schema().Bind("User", "id", [](const ResolveInfo& info) {
    return FieldValue::String(info.Parent<User>().id);
  }));
  ASSERT_TRUE(r.schema().Bind("User", "name", [](const ResolveInfo& info) {
    return FieldValue::String(info.Parent<User>().name);
  }));
  EXPECT_EQ(r.Run("query($id: ID!) { user(id: $id) { id name __typename } }", {{"id", 7}}).body,
            R"({"data":{"user":{"id":"7","name":"Ada","__typename":"User"}}})");
}

TEST(Execute, RefusesBindingsToUnknownFields) {
  Runner r("type Query { a: Int }");
  const Status status =
      r.schema().Bind("Query", "b", [](const ResolveInfo&) { return FieldValue(); });
  ASSERT_FALSE(status);
  EXPECT_EQ(status.error().code(), ErrorCode::kInvalidArgument);
  EXPECT_FALSE(r.schema().Bind("Nope", "a", [](const ResolveInfo&) { return FieldValue(); }));
}

TEST(Execute, PropagatesNullsToTheNearestNullableField) {
  Runner r("type Query { a: A } type A { b: B! c: Int } type B { d: Int! }");
  const OrderedJson root = OrderedJson::parse(R"({"a": {"b": {"d": null}, "c": 1}})");
  const auto result = r.Run("{ a { c b { d } } }", {}, FieldValue::JsonRef(root));
  EXPECT_EQ(
      result.body,
      R"({"errors":[{"message":"Cannot return null for non-nullable field B.d.","locations":[{"line":1,"column":13}],"path":["a","b","d"]}],"data":{"a":null}})");
}

TEST(Execute, ReportsVariableErrorsWithoutData) {
  Runner r("type Query { a(x: Int): Int }");
  const auto result = r.Run("query($x: Int) { a(x: $x) }", {{"x", "nope"}});
  EXPECT_FALSE(result.has_data);
  EXPECT_EQ(
      result.body,
      R"({"errors":[{"message":"Variable \"$x\" has invalid value: Int cannot represent non-integer value: \"nope\"","locations":[{"line":1,"column":7}]}]})");
}

TEST(Execute, ResolvesSiblingPendingFieldsConcurrentlyAndWritesThemInSelectionOrder) {
  Runner r("type Query { slow: Int fast: Int }");
  std::vector<std::thread> threads;
  std::atomic<int> started{0};
  const auto deferred = [&](int value, int delay_ms) {
    return [&, value, delay_ms](const ResolveInfo&) {
      auto [pending, promise] = MakePending();
      ++started;
      threads.emplace_back([promise = std::move(promise), value, delay_ms]() mutable {
        std::this_thread::sleep_for(std::chrono::milliseconds(delay_ms));
        promise.Resolve(FieldValue::Int(value));
      });
      return std::move(pending);
    };
  };
  ASSERT_TRUE(r.schema().Bind("Query", "slow", deferred(1, 50)));
  ASSERT_TRUE(r.schema().Bind("Query", "fast", deferred(2, 0)));
  const auto result = r.Run("{ slow fast }");
  for (auto& t : threads) t.join();
  EXPECT_EQ(started, 2);
  EXPECT_EQ(result.body, R"({"data":{"slow":1,"fast":2}})");
}

TEST(Execute, NullsTheEnclosingObjectWhenAPendingNonNullFieldFails) {
  Runner r("type Query { a: A b: Int } type A { x: Int y: Int! }");
  std::vector<Promise> promises;
  ASSERT_TRUE(r.schema().Bind("A", "y", [&](const ResolveInfo&) {
    auto [pending, promise] = MakePending();
    promises.push_back(std::move(promise));
    return std::move(pending);
  }));
  const OrderedJson root = OrderedJson::parse(R"({"a": {"x": 1}, "b": 2})");
  // Resolve the pending value from another thread once the walk has finished.
  std::thread resolver([&] {
    for (int i = 0; i < 500 && promises.empty(); ++i) {
      std::this_thread::sleep_for(std::chrono::milliseconds(1));
    }
    if (!promises.empty()) promises.front().Resolve(FieldValue::Error("boom"));
  });
  const auto result = r.Run("{ a { x y } b }", {}, FieldValue::JsonRef(root));
  resolver.join();
  EXPECT_EQ(
      result.body,
      R"({"errors":[{"message":"boom","locations":[{"line":1,"column":9}],"path":["a","y"]}],"data":{"a":null,"b":2}})");
}

TEST(Execute, BatchesLoadsIntoOneCallPerRound) {
  Runner r("type Query { users: [User] } type User { id: ID name: String }");
  static const std::vector<User> kUsers{{"1", ""}, {"2", ""}, {"1", ""}, {"3", ""}};
  std::vector<std::vector<std::string>> calls;
  BatchLoader names([&](std::vector<std::string> keys, std::vector<Promise> promises) {
    calls.push_back(keys);
    for (std::size_t i = 0; i < keys.size(); ++i) {
      promises[i].Resolve(FieldValue::String("user" + keys[i]));
    }
  });
  ASSERT_TRUE(r.schema().Bind("Query", "users", [](const ResolveInfo&) {
    std::vector<FieldValue> out;
    out.reserve(kUsers.size());
    for (const auto& u : kUsers) out.push_back(FieldValue::Object(&u));
    return FieldValue::List(std::move(out));
  }));
  ASSERT_TRUE(r.schema().Bind("User", "id", [](const ResolveInfo& info) {
    return FieldValue::String(info.Parent<User>().id);
  }));
  ASSERT_TRUE(r.schema().Bind("User", "name", [&](const ResolveInfo& info) {
    return names.Load(info, info.Parent<User>().id);
  }));
  const auto result = r.Run("{ users { id name } }");
  EXPECT_EQ(
      result.body,
      R"({"data":{"users":[{"id":"1","name":"user1"},{"id":"2","name":"user2"},{"id":"1","name":"user1"},{"id":"3","name":"user3"}]}})");
  ASSERT_EQ(calls.size(), 1u);
  EXPECT_EQ(calls.front(), (std::vector<std::string>{"1", "2", "3"}));
  EXPECT_EQ(names.batches(), 1u);
}

TEST(Execute, TurnsAPromiseNeverResolvedBeforeTheDeadlineIntoAFieldError) {
  Runner r("type Query { a: Int b: Int }");
  std::vector<Promise> kept;
  ASSERT_TRUE(r.schema().Bind("Query", "a", [&](const ResolveInfo&) {
    auto [pending, promise] = MakePending();
    kept.push_back(std::move(promise));
    return std::move(pending);
  }));
  const OrderedJson root = OrderedJson::parse(R"({"b": 1})");
  const auto result =
      r.Run("{ a b }", {}, FieldValue::JsonRef(root), std::chrono::milliseconds(20));
  EXPECT_EQ(
      result.body,
      R"({"errors":[{"message":"The field did not resolve before the deadline.","locations":[{"line":1,"column":3}],"path":["a"]}],"data":{"a":null,"b":1}})");
  kept.clear();  // resolving after the execution ended is harmless
}

TEST(Execute, TurnsADroppedPromiseIntoAFieldError) {
  Runner r("type Query { a: Int }");
  ASSERT_TRUE(r.schema().Bind("Query", "a", [](const ResolveInfo&) {
    auto [pending, promise] = MakePending();
    return std::move(pending);  // the promise dies here
  }));
  EXPECT_EQ(
      r.Run("{ a }").body,
      R"({"errors":[{"message":"The resolver dropped its promise.","locations":[{"line":1,"column":3}],"path":["a"]}],"data":{"a":null}})");
}

TEST(Execute, RunsMutationFieldsOneAfterAnother) {
  Runner r("type Query { a: Int } type Mutation { step(n: Int!): Int }");
  std::vector<int> order;
  std::vector<std::thread> threads;
  ASSERT_TRUE(r.schema().Bind("Mutation", "step", [&](const ResolveInfo& info) {
    const int n = info.args()["n"].get<int>();
    order.push_back(n);
    auto [pending, promise] = MakePending();
    threads.emplace_back([promise = std::move(promise), n]() mutable {
      std::this_thread::sleep_for(std::chrono::milliseconds(n == 1 ? 30 : 0));
      promise.Resolve(FieldValue::Int(std::int64_t{n} * 10));
    });
    return std::move(pending);
  }));
  const auto result = r.Run("mutation { a: step(n: 1) b: step(n: 2) }");
  for (auto& t : threads) t.join();
  EXPECT_EQ(result.body, R"({"data":{"a":10,"b":20}})");
  EXPECT_EQ(order, (std::vector<int>{1, 2}));
}

TEST(Execute, AnswersIntrospection) {
  Runner r("\"The root\" type Query { a(x: Int = 1): [Int!]! @deprecated(reason: \"old\") }");
  const auto result = r.Run(
      "{ __type(name: \"Query\") { name description fields(includeDeprecated: true) { name "
      "isDeprecated deprecationReason args { name defaultValue } type { kind ofType { kind "
      "ofType { kind ofType { name } } } } } } }");
  EXPECT_EQ(
      result.body,
      R"({"data":{"__type":{"name":"Query","description":"The root","fields":[{"name":"a","isDeprecated":true,"deprecationReason":"old","args":[{"name":"x","defaultValue":"1"}],"type":{"kind":"NON_NULL","ofType":{"kind":"LIST","ofType":{"kind":"NON_NULL","ofType":{"name":"Int"}}}}}]}}})");
}

}  // namespace
}  // namespace styrmin::graphql

namespace styrmin::graphql {
namespace {

struct Row {
  std::string name;
  std::optional<std::string> note;
  int count = 0;
  std::int64_t big = 0;
  double ratio = 0;
  bool on = false;
  std::string color;
  std::string hue = "GREEN";
};

TEST(ExecuteMembers, WritesBoundMembersStraightIntoTheResponse) {
  Runner r(
      "enum Color { RED GREEN } type Query { row: Row other: Row } type Row { name: String! "
      "note: String count: Int big: Int ratio: Float on: Boolean color: Color hue: Color id: ID }");
  static const Row kRow{"a\"b", std::nullopt, 3, 5000000000, 0.5, true, "BLUE"};
  static const int kNotARow = 0;
  ASSERT_TRUE(r.schema().Bind("Query", "row",
                              [](const ResolveInfo&) { return FieldValue::Object(&kRow); }));
  ASSERT_TRUE(r.schema().Bind("Query", "other",
                              [](const ResolveInfo&) { return FieldValue::Object(&kNotARow); }));
  ASSERT_TRUE(r.schema().BindMember<&Row::name>("Row", "name"));
  ASSERT_TRUE(r.schema().BindMember<&Row::note>("Row", "note"));
  ASSERT_TRUE(r.schema().BindMember<&Row::count>("Row", "count"));
  ASSERT_TRUE(r.schema().BindMember<&Row::big>("Row", "big"));
  ASSERT_TRUE(r.schema().BindMember<&Row::ratio>("Row", "ratio"));
  ASSERT_TRUE(r.schema().BindMember<&Row::on>("Row", "on"));
  ASSERT_TRUE(r.schema().BindMember<&Row::color>("Row", "color"));
  ASSERT_TRUE(r.schema().BindMember<&Row::hue>("Row", "hue"));
  ASSERT_TRUE(r.schema().BindMember<&Row::count>("Row", "id"));
  EXPECT_EQ(
      r.Run("{ row { name note count ratio on hue id } }").body,
      R"({"data":{"row":{"name":"a\"b","note":null,"count":3,"ratio":0.5,"on":true,"hue":"GREEN","id":"3"}}})");
  EXPECT_EQ(
      r.Run("{ row { big color } }").body,
      R"({"errors":[{"message":"Int cannot represent non 32-bit signed integer value: 5000000000","locations":[{"line":1,"column":9}],"path":["row","big"]},{"message":"Enum \"Color\" cannot represent value: \"BLUE\"","locations":[{"line":1,"column":13}],"path":["row","color"]}],"data":{"row":{"big":null,"color":null}}})");
  EXPECT_EQ(
      r.Run("{ other { name } }").body,
      R"({"errors":[{"message":"Field \"Row.name\" is bound to a member of another C++ type than its parent's.","locations":[{"line":1,"column":11}],"path":["other","name"]}],"data":{"other":null}})");
}

TEST(ExecuteLists, ObjectAndStringListsViewTheCallersContainers) {
  Runner r(
      "type Query { users: [User!] everyone: [User] owned: [User] tags: [String!]! } "
      "type User { id: ID! name: String! }");
  static const std::vector<User> kUsers{{"1", "ann"}, {"2", ""}, {"3", "cy"}};
  static const std::vector<std::string> kTags{"a", "b\"c"};
  ASSERT_TRUE(r.schema().Bind("Query", "users",
                              [](const ResolveInfo&) { return FieldValue::ObjectList(kUsers); }));
  ASSERT_TRUE(r.schema().Bind("Query", "everyone",
                              [](const ResolveInfo&) { return FieldValue::ObjectList(kUsers); }));
  ASSERT_TRUE(r.schema().Bind("Query", "owned", [](const ResolveInfo&) {
    auto owned = std::make_shared<const std::vector<User>>(std::vector<User>{{"9", "zed"}});
    return FieldValue::ObjectList(std::move(owned));
  }));
  ASSERT_TRUE(r.schema().Bind("Query", "tags",
                              [](const ResolveInfo&) { return FieldValue::StringList(kTags); }));
  ASSERT_TRUE(r.schema().BindMember<&User::id>("User", "id"));
  // A resolver on the items: each item is the User at its own index.
  ASSERT_TRUE(r.schema().Bind("User", "name", [](const ResolveInfo& info) {
    const User& user = info.Parent<User>();
    return user.name.empty() ? FieldValue::Error("no name") : FieldValue::StringRef(user.name);
  }));
  EXPECT_EQ(r.Run("{ owned { id name } tags }").body,
            R"({"data":{"owned":[{"id":"9","name":"zed"}],"tags":["a","b\"c"]}})");
  // A failed non-null item nulls the whole nullable list, at the item's index.
  EXPECT_EQ(
      r.Run("{ users { id name } }").body,
      R"({"errors":[{"message":"no name","locations":[{"line":1,"column":14}],"path":["users",1,"name"]}],"data":{"users":null}})");
  // A failed nullable item is null by itself; its siblings are written.
  EXPECT_EQ(
      r.Run("{ everyone { id name } }").body,
      R"({"errors":[{"message":"no name","locations":[{"line":1,"column":17}],"path":["everyone",1,"name"]}],"data":{"everyone":[{"id":"1","name":"ann"},null,{"id":"3","name":"cy"}]}})");
  EXPECT_EQ(r.Run("{ users { id } }").body,
            R"({"data":{"users":[{"id":"1"},{"id":"2"},{"id":"3"}]}})");

  const FieldValue list = FieldValue::ObjectList(kUsers);
  ASSERT_EQ(list.ListSize(), 3U);
  EXPECT_EQ(&list.ListItem(2).As<User>(), &kUsers[2]);
  EXPECT_EQ(list.stored_items(), nullptr);
  EXPECT_EQ(FieldValue::StringList(kTags).ToJson(), OrderedJson::parse(R"(["a","b\"c"])"));
}

// StringList items at String and ID positions are written straight from the strings; every
// other item type still serialises (and checks) each item.
TEST(ExecuteLists, StringListsAtEveryItemType) {
  Runner r(
      "enum Color { RED GREEN } type Query { s: [String] ids: [ID!]! none: [String!]! "
      "colors: [Color] ints: [Int] nested: [[String]] }");
  static const std::vector<std::string> kTexts{"a\nb", "\x01", "\xc3\xa9", "q\"\\"};
  static const std::vector<std::string> kColors{"RED", "BLUE"};
  static const std::vector<std::string> kNone;
  const auto bind = [&r](const char* field, const std::vector<std::string>& items) {
    ASSERT_TRUE(r.schema().Bind(
        "Query", field, [&items](const ResolveInfo&) { return FieldValue::StringList(items); }));
  };
  bind("s", kTexts);
  bind("ids", kTexts);
  bind("none", kNone);
  bind("colors", kColors);
  bind("ints", kColors);
  bind("nested", kTexts);
  EXPECT_EQ(r.Run("{ s ids none }").body, R"({"data":{"s":["a\nb","\u0001","é","q\"\\"],)"
                                          R"("ids":["a\nb","\u0001","é","q\"\\"],"none":[]}})");
  EXPECT_EQ(
      r.Run("{ colors }").body,
      R"({"errors":[{"message":"Enum \"Color\" cannot represent value: \"BLUE\"","locations":[{"line":1,"column":3}],"path":["colors",1]}],"data":{"colors":["RED",null]}})");
  EXPECT_EQ(
      r.Run("{ ints }").body,
      R"({"errors":[{"message":"Int cannot represent non-integer value: \"RED\"","locations":[{"line":1,"column":3}],"path":["ints",0]},{"message":"Int cannot represent non-integer value: \"BLUE\"","locations":[{"line":1,"column":3}],"path":["ints",1]}],"data":{"ints":[null,null]}})");
  EXPECT_EQ(
      r.Run("{ nested }").body,
      R"({"errors":[{"message":"Expected Iterable, but did not find one for field \"Query.nested\".","locations":[{"line":1,"column":3}],"path":["nested",0]},{"message":"Expected Iterable, but did not find one for field \"Query.nested\".","locations":[{"line":1,"column":3}],"path":["nested",1]},{"message":"Expected Iterable, but did not find one for field \"Query.nested\".","locations":[{"line":1,"column":3}],"path":["nested",2]},{"message":"Expected Iterable, but did not find one for field \"Query.nested\".","locations":[{"line":1,"column":3}],"path":["nested",3]}],"data":{"nested":[null,null,null,null]}})");
}

TEST(ExecuteMembers, RefusesMembersForFieldsThatAreNotLeaves) {
  Runner r("type Query { row: Row rows: [Int] } type Row { name: String }");
  EXPECT_FALSE(r.schema().BindMember<&Row::count>("Query", "row"));
  EXPECT_FALSE(r.schema().BindMember<&Row::count>("Query", "rows"));
  EXPECT_FALSE(r.schema().BindMember<&Row::name>("Row", "nope"));
}

}  // namespace
}  // namespace styrmin::graphql

namespace styrmin::graphql {
namespace {

// A timestamp scalar: ISO 8601 in UTC, "Z" required.
ScalarCoercion Timestamp() {
  const auto check = [](const OrderedJson& v) -> tl::expected<OrderedJson, std::string> {
    if (!v.is_string() || v.get<std::string>().size() != 20 || v.get<std::string>().back() != 'Z') {
      return tl::unexpected("Timestamp must be like \"2026-11-24T00:00:00Z\", got: " + v.dump());
    }
    return v;
  };
  return {check, check};
}

TEST(ExecuteScalars, BoundCustomScalarsCheckWhatGoesInAndOut) {
  Runner r("scalar Timestamp type Query { at(t: Timestamp): Timestamp bad: Timestamp }");
  ASSERT_TRUE(r.schema().BindScalar("Timestamp", Timestamp()));
  EXPECT_FALSE(r.schema().BindScalar("String", Timestamp()));
  EXPECT_FALSE(r.schema().BindScalar("Query", Timestamp()));
  ASSERT_TRUE(r.schema().Bind(
      "Query", "at", [](const ResolveInfo& info) { return FieldValue::Json(info.args()["t"]); }));
  ASSERT_TRUE(r.schema().Bind("Query", "bad",
                              [](const ResolveInfo&) { return FieldValue::String("yesterday"); }));
  EXPECT_EQ(r.Run("query($t: Timestamp) { at(t: $t) }", {{"t", "2026-11-24T00:00:00Z"}}).body,
            R"({"data":{"at":"2026-11-24T00:00:00Z"}})");
  EXPECT_EQ(
      r.Run("query($t: Timestamp) { at(t: $t) }", {{"t", "soon"}}).body,
      R"({"errors":[{"message":"Variable \"$t\" has invalid value: Timestamp must be like \"2026-11-24T00:00:00Z\", got: \"soon\"","locations":[{"line":1,"column":7}]}]})");
  EXPECT_EQ(
      r.Run("{ bad }").body,
      R"({"errors":[{"message":"Timestamp must be like \"2026-11-24T00:00:00Z\", got: \"yesterday\"","locations":[{"line":1,"column":3}],"path":["bad"]}],"data":{"bad":null}})");
}

TEST(ExecuteScalars, ValidationRefusesLiteralsABoundScalarRefuses) {
  auto built = BuildSchema("scalar Timestamp type Query { at(t: Timestamp): Timestamp }");
  ASSERT_TRUE(built);
  ExecutableSchema schema(std::move(*built));
  ASSERT_TRUE(schema.BindScalar("Timestamp", Timestamp()));
  Source source("{ at(t: 12) }");
  auto document = Parse(source);
  ASSERT_TRUE(document);
  const auto errors = Validate(schema.schema(), *document, source);
  ASSERT_EQ(errors.size(), 1u);
  EXPECT_EQ(errors[0].message, "Timestamp must be like \"2026-11-24T00:00:00Z\", got: 12");
}

}  // namespace
}  // namespace styrmin::graphql
