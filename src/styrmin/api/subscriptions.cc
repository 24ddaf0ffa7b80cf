#include "styrmin/api/subscriptions.h"

#include <atomic>
#include <functional>
#include <memory>
#include <string>
#include <thread>
#include <utility>
#include <vector>

#include "styrmin/api/change_notifier.h"
#include "styrmin/api/resolver_kit.h"
#include "styrmin/auth/auth.h"
#include "styrmin/graphql/subscribe.h"

namespace styrmin::api {
namespace {

using namespace internal;  // NOLINT(google-build-using-namespace): the resolvers' shared kit
using graphql::EventStream;
using storage::Run;
using storage::RunLogLine;
using storage::RunState;
using storage::RunStep;

// Events waiting for a slow client; a producer whose push is refused tries again later, with
// everything that changed meanwhile.
constexpr std::size_t kQueuedEvents = 64;
// Log lines one event carries at most; more follow in the next event at once.
constexpr std::size_t kLinesPerEvent = 500;

struct RunUpdate {
  Run run;
  std::vector<RunLogLine> lines;
};

struct RunsWaiting {
  std::int64_t pending = 0;
};

using Produce = std::function<void(EventStream& stream, const std::atomic<bool>& stop)>;

// A stream fed by `produce` on a thread of its own; cancelling the stream stops and joins it.
std::shared_ptr<EventStream> StartProducer(Produce produce) {
  auto stream = std::make_shared<EventStream>(kQueuedEvents);
  auto stop = std::make_shared<std::atomic<bool>>(false);
  auto thread = std::make_shared<std::thread>();
  stream->OnCancel([stop, thread] {
    *stop = true;
    ApiChanges().Notify();  // wakes the producer from its wait
    if (thread->joinable()) thread->join();
  });
  *thread = std::thread([stream, stop, produce = std::move(produce)] {
    produce(*stream, *stop);
    stream->Close();
  });
  return stream;
}

Result<std::shared_ptr<EventStream>> Refused(const Status& status) {
  return tl::unexpected(status.error());
}

bool Finished(RunState state) {
  return state == RunState::kSucceeded || state == RunState::kFailed ||
         state == RunState::kCancelled;
}

// What an event shows of a run besides its log: an event goes out when this changes.
std::string Fingerprint(const Run& run, const std::vector<RunStep>& steps) {
  std::string key = std::string(storage::RunStateName(run.state)) + "|" +
                    std::to_string(run.progress) + "|" + std::to_string(run.attempts) + "|" +
                    (run.lease_expires_at ? FormatRfc3339(*run.lease_expires_at) : "-");
  for (const RunStep& step : steps) {
    key += "|";
    key += std::to_string(step.position);
    key += storage::StepStateName(step.state);
  }
  return key;
}

void ProduceRunUpdates(storage::Store& store, const RunId& id, std::int64_t after,
                       std::chrono::milliseconds poll, EventStream& stream,
                       const std::atomic<bool>& stop) {
  std::string delivered;  // the fingerprint of the last event that went out
  std::uint64_t seen = ApiChanges().version();
  while (!stop) {
    auto run = store.GetRun(id);
    auto steps =
        run ? store.ListSteps(id) : Result<std::vector<RunStep>>(tl::unexpected(run.error()));
    auto lines = steps ? store.ListLog(id, after, kLinesPerEvent)
                       : Result<std::vector<RunLogLine>>(tl::unexpected(steps.error()));
    if (!lines) {
      stream.Push(ErrorValue(lines.error()));
      return;
    }
    const std::string key = Fingerprint(*run, *steps);
    const bool finished = Finished(run->state);
    const bool more = lines->size() == kLinesPerEvent;
    if (key != delivered || !lines->empty()) {
      const std::int64_t next = lines->empty() ? after : lines->back().sequence;
      if (stream.Push(Owned(RunUpdate{std::move(*run), std::move(*lines)}))) {
        delivered = key;
        after = next;
      } else if (stream.closed()) {
        return;
      }
    }
    if (delivered == key && finished && !more) return;  // the last event went out
    if (delivered == key && more) continue;
    seen = ApiChanges().WaitPast(seen, poll);
  }
}

void ProduceRunsWaiting(storage::Store& store, const Clock& clock, const ClusterId& cluster,
                        std::chrono::milliseconds poll, EventStream& stream,
                        const std::atomic<bool>& stop) {
  std::optional<std::int64_t> delivered;
  std::uint64_t seen = ApiChanges().version();
  while (!stop) {
    auto pending = store.CountClaimableRuns(cluster, NowMillis(clock));
    if (!pending) {
      stream.Push(ErrorValue(pending.error()));
      return;
    }
    if (*pending != delivered) {
      if (stream.Push(Owned(RunsWaiting{*pending}))) {
        delivered = *pending;
      } else if (stream.closed()) {
        return;
      }
    }
    seen = ApiChanges().WaitPast(seen, poll);
  }
}

}  // namespace

void BindSubscriptions(graphql::ExecutableSchema& schema, storage::Store& store, const Clock& clock,
                       SubscriptionOptions options) {
  const auto poll = options.poll_interval;
  STYRMIN_CHECK(
      schema.BindSubscription(
          "runUpdates",
          [&store, poll](const ResolveInfo& info) -> Result<std::shared_ptr<EventStream>> {
            if (auto allowed = auth::Authorize(Caller(info), auth::Action::kRead); !allowed) {
              return Refused(allowed);
            }
            const RunId id(info.args()["runId"].get<std::string>());
            const std::int64_t after = info.args()["afterLog"].get<std::int64_t>();
            if (after < 0) return InvalidArgument("afterLog must not be negative");
            auto run = store.GetRun(id);
            if (!run) return tl::unexpected(run.error());
            if (Status in_scope = auth::AuthorizeEnvironment(Caller(info), run->environment_id);
                !in_scope) {
              return Refused(in_scope);
            }
            return StartProducer(
                [&store, id, after, poll](EventStream& stream, const std::atomic<bool>& stop) {
                  ProduceRunUpdates(store, id, after, poll, stream, stop);
                });
          }),
      "binds");
  STYRMIN_CHECK(
      schema.BindSubscription(
          "runsWaiting",
          [&store, &clock, poll](const ResolveInfo& info) -> Result<std::shared_ptr<EventStream>> {
            if (auto allowed = auth::Authorize(Caller(info), auth::Action::kAgentProtocol);
                !allowed) {
              return Refused(allowed);
            }
            auto agent_cluster = AgentCluster(info);
            if (!agent_cluster) return tl::unexpected(agent_cluster.error());
            const ClusterId cluster = *agent_cluster;
            return StartProducer([&store, &clock, cluster, poll](EventStream& stream,
                                                                 const std::atomic<bool>& stop) {
              ProduceRunsWaiting(store, clock, cluster, poll, stream, stop);
            });
          }),
      "binds");
  // Each event is the field's value.
  for (const char* field : {"runUpdates", "runsWaiting"}) {
    BindOrDie(schema, "Subscription", field, [](const ResolveInfo& info) { return info.parent(); });
  }
  BindOrDie(schema, "RunUpdate", "run", [](const ResolveInfo& info) {
    return FieldValue::Object(&info.Parent<RunUpdate>().run);
  });
  BindOrDie(schema, "RunUpdate", "lines", [](const ResolveInfo& info) {
    return FieldValue::ObjectList(info.Parent<RunUpdate>().lines);
  });
  BindOrDie(schema, "RunsWaiting", "pending", [](const ResolveInfo& info) {
    return FieldValue::Int(info.Parent<RunsWaiting>().pending);
  });
}

}  // namespace styrmin::api
