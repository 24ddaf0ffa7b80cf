#include "styrmin/http/server.h"

#include <algorithm>
#include <boost/asio/as_tuple.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/ssl/context.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/strand.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/core/tcp_stream.hpp>
#include <boost/beast/http/error.hpp>
#include <boost/beast/http/parser.hpp>
#include <boost/beast/http/read.hpp>
#include <boost/beast/http/string_body.hpp>
#include <boost/beast/http/write.hpp>
#include <boost/beast/ssl/ssl_stream.hpp>
#include <boost/beast/websocket/rfc6455.hpp>
#include <boost/beast/websocket/ssl.hpp>
#include <boost/beast/websocket/stream.hpp>
#include <condition_variable>
#include <deque>
#include <exception>
#include <mutex>
#include <optional>
#include <set>
#include <thread>
#include <utility>
#include <vector>

namespace styrmin::http {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace bhttp = boost::beast::http;
using tcp = asio::ip::tcp;

namespace {

constexpr auto kAwait = asio::as_tuple(asio::use_awaitable);
// How long the accept loop waits after a failed accept before the next.
constexpr std::chrono::milliseconds kAcceptRetryPause{100};
// How long Shutdown waits for cancelled connections to close themselves.
constexpr std::chrono::milliseconds kCloseWait{500};

Request ToRequest(bhttp::request<bhttp::string_body>&& in) {
  Request out;
  out.method = std::string(in.method_string());
  out.target = std::string(in.target());
  for (const auto& field : in) {
    out.headers.push_back({std::string(field.name_string()), std::string(field.value())});
  }
  out.body = std::move(in.body());
  return out;
}

// `head_only`: the answer to a HEAD request, with the headers a GET would get and no body.
bhttp::response<bhttp::string_body> ToBeast(const Response& in, unsigned version, bool keep_alive,
                                            bool head_only = false) {
  bhttp::response<bhttp::string_body> out;
  out.version(version);
  out.result(static_cast<unsigned>(in.status));
  out.reason(ReasonPhrase(in.status));
  for (const auto& h : in.headers) out.insert(h.name, h.value);
  out.keep_alive(keep_alive);
  if (head_only) {
    out.content_length(in.body.size());
  } else {
    out.body() = in.body;
    out.prepare_payload();
  }
  return out;
}

// One upgraded connection: a WebSocket over the connection's stream (borrowed: it lives as long
// as the connection's coroutine, which Run is part of). Everything runs on the connection's
// strand; Send and Close post there, and do nothing once Run has returned.
template <typename Stream>
class WebSocketConnection final : public WebSocketPeer,
                                  public std::enable_shared_from_this<WebSocketConnection<Stream>> {
 public:
  WebSocketConnection(Stream& stream, asio::any_io_executor executor)
      : ws_(stream), executor_(std::move(executor)) {}

  void Send(std::string text) override {
    asio::post(executor_, [self = this->shared_from_this(), text = std::move(text)]() mutable {
      if (self->gone_ || self->closing_) return;
      self->queue_.push_back(std::move(text));
      self->StartWriting();
    });
  }

  void Close(std::uint16_t code, std::string reason) override {
    asio::post(executor_, [self = this->shared_from_this(), code, reason = std::move(reason)] {
      if (self->gone_ || self->closing_) return;
      self->closing_ = true;
      beast::websocket::close_reason close(code);  // any code: the application's are 4000+
      // A close frame's reason holds at most 123 bytes.
      const std::size_t kept = std::min(reason.size(), close.reason.max_size());
      close.reason.assign(reason.data(), kept);
      self->close_ = close;
      self->StartWriting();
    });
  }

  // Completes the handshake, then reads messages into the session until the connection ends.
  // `upgrade_request` must outlive the call (the caller awaits it).
  asio::awaitable<void> Run(const bhttp::request<bhttp::string_body>& upgrade_request,
                            WebSocketUpgrade upgrade, std::size_t max_message_bytes) {
    // The WebSocket's own timeouts from here: pings when idle, and a bounded handshake/close.
    beast::get_lowest_layer(ws_).expires_never();
    ws_.set_option(beast::websocket::stream_base::timeout::suggested(beast::role_type::server));
    ws_.set_option(beast::websocket::stream_base::decorator(
        [subprotocol = upgrade.subprotocol](beast::websocket::response_type& response) {
          if (!subprotocol.empty()) response.set(bhttp::field::sec_websocket_protocol, subprotocol);
        }));
    ws_.read_message_max(max_message_bytes);
    auto [accept_ec] = co_await ws_.async_accept(upgrade_request, kAwait);
    if (!accept_ec) {
      std::unique_ptr<WebSocketSession> session = upgrade.start(this->shared_from_this());
      beast::flat_buffer buffer;
      while (true) {
        auto [ec, bytes] = co_await ws_.async_read(buffer, kAwait);
        (void)bytes;
        if (ec) break;
        if (!ws_.got_text()) {
          Close(static_cast<std::uint16_t>(beast::websocket::close_code::bad_payload),
                "only text messages are accepted");
        } else if (!closing_) {
          const auto data = buffer.data();
          session->OnMessage(std::string_view(static_cast<const char*>(data.data()), data.size()));
        }
        buffer.consume(buffer.size());
      }
      session->OnClose();
    }
    // The stream goes away with the connection: wait (bounded) for a write in progress, which
    // fails fast now that the connection is closed.
    closing_ = true;
    asio::steady_timer pause(executor_);
    for (int waits = 0; writing_ && waits < 200; ++waits) {
      pause.expires_after(std::chrono::milliseconds(10));
      co_await pause.async_wait(kAwait);
    }
    gone_ = true;
  }

 private:
  void StartWriting() {
    if (writing_) return;
    writing_ = true;
    asio::co_spawn(executor_, Write(this->shared_from_this()), asio::detached);
  }

  asio::awaitable<void> Write(std::shared_ptr<WebSocketConnection> self) {
    while (!queue_.empty() && !failed_ && !gone_) {
      const std::string text = std::move(queue_.front());
      queue_.pop_front();
      ws_.text(true);
      auto [ec, bytes] = co_await ws_.async_write(asio::buffer(text), kAwait);
      (void)bytes;
      if (ec) failed_ = true;
    }
    if (closing_ && close_ && !failed_ && !gone_) {
      auto [ec] = co_await ws_.async_close(*close_, kAwait);
      (void)ec;
      close_.reset();
    }
    writing_ = false;
    (void)self;
  }

  beast::websocket::stream<Stream&> ws_;
  const asio::any_io_executor executor_;  // the connection's strand; all state below is on it
  std::deque<std::string> queue_;
  std::optional<beast::websocket::close_reason> close_;
  bool writing_ = false;
  bool closing_ = false;
  bool failed_ = false;
  bool gone_ = false;
};

}  // namespace

class Server::Impl final {
 public:
  Impl(ServerOptions options, Handler handler)
      : options_(std::move(options)),
        handler_(std::move(handler)),
        accept_strand_(asio::make_strand(ioc_)),
        acceptor_(ioc_) {}

  // Loads the certificate and key when TLS is configured.
  Status SetUpTls() {
    if (options_.tls_certificate_file.empty() && options_.tls_private_key_file.empty()) {
      return OkStatus();
    }
    if (options_.tls_certificate_file.empty() || options_.tls_private_key_file.empty()) {
      return InvalidArgument("TLS needs both a certificate file and a private key file");
    }
    tls_.emplace(asio::ssl::context::tls_server);
    tls_->set_options(asio::ssl::context::default_workarounds | asio::ssl::context::no_sslv2 |
                      asio::ssl::context::no_sslv3 | asio::ssl::context::no_tlsv1 |
                      asio::ssl::context::no_tlsv1_1);
    boost::system::error_code ec;
    if (tls_->use_certificate_chain_file(options_.tls_certificate_file, ec); ec) {
      return InvalidArgument("cannot load the TLS certificate \"" + options_.tls_certificate_file +
                             "\": " + ec.message());
    }
    if (tls_->use_private_key_file(options_.tls_private_key_file, asio::ssl::context::pem, ec);
        ec) {
      return InvalidArgument("cannot load the TLS private key \"" + options_.tls_private_key_file +
                             "\": " + ec.message());
    }
    return OkStatus();
  }

  Status Bind() {
    boost::system::error_code ec;
    const auto address = asio::ip::make_address(options_.address, ec);
    if (ec)
      return InvalidArgument("listen address \"" + options_.address + "\" is not an IP address");
    const tcp::endpoint endpoint(address, options_.port);
    const auto fail = [&](std::string_view what) {
      return Unavailable("cannot " + std::string(what) + " " + options_.address + ":" +
                         std::to_string(options_.port) + ": " + ec.message());
    };
    if (acceptor_.open(endpoint.protocol(), ec); ec) return fail("open a socket for");
    if (acceptor_.set_option(asio::socket_base::reuse_address(true), ec); ec) {
      return fail("set options on");
    }
    if (acceptor_.bind(endpoint, ec); ec) return fail("listen on");
    if (acceptor_.listen(asio::socket_base::max_listen_connections, ec); ec) {
      return fail("listen on");
    }
    port_ = acceptor_.local_endpoint().port();
    return OkStatus();
  }

  void Run() {
    asio::co_spawn(accept_strand_, Accept(), asio::detached);
    const int threads = std::max(1, options_.threads);
    for (int i = 0; i < threads; ++i) threads_.emplace_back([this] { ioc_.run(); });
  }

  std::uint16_t port() const { return port_; }

  std::size_t in_flight() const {
    std::lock_guard<std::mutex> lock(mu_);
    return busy_;
  }

  void Shutdown(std::chrono::milliseconds grace) {
    std::unique_lock<std::mutex> lock(mu_);
    if (shut_down_) return;
    shut_down_ = true;
    stopping_ = true;
    // On the accept loop's strand: closing while it starts the next accept would race.
    asio::post(accept_strand_, [this] {
      boost::system::error_code ignored;
      acceptor_.close(ignored);
    });
    // Idle connections are waiting for a request that will not be served: close them. Busy
    // ones close after their response (stopping_ turns keep-alive off).
    for (const auto& connection : connections_) {
      if (!connection->busy) Cancel(connection, /*only_if_idle=*/true);
    }
    const auto deadline = std::chrono::steady_clock::now() + grace;
    idle_.wait_until(lock, deadline, [this] { return busy_ == 0; });
    for (const auto& connection : connections_) Cancel(connection);
    // Let the connections see their cancellation and close themselves, briefly.
    idle_.wait_until(lock, std::chrono::steady_clock::now() + kCloseWait,
                     [this] { return connections_.empty(); });
    lock.unlock();
    ioc_.stop();
    for (auto& t : threads_) t.join();
    threads_.clear();
    // No thread runs now: whatever connection is left is closed from here.
    lock.lock();
    for (const auto& connection : connections_) {
      boost::system::error_code ignored;
      connection->transport().socket().close(ignored);
    }
    connections_.clear();
  }

 private:
  struct Connection {
    explicit Connection(tcp::socket socket)
        : executor(socket.get_executor()), plain(std::move(socket)) {}
    const asio::any_io_executor executor;  // the connection's strand
    beast::tcp_stream plain;               // the connection, or moved into `tls`
    std::unique_ptr<beast::ssl_stream<beast::tcp_stream>> tls;
    bool busy = false;  // guarded by Impl::mu_

    beast::tcp_stream& transport() { return tls ? tls->next_layer() : plain; }
  };

  // Closes `connection` from its strand; with `only_if_idle`, not when a request has become
  // busy meanwhile (it closes itself after its response).
  void Cancel(const std::shared_ptr<Connection>& connection, bool only_if_idle = false) {
    asio::post(connection->executor, [this, connection, only_if_idle] {
      if (only_if_idle) {
        std::lock_guard<std::mutex> lock(mu_);
        if (connection->busy) return;
      }
      boost::system::error_code ignored;
      connection->transport().socket().shutdown(tcp::socket::shutdown_both, ignored);
      connection->transport().cancel();
    });
  }

  asio::awaitable<void> Accept() {
    while (true) {
      auto [ec, socket] = co_await acceptor_.async_accept(asio::make_strand(ioc_), kAwait);
      if (ec) {
        if (!acceptor_.is_open()) co_return;
        // Out of file descriptors and the like fail again at once: pause instead of spinning.
        asio::steady_timer pause(accept_strand_, kAcceptRetryPause);
        co_await pause.async_wait(kAwait);
        continue;
      }
      auto connection = std::make_shared<Connection>(std::move(socket));
      {
        std::lock_guard<std::mutex> lock(mu_);
        if (stopping_) continue;  // dropped: the server no longer serves new connections
        if (connections_.size() >= options_.max_connections) {
          continue;  // dropped (closed by its destructor): the server is at its limit
        }
        connections_.insert(connection);
      }
      asio::co_spawn(connection->executor, Serve(connection), asio::detached);
    }
  }

  // Sends a response of the server's own (a limit was hit) and tells the observer.
  template <typename Stream>
  asio::awaitable<void> Refuse(Stream& stream, Connection& connection, int status,
                               std::string message) {
    Request request;  // what the server knows of a request it could not read
    request.method = "?";
    message += "\n";
    const Response response = Response::Of(status, message);
    if (options_.observer) options_.observer(request, response, std::chrono::nanoseconds(0));
    auto out = ToBeast(response, 11, false);
    connection.transport().expires_after(options_.write_timeout);
    co_await bhttp::async_write(stream, out, kAwait);
    // The client may still be sending what was refused: closing with unread bytes would reset
    // the connection before it reads the response. Stop sending, then drain for a bounded
    // while.
    boost::system::error_code ignored;
    connection.transport().socket().shutdown(tcp::socket::shutdown_send, ignored);
    connection.transport().expires_after(std::chrono::seconds(1));
    std::vector<char> sink(std::size_t{64} * 1024);
    for (int reads = 0; reads < 64; ++reads) {
      auto [ec, n] = co_await connection.transport().async_read_some(asio::buffer(sink), kAwait);
      (void)n;
      if (ec) break;
    }
  }

  asio::awaitable<void> Serve(std::shared_ptr<Connection> connection) {
    if (tls_) {
      connection->tls = std::make_unique<beast::ssl_stream<beast::tcp_stream>>(
          std::move(connection->plain), *tls_);
      connection->transport().expires_after(options_.read_timeout);
      auto [ec] = co_await connection->tls->async_handshake(asio::ssl::stream_base::server, kAwait);
      if (!ec) {
        co_await ServeRequests(*connection->tls, *connection);
        // close_notify, briefly: a client that does not answer it is not waited for.
        connection->transport().expires_after(std::chrono::seconds(1));
        co_await connection->tls->async_shutdown(kAwait);
      }
    } else {
      co_await ServeRequests(connection->plain, *connection);
    }
    boost::system::error_code ignored;
    connection->transport().socket().shutdown(tcp::socket::shutdown_both, ignored);
    connection->transport().close();
    {
      std::lock_guard<std::mutex> lock(mu_);
      connections_.erase(connection);
    }
    idle_.notify_all();
  }

  // Reads requests from `stream` and answers them until the connection should close.
  template <typename Stream>
  asio::awaitable<void> ServeRequests(Stream& stream, Connection& connection) {
    beast::flat_buffer buffer;
    while (true) {
      bhttp::request_parser<bhttp::string_body> parser;
      parser.header_limit(static_cast<std::uint32_t>(options_.max_header_bytes));
      parser.body_limit(options_.max_body_bytes);
      connection.transport().expires_after(options_.read_timeout);
      auto [ec, bytes] = co_await bhttp::async_read(stream, buffer, parser, kAwait);
      (void)bytes;
      if (ec == bhttp::error::body_limit) {
        co_await Refuse(
            stream, connection, 413,
            "request body larger than " + std::to_string(options_.max_body_bytes) + " bytes");
        break;
      }
      if (ec == bhttp::error::header_limit) {
        co_await Refuse(
            stream, connection, 431,
            "request header larger than " + std::to_string(options_.max_header_bytes) + " bytes");
        break;
      }
      if (ec) {
        // The client went away, was too slow, or sent something that is not HTTP. A request
        // that started but did not parse gets a 400; the others just a closed connection.
        if (ec != bhttp::error::end_of_stream && ec != beast::error::timeout &&
            ec != asio::error::operation_aborted && ec != asio::error::connection_reset &&
            ec != asio::error::eof && parser.got_some()) {
          co_await Refuse(stream, connection, 400, "malformed HTTP request: " + ec.message());
        }
        break;
      }
      auto message = parser.release();
      if (options_.websocket && beast::websocket::is_upgrade(message)) {
        // Not counted as busy: a WebSocket lives until either side closes it, and shutdown
        // closes it like an idle connection.
        co_await ServeWebSocket(stream, connection, std::move(message));
        break;  // the connection ended with its WebSocket
      }
      {
        std::lock_guard<std::mutex> lock(mu_);
        connection.busy = true;
        ++busy_;
      }
      const unsigned version = message.version();
      bool keep_alive = message.keep_alive();
      const Request request = ToRequest(std::move(message));
      const auto start = std::chrono::steady_clock::now();
      Response response;
      try {
        response = handler_(request);
      } catch (const std::exception& e) {
        // A bug: its details go to the log, not to the client.
        if (options_.log_error) options_.log_error(std::string("handler failed: ") + e.what());
        response = Response::Of(500, "internal error\n");
      } catch (...) {
        if (options_.log_error) options_.log_error("handler failed with a non-standard exception");
        response = Response::Of(500, "internal error\n");
      }
      const auto elapsed = std::chrono::steady_clock::now() - start;
      {
        std::lock_guard<std::mutex> lock(mu_);
        if (stopping_) keep_alive = false;
      }
      if (options_.observer) options_.observer(request, response, elapsed);
      auto out = ToBeast(response, version, keep_alive, request.method == "HEAD");
      connection.transport().expires_after(options_.write_timeout);
      auto [write_ec, written] = co_await bhttp::async_write(stream, out, kAwait);
      (void)written;
      {
        std::lock_guard<std::mutex> lock(mu_);
        connection.busy = false;
        --busy_;
        if (stopping_) keep_alive = false;
      }
      idle_.notify_all();
      if (write_ec || !keep_alive) break;
    }
  }

  // An upgrade request: the WebSocketHandler accepts it (the connection is then the session's
  // until it closes) or refuses it with a response, after which the connection closes.
  template <typename Stream>
  asio::awaitable<void> ServeWebSocket(Stream& stream, Connection& connection,
                                       bhttp::request<bhttp::string_body> message) {
    const Request request = ToRequest(bhttp::request<bhttp::string_body>(message));
    const unsigned version = message.version();
    const auto start = std::chrono::steady_clock::now();
    WebSocketUpgrade upgrade;
    try {
      upgrade = options_.websocket(request);
    } catch (const std::exception& e) {
      if (options_.log_error) options_.log_error(std::string("upgrade failed: ") + e.what());
      upgrade = WebSocketUpgrade{{}, {}, Response::Of(500, "internal error\n")};
    }
    if (!upgrade.start) {
      if (options_.observer) {
        options_.observer(request, upgrade.refusal, std::chrono::steady_clock::now() - start);
      }
      auto out = ToBeast(upgrade.refusal, version, false);
      connection.transport().expires_after(options_.write_timeout);
      co_await bhttp::async_write(stream, out, kAwait);
      co_return;
    }
    if (options_.observer) {
      options_.observer(request, Response::Of(101, ""), std::chrono::steady_clock::now() - start);
    }
    auto socket = std::make_shared<WebSocketConnection<Stream>>(stream, connection.executor);
    co_await socket->Run(message, std::move(upgrade), options_.max_body_bytes);
  }

  const ServerOptions options_;
  const Handler handler_;
  asio::io_context ioc_;
  asio::strand<asio::io_context::executor_type> accept_strand_;  // the accept loop's
  tcp::acceptor acceptor_;
  std::optional<asio::ssl::context> tls_;  // set when TLS is configured
  std::uint16_t port_ = 0;
  std::vector<std::thread> threads_;

  mutable std::mutex mu_;
  std::condition_variable idle_;                       // busy_ dropped or a connection closed
  std::set<std::shared_ptr<Connection>> connections_;  // guarded by mu_
  std::size_t busy_ = 0;                               // guarded by mu_
  bool stopping_ = false;                              // guarded by mu_
  bool shut_down_ = false;                             // guarded by mu_
};

Result<std::unique_ptr<Server>> Server::Start(ServerOptions options, Handler handler) {
  auto impl = std::make_unique<Impl>(std::move(options), std::move(handler));
  STYRMIN_RETURN_IF_ERROR(impl->SetUpTls());
  STYRMIN_RETURN_IF_ERROR(impl->Bind());
  impl->Run();
  return std::unique_ptr<Server>(new Server(std::move(impl)));
}

Server::Server(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}

Server::~Server() { Shutdown(std::chrono::seconds(5)); }

std::uint16_t Server::port() const { return impl_->port(); }

void Server::Shutdown(std::chrono::milliseconds grace) { impl_->Shutdown(grace); }

std::size_t Server::in_flight() const { return impl_->in_flight(); }

}  // namespace styrmin::http
