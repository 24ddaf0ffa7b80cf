#include "styrmin/auth/auth.h"

#include <gtest/gtest.h>

#include <map>
#include <set>

namespace styrmin::auth {
namespace {

using storage::ApiToken;
using storage::Role;

// Tokens in a map; `down` makes every call fail as an unreachable database would.
class MapTokens final : public storage::TokenStore {
 public:
  Status CreateToken(const ApiToken& token) override {
    tokens_[token.secret_hash] = token;
    return OkStatus();
  }
  Result<ApiToken> FindTokenByHash(const std::string& hash) override {
    if (down) return Unavailable("database down");
    const auto it = tokens_.find(hash);
    if (it == tokens_.end()) return NotFound("no such token");
    return it->second;
  }
  Result<std::size_t> CountTokens() override { return tokens_.size(); }
  Result<std::vector<ApiToken>> ListTokens() override { return Unavailable("not needed here"); }
  Result<ApiToken> RevokeToken(const TokenId&, storage::Timestamp) override {
    return Unavailable("not needed here");
  }
  bool down = false;

 private:
  std::map<std::string, ApiToken> tokens_;
};

TEST(GenerateSecret, MakesDistinctUrlSafeSecretsOf256Bits) {
  std::set<std::string> seen;
  for (int i = 0; i < 100; ++i) {
    const std::string s = GenerateSecret();
    ASSERT_EQ(s.size(), 4U + 43U) << s;
    EXPECT_EQ(s.substr(0, 4), "stm_");
    EXPECT_EQ(
        s.find_first_not_of("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_", 4),
        std::string::npos);
    seen.insert(s);
  }
  EXPECT_EQ(seen.size(), 100U);
}

TEST(HashSecret, IsHexSha256) {
  EXPECT_EQ(HashSecret("abc"), "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
}

TEST(GenerateId, PrefixesRandomHex) {
  const std::string id = GenerateId("c");
  EXPECT_EQ(id.size(), 2U + 32U);
  EXPECT_EQ(id.substr(0, 2), "c-");
  EXPECT_NE(GenerateId("c"), id);
}

TEST(Authenticator, ResolvesABearerTokenToItsPrincipal) {
  MapTokens tokens;
  const std::string secret = GenerateSecret();
  ASSERT_TRUE(tokens
                  .CreateToken({.id = TokenId("t-1"),
                                .name = "agent of c-1",
                                .role = Role::kAgent,
                                .cluster_id = ClusterId("c-1"),
                                .secret_hash = HashSecret(secret)})
                  .has_value());
  Authenticator auth(tokens);
  auto principal = auth.Authenticate("Bearer " + secret);
  ASSERT_TRUE(principal.has_value()) << principal.error().ToString();
  EXPECT_EQ(principal->token_id, TokenId("t-1"));
  EXPECT_EQ(principal->role, Role::kAgent);
  EXPECT_EQ(principal->cluster_id, ClusterId("c-1"));
  EXPECT_TRUE(auth.Authenticate("bearer " + secret).has_value());  // the scheme ignores case
}

TEST(Authenticator, RefusesMissingMalformedAndUnknownTokens) {
  MapTokens tokens;
  Authenticator auth(tokens);
  for (const std::optional<std::string_view> header :
       {std::optional<std::string_view>(), std::optional<std::string_view>("Basic abc"),
        std::optional<std::string_view>("Bearer "),
        std::optional<std::string_view>("Bearer stm_nope")}) {
    auto principal = auth.Authenticate(header);
    ASSERT_FALSE(principal.has_value());
    EXPECT_EQ(principal.error().code(), ErrorCode::kUnauthenticated) << principal.error().message();
  }
  tokens.down = true;
  auto principal = auth.Authenticate("Bearer stm_x");
  ASSERT_FALSE(principal.has_value());
  EXPECT_EQ(principal.error().code(), ErrorCode::kUnavailable);
}

TEST(AuthorizeEnvironment, LimitsScopedTokensToTheirEnvironments) {
  Principal everywhere{TokenId("t"), "ops", Role::kOperator, std::nullopt, {}};
  EXPECT_TRUE(AuthorizeEnvironment(everywhere, EnvironmentId("e-1")));
  Principal scoped{TokenId("t"),
                   "team-a",
                   Role::kOperator,
                   std::nullopt,
                   {EnvironmentId("e-1"), EnvironmentId("e-2")}};
  EXPECT_TRUE(AuthorizeEnvironment(scoped, EnvironmentId("e-2")));
  const Status denied = AuthorizeEnvironment(scoped, EnvironmentId("e-3"));
  ASSERT_FALSE(denied);
  EXPECT_EQ(denied.error().code(), ErrorCode::kPermissionDenied);
  EXPECT_NE(denied.error().message().find("team-a"), std::string::npos);
}

TEST(Authorize, FollowsTheRoleTable) {
  const auto allowed = [](Role role, Action action) {
    return Authorize({TokenId("t"), "t", role, std::nullopt, {}}, action).has_value();
  };
  EXPECT_TRUE(allowed(Role::kAdmin, Action::kRead));
  EXPECT_TRUE(allowed(Role::kAdmin, Action::kAdminister));
  EXPECT_TRUE(allowed(Role::kAdmin, Action::kChangeDeployments));
  EXPECT_FALSE(allowed(Role::kAdmin, Action::kAgentProtocol));
  EXPECT_TRUE(allowed(Role::kOperator, Action::kChangeDeployments));
  EXPECT_FALSE(allowed(Role::kOperator, Action::kAdminister));
  EXPECT_TRUE(allowed(Role::kViewer, Action::kRead));
  EXPECT_FALSE(allowed(Role::kViewer, Action::kChangeDeployments));
  EXPECT_FALSE(allowed(Role::kAgent, Action::kRead));
  EXPECT_TRUE(allowed(Role::kAgent, Action::kAgentProtocol));
  const auto denied =
      Authorize({TokenId("t"), "ci", Role::kViewer, std::nullopt, {}}, Action::kAdminister);
  ASSERT_FALSE(denied.has_value());
  EXPECT_EQ(denied.error().code(), ErrorCode::kPermissionDenied);
  EXPECT_NE(denied.error().message().find("\"ci\" has role viewer"), std::string::npos);
}

}  // namespace
}  // namespace styrmin::auth
