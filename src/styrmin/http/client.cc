#include "styrmin/http/client.h"

#include <openssl/ssl.h>

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/ssl/context.hpp>
#include <boost/asio/ssl/host_name_verification.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/core/tcp_stream.hpp>
#include <boost/beast/http/parser.hpp>
#include <boost/beast/http/read.hpp>
#include <boost/beast/http/string_body.hpp>
#include <boost/beast/http/write.hpp>
#include <boost/beast/ssl/ssl_stream.hpp>
#include <limits>
#include <optional>
#include <utility>

namespace styrmin::http {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace bhttp = boost::beast::http;
using tcp = asio::ip::tcp;

namespace {

constexpr auto kAwait = asio::as_tuple(asio::use_awaitable);

// One exchange over a connected `stream`; failures land in `failure`.
template <typename Stream>
asio::awaitable<void> Exchange(Stream& stream, bhttp::request<bhttp::string_body>& out,
                               bhttp::response_parser<bhttp::string_body>& parser,
                               const std::string& where, std::optional<Error>& failure) {
  const auto fail = [&](std::string_view what, const boost::system::error_code& ec) {
    failure =
        Error(ec == beast::error::timeout ? ErrorCode::kDeadlineExceeded : ErrorCode::kUnavailable,
              std::string(what) + " " + where + ": " + ec.message());
  };
  auto [write_ec, written] = co_await bhttp::async_write(stream, out, kAwait);
  (void)written;
  if (write_ec) co_return fail("cannot send the request to", write_ec);
  beast::flat_buffer buffer;
  auto [read_ec, read] = co_await bhttp::async_read(stream, buffer, parser, kAwait);
  (void)read;
  if (read_ec) fail("cannot read the response from", read_ec);
}

}  // namespace

Result<Response> Fetch(const std::string& host, std::uint16_t port, Request request,
                       const FetchOptions& options) {
  // An IPv6 literal is bracketed in the Host header and in messages: [::1]:8080.
  const bool ipv6 = host.find(':') != std::string::npos;
  const std::string where = (ipv6 ? "[" + host + "]" : host) + ":" + std::to_string(port);
  bhttp::request<bhttp::string_body> out;
  out.version(11);
  out.method_string(request.method);
  out.target(request.target);
  for (const auto& h : request.headers) out.insert(h.name, h.value);
  if (!request.header("Host")) out.set(bhttp::field::host, where);
  out.body() = std::move(request.body);
  if (!out.body().empty() || request.method == "POST" || request.method == "PUT") {
    out.prepare_payload();
  }
  out.keep_alive(false);

  std::optional<asio::ssl::context> tls;
  if (options.tls) {
    tls.emplace(asio::ssl::context::tls_client);
    boost::system::error_code ec;
    if (options.ca_file.empty()) {
      tls->set_default_verify_paths(ec);
    } else {
      tls->load_verify_file(options.ca_file, ec);
    }
    if (ec) return InvalidArgument("cannot load the TLS trust store: " + ec.message());
    tls->set_verify_mode(asio::ssl::verify_peer);
  }

  asio::io_context ioc;
  tcp::resolver resolver(ioc);
  boost::system::error_code ec;
  const auto endpoints = resolver.resolve(host, std::to_string(port), ec);
  if (ec) return Unavailable("cannot resolve " + where + ": " + ec.message());

  bhttp::response_parser<bhttp::string_body> parser;
  parser.body_limit(std::numeric_limits<std::uint64_t>::max());
  std::optional<Error> failure;
  const auto run = [&]() -> asio::awaitable<void> {
    beast::tcp_stream stream(co_await asio::this_coro::executor);
    stream.expires_after(options.timeout);  // one deadline for the whole exchange
    auto [connect_ec, endpoint] = co_await stream.async_connect(endpoints, kAwait);
    (void)endpoint;
    if (connect_ec) {
      failure = Error(connect_ec == beast::error::timeout ? ErrorCode::kDeadlineExceeded
                                                          : ErrorCode::kUnavailable,
                      "cannot connect to " + where + ": " + connect_ec.message());
      co_return;
    }
    if (!tls) {
      co_await Exchange(stream, out, parser, where, failure);
      co_return;
    }
    beast::ssl_stream<beast::tcp_stream> secure(std::move(stream), *tls);
    boost::system::error_code not_ip;
    asio::ip::make_address(host, not_ip);
    if (not_ip) {
      // Server Name Indication, for names only (RFC 6066). SSL_set_tlsext_host_name is a macro
      // with a C cast; this is what it expands to.
      SSL_ctrl(secure.native_handle(), SSL_CTRL_SET_TLSEXT_HOSTNAME, TLSEXT_NAMETYPE_host_name,
               const_cast<char*>(host.c_str()));
    }
    secure.set_verify_callback(asio::ssl::host_name_verification(host));
    auto [handshake_ec] = co_await secure.async_handshake(asio::ssl::stream_base::client, kAwait);
    if (handshake_ec) {
      failure = Error(handshake_ec == beast::error::timeout ? ErrorCode::kDeadlineExceeded
                                                            : ErrorCode::kUnavailable,
                      "TLS handshake with " + where + " failed: " + handshake_ec.message());
      co_return;
    }
    co_await Exchange(secure, out, parser, where, failure);
  };
  asio::co_spawn(ioc, run(), asio::detached);
  ioc.run();
  if (failure) return tl::unexpected(*failure);
  auto in = parser.release();
  Response response;
  response.status = static_cast<int>(in.result_int());
  for (const auto& field : in) {
    response.headers.push_back({std::string(field.name_string()), std::string(field.value())});
  }
  response.body = std::move(in.body());
  return response;
}

}  // namespace styrmin::http
