#include "styrmin/graphql/subscribe.h"

#include <utility>

#include "styrmin/graphql/internal/pending.h"

namespace styrmin::graphql {

bool EventStream::Push(FieldValue event) {
  {
    std::lock_guard<std::mutex> lock(mu_);
    if (closed_ || events_.size() >= capacity_) return false;
    events_.push_back(std::move(event));
  }
  ready_.notify_one();
  return true;
}

void EventStream::Close() {
  {
    std::lock_guard<std::mutex> lock(mu_);
    closed_ = true;
  }
  ready_.notify_all();
}

bool EventStream::closed() const {
  std::lock_guard<std::mutex> lock(mu_);
  return closed_;
}

void EventStream::OnCancel(std::function<void()> cleanup) {
  std::unique_lock<std::mutex> lock(mu_);
  if (cancelled_) {
    lock.unlock();
    cleanup();
    return;
  }
  cleanup_ = std::move(cleanup);
}

EventStream::Next EventStream::Pop(std::chrono::milliseconds timeout, FieldValue& event) {
  std::unique_lock<std::mutex> lock(mu_);
  if (!ready_.wait_for(lock, timeout, [&] { return !events_.empty() || closed_; })) {
    return Next::kTimeout;
  }
  if (events_.empty()) return Next::kEnd;
  event = std::move(events_.front());
  events_.pop_front();
  return Next::kEvent;
}

void EventStream::Cancel() {
  std::function<void()> cleanup;
  {
    std::lock_guard<std::mutex> lock(mu_);
    if (cancelled_) return;
    cancelled_ = true;
    closed_ = true;
    events_.clear();
    cleanup = std::move(cleanup_);
  }
  ready_.notify_all();
  if (cleanup) cleanup();
}

Subscription::Subscription(const ExecutableSchema& schema, ExecutionRequest request,
                           std::shared_ptr<EventStream> stream)
    : schema_(schema), request_(std::move(request)), stream_(std::move(stream)) {}

Subscription::~Subscription() { Cancel(); }

std::optional<ExecutionResult> Subscription::Next(std::chrono::milliseconds timeout,
                                                  bool* timed_out) {
  if (timed_out != nullptr) *timed_out = false;
  FieldValue event;
  switch (stream_->Pop(timeout, event)) {
    case EventStream::Next::kTimeout:
      if (timed_out != nullptr) *timed_out = true;
      return std::nullopt;
    case EventStream::Next::kEnd:
      return std::nullopt;
    case EventStream::Next::kEvent:
      break;
  }
  // Each event is the root value of one execution of the operation (graphql-js's
  // mapSourceToResponseEvent).
  request_.root_value = std::move(event);
  return Execute(schema_, request_);
}

void Subscription::Cancel() { stream_->Cancel(); }

SubscribeResult Subscribe(const ExecutableSchema& schema, const ExecutionRequest& request) {
  SubscribeResult out;
  auto stream = internal::StartSubscription(schema, request);
  if (!stream) {
    out.error = std::move(stream.error());
    return out;
  }
  out.subscription = std::make_unique<Subscription>(schema, request, std::move(*stream));
  return out;
}

}  // namespace styrmin::graphql
