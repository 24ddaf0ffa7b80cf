#include "styrmin/api/routes.h"

#include <memory>
#include <string>
#include <string_view>

#include "styrmin/api/styrmin_api.h"

namespace styrmin::api {

namespace {

// GraphiQL from its CDN, pointed at /graphql. The token goes into GraphiQL's headers editor.
constexpr std::string_view kGraphiqlPage = R"html(<!doctype html>
<html lang="en">
<head>
  <meta charset="utf-8">
  <title>Styrmin GraphiQL</title>
  <link rel="stylesheet" href="https://unpkg.com/graphiql@3.8.3/graphiql.min.css">
  <style>body { margin: 0; height: 100vh; } #graphiql { height: 100vh; }</style>
</head>
<body>
  <div id="graphiql">Loading GraphiQL… (it needs unpkg.com; the API itself is at /graphql)</div>
  <script src="https://unpkg.com/react@18.3.1/umd/react.production.min.js"></script>
  <script src="https://unpkg.com/react-dom@18.3.1/umd/react-dom.production.min.js"></script>
  <script src="https://unpkg.com/graphiql@3.8.3/graphiql.min.js"></script>
  <script>
    const fetcher = GraphiQL.createFetcher({ url: '/graphql' });
    ReactDOM.createRoot(document.getElementById('graphiql')).render(
      React.createElement(GraphiQL, {
        fetcher,
        defaultHeaders: '{\n  "Authorization": "Bearer <your token>"\n}',
      }));
  </script>
</body>
</html>
)html";

constexpr std::string_view kRoutes[] = {"/graphql", "/graphiql", "/healthz", "/readyz", "/metrics"};

// The route label of a request: a known path, else "other" (paths are not a label's business:
// a scanner must not create a series per URL).
std::string_view RouteOf(std::string_view path) {
  for (const auto route : kRoutes) {
    if (path == route) return route;
  }
  return "other";
}

// The method label: the ones HTTP clients send, else "other" (for the same reason as routes).
std::string_view MethodOf(std::string_view method) {
  for (const std::string_view known : {"GET", "POST", "HEAD", "OPTIONS", "PUT", "DELETE"}) {
    if (method == known) return known;
  }
  return "other";
}

bool WantsHtml(const http::Request& request) {
  const auto accept = request.header("Accept");
  return accept && accept->find("text/html") != std::string_view::npos;
}

}  // namespace

Routes::Routes(const graphql::ExecutableSchema& schema, const auth::Authenticator& authenticator,
               storage::Store& store, Metrics& metrics, GraphqlHttpOptions options)
    : authenticator_(authenticator),
      store_(store),
      metrics_(metrics),
      endpoint_(schema, options),
      ws_endpoint_(
          schema, authenticator,
          [](const auth::Principal& principal) {
            return std::static_pointer_cast<void>(std::make_shared<RequestState>(principal));
          },
          typeid(RequestState), GraphqlWsOptions{options}) {
  metrics_.DescribeCounter("styrmin_http_requests_total",
                           "HTTP requests served, by route, method and status code.");
  metrics_.DescribeHistogram("styrmin_http_request_duration_seconds",
                             "Time to handle an HTTP request, by route.",
                             {0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5});
}

http::Response Routes::Handle(const http::Request& request) const {
  const std::string_view path = request.path();
  if (path == "/graphql") {
    if (request.method == "GET" && request.query().empty() && WantsHtml(request)) {
      return http::Response::Of(200, std::string(kGraphiqlPage), "text/html; charset=utf-8");
    }
    return Graphql(request);
  }
  if (path == "/graphiql") {
    return http::Response::Of(200, std::string(kGraphiqlPage), "text/html; charset=utf-8");
  }
  if (path == "/healthz") return http::Response::Of(200, "ok\n");
  if (path == "/readyz") {
    auto tokens = store_.CountTokens();
    // The cause stays out of an unauthenticated answer (it may name hosts).
    if (!tokens) return http::Response::Of(503, "the database is not available\n");
    return http::Response::Of(200, "ok\n");
  }
  if (path == "/metrics") {
    return http::Response::Of(200, metrics_.Render(), "text/plain; version=0.0.4; charset=utf-8");
  }
  return http::Response::Of(404, "no such path: " + std::string(path) + "\n");
}

http::WebSocketUpgrade Routes::Upgrade(const http::Request& request) const {
  if (request.path() == "/graphql") return ws_endpoint_.Upgrade(request);
  http::WebSocketUpgrade refused;
  refused.refusal = http::Response::Of(
      404, "no WebSocket at " + std::string(request.path()) + "; GraphQL's is at /graphql\n");
  return refused;
}

http::Response Routes::Graphql(const http::Request& request) const {
  auto principal = authenticator_.Authenticate(request.header("Authorization"));
  if (!principal) {
    const bool unavailable = principal.error().code() == ErrorCode::kUnavailable;
    http::Response r =
        http::Response::Of(unavailable ? 503 : 401, GraphqlErrorBody(principal.error().message()),
                           "application/json; charset=utf-8");
    if (!unavailable) r.headers.push_back({"WWW-Authenticate", "Bearer realm=\"styrmin\""});
    return r;
  }
  RequestState state{std::move(*principal)};
  return endpoint_.Handle(request, RequestContext::Of(&state));
}

void Routes::Observe(const http::Request& request, const http::Response& response,
                     std::chrono::nanoseconds elapsed) const {
  const std::string route(RouteOf(request.path()));
  metrics_.Increment("styrmin_http_requests_total",
                     {{"route", route},
                      {"method", std::string(MethodOf(request.method))},
                      {"status", std::to_string(response.status)}});
  metrics_.Observe("styrmin_http_request_duration_seconds", {{"route", route}},
                   std::chrono::duration<double>(elapsed).count());
}

}  // namespace styrmin::api
