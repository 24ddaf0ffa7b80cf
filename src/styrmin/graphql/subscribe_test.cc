#include "styrmin/graphql/subscribe.h"

#include <gtest/gtest.h>

#include <atomic>
#include <thread>

#include "styrmin/graphql/build_schema.h"
#include "styrmin/graphql/parser.h"

namespace styrmin::graphql {
namespace {

constexpr const char* kSdl = "type Query { a: Int } type Subscription { progress(run: ID!): Int }";

struct Fixture {
  Fixture() : schema(BuildSchema(kSdl).value()), source(query), document(Parse(source).value()) {
    request.document = &document;
    request.source = &source;
  }
  ExecutableSchema schema;
  std::string query = "subscription { progress(run: \"r1\") }";
  Source source;
  Document document;
  ExecutionRequest request;
};

TEST(Subscribe, ExecutesTheOperationForEveryEventAProducerThreadPushes) {
  Fixture f;
  auto stream = std::make_shared<EventStream>();
  std::string seen_run;
  ASSERT_TRUE(f.schema.BindSubscription(
      "progress", [&](const ResolveInfo& info) -> Result<std::shared_ptr<EventStream>> {
        seen_run = info.args()["run"].get<std::string>();
        return stream;
      }));
  ASSERT_TRUE(f.schema.Bind("Subscription", "progress", [](const ResolveInfo& info) {
    return FieldValue::Int(info.parent().AsInt() * 10);
  }));
  auto started = Subscribe(f.schema, f.request);
  ASSERT_FALSE(started.error);
  EXPECT_EQ(seen_run, "r1");
  std::thread producer([&] {
    for (int i = 1; i <= 3; ++i) EXPECT_TRUE(stream->Push(FieldValue::Int(i)));
    stream->Close();
  });
  std::vector<std::string> bodies;
  for (int i = 0; i < 10; ++i) {
    auto next = started.subscription->Next(std::chrono::seconds(10));
    if (!next) break;
    bodies.push_back(next->body);
  }
  producer.join();
  EXPECT_EQ(bodies,
            (std::vector<std::string>{R"({"data":{"progress":10}})", R"({"data":{"progress":20}})",
                                      R"({"data":{"progress":30}})"}));
}

TEST(Subscribe, CancellingRunsTheProducersCleanupAndEndsTheSubscription) {
  Fixture f;
  auto stream = std::make_shared<EventStream>();
  std::atomic<int> cleanups{0};
  stream->OnCancel([&] { ++cleanups; });
  ASSERT_TRUE(f.schema.BindSubscription(
      "progress",
      [&](const ResolveInfo&) -> Result<std::shared_ptr<EventStream>> { return stream; }));
  auto started = Subscribe(f.schema, f.request);
  ASSERT_TRUE(started.subscription);
  bool timed_out = false;
  EXPECT_FALSE(started.subscription->Next(std::chrono::milliseconds(5), &timed_out));
  EXPECT_TRUE(timed_out);
  started.subscription->Cancel();
  EXPECT_FALSE(started.subscription->Next(std::chrono::seconds(1), &timed_out));
  EXPECT_FALSE(timed_out);
  EXPECT_FALSE(stream->Push(FieldValue::Int(1)));
  started.subscription.reset();  // cancelling twice is harmless
  EXPECT_EQ(cleanups, 1);
}

TEST(Subscribe, BoundsTheEventsWaitingForASlowConsumer) {
  EventStream stream(2);
  EXPECT_TRUE(stream.Push(FieldValue::Int(1)));
  EXPECT_TRUE(stream.Push(FieldValue::Int(2)));
  EXPECT_FALSE(stream.Push(FieldValue::Int(3)));
  FieldValue event;
  EXPECT_EQ(stream.Pop(std::chrono::milliseconds(1), event), EventStream::Next::kEvent);
  EXPECT_EQ(event.AsInt(), 1);
  EXPECT_TRUE(stream.Push(FieldValue::Int(3)));
}

TEST(Subscribe, ReportsASourceResolverErrorWithThePath) {
  Fixture f;
  ASSERT_TRUE(f.schema.BindSubscription(
      "progress", [](const ResolveInfo&) -> Result<std::shared_ptr<EventStream>> {
        return NotFound("no run r1");
      }));
  auto started = Subscribe(f.schema, f.request);
  ASSERT_TRUE(started.error);
  EXPECT_FALSE(started.subscription);
  EXPECT_EQ(
      started.error->body,
      R"({"errors":[{"message":"no run r1","locations":[{"line":1,"column":16}],"path":["progress"]}]})");
  EXPECT_FALSE(f.schema.BindSubscription("nope", {}));
}

}  // namespace
}  // namespace styrmin::graphql
