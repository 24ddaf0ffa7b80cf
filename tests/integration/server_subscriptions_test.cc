// Subscriptions over graphql-transport-ws against styrmin-server, a real process on loopback:
// the npm graphql-ws client follows a run while an agent, woken by runsWaiting, works on it;
// and protocol violations from a raw WebSocket client close the connection with the protocol's
// codes.
#include <gtest/gtest.h>

#include <boost/asio/connect.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/beast/core/buffers_to_string.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/http/field.hpp>
#include <boost/beast/websocket/stream.hpp>
#include <string>
#include <vector>

#include "styrmin/core/json.h"
#include "support/command.h"
#include "support/server_process.h"

namespace styrmin {
namespace {

namespace asio = boost::asio;
namespace beast = boost::beast;
using test::ServerProcess;

// What a raw WebSocket exchange ended with: the messages received, and the close code and
// reason when the server closed the connection.
struct Exchange {
  std::vector<std::string> received;
  int close_code = 0;
  std::string close_reason;
  std::string handshake_error;
};

// Connects to `path`, offering `subprotocol` (none when empty), sends `messages` one after the
// other and reads until the server closes or `expect` messages have arrived.
Exchange Talk(std::uint16_t port, const std::vector<std::string>& messages,
              const std::string& subprotocol = "graphql-transport-ws",
              const std::string& path = "/graphql", std::size_t expect = 100) {
  Exchange out;
  asio::io_context ioc;
  beast::websocket::stream<asio::ip::tcp::socket> ws(ioc);
  ws.next_layer().connect({asio::ip::make_address("127.0.0.1"), port});
  ws.set_option(beast::websocket::stream_base::decorator(
      [subprotocol](beast::websocket::request_type& request) {
        if (!subprotocol.empty()) {
          request.set(beast::http::field::sec_websocket_protocol, subprotocol);
        }
      }));
  beast::error_code ec;
  ws.handshake("127.0.0.1", path, ec);
  if (ec) {
    out.handshake_error = ec.message();
    return out;
  }
  for (const std::string& message : messages) {
    ws.write(asio::buffer(message), ec);
    if (ec) break;
  }
  while (out.received.size() < expect) {
    beast::flat_buffer buffer;
    ws.read(buffer, ec);
    if (ec) {
      out.close_code = ws.reason().code;
      out.close_reason = std::string(ws.reason().reason.data(), ws.reason().reason.size());
      break;
    }
    out.received.push_back(beast::buffers_to_string(buffer.data()));
  }
  return out;
}

class ServerSubscriptionsTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto started = ServerProcess::Start(STYRMIN_SERVER_BINARY);
    ASSERT_TRUE(started.has_value()) << started.error().ToString();
    server_ = std::move(*started);
  }

  Json Call(const std::string& query, const Json& variables = Json::object(),
            const std::string& token = "") {
    auto body = server_->Graphql(query, variables, token);
    EXPECT_TRUE(body.has_value()) << body.error().ToString();
    return body.value_or(Json());
  }

  std::string Init(const std::string& token) const {
    return DumpJson(
        Json{{"type", "connection_init"}, {"payload", {{"Authorization", "Bearer " + token}}}});
  }

  std::unique_ptr<ServerProcess> server_;
};

TEST_F(ServerSubscriptionsTest, TheGraphqlWsClientFollowsARunThatAnAgentWokenByRunsWaitingRuns) {
  const Json cluster = Call(R"(mutation { createCluster(input: {name: "watched"}) {
      cluster { id } agentToken } })");
  ASSERT_FALSE(cluster.contains("errors")) << cluster.dump(2);
  const std::string agent_token = cluster["data"]["createCluster"]["agentToken"];
  const Json environment =
      Call("mutation($c: ID!) { createEnvironment(input: {clusterId: $c, name: \"prod\"}) { id } }",
           {{"c", cluster["data"]["createCluster"]["cluster"]["id"]}});
  const Json driver = Call(
      "mutation($p: String!) { loadLocalApplicationDriverVersion(path: $p) { version { id } } }",
      {{"p", std::string(STYRMIN_SOURCE_DIR) + "/drivers/grafana"}});
  const Json created = Call(
      "mutation($e: ID!, $d: ID!) { createDeployment(input: {environmentId: $e, "
      "driverVersionId: $d, name: \"grafana\", parameters: {admin_password: \"long enough\"}}) "
      "{ run { id } } }",
      {{"e", environment["data"]["createEnvironment"]["id"]},
       {"d", driver["data"]["loadLocalApplicationDriverVersion"]["version"]["id"]}});
  ASSERT_FALSE(created.contains("errors")) << created.dump(2);
  const std::string run_id = created["data"]["createDeployment"]["run"]["id"];

  auto result =
      test::RunCommand({"node", STYRMIN_SOURCE_DIR "/tests/server/graphql_ws_client.cjs",
                        STYRMIN_NODE_DIR "/node_modules",
                        "http://127.0.0.1:" + std::to_string(server_->port()) + "/graphql",
                        server_->admin_token(), agent_token, run_id},
                       std::chrono::seconds(90));
  ASSERT_TRUE(result.has_value()) << result.error().ToString();
  ASSERT_EQ(result->exit_code, 0) << result->err << "\n" << server_->Log();
  auto parsed = ParseJson(result->out);
  ASSERT_TRUE(parsed.has_value()) << result->out;
  const Json& out = *parsed;

  EXPECT_NE(out["invalid"][0].get<std::string>().find("Subscription.runUpdates(runId:)"),
            std::string::npos)
      << out["invalid"].dump();
  EXPECT_NE(out["unknownRun"][0].get<std::string>().find("run \"r-none\" not found"),
            std::string::npos)
      << out["unknownRun"].dump();
  EXPECT_EQ(out["query"], Json::parse(R"([{"data":{"viewer":{"role":"ADMIN"}}}])"));
  EXPECT_EQ(out["claimed"], run_id);

  const Json& waiting = out["waiting"];
  ASSERT_GE(waiting.size(), 2U) << waiting.dump();
  EXPECT_EQ(waiting[0]["data"]["runsWaiting"]["pending"], 1) << waiting.dump();
  EXPECT_EQ(waiting.back()["data"]["runsWaiting"]["pending"], 0) << waiting.dump();

  const Json& updates = out["updates"];
  ASSERT_GE(updates.size(), 2U) << updates.dump();
  EXPECT_EQ(updates[0]["data"]["runUpdates"]["run"]["state"], "PENDING") << updates.dump();
  const Json& last = updates.back()["data"]["runUpdates"]["run"];
  EXPECT_EQ(last["state"], "SUCCEEDED") << updates.dump();
  EXPECT_EQ(last["progress"], 1.0);
  EXPECT_EQ(last["attempts"], 1);
  EXPECT_EQ(last["steps"], Json::parse(R"([{"name":"core","state":"SUCCEEDED"}])"));
  // Every line exactly once, in order, across the events.
  std::vector<std::string> texts;
  std::int64_t sequence = 0;
  for (const Json& update : updates) {
    for (const Json& line : update["data"]["runUpdates"]["lines"]) {
      EXPECT_EQ(line["sequence"], ++sequence) << updates.dump();
      texts.push_back(line["text"]);
    }
  }
  EXPECT_EQ(texts,
            (std::vector<std::string>{"rendering values", "helm upgrade --install", "done"}));
}

TEST_F(ServerSubscriptionsTest, ProtocolViolationsCloseTheConnectionWithTheProtocolsCodes) {
  const Json cluster = Call(R"(mutation { createCluster(input: {name: "c"}) { agentToken } })");
  const std::string agent_init = Init(cluster["data"]["createCluster"]["agentToken"]);
  const std::string init = Init(server_->admin_token());
  const std::string subscribe =
      R"({"id":"1","type":"subscribe","payload":{"query":"{ viewer { role } }"}})";

  Exchange ok = Talk(server_->port(), {init, subscribe, R"({"type":"ping"})"},
                     "graphql-transport-ws", "/graphql", 4);
  ASSERT_EQ(ok.received.size(), 4U) << ok.close_code << " " << ok.close_reason;
  EXPECT_EQ(ok.received[0], R"({"type":"connection_ack"})");
  // The query runs on a thread of its own: the pong may come before or after its messages.
  std::vector<std::string> operation;
  for (std::size_t i = 1; i < ok.received.size(); ++i) {
    if (ok.received[i] != R"({"type":"pong"})") operation.push_back(ok.received[i]);
  }
  EXPECT_EQ(operation,
            (std::vector<std::string>{
                R"({"id":"1","type":"next","payload":{"data":{"viewer":{"role":"ADMIN"}}}})",
                R"({"id":"1","type":"complete"})"}));

  struct Case {
    std::vector<std::string> messages;
    std::string subprotocol;
    int code;
    std::string reason;
  };
  const std::vector<Case> cases = {
      {{init}, "", 4406, "Subprotocol not acceptable"},
      {{subscribe}, "graphql-transport-ws", 4401, "Unauthorized"},
      {{Init("stm_not-a-token")}, "graphql-transport-ws", 4403, "Forbidden"},
      {{R"({"type":"connection_init"})"}, "graphql-transport-ws", 4403, "Forbidden"},
      {{"not json"}, "graphql-transport-ws", 4400, "Invalid message received"},
      {{init, R"({"type":"subscribe","id":"1"})"},
       "graphql-transport-ws",
       4400,
       "Invalid message received"},
      {{init, init}, "graphql-transport-ws", 4429, "Too many initialisation requests"},
      {{agent_init,
        R"({"id":"s","type":"subscribe","payload":{"query":"subscription { runsWaiting { pending } }"}})",
        R"({"id":"s","type":"subscribe","payload":{"query":"{ viewer { role } }"}})"},
       "graphql-transport-ws",
       4409,
       "Subscriber for s already exists"},
  };
  for (const Case& c : cases) {
    const Exchange closed = Talk(server_->port(), c.messages, c.subprotocol);
    EXPECT_EQ(closed.close_code, c.code) << c.messages.back() << " " << closed.close_reason;
    EXPECT_NE(closed.close_reason.find(c.reason), std::string::npos)
        << c.messages.back() << " " << closed.close_reason;
  }

  const Exchange elsewhere = Talk(server_->port(), {init}, "graphql-transport-ws", "/metrics");
  EXPECT_FALSE(elsewhere.handshake_error.empty()) << "only /graphql upgrades";
}

}  // namespace
}  // namespace styrmin
