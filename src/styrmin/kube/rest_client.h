// HTTP access to a Kubernetes API server, authenticated as a kubeconfig says.
//
// `RestClient` is the I/O seam: raw requests in, status and body out. Typed operations
// (apply, watch, exec) build on it in later layers. Transport failures are `kUnavailable`
// (retryable) or `kDeadlineExceeded`; HTTP error statuses are returned as responses, and
// `StatusFromResponse` maps them to error codes where a caller wants that.
//
// Thread-safety: `CurlRestClient` serialises requests on one connection under `mutex_`.
#pragma once

#include <chrono>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>

#include "styrmin/core/status.h"
#include "styrmin/kube/kubeconfig.h"

namespace styrmin::kube {

enum class HttpMethod { kGet, kPost, kPut, kPatch, kDelete };

struct HttpResponse {
  long status = 0;
  std::string body;
};

class RestClient {
 public:
  virtual ~RestClient() = default;
  // `path` starts with "/" and is relative to the server URL. `content_type` is sent when
  // `body` is not empty.
  virtual Result<HttpResponse> Send(HttpMethod method, std::string_view path,
                                    std::string_view body = {},
                                    std::string_view content_type = "application/json") = 0;
};

// Maps a non-2xx response to an error carrying the API server's message; 2xx is OK.
Status StatusFromResponse(const HttpResponse& response, std::string_view what);

class CurlRestClient final : public RestClient {
 public:
  // Reads the credentials of `access` once, here; fails if a file cannot be read.
  static Result<std::unique_ptr<CurlRestClient>> Create(
      const ClusterAccess& access, std::chrono::milliseconds timeout = std::chrono::seconds(30));
  ~CurlRestClient() override;
  CurlRestClient(const CurlRestClient&) = delete;
  CurlRestClient& operator=(const CurlRestClient&) = delete;

  Result<HttpResponse> Send(HttpMethod method, std::string_view path, std::string_view body,
                            std::string_view content_type) override;

 private:
  CurlRestClient() = default;

  std::string server_;
  std::string ca_;
  std::string cert_;
  std::string key_;
  std::string authorization_;  // "Authorization: Bearer ..." or empty
  bool insecure_ = false;
  std::chrono::milliseconds timeout_{0};

  std::mutex mutex_;
  void* curl_ = nullptr;  // CURL*, guarded by mutex_
};

}  // namespace styrmin::kube
