// Subscriptions (spec section 6.2.3): a subscription operation's single root field names a
// source event stream; every event the stream yields is executed as the operation with the
// event as its root value, which gives one response per event, as graphql-js's subscribe does.
//
// The application produces events into an EventStream (thread-safe, bounded); the transport
// (the server's graphql-transport-ws endpoint) pulls responses from a Subscription, one at a
// time, and cancels it when the client goes away.
#pragma once

#include <chrono>
#include <condition_variable>
#include <cstddef>
#include <deque>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <string>

#include "styrmin/core/status.h"
#include "styrmin/graphql/execute.h"
#include "styrmin/graphql/resolve.h"

namespace styrmin::graphql {

// A source event stream. Producers Push and Close from any thread; one consumer calls Next.
class EventStream final {
 public:
  explicit EventStream(std::size_t capacity = 1024) : capacity_(capacity) {}

  // Queues an event; false when the stream is closed or `capacity` events are waiting (the
  // producer decides whether to drop it or Close).
  bool Push(FieldValue event);
  // No more events: Next returns the queued ones, then reports the end.
  void Close();
  bool closed() const;
  // Runs `cleanup` once when the consumer cancels (now, if it already has).
  void OnCancel(std::function<void()> cleanup);

  enum class Next { kEvent, kEnd, kTimeout };
  Next Pop(std::chrono::milliseconds timeout, FieldValue& event);
  // The consumer is gone: closes the stream and runs the cleanup.
  void Cancel();

 private:
  const std::size_t capacity_;
  mutable std::mutex mu_;
  std::condition_variable ready_;
  std::deque<FieldValue> events_;  // guarded by mu_
  bool closed_ = false;            // guarded by mu_
  bool cancelled_ = false;         // guarded by mu_
  std::function<void()> cleanup_;  // guarded by mu_
};

// A running subscription. Keeps what `request` pointed at in use: the document and source
// must outlive it.
class Subscription final {
 public:
  Subscription(const ExecutableSchema& schema, ExecutionRequest request,
               std::shared_ptr<EventStream> stream);
  ~Subscription();
  Subscription(const Subscription&) = delete;
  Subscription& operator=(const Subscription&) = delete;

  // The response to the next event; nullopt when the stream has ended (or on timeout, with
  // `*timed_out` set when given).
  std::optional<ExecutionResult> Next(std::chrono::milliseconds timeout, bool* timed_out = nullptr);
  // Stops the source stream; Next then reports the end.
  void Cancel();

 private:
  const ExecutableSchema& schema_;
  ExecutionRequest request_;
  std::shared_ptr<EventStream> stream_;
};

struct SubscribeResult {
  // Set when the subscription could not start: no operation, invalid variables, a failing
  // source resolver... (a response with "errors" and no "data").
  std::optional<ExecutionResult> error;
  std::unique_ptr<Subscription> subscription;
};

// Starts the subscription operation of `request`: resolves its root field's source stream
// with the resolver from ExecutableSchema::BindSubscription.
SubscribeResult Subscribe(const ExecutableSchema& schema, const ExecutionRequest& request);

}  // namespace styrmin::graphql
