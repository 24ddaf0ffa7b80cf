// GraphQL over WebSocket with the graphql-transport-ws protocol (the protocol of the graphql-ws
// library), for one executable schema, on the http::Server's WebSocket upgrades.
//
// A connection offers the `graphql-transport-ws` subprotocol, then sends connection_init within
// the init timeout, with its bearer token in the payload ({"Authorization": "Bearer stm_…"}) or
// in the upgrade request's Authorization header. After connection_ack it may subscribe: a
// subscription operation streams `next` messages until its source ends (`complete`) or the
// client completes it; a query or mutation answers with one `next` and `complete`. Documents
// that do not parse or validate, and subscriptions that cannot start, get an `error` message.
// Protocol violations close the connection with the protocol's codes: 4400 (bad message), 4401
// (subscribe before ack), 4403 (no valid token), 4406 (no subprotocol), 4408 (init timeout),
// 4409 (duplicate id), 4429 (a second connection_init).
//
// Each running operation has a thread of its own that waits for its events; all of a
// connection's threads are stopped and joined when it closes.
#pragma once

#include <chrono>
#include <cstddef>
#include <functional>

#include "styrmin/api/graphql_http.h"
#include "styrmin/auth/auth.h"
#include "styrmin/graphql/resolve.h"
#include "styrmin/http/server.h"

namespace styrmin::api {

struct GraphqlWsOptions {
  GraphqlHttpOptions graphql;
  std::chrono::milliseconds init_timeout{10'000};
  std::size_t max_operations = 64;  // running at once per connection; more are refused
};

class GraphqlWsEndpoint final {
 public:
  // What one operation's resolvers see as their context: made per operation from the caller,
  // kept alive as long as the operation runs.
  using ContextFactory = std::function<std::shared_ptr<void>(const auth::Principal&)>;

  // Every argument must outlive the endpoint and the connections it accepted.
  GraphqlWsEndpoint(const graphql::ExecutableSchema& schema,
                    const auth::Authenticator& authenticator, ContextFactory make_context,
                    const std::type_info& context_type, GraphqlWsOptions options = {});

  // The http::Server's WebSocketHandler.
  http::WebSocketUpgrade Upgrade(const http::Request& request) const;

 private:
  const graphql::ExecutableSchema& schema_;
  const auth::Authenticator& authenticator_;
  const ContextFactory make_context_;
  const std::type_info& context_type_;
  const GraphqlWsOptions options_;
};

}  // namespace styrmin::api
