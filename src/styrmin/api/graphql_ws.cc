#include "styrmin/api/graphql_ws.h"

#include <atomic>
#include <condition_variable>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <thread>
#include <utility>

#include "styrmin/core/json.h"
#include "styrmin/graphql/js_format.h"
#include "styrmin/graphql/subscribe.h"

namespace styrmin::api {
namespace {

constexpr std::string_view kSubprotocol = "graphql-transport-ws";
// How often an operation's thread looks up from waiting for an event to see whether it must stop.
constexpr std::chrono::milliseconds kEventWait{500};

// The protocol's close codes.
enum CloseCode : std::uint16_t {
  kBadMessage = 4400,
  kUnauthorized = 4401,
  kForbidden = 4403,
  kSubprotocolNotAcceptable = 4406,
  kInitTimeout = 4408,
  kDuplicateId = 4409,
  kTooManyInits = 4429,
};

bool OffersSubprotocol(const http::Request& request) {
  const auto offered = request.header("Sec-WebSocket-Protocol");
  if (!offered) return false;
  std::string_view rest = *offered;
  while (!rest.empty()) {
    const auto comma = rest.find(',');
    std::string_view entry = rest.substr(0, comma);
    rest = comma == std::string_view::npos ? std::string_view() : rest.substr(comma + 1);
    while (!entry.empty() && entry.front() == ' ') entry.remove_prefix(1);
    while (!entry.empty() && entry.back() == ' ') entry.remove_suffix(1);
    if (entry == kSubprotocol) return true;
  }
  return false;
}

std::string Quote(std::string_view text) {
  std::string out;
  graphql::AppendJsonString(out, text);
  return out;
}

// {"id":…,"type":…,"payload":<payload JSON text>}
std::string Message(std::string_view id, std::string_view type, std::string_view payload) {
  std::string out = "{\"id\":" + Quote(id) + ",\"type\":" + Quote(type);
  if (!payload.empty()) {
    out += ",\"payload\":";
    out += payload;
  }
  out += '}';
  return out;
}

// One running operation of a connection and the thread that sends its results.
struct Operation {
  std::unique_ptr<graphql::Source> source;
  std::unique_ptr<graphql::Document> document;
  std::shared_ptr<void> context;
  std::unique_ptr<graphql::Subscription> subscription;  // null for a query or mutation
  std::atomic<bool> stop{false};  // the client completed it, or the connection closed
  std::atomic<bool> done{false};  // its thread has sent everything
  std::thread thread;
};

class Session final : public http::WebSocketSession {
 public:
  Session(const graphql::ExecutableSchema& schema, const auth::Authenticator& authenticator,
          const GraphqlWsEndpoint::ContextFactory& make_context, const std::type_info& context_type,
          const GraphqlWsOptions& options, std::shared_ptr<http::WebSocketPeer> peer,
          std::optional<std::string> authorization, bool subprotocol)
      : schema_(schema),
        authenticator_(authenticator),
        make_context_(make_context),
        context_type_(context_type),
        options_(options),
        peer_(std::move(peer)),
        header_authorization_(std::move(authorization)) {
    if (!subprotocol) {
      peer_->Close(kSubprotocolNotAcceptable, "Subprotocol not acceptable");
      return;
    }
    watchdog_ = std::thread([this] {
      std::unique_lock<std::mutex> lock(mu_);
      if (!wake_.wait_for(lock, options_.init_timeout,
                          [this] { return initialised_ || closed_; })) {
        peer_->Close(kInitTimeout, "Connection initialisation timeout");
      }
    });
  }

  ~Session() override { Stop(); }

  void OnMessage(std::string_view text) override {
    auto parsed = ParseOrderedJson(text);
    if (!parsed || !parsed->is_object() || !parsed->contains("type") ||
        !(*parsed)["type"].is_string()) {
      return Fail(kBadMessage, "Invalid message received");
    }
    const OrderedJson& message = *parsed;
    const std::string type = message["type"];
    if (type == "connection_init") return Init(message);
    if (type == "ping") {
      const auto payload = message.find("payload");
      return peer_->Send(payload == message.end() || payload->is_null()
                             ? R"({"type":"pong"})"
                             : R"({"type":"pong","payload":)" + DumpOrdered(*payload) + "}");
    }
    if (type == "pong") return;
    if (type == "subscribe") return Subscribe(message);
    if (type == "complete") {
      const auto id = message.find("id");
      if (id == message.end() || !id->is_string())
        return Fail(kBadMessage, "Invalid message received");
      return Finish(id->get<std::string>());
    }
    Fail(kBadMessage, "Invalid message received");
  }

  void OnClose() override { Stop(); }

 private:
  static std::string DumpOrdered(const OrderedJson& value) {
    return value.dump(-1, ' ', false, OrderedJson::error_handler_t::replace);
  }

  void Fail(std::uint16_t code, std::string reason) { peer_->Close(code, std::move(reason)); }

  void Init(const OrderedJson& message) {
    {
      const std::lock_guard<std::mutex> lock(mu_);
      if (initialised_) return Fail(kTooManyInits, "Too many initialisation requests");
      initialised_ = true;
    }
    wake_.notify_all();
    std::optional<std::string> authorization = header_authorization_;
    const auto payload = message.find("payload");
    if (payload != message.end() && payload->is_object()) {
      for (const char* key : {"Authorization", "authorization"}) {
        const auto given = payload->find(key);
        if (given != payload->end() && given->is_string())
          authorization = given->get<std::string>();
      }
    }
    auto principal = authenticator_.Authenticate(authorization);
    if (!principal) return Fail(kForbidden, "Forbidden: " + principal.error().message());
    principal_ = std::move(*principal);
    peer_->Send(R"({"type":"connection_ack"})");
  }

  void Subscribe(const OrderedJson& message) {
    if (!principal_) return Fail(kUnauthorized, "Unauthorized");
    const auto id_member = message.find("id");
    const auto payload = message.find("payload");
    if (id_member == message.end() || !id_member->is_string() ||
        id_member->get<std::string>().empty() || payload == message.end() ||
        !payload->is_object() || !payload->contains("query") || !(*payload)["query"].is_string()) {
      return Fail(kBadMessage, "Invalid message received");
    }
    const std::string id = id_member->get<std::string>();
    if (const auto running = operations_.find(id); running != operations_.end()) {
      if (!running->second->done)
        return Fail(kDuplicateId, "Subscriber for " + id + " already exists");
      Join(*running->second);
      operations_.erase(running);
    }
    ReapFinished();
    const auto refuse = [&](const std::vector<graphql::ExecutionError>& errors) {
      peer_->Send(Message(id, "error", graphql::ErrorsToJson(errors)));
    };
    if (operations_.size() >= options_.max_operations) {
      return refuse({{"at most " + std::to_string(options_.max_operations) +
                          " operations may run at once on one connection",
                      {},
                      {},
                      nullptr}});
    }
    std::optional<std::string> operation_name;
    if (const auto name = payload->find("operationName");
        name != payload->end() && name->is_string()) {
      operation_name = name->get<std::string>();
    }
    OrderedJson variables = OrderedJson::object();
    if (const auto given = payload->find("variables");
        given != payload->end() && !given->is_null()) {
      if (!given->is_object()) return refuse({{"variables must be an object", {}, {}, nullptr}});
      variables = *given;
    }

    auto operation = std::make_unique<Operation>();
    operation->source = std::make_unique<graphql::Source>((*payload)["query"].get<std::string>());
    auto document = PrepareDocument(schema_, *operation->source, options_.graphql);
    if (!document) return refuse(document.error());
    operation->document = std::make_unique<graphql::Document>(std::move(*document));
    operation->context = make_context_(*principal_);

    graphql::ExecutionRequest request;
    request.document = operation->document.get();
    request.source = operation->source.get();
    request.operation_name = operation_name;
    request.variables = std::move(variables);
    request.context = operation->context.get();
    request.context_type = &context_type_;
    request.timeout = options_.graphql.execution_timeout;

    const graphql::OperationDefinition* definition =
        FindOperation(*operation->document, operation_name);
    Operation& op = *operation;
    if (definition != nullptr && definition->operation == graphql::OperationType::kSubscription) {
      graphql::SubscribeResult started = graphql::Subscribe(schema_, request);
      if (started.error) return refuse(started.error->errors);
      op.subscription = std::move(started.subscription);
      op.thread = std::thread([this, id, &op] { Stream(id, op); });
    } else {
      op.thread = std::thread([this, id, &op, request = std::move(request)] {
        graphql::ExecutionResult result = graphql::Execute(schema_, request);
        if (!op.stop) {
          peer_->Send(Message(id, "next", result.body));
          peer_->Send(Message(id, "complete", ""));
        }
        op.done = true;
      });
    }
    operations_.emplace(id, std::move(operation));
  }

  // The thread of a subscription: every event's result, then `complete` when the source ends.
  void Stream(const std::string& id, Operation& op) {
    while (!op.stop) {
      bool timed_out = false;
      auto result = op.subscription->Next(kEventWait, &timed_out);
      if (result) {
        peer_->Send(Message(id, "next", result->body));
        continue;
      }
      if (!timed_out) break;  // the source ended
    }
    if (!op.stop) peer_->Send(Message(id, "complete", ""));
    op.done = true;
  }

  // The client completed `id`: stop it without a word back.
  void Finish(const std::string& id) {
    const auto found = operations_.find(id);
    if (found == operations_.end()) return;
    Join(*found->second);
    operations_.erase(found);
  }

  static void Join(Operation& op) {
    op.stop = true;
    if (op.subscription) op.subscription->Cancel();
    if (op.thread.joinable()) op.thread.join();
  }

  void ReapFinished() {
    for (auto it = operations_.begin(); it != operations_.end();) {
      if (it->second->done) {
        Join(*it->second);
        it = operations_.erase(it);
      } else {
        ++it;
      }
    }
  }

  void Stop() {
    {
      const std::lock_guard<std::mutex> lock(mu_);
      closed_ = true;
    }
    wake_.notify_all();
    if (watchdog_.joinable()) watchdog_.join();
    for (auto& [id, op] : operations_) Join(*op);
    operations_.clear();
  }

  const graphql::ExecutableSchema& schema_;
  const auth::Authenticator& authenticator_;
  const GraphqlWsEndpoint::ContextFactory& make_context_;
  const std::type_info& context_type_;
  const GraphqlWsOptions& options_;
  const std::shared_ptr<http::WebSocketPeer> peer_;
  const std::optional<std::string> header_authorization_;

  std::mutex mu_;
  std::condition_variable wake_;  // initialised_ or closed_ changed
  bool initialised_ = false;      // guarded by mu_
  bool closed_ = false;           // guarded by mu_
  std::thread watchdog_;          // closes the connection when connection_init is late

  // On the connection's strand only.
  std::optional<auth::Principal> principal_;  // set once acknowledged
  std::map<std::string, std::unique_ptr<Operation>> operations_;
};

}  // namespace

GraphqlWsEndpoint::GraphqlWsEndpoint(const graphql::ExecutableSchema& schema,
                                     const auth::Authenticator& authenticator,
                                     ContextFactory make_context,
                                     const std::type_info& context_type, GraphqlWsOptions options)
    : schema_(schema),
      authenticator_(authenticator),
      make_context_(std::move(make_context)),
      context_type_(context_type),
      options_(options) {}

http::WebSocketUpgrade GraphqlWsEndpoint::Upgrade(const http::Request& request) const {
  http::WebSocketUpgrade upgrade;
  const bool offered = OffersSubprotocol(request);
  if (offered) upgrade.subprotocol = std::string(kSubprotocol);
  std::optional<std::string> authorization;
  if (const auto header = request.header("Authorization")) authorization = std::string(*header);
  upgrade.start = [this, authorization, offered](std::shared_ptr<http::WebSocketPeer> peer) {
    return std::make_unique<Session>(schema_, authenticator_, make_context_, context_type_,
                                     options_, std::move(peer), authorization, offered);
  };
  return upgrade;
}

}  // namespace styrmin::api
