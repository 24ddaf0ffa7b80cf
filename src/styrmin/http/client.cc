#include "styrmin/http/client.h"

#include <boost/asio/connect.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/core/tcp_stream.hpp>
#include <boost/beast/http/parser.hpp>
#include <boost/beast/http/read.hpp>
#include <boost/beast/http/string_body.hpp>
#include <boost/beast/http/write.hpp>
#include <optional>
#include <utility>

namespace styrmin::http {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace bhttp = boost::beast::http;
using tcp = asio::ip::tcp;

Result<Response> Fetch(const std::string& host, std::uint16_t port, Request request,
                       std::chrono::milliseconds timeout) {
  asio::io_context ioc;
  beast::tcp_stream stream(ioc);
  const std::string where = host + ":" + std::to_string(port);
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

  beast::flat_buffer buffer;
  bhttp::response_parser<bhttp::string_body> parser;
  parser.body_limit(std::numeric_limits<std::uint64_t>::max());
  std::optional<Error> failure;
  const auto fail = [&](std::string_view what, const boost::system::error_code& ec) {
    if (!failure) {
      failure = Error(
          ec == beast::error::timeout ? ErrorCode::kDeadlineExceeded : ErrorCode::kUnavailable,
          std::string(what) + " " + where + ": " + ec.message());
    }
  };

  tcp::resolver resolver(ioc);
  boost::system::error_code ec;
  const auto endpoints = resolver.resolve(host, std::to_string(port), ec);
  if (ec) return Unavailable("cannot resolve " + where + ": " + ec.message());
  stream.expires_after(timeout);  // one deadline for the whole exchange
  stream.async_connect(endpoints, [&](const boost::system::error_code& connect_ec,
                                      const tcp::endpoint&) {
    if (connect_ec) return fail("cannot connect to", connect_ec);
    bhttp::async_write(stream, out, [&](const boost::system::error_code& write_ec, std::size_t) {
      if (write_ec) return fail("cannot send the request to", write_ec);
      bhttp::async_read(stream, buffer, parser,
                        [&](const boost::system::error_code& read_ec, std::size_t) {
                          if (read_ec) fail("cannot read the response from", read_ec);
                        });
    });
  });
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
