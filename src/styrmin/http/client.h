// A blocking HTTP/1.1 client for loopback and LAN use (tests, styrminctl): one request per
// connection, bounded by a deadline.
//
// Thread-safety: Fetch is a free function with no shared state; call it from any thread.
#pragma once

#include <chrono>
#include <cstdint>
#include <string>

#include "styrmin/core/status.h"
#include "styrmin/http/message.h"

namespace styrmin::http {

// Sends `request` to host:port and returns the response, whatever its status. kUnavailable
// when the server cannot be reached or the connection breaks, kDeadlineExceeded when the
// exchange takes longer than `timeout`. A Host header is added when the request has none.
Result<Response> Fetch(const std::string& host, std::uint16_t port, Request request,
                       std::chrono::milliseconds timeout = std::chrono::seconds(30));

}  // namespace styrmin::http
