#include "styrmin/http/server.h"

#include <gtest/gtest.h>
#include <sys/socket.h>
#include <sys/time.h>

#include <atomic>
#include <boost/asio/connect.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/read.hpp>
#include <boost/asio/write.hpp>
#include <boost/beast/core/buffers_to_string.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/websocket/stream.hpp>
#include <condition_variable>
#include <future>
#include <mutex>
#include <thread>

#include "styrmin/http/client.h"

namespace styrmin::http {
namespace {

using namespace std::chrono_literals;

Response Echo(const Request& r) {
  Response out = Response::Of(200, r.method + " " + std::string(r.path()) + " " + r.body);
  out.headers.push_back({"X-Query", std::string(r.query())});
  return out;
}

std::unique_ptr<Server> StartOrDie(ServerOptions options, Handler handler) {
  options.port = 0;
  auto server = Server::Start(std::move(options), std::move(handler));
  EXPECT_TRUE(server.has_value()) << server.error().ToString();
  return std::move(server).value();
}

Request Get(std::string target) {
  Request r;
  r.method = "GET";
  r.target = std::move(target);
  return r;
}

// A connection to the server whose blocking reads give up after ten seconds, so that a test
// of a server bug fails instead of hanging.
boost::asio::ip::tcp::socket Connect(boost::asio::io_context& ioc, std::uint16_t port) {
  boost::asio::ip::tcp::socket socket(ioc);
  socket.connect({boost::asio::ip::make_address("127.0.0.1"), port});
  const timeval timeout{10, 0};
  setsockopt(socket.native_handle(), SOL_SOCKET, SO_RCVTIMEO, &timeout, sizeof timeout);
  return socket;
}

// Writes `bytes` on a raw connection and returns everything the server sends until it closes.
std::string RawExchange(std::uint16_t port, const std::string& bytes) {
  boost::asio::io_context ioc;
  auto socket = Connect(ioc, port);
  boost::asio::write(socket, boost::asio::buffer(bytes));
  std::string out;
  boost::system::error_code ec;
  boost::asio::read(socket, boost::asio::dynamic_buffer(out), ec);
  return out;
}

TEST(Server, HandsRequestsToTheHandlerAndReturnsItsResponse) {
  auto server = StartOrDie({}, Echo);
  auto response = Fetch("127.0.0.1", server->port(), Get("/a/b?x=1&y=2"));
  ASSERT_TRUE(response.has_value()) << response.error().ToString();
  EXPECT_EQ(response->status, 200);
  EXPECT_EQ(response->body, "GET /a/b ");
  EXPECT_EQ(response->header("x-query"), "x=1&y=2");
  EXPECT_EQ(response->header("Content-Type"), "text/plain; charset=utf-8");

  Request post;
  post.method = "POST";
  post.target = "/p";
  post.body = "hello";
  response = Fetch("127.0.0.1", server->port(), post);
  ASSERT_TRUE(response.has_value());
  EXPECT_EQ(response->body, "POST /p hello");
}

TEST(Server, ServesSeveralRequestsOnOneKeptAliveConnection) {
  auto server = StartOrDie({}, Echo);
  const std::string two =
      "GET /one HTTP/1.1\r\nHost: x\r\n\r\n"
      "GET /two HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n";
  const std::string out = RawExchange(server->port(), two);
  EXPECT_NE(out.find("GET /one"), std::string::npos) << out;
  EXPECT_NE(out.find("GET /two"), std::string::npos) << out;
}

TEST(Server, RefusesABodyOverTheLimitWith413WithoutCallingTheHandler) {
  std::atomic<int> calls = 0;
  ServerOptions options;
  options.max_body_bytes = 100;
  std::atomic<int> observed_413 = 0;
  options.observer = [&](const Request&, const Response& r, std::chrono::nanoseconds) {
    if (r.status == 413) ++observed_413;
  };
  auto server = StartOrDie(options, [&](const Request& r) {
    ++calls;
    return Echo(r);
  });
  Request post;
  post.method = "POST";
  post.target = "/p";
  post.body = std::string(1000, 'x');
  auto response = Fetch("127.0.0.1", server->port(), post);
  ASSERT_TRUE(response.has_value()) << response.error().ToString();
  EXPECT_EQ(response->status, 413);
  EXPECT_NE(response->body.find("larger than 100 bytes"), std::string::npos);
  EXPECT_EQ(calls.load(), 0);
  EXPECT_EQ(observed_413.load(), 1);
  post.body = std::string(100, 'x');  // at the limit is fine
  response = Fetch("127.0.0.1", server->port(), post);
  ASSERT_TRUE(response.has_value());
  EXPECT_EQ(response->status, 200);
}

TEST(Server, RefusesOversizedHeadersWith431) {
  ServerOptions options;
  options.max_header_bytes = 1024;
  auto server = StartOrDie(options, Echo);
  Request r = Get("/");
  r.headers.push_back({"X-Big", std::string(4096, 'y')});
  auto response = Fetch("127.0.0.1", server->port(), r);
  ASSERT_TRUE(response.has_value()) << response.error().ToString();
  EXPECT_EQ(response->status, 431);
}

TEST(Server, AnswersSomethingThatIsNotHttpWith400) {
  auto server = StartOrDie({}, Echo);
  const std::string out = RawExchange(server->port(), "NOT HTTP AT ALL\r\n\r\n");
  EXPECT_EQ(out.rfind("HTTP/1.1 400", 0), 0U) << out;
}

TEST(Server, ClosesTheConnectionOfAClientTooSlowToSendItsRequest) {
  ServerOptions options;
  options.read_timeout = 200ms;
  auto server = StartOrDie(options, Echo);
  boost::asio::io_context ioc;
  auto socket = Connect(ioc, server->port());
  boost::asio::write(socket, boost::asio::buffer(std::string("GET / HTTP/1.1\r\nHo")));
  const auto start = std::chrono::steady_clock::now();
  std::string out;
  boost::system::error_code ec;
  boost::asio::read(socket, boost::asio::dynamic_buffer(out), ec);  // until the server closes
  EXPECT_TRUE(ec == boost::asio::error::eof || ec == boost::asio::error::connection_reset)
      << ec.message();
  EXPECT_LT(std::chrono::steady_clock::now() - start, 10s);
  EXPECT_EQ(out, "");
}

TEST(Server, ReportsAHandlerExceptionAs500AndItsDetailsOnlyToTheLog) {
  ServerOptions options;
  std::mutex mu;
  std::string logged;
  options.log_error = [&](std::string_view line) {
    std::lock_guard<std::mutex> lock(mu);
    logged = line;
  };
  auto server =
      StartOrDie(options, [](const Request&) -> Response { throw std::runtime_error("boom"); });
  auto response = Fetch("127.0.0.1", server->port(), Get("/"));
  ASSERT_TRUE(response.has_value());
  EXPECT_EQ(response->status, 500);
  EXPECT_EQ(response->body.find("boom"), std::string::npos);
  std::lock_guard<std::mutex> lock(mu);
  EXPECT_NE(logged.find("boom"), std::string::npos);
}

TEST(Server, AnswersHeadWithTheHeadersOfGetAndNoBody) {
  auto server = StartOrDie({}, Echo);
  const std::string out =
      RawExchange(server->port(),
                  "HEAD /h HTTP/1.1\r\nHost: x\r\n\r\nGET /after HTTP/1.1\r\nHost: x\r\n"
                  "Connection: close\r\n\r\n");
  // "HEAD /h " is 8 bytes: announced, not sent; the next response follows the header directly.
  EXPECT_NE(out.find("Content-Length: 8\r\n"), std::string::npos) << out;
  EXPECT_EQ(out.find("HEAD /h "), std::string::npos) << out;
  EXPECT_NE(out.find("\r\n\r\nHTTP/1.1 200 OK"), std::string::npos) << out;
  EXPECT_NE(out.find("GET /after"), std::string::npos) << out;
}

TEST(Server, ClosesConnectionsBeyondItsLimitWithoutServingThem) {
  ServerOptions options;
  options.max_connections = 1;
  auto server = StartOrDie(options, Echo);
  boost::asio::io_context ioc;
  // The first connection is served and kept alive: the server holds it from here on.
  auto first = Connect(ioc, server->port());
  boost::asio::write(first, boost::asio::buffer(std::string("GET / HTTP/1.1\r\nHost: x\r\n\r\n")));
  std::string answer(512, '\0');
  answer.resize(first.read_some(boost::asio::buffer(answer)));
  ASSERT_EQ(answer.substr(0, 15), "HTTP/1.1 200 OK");
  auto second = Connect(ioc, server->port());
  boost::system::error_code ec;
  boost::asio::write(second, boost::asio::buffer(std::string("GET / HTTP/1.1\r\nHost: x\r\n\r\n")),
                     ec);  // may already fail: the server closes it on accept
  std::string out;
  boost::asio::read(second, boost::asio::dynamic_buffer(out), ec);
  EXPECT_EQ(out, "");
  EXPECT_TRUE(ec == boost::asio::error::eof || ec == boost::asio::error::connection_reset)
      << ec.message();
}

TEST(Server, ShutdownLetsARequestInFlightFinishThenRefusesConnections) {
  std::mutex mu;
  std::condition_variable cv;
  bool release = false;
  auto server = StartOrDie({}, [&](const Request& r) {
    std::unique_lock<std::mutex> lock(mu);
    cv.wait(lock, [&] { return release; });
    return Echo(r);
  });
  const std::uint16_t port = server->port();
  auto in_flight =
      std::async(std::launch::async, [&] { return Fetch("127.0.0.1", port, Get("/slow")); });
  for (int i = 0; i < 500 && server->in_flight() == 0; ++i) std::this_thread::sleep_for(10ms);
  ASSERT_EQ(server->in_flight(), 1U);
  auto shutdown = std::async(std::launch::async, [&] { server->Shutdown(10s); });
  // Shutdown waits for the handler, which waits for us.
  EXPECT_EQ(shutdown.wait_for(200ms), std::future_status::timeout);
  {
    std::lock_guard<std::mutex> lock(mu);
    release = true;
  }
  cv.notify_all();
  auto response = in_flight.get();
  ASSERT_TRUE(response.has_value()) << response.error().ToString();
  EXPECT_EQ(response->status, 200);
  EXPECT_EQ(response->header("Connection"), "close");
  shutdown.get();
  auto refused = Fetch("127.0.0.1", port, Get("/"), 2s);
  ASSERT_FALSE(refused.has_value());
  EXPECT_EQ(refused.error().code(), ErrorCode::kUnavailable);
}

TEST(Server, ShutdownClosesIdleKeptAliveConnectionsPromptly) {
  auto server = StartOrDie({}, Echo);
  boost::asio::io_context ioc;
  auto socket = Connect(ioc, server->port());
  boost::asio::write(socket, boost::asio::buffer(std::string("GET / HTTP/1.1\r\nHost: x\r\n\r\n")));
  std::string first(512, '\0');
  const std::size_t n = socket.read_some(boost::asio::buffer(first));
  EXPECT_EQ(first.substr(0, 15), "HTTP/1.1 200 OK");
  (void)n;
  const auto start = std::chrono::steady_clock::now();
  server->Shutdown(10s);  // nothing in flight: returns without waiting out the grace
  EXPECT_LT(std::chrono::steady_clock::now() - start, 5s);
  std::string rest;
  boost::system::error_code ec;
  boost::asio::read(socket, boost::asio::dynamic_buffer(rest), ec);
  EXPECT_TRUE(ec == boost::asio::error::eof || ec == boost::asio::error::connection_reset)
      << ec.message();
}

TEST(Server, StartFailsClearlyWhenThePortIsTaken) {
  auto first = StartOrDie({}, Echo);
  ServerOptions options;
  options.port = first->port();
  auto second = Server::Start(options, Echo);
  ASSERT_FALSE(second.has_value());
  EXPECT_EQ(second.error().code(), ErrorCode::kUnavailable);
  EXPECT_NE(second.error().message().find(std::to_string(first->port())), std::string::npos);
}

TEST(Server, StartRefusesAnAddressThatIsNotAnIp) {
  ServerOptions options;
  options.address = "not-an-address";
  auto server = Server::Start(options, Echo);
  ASSERT_FALSE(server.has_value());
  EXPECT_EQ(server.error().code(), ErrorCode::kInvalidArgument);
}

TEST(Fetch, ReportsAClosedPortAsUnavailable) {
  std::uint16_t port = 0;
  {
    auto server = StartOrDie({}, Echo);
    port = server->port();
  }
  auto response = Fetch("127.0.0.1", port, Get("/"), 2s);
  ASSERT_FALSE(response.has_value());
  EXPECT_EQ(response.error().code(), ErrorCode::kUnavailable);
}

}  // namespace
}  // namespace styrmin::http

namespace styrmin::http {
namespace {

ServerOptions TlsOptions() {
  ServerOptions options;
  options.port = 0;
  options.tls_certificate_file = STYRMIN_HTTP_TESTDATA "/localhost.crt";
  options.tls_private_key_file = STYRMIN_HTTP_TESTDATA "/localhost.key";
  return options;
}

TEST(Server, ServesOverTlsToAClientThatTrustsItsCertificate) {
  auto server = Server::Start(TlsOptions(), Echo);
  ASSERT_TRUE(server.has_value()) << server.error().ToString();
  FetchOptions options;
  options.tls = true;
  options.ca_file = STYRMIN_HTTP_TESTDATA "/localhost.crt";
  Request post;
  post.method = "POST";
  post.target = "/secure";
  post.body = "over tls";
  auto response = Fetch("127.0.0.1", (*server)->port(), post, options);
  ASSERT_TRUE(response.has_value()) << response.error().ToString();
  EXPECT_EQ(response->body, "POST /secure over tls");
  response = Fetch("localhost", (*server)->port(), post, options);
  ASSERT_TRUE(response.has_value()) << response.error().ToString();
}

TEST(Server, OverTlsRefusesPlainHttpAndUntrustedClientsRefuseIt) {
  auto server = Server::Start(TlsOptions(), Echo);
  ASSERT_TRUE(server.has_value());
  auto plain = Fetch("127.0.0.1", (*server)->port(), Get("/"), 5s);
  EXPECT_FALSE(plain.has_value() && plain->status == 200);
  FetchOptions untrusting;
  untrusting.tls = true;  // the system's trust store does not know the test certificate
  untrusting.timeout = 5s;
  auto refused = Fetch("127.0.0.1", (*server)->port(), Get("/"), untrusting);
  ASSERT_FALSE(refused.has_value());
  EXPECT_EQ(refused.error().code(), ErrorCode::kUnavailable);
  EXPECT_NE(refused.error().message().find("TLS handshake"), std::string::npos)
      << refused.error().message();
  // The server keeps serving after both.
  FetchOptions trusting = untrusting;
  trusting.ca_file = STYRMIN_HTTP_TESTDATA "/localhost.crt";
  auto ok = Fetch("127.0.0.1", (*server)->port(), Get("/after"), trusting);
  ASSERT_TRUE(ok.has_value()) << ok.error().ToString();
  EXPECT_EQ(ok->status, 200);
}

TEST(Server, StartRefusesTlsFilesThatDoNotLoad) {
  ServerOptions options = TlsOptions();
  options.tls_private_key_file = "/nonexistent/key.pem";
  auto server = Server::Start(options, Echo);
  ASSERT_FALSE(server.has_value());
  EXPECT_EQ(server.error().code(), ErrorCode::kInvalidArgument);
  EXPECT_NE(server.error().message().find("/nonexistent/key.pem"), std::string::npos);
  options.tls_private_key_file.clear();
  server = Server::Start(options, Echo);
  ASSERT_FALSE(server.has_value());
  EXPECT_NE(server.error().message().find("both"), std::string::npos);
}

// A session that answers each message with "echo: <message>" and closes with 4000 on "bye".
class EchoSession final : public WebSocketSession {
 public:
  EchoSession(std::shared_ptr<WebSocketPeer> peer, std::atomic<int>* closes)
      : peer_(std::move(peer)), closes_(closes) {}
  void OnMessage(std::string_view text) override {
    if (text == "bye") return peer_->Close(4000, "bye yourself");
    peer_->Send("echo: " + std::string(text));
  }
  void OnClose() override { ++*closes_; }

 private:
  std::shared_ptr<WebSocketPeer> peer_;
  std::atomic<int>* closes_;
};

ServerOptions WithEchoWebSocket(std::atomic<int>* closes) {
  ServerOptions options;
  options.websocket = [closes](const Request& request) {
    WebSocketUpgrade upgrade;
    if (request.path() != "/ws") {
      upgrade.refusal = Response::Of(404, "no WebSocket here\n");
      return upgrade;
    }
    upgrade.subprotocol = "echo";
    upgrade.start = [closes](std::shared_ptr<WebSocketPeer> peer) {
      return std::make_unique<EchoSession>(std::move(peer), closes);
    };
    return upgrade;
  };
  return options;
}

TEST(ServerWebSocket, UpgradesToASessionThatOwnsTheConnectionUntilItCloses) {
  std::atomic<int> closes{0};
  auto server = StartOrDie(WithEchoWebSocket(&closes), Echo);
  boost::asio::io_context ioc;
  boost::beast::websocket::stream<boost::asio::ip::tcp::socket> ws(Connect(ioc, server->port()));
  boost::beast::websocket::response_type answer;
  ws.handshake(answer, "127.0.0.1", "/ws");
  EXPECT_EQ(answer[boost::beast::http::field::sec_websocket_protocol], "echo");
  for (const std::string text : {"one", "two"}) {
    ws.write(boost::asio::buffer(text));
    boost::beast::flat_buffer buffer;
    ws.read(buffer);
    EXPECT_EQ(boost::beast::buffers_to_string(buffer.data()), "echo: " + text);
  }
  EXPECT_EQ(server->in_flight(), 0U) << "an open WebSocket is not a request in flight";
  ws.write(boost::asio::buffer(std::string("bye")));
  boost::beast::flat_buffer buffer;
  boost::beast::error_code ec;
  ws.read(buffer, ec);
  EXPECT_EQ(ec, boost::beast::websocket::error::closed);
  EXPECT_EQ(ws.reason().code, 4000);
  EXPECT_EQ(std::string(ws.reason().reason.data(), ws.reason().reason.size()), "bye yourself");
  // Plain requests still go to the handler.
  auto plain = Fetch("127.0.0.1", server->port(), Get("/ws"));
  ASSERT_TRUE(plain.has_value());
  EXPECT_EQ(plain->body, "GET /ws ");
  server->Shutdown(5s);
  EXPECT_EQ(closes, 1);
}

TEST(ServerWebSocket, RefusesAnUpgradeTheHandlerRefusesWithItsResponse) {
  std::atomic<int> closes{0};
  auto server = StartOrDie(WithEchoWebSocket(&closes), Echo);
  boost::asio::io_context ioc;
  boost::beast::websocket::stream<boost::asio::ip::tcp::socket> ws(Connect(ioc, server->port()));
  boost::beast::websocket::response_type answer;
  boost::beast::error_code ec;
  ws.handshake(answer, "127.0.0.1", "/elsewhere", ec);
  EXPECT_TRUE(ec);
  EXPECT_EQ(answer.result_int(), 404U);
  EXPECT_EQ(closes, 0);
}

TEST(ServerWebSocket, ShutdownClosesOpenWebSocketsAndTheirSessionsSeeIt) {
  std::atomic<int> closes{0};
  auto server = StartOrDie(WithEchoWebSocket(&closes), Echo);
  boost::asio::io_context ioc;
  boost::beast::websocket::stream<boost::asio::ip::tcp::socket> ws(Connect(ioc, server->port()));
  ws.handshake("127.0.0.1", "/ws");
  server->Shutdown(5s);
  EXPECT_EQ(closes, 1);
  boost::beast::flat_buffer buffer;
  boost::beast::error_code ec;
  ws.read(buffer, ec);
  EXPECT_TRUE(ec) << "the connection is closed";
}

}  // namespace
}  // namespace styrmin::http
