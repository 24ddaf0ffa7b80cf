#include "styrmin/kube/rest_client.h"

#include <arpa/inet.h>
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

namespace styrmin::kube {
namespace {

// A loopback port that nothing listens on: bound, read back, closed.
int ClosedLoopbackPort() {
  int fd = socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  EXPECT_EQ(bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr), 0);
  socklen_t len = sizeof addr;
  getsockname(fd, reinterpret_cast<sockaddr*>(&addr), &len);
  close(fd);
  return ntohs(addr.sin_port);
}

TEST(CurlRestClient, AClusterThatIsDownIsUnavailable) {
  ClusterAccess access;
  access.server = "http://127.0.0.1:" + std::to_string(ClosedLoopbackPort());
  auto client = CurlRestClient::Create(access, std::chrono::seconds(5));
  ASSERT_TRUE(client) << client.error().ToString();
  RestClient& rest = **client;
  auto response = rest.Send(HttpMethod::kGet, "/readyz");
  ASSERT_FALSE(response);
  EXPECT_EQ(response.error().code(), ErrorCode::kUnavailable);
  EXPECT_NE(response.error().message().find("/readyz"), std::string::npos);
}

TEST(CurlRestClient, CreationFailsWhenACredentialFileIsMissing) {
  ClusterAccess access;
  access.server = "https://127.0.0.1:1";
  access.client_certificate.file = "/nonexistent/admin.crt";
  access.client_key.file = "/nonexistent/admin.key";
  auto client = CurlRestClient::Create(access);
  ASSERT_FALSE(client);
  EXPECT_EQ(client.error().code(), ErrorCode::kNotFound);
}

TEST(CurlRestClient, RefusesHeaderInjection) {
  ClusterAccess access;
  access.server = "http://127.0.0.1:1";
  access.token.data = "abc\r\nX-Evil: 1";
  auto client = CurlRestClient::Create(access);
  ASSERT_FALSE(client);
  EXPECT_EQ(client.error().code(), ErrorCode::kInvalidArgument);
  access.token.data = "abc";
  auto ok = CurlRestClient::Create(access);
  ASSERT_TRUE(ok);
  RestClient& rest = **ok;
  auto sent = rest.Send(HttpMethod::kPost, "/api", "{}", "application/json\r\nX-Evil: 1");
  ASSERT_FALSE(sent);
  EXPECT_EQ(sent.error().code(), ErrorCode::kInvalidArgument);
}

TEST(StatusFromResponse, MapsApiServerErrorsToCodesWithTheirMessage) {
  EXPECT_TRUE(StatusFromResponse({200, "{}"}, "get"));
  EXPECT_TRUE(StatusFromResponse({201, "{}"}, "create"));
  auto not_found = StatusFromResponse(
      {404, R"({"kind":"Status","message":"namespaces \"x\" not found"})"}, "get namespace x");
  ASSERT_FALSE(not_found);
  EXPECT_EQ(not_found.error().code(), ErrorCode::kNotFound);
  EXPECT_EQ(not_found.error().message(), "get namespace x: HTTP 404: namespaces \"x\" not found");
  EXPECT_EQ(StatusFromResponse({409, R"({"reason":"AlreadyExists"})"}, "c").error().code(),
            ErrorCode::kAlreadyExists);
  EXPECT_EQ(StatusFromResponse({409, R"({"reason":"Conflict","message":"object was modified"})"},
                               "update")
                .error()
                .code(),
            ErrorCode::kFailedPrecondition)
      << "a resourceVersion conflict is not \"already exists\"";
  EXPECT_EQ(StatusFromResponse({422, "{}"}, "c").error().code(), ErrorCode::kInvalidArgument);
  EXPECT_EQ(StatusFromResponse({403, "{}"}, "c").error().code(), ErrorCode::kPermissionDenied);
  EXPECT_EQ(StatusFromResponse({401, "{}"}, "c").error().code(), ErrorCode::kUnauthenticated);
  EXPECT_EQ(StatusFromResponse({503, "not json"}, "c").error().message(), "c: HTTP 503: not json");
}

}  // namespace
}  // namespace styrmin::kube
