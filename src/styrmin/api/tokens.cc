#include "styrmin/api/tokens.h"

#include <string>
#include <utility>
#include <vector>

#include "styrmin/api/resolver_kit.h"
#include "styrmin/auth/auth.h"
#include "styrmin/storage/store_values.h"

namespace styrmin::api {
namespace {

using namespace internal;  // NOLINT(google-build-using-namespace): the resolvers' shared kit
using graphql::ExecutableSchema;
using graphql::FieldValue;
using graphql::ResolveInfo;
using storage::ApiToken;
using storage::Role;

// What createApiToken returns: the token and, once, its secret.
struct CreatedToken {
  ApiToken token;
  std::string secret;
};

Result<ApiToken> NewToken(const OrderedJson& input, const Clock& clock) {
  ApiToken token;
  token.name = input["name"].get<std::string>();
  if (token.name.empty()) return InvalidArgument("input.name must not be empty");
  const auto role = storage::ParseRole(Lower(input["role"].get<std::string>()), "input.role");
  if (!role) return tl::unexpected(role.error());
  token.role = *role;
  if (token.role == Role::kAgent) {
    return InvalidArgument("agent tokens are made with their cluster (createCluster)");
  }
  if (const OrderedJson* environments = Member(input, "environmentIds")) {
    for (const OrderedJson& id : *environments) {
      token.environment_ids.emplace_back(id.get<std::string>());
    }
  }
  if (token.role == Role::kAdmin && !token.environment_ids.empty()) {
    return InvalidArgument("admin tokens act on the whole installation: give no environmentIds");
  }
  token.id = TokenId(auth::GenerateId("t"));
  token.created_at = NowMillis(clock);
  return token;
}

}  // namespace

void BindTokens(ExecutableSchema& s, storage::Store& store, const Clock& clock) {
  BindOrDie(s, "Query", "apiTokens", [&store](const ResolveInfo& info) {
    if (auto denied = Deny(info, auth::Action::kAdminister)) return *denied;
    return OwnedListOrError(store.ListTokens());
  });
  BindAuditedMutation(s, store, clock, "createApiToken",
                      [&store, &clock](const ResolveInfo& info, std::string& target) {
                        if (auto denied = Deny(info, auth::Action::kAdminister)) return *denied;
                        auto token = NewToken(info.args()["input"], clock);
                        if (!token) return ErrorValue(token.error());
                        target = token->id.value();
                        CreatedToken created{std::move(*token), auth::GenerateSecret()};
                        created.token.secret_hash = auth::HashSecret(created.secret);
                        if (Status stored = store.CreateToken(created.token); !stored) {
                          return ErrorValue(stored.error());
                        }
                        return Owned(std::move(created));
                      });
  BindAuditedMutation(s, store, clock, "revokeApiToken",
                      [&store, &clock](const ResolveInfo& info, std::string& target) {
                        if (auto denied = Deny(info, auth::Action::kAdminister)) return *denied;
                        const TokenId id(info.args()["id"].get<std::string>());
                        target = id.value();
                        return OwnedOrError(store.RevokeToken(id, NowMillis(clock)));
                      });

  BindOrDie(s, "CreateApiTokenPayload", "token", [](const ResolveInfo& info) {
    return FieldValue::Object(&info.Parent<CreatedToken>().token);
  });
  BindOrDie(s, "CreateApiTokenPayload", "secret", [](const ResolveInfo& info) {
    return FieldValue::StringRef(info.Parent<CreatedToken>().secret);
  });
  BindOrDie(s, "ApiToken", "id", [](const ResolveInfo& info) {
    return FieldValue::StringRef(info.Parent<ApiToken>().id.value());
  });
  BindOrDie(s, "ApiToken", "name", [](const ResolveInfo& info) {
    return FieldValue::StringRef(info.Parent<ApiToken>().name);
  });
  BindOrDie(s, "ApiToken", "role", [](const ResolveInfo& info) {
    return EnumOf(storage::RoleName(info.Parent<ApiToken>().role));
  });
  BindOrDie(s, "ApiToken", "environmentIds", [](const ResolveInfo& info) {
    std::vector<FieldValue> ids;
    for (const EnvironmentId& id : info.Parent<ApiToken>().environment_ids) {
      ids.push_back(FieldValue::StringRef(id.value()));
    }
    return FieldValue::List(std::move(ids));
  });
  BindOrDie(s, "ApiToken", "createdAt",
            [](const ResolveInfo& info) { return Time(info.Parent<ApiToken>().created_at); });
  BindOrDie(s, "ApiToken", "revokedAt", [](const ResolveInfo& info) {
    const auto& at = info.Parent<ApiToken>().revoked_at;
    return at ? Time(*at) : FieldValue::Null();
  });
}

}  // namespace styrmin::api
