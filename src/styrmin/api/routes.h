// The HTTP surface of styrmin-server: which path does what, who may call it, and the request
// metrics.
//
//   /graphql   GraphQL over HTTP (graphql_http.h); a bearer token is required (401 without);
//              and GraphQL over WebSocket (graphql_ws.h: graphql-transport-ws, for
//              subscriptions), the token in connection_init's payload
//   /graphiql  the GraphiQL page (also GET /graphql from a browser asking for text/html)
//   /healthz   200 while the process serves
//   /readyz    200 when the database answers, else 503
//   /metrics   Prometheus text: requests and latencies by route and status, plus what the
//              Metrics' collectors add
//
// Thread-safety: Handle and Observe may run on many threads at once.
#pragma once

#include <chrono>

#include "styrmin/api/graphql_http.h"
#include "styrmin/api/graphql_ws.h"
#include "styrmin/auth/auth.h"
#include "styrmin/core/metrics.h"
#include "styrmin/storage/store.h"

namespace styrmin::api {

class Routes final {
 public:
  // Every argument must outlive the routes.
  Routes(const graphql::ExecutableSchema& schema, const auth::Authenticator& authenticator,
         storage::Store& store, Metrics& metrics, GraphqlHttpOptions options = {});

  http::Response Handle(const http::Request& request) const;
  // The http::Server's WebSocketHandler: /graphql speaks graphql-transport-ws; other paths are
  // refused.
  http::WebSocketUpgrade Upgrade(const http::Request& request) const;
  // Records a served response (the http::Server's ResponseObserver).
  void Observe(const http::Request& request, const http::Response& response,
               std::chrono::nanoseconds elapsed) const;

 private:
  http::Response Graphql(const http::Request& request) const;

  const auth::Authenticator& authenticator_;
  storage::Store& store_;
  Metrics& metrics_;
  GraphqlHttpEndpoint endpoint_;
  GraphqlWsEndpoint ws_endpoint_;
};

}  // namespace styrmin::api
