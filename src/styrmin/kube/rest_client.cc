#include "styrmin/kube/rest_client.h"

#include <curl/curl.h>

#include "styrmin/core/json.h"

namespace styrmin::kube {
namespace {

std::once_flag curl_init;

std::size_t AppendBody(char* data, std::size_t size, std::size_t count, void* user) {
  static_cast<std::string*>(user)->append(data, size * count);
  return size * count;
}

const char* MethodName(HttpMethod m) {
  switch (m) {
    case HttpMethod::kGet:
      return "GET";
    case HttpMethod::kPost:
      return "POST";
    case HttpMethod::kPut:
      return "PUT";
    case HttpMethod::kPatch:
      return "PATCH";
    case HttpMethod::kDelete:
      return "DELETE";
  }
  return "GET";
}

void SetBlob(CURL* curl, CURLoption option, std::string& bytes) {
  curl_blob blob{bytes.data(), bytes.size(), CURL_BLOB_NOCOPY};
  curl_easy_setopt(curl, option, &blob);
}

}  // namespace

Status StatusFromResponse(const HttpResponse& response, std::string_view what) {
  if (response.status >= 200 && response.status < 300) return OkStatus();
  // The API server answers errors with a Status object whose `message` says why.
  std::string message = response.body;
  std::string reason;
  if (auto parsed = ParseJson(response.body); parsed && parsed->is_object()) {
    if (auto m = GetString(*parsed, "message"); m) message = *std::move(m);
    if (auto r = GetString(*parsed, "reason"); r) reason = *std::move(r);
  }
  std::string text =
      std::string(what) + ": HTTP " + std::to_string(response.status) + ": " + message;
  switch (response.status) {
    case 400:
    case 422:
      return InvalidArgument(std::move(text));
    case 401:
      return Unauthenticated(std::move(text));
    case 403:
      return PermissionDenied(std::move(text));
    case 404:
      return NotFound(std::move(text));
    case 409:
      // 409 is both "already exists" and a resourceVersion conflict; the reason tells which.
      if (reason == "AlreadyExists") return AlreadyExists(std::move(text));
      return FailedPrecondition(std::move(text));
    case 429:
    case 500:
    case 502:
    case 503:
    case 504:
      return Unavailable(std::move(text));
    default:
      return Internal(std::move(text));
  }
}

Result<std::unique_ptr<CurlRestClient>> CurlRestClient::Create(const ClusterAccess& access,
                                                               std::chrono::milliseconds timeout) {
  std::call_once(curl_init, [] { curl_global_init(CURL_GLOBAL_DEFAULT); });
  std::unique_ptr<CurlRestClient> client(new CurlRestClient());
  client->server_ = access.server;
  client->insecure_ = access.insecure_skip_tls_verify;
  client->timeout_ = timeout;
  STYRMIN_ASSIGN_OR_RETURN(client->ca_, ReadMaterial(access.certificate_authority));
  STYRMIN_ASSIGN_OR_RETURN(client->cert_, ReadMaterial(access.client_certificate));
  STYRMIN_ASSIGN_OR_RETURN(client->key_, ReadMaterial(access.client_key));
  STYRMIN_ASSIGN_OR_RETURN(std::string token, ReadMaterial(access.token));
  while (!token.empty() && (token.back() == '\n' || token.back() == '\r')) token.pop_back();
  if (token.find_first_of("\r\n") != std::string::npos) {
    return InvalidArgument("bearer token contains a line break");
  }
  if (!token.empty()) client->authorization_ = "Authorization: Bearer " + token;
  client->curl_ = curl_easy_init();
  if (client->curl_ == nullptr) return Internal("curl_easy_init failed");
  return client;
}

CurlRestClient::~CurlRestClient() {
  if (curl_ != nullptr) curl_easy_cleanup(static_cast<CURL*>(curl_));
}

Result<HttpResponse> CurlRestClient::Send(HttpMethod method, std::string_view path,
                                          std::string_view body, std::string_view content_type) {
  if (content_type.find_first_of("\r\n") != std::string_view::npos ||
      path.find_first_of("\r\n ") != std::string_view::npos) {
    return InvalidArgument("request path or content type contains a line break or space");
  }
  std::lock_guard lock(mutex_);
  CURL* curl = static_cast<CURL*>(curl_);
  curl_easy_reset(curl);
  const std::string url = server_ + std::string(path);
  HttpResponse response;
  curl_easy_setopt(curl, CURLOPT_URL, url.c_str());
  curl_easy_setopt(curl, CURLOPT_CUSTOMREQUEST, MethodName(method));
  curl_easy_setopt(curl, CURLOPT_WRITEFUNCTION, &AppendBody);
  curl_easy_setopt(curl, CURLOPT_WRITEDATA, &response.body);
  curl_easy_setopt(curl, CURLOPT_TIMEOUT_MS, static_cast<long>(timeout_.count()));
  curl_easy_setopt(curl, CURLOPT_NOSIGNAL, 1L);
  curl_easy_setopt(curl, CURLOPT_PROTOCOLS_STR, "http,https");
  if (!ca_.empty()) SetBlob(curl, CURLOPT_CAINFO_BLOB, ca_);
  if (!cert_.empty()) SetBlob(curl, CURLOPT_SSLCERT_BLOB, cert_);
  if (!key_.empty()) SetBlob(curl, CURLOPT_SSLKEY_BLOB, key_);
  if (insecure_) {
    curl_easy_setopt(curl, CURLOPT_SSL_VERIFYPEER, 0L);
    curl_easy_setopt(curl, CURLOPT_SSL_VERIFYHOST, 0L);
  }
  curl_slist* headers = curl_slist_append(nullptr, "Accept: application/json");
  if (!authorization_.empty()) headers = curl_slist_append(headers, authorization_.c_str());
  std::string content_header;
  if (!body.empty()) {
    content_header = "Content-Type: " + std::string(content_type);
    headers = curl_slist_append(headers, content_header.c_str());
    curl_easy_setopt(curl, CURLOPT_POSTFIELDS, body.data());
    curl_easy_setopt(curl, CURLOPT_POSTFIELDSIZE_LARGE, static_cast<curl_off_t>(body.size()));
  }
  curl_easy_setopt(curl, CURLOPT_HTTPHEADER, headers);
  const CURLcode rc = curl_easy_perform(curl);
  curl_slist_free_all(headers);
  if (rc == CURLE_OPERATION_TIMEDOUT) {
    return DeadlineExceeded(std::string(MethodName(method)) + " " + url + ": timed out after " +
                            std::to_string(timeout_.count()) + " ms");
  }
  if (rc != CURLE_OK) {
    return Unavailable(std::string(MethodName(method)) + " " + url + ": " + curl_easy_strerror(rc));
  }
  curl_easy_getinfo(curl, CURLINFO_RESPONSE_CODE, &response.status);
  return response;
}

}  // namespace styrmin::kube
