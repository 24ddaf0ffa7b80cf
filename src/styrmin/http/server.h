// An HTTP/1.1 server on Boost.Beast that hands each request to one handler function.
//
// It enforces the limits a server facing the network needs — header and body size, time to
// read a request, time to write a response — and answers violations itself (413, 431, 400) or
// closes the connection (a client too slow to send its request). Keep-alive is honoured.
//
// Shutdown is graceful: it stops accepting, lets requests already being handled finish and
// their responses go out (up to a grace period), and closes idle keep-alive connections.
//
// WebSocket upgrades go to an optional WebSocketHandler, which accepts them with a session that
// then owns the connection (graphql-transport-ws uses this).
//
// Thread-safety: the handler runs on the server's threads, several at once; it must be
// thread-safe. Start/Shutdown/port may be called from any thread.
#pragma once

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <string_view>

#include "styrmin/core/status.h"
#include "styrmin/http/message.h"

namespace styrmin::http {

using Handler = std::function<Response(const Request&)>;

// One WebSocket connection the server upgraded, as its session sees it. Send and Close may be
// called from any thread, also after the connection is gone (they are then ignored).
class WebSocketPeer {
 public:
  virtual ~WebSocketPeer() = default;
  // Queues a text message; messages go out in the order queued.
  virtual void Send(std::string text) = 0;
  // Sends what is queued, then closes with `code` (RFC 6455 section 7.4, or 4000-4999 for the
  // application) and `reason`. Later calls and sends are ignored.
  virtual void Close(std::uint16_t code, std::string reason) = 0;
};

// What serves one upgraded connection. OnMessage and OnClose run on the connection's strand,
// one at a time; they must not block for long (hand long work to other threads).
class WebSocketSession {
 public:
  virtual ~WebSocketSession() = default;
  // A text message from the client.
  virtual void OnMessage(std::string_view text) = 0;
  // The connection is gone (either side closed it, or the server shuts down); called once,
  // last. Work the session started must stop before this returns.
  virtual void OnClose() = 0;
};

// The answer to a WebSocket upgrade request: accepted with `start` (and `subprotocol`, when not
// empty, in the Sec-WebSocket-Protocol header), or refused with `refusal`.
struct WebSocketUpgrade {
  std::string subprotocol;
  std::function<std::unique_ptr<WebSocketSession>(std::shared_ptr<WebSocketPeer>)> start;
  Response refusal;
};
using WebSocketHandler = std::function<WebSocketUpgrade(const Request&)>;
// Told of every response the server sends, the handler's or its own (a 413, ...), with the
// time from the request's last byte to the response's.
using ResponseObserver =
    std::function<void(const Request&, const Response&, std::chrono::nanoseconds elapsed)>;

struct ServerOptions {
  std::string address = "127.0.0.1";
  std::uint16_t port = 8080;  // 0: a free port the kernel picks; see Server::port()
  std::size_t max_header_bytes = std::size_t{16} * 1024;
  std::size_t max_body_bytes = std::size_t{1024} * 1024;
  // The longest a client may take to send one request (or to start one on a kept-alive
  // connection); the connection is closed after it.
  std::chrono::milliseconds read_timeout{30'000};
  std::chrono::milliseconds write_timeout{30'000};
  int threads = 4;
  // Connections beyond this are closed as soon as they are accepted.
  std::size_t max_connections = 1024;
  ResponseObserver observer;  // optional
  // Told of failures the client only sees as a bare 500 (a handler that threw); optional.
  std::function<void(std::string_view)> log_error;
  // TLS (1.2 and newer) on every connection when both are set: PEM files, the certificate
  // file holding the chain.
  std::string tls_certificate_file;
  std::string tls_private_key_file;
  // WebSocket upgrade requests go here when set (else to the Handler, as plain requests).
  // Messages are limited to max_body_bytes; idle connections are pinged, and closed when the
  // peer stops answering.
  WebSocketHandler websocket;
};

class Server final {
 public:
  // Binds and starts serving; kUnavailable when the address cannot be bound (in use, ...),
  // kInvalidArgument when it is not an IP address or the TLS files do not load.
  static Result<std::unique_ptr<Server>> Start(ServerOptions options, Handler handler);
  ~Server();  // Shutdown with a five-second grace
  Server(const Server&) = delete;
  Server& operator=(const Server&) = delete;

  // The bound port (the kernel's pick when options.port was 0).
  std::uint16_t port() const;

  // Stops accepting, waits up to `grace` for requests being handled, closes every connection
  // and stops the threads. Idempotent.
  void Shutdown(std::chrono::milliseconds grace);

  // Requests being handled right now.
  std::size_t in_flight() const;

 private:
  class Impl;
  explicit Server(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

}  // namespace styrmin::http
