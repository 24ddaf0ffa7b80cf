#include "styrmin/auth/auth.h"

#include <openssl/evp.h>
#include <openssl/rand.h>

#include <array>
#include <cstdint>

#include "styrmin/core/base64.h"

namespace styrmin::auth {

namespace {

template <std::size_t N>
std::array<unsigned char, N> RandomBytes() {
  std::array<unsigned char, N> out{};
  STYRMIN_CHECK(RAND_bytes(out.data(), static_cast<int>(out.size())) == 1,
                "the system's random number generator works");
  return out;
}

std::string Hex(const unsigned char* data, std::size_t size) {
  static constexpr char kHex[] = "0123456789abcdef";
  std::string out;
  out.reserve(size * 2);
  for (std::size_t i = 0; i < size; ++i) {
    out += kHex[data[i] >> 4];
    out += kHex[data[i] & 0xF];
  }
  return out;
}

}  // namespace

std::string GenerateSecret() {
  const auto bytes = RandomBytes<32>();
  // base64url without padding: 256 bits in 43 characters.
  return "stm_" +
         EncodeBase64(std::string_view(reinterpret_cast<const char*>(bytes.data()), bytes.size()),
                      Base64Alphabet::kUrl);
}

std::string HashSecret(std::string_view secret) {
  unsigned char digest[EVP_MAX_MD_SIZE];
  unsigned int size = 0;
  STYRMIN_CHECK(EVP_Digest(secret.data(), secret.size(), digest, &size, EVP_sha256(), nullptr) == 1,
                "SHA-256 is available");
  return Hex(digest, size);
}

std::string GenerateId(std::string_view prefix) {
  const auto bytes = RandomBytes<16>();
  return std::string(prefix) + "-" + Hex(bytes.data(), bytes.size());
}

Status Authorize(const Principal& principal, Action action) {
  using storage::Role;
  bool allowed = false;
  std::string_view what;
  switch (action) {
    case Action::kRead:
      allowed = principal.role != Role::kAgent;
      what = "read this";
      break;
    case Action::kChangeDeployments:
      allowed = principal.role == Role::kAdmin || principal.role == Role::kOperator;
      what = "change deployments";
      break;
    case Action::kAdminister:
      allowed = principal.role == Role::kAdmin;
      what = "administer clusters, environments, backup locations and tokens";
      break;
    case Action::kAgentProtocol:
      allowed = principal.role == Role::kAgent;
      what = "act as an agent";
      break;
  }
  if (allowed) return OkStatus();
  return PermissionDenied("token \"" + principal.name + "\" has role " +
                          std::string(storage::RoleName(principal.role)) + ", which may not " +
                          std::string(what));
}

Status AuthorizeEnvironment(const Principal& principal, const EnvironmentId& environment) {
  if (principal.environment_ids.empty()) return OkStatus();
  for (const EnvironmentId& allowed : principal.environment_ids) {
    if (allowed == environment) return OkStatus();
  }
  return PermissionDenied("token \"" + principal.name +
                          "\" is limited to other environments than " + environment.value());
}

Result<Principal> Authenticator::Authenticate(std::optional<std::string_view> authorization) const {
  if (!authorization) return Unauthenticated("no Authorization header; send \"Bearer <token>\"");
  constexpr std::string_view kBearer = "Bearer ";
  std::string_view value = *authorization;
  if (value.size() <= kBearer.size() ||
      !std::equal(kBearer.begin(), kBearer.end(), value.begin(), [](char a, char b) {
        return std::tolower(static_cast<unsigned char>(a)) ==
               std::tolower(static_cast<unsigned char>(b));
      })) {
    return Unauthenticated("the Authorization header must be \"Bearer <token>\"");
  }
  value.remove_prefix(kBearer.size());
  auto token = tokens_.FindTokenByHash(HashSecret(value));
  if (!token) {
    if (token.error().code() == ErrorCode::kNotFound) {
      return Unauthenticated("the bearer token is not valid");
    }
    return tl::unexpected(token.error());
  }
  return Principal{token->id, token->name, token->role, token->cluster_id, token->environment_ids};
}

}  // namespace styrmin::auth
