// A blocking HTTP/1.1 client for loopback and LAN use (tests, styrminctl): one request per
// connection, bounded by a deadline, optionally over TLS.
//
// Thread-safety: Fetch is a free function with no shared state; call it from any thread.
#pragma once

#include <chrono>
#include <cstdint>
#include <string>

#include "styrmin/core/status.h"
#include "styrmin/http/message.h"

namespace styrmin::http {

struct FetchOptions {
  std::chrono::milliseconds timeout{30'000};  // for the whole exchange
  bool tls = false;
  // TLS: the PEM file of the certificate authorities to trust; empty for the system's. The
  // server's certificate must also name `host`.
  std::string ca_file;
};

// Sends `request` to host:port and returns the response, whatever its status. kUnavailable
// when the server cannot be reached, the connection breaks or TLS verification fails,
// kDeadlineExceeded when the exchange takes longer than the timeout. A Host header is added
// when the request has none.
Result<Response> Fetch(const std::string& host, std::uint16_t port, Request request,
                       const FetchOptions& options);
inline Result<Response> Fetch(const std::string& host, std::uint16_t port, Request request,
                              std::chrono::milliseconds timeout = std::chrono::seconds(30)) {
  FetchOptions options;
  options.timeout = timeout;
  return Fetch(host, port, std::move(request), options);
}

}  // namespace styrmin::http
