// HTTP requests and responses as the server hands them to handlers and the client returns
// them: plain values, no networking types.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace styrmin::http {

struct Header {
  std::string name;
  std::string value;
};

// The first value of the header called `name` (ASCII case-insensitive), or nullopt.
std::optional<std::string_view> FindHeader(const std::vector<Header>& headers,
                                           std::string_view name);

struct Request {
  std::string method;  // "GET", as sent
  std::string target;  // "/graphql?query=%7B...", as sent
  std::vector<Header> headers;
  std::string body;

  // The target before '?', and after it (without the '?'; empty when there is none).
  std::string_view path() const;
  std::string_view query() const;
  std::optional<std::string_view> header(std::string_view name) const {
    return FindHeader(headers, name);
  }
};

struct Response {
  int status = 200;
  std::vector<Header> headers;
  std::string body;

  std::optional<std::string_view> header(std::string_view name) const {
    return FindHeader(headers, name);
  }
  // A response with `body` of `content_type`.
  static Response Of(int status, std::string body,
                     std::string content_type = "text/plain; charset=utf-8");
};

// The decoded value of each `name=value` pair of an application/x-www-form-urlencoded query
// (`+` is a space, %XX a byte); nullopt when a %-escape is malformed.
std::optional<std::vector<std::pair<std::string, std::string>>> ParseQuery(std::string_view query);

// "%7B%20a%20%7D" for "{ a }": every byte but unreserved characters escaped.
std::string PercentEncode(std::string_view text);

// The reason phrase of a status code ("Not Found"); "Unknown" for codes it does not know.
std::string_view ReasonPhrase(int status);

}  // namespace styrmin::http
