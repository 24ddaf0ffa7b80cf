// Who is calling and what they may do.
//
// API tokens are random secrets shown once at creation; only their SHA-256 is stored, so a
// leaked database does not leak tokens. A bearer token resolves to a Principal (the token's
// name, role and, for agent tokens, their cluster); Authorize decides each action by role:
//
//   action                         admin  operator  viewer  agent
//   read                             x       x        x      (own cluster only, later)
//   change deployments               x       x
//   administer (clusters, envs,      x
//   locations, tokens)
//   agent protocol                                           x
//
// Operator and viewer tokens may be limited to some environments (AuthorizeEnvironment).
//
// Thread-safety: Authenticator is thread-safe when its TokenStore is.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "styrmin/core/status.h"
#include "styrmin/storage/store.h"

namespace styrmin::auth {

// A new token secret: "stm_" followed by 43 base64url characters (256 random bits).
std::string GenerateSecret();
// Lowercase hex SHA-256 of `secret`, the form the store keeps.
std::string HashSecret(std::string_view secret);
// A new random id with a readable prefix ("c-3f9a…"): 16 random bytes in hex.
std::string GenerateId(std::string_view prefix);

struct Principal {
  TokenId token_id;
  std::string name;
  storage::Role role = storage::Role::kViewer;
  std::optional<ClusterId> cluster_id;
  // The environments an operator or viewer token is limited to; empty: all of them.
  std::vector<EnvironmentId> environment_ids;
};

enum class Action { kRead, kChangeDeployments, kAdminister, kAgentProtocol };

// kPermissionDenied naming the role and the action when `principal` may not do `action`.
Status Authorize(const Principal& principal, Action action);
// kPermissionDenied when `principal` is limited to environments and `environment` is not one
// of them. Reads and changes of an environment's deployments and runs check it.
Status AuthorizeEnvironment(const Principal& principal, const EnvironmentId& environment);

class Authenticator final {
 public:
  explicit Authenticator(storage::TokenStore& tokens) : tokens_(tokens) {}

  // The principal of an Authorization header ("Bearer stm_…"); kUnauthenticated when it is
  // missing, malformed or names no token; kUnavailable when the store cannot be reached.
  Result<Principal> Authenticate(std::optional<std::string_view> authorization) const;

 private:
  storage::TokenStore& tokens_;
};

}  // namespace styrmin::auth
