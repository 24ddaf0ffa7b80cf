#include "styrmin/storage/store_values.h"

#include <string>

#include "styrmin/storage/rfc3339.h"

namespace styrmin::storage {
namespace {

// A row the store wrote but cannot read back is damage or a bug, not the caller's mistake.
Error Corrupt(std::string_view row, const Error& error) {
  return Error(ErrorCode::kInternal, std::string(row) + ": stored " + error.message());
}

}  // namespace

std::string Quoted(std::string_view text) { return "\"" + std::string(text) + "\""; }

Status RequireNonEmpty(std::string_view value, std::string_view what) {
  if (value.empty()) return InvalidArgument(std::string(what) + " must not be empty");
  return OkStatus();
}

Status ValidateNewCluster(const Cluster& cluster, const ApiToken& agent_token) {
  STYRMIN_RETURN_IF_ERROR(RequireNonEmpty(cluster.id.value(), "cluster id"));
  STYRMIN_RETURN_IF_ERROR(RequireNonEmpty(cluster.name, "cluster name"));
  STYRMIN_RETURN_IF_ERROR(ValidateNewToken(agent_token));
  if (agent_token.role != Role::kAgent || agent_token.cluster_id != cluster.id) {
    return InvalidArgument("the token created with cluster " + Quoted(cluster.name) +
                           " must be an agent token for that cluster");
  }
  return OkStatus();
}

Status ValidateNewEnvironment(const Environment& environment) {
  STYRMIN_RETURN_IF_ERROR(RequireNonEmpty(environment.id.value(), "environment id"));
  return RequireNonEmpty(environment.name, "environment name");
}

Status ValidateNewBackupLocation(const BackupStorageLocation& location) {
  STYRMIN_RETURN_IF_ERROR(RequireNonEmpty(location.id.value(), "backup storage location id"));
  return RequireNonEmpty(location.name, "backup storage location name");
}

Status ValidateNewToken(const ApiToken& token) {
  STYRMIN_RETURN_IF_ERROR(RequireNonEmpty(token.id.value(), "API token id"));
  STYRMIN_RETURN_IF_ERROR(RequireNonEmpty(token.name, "API token name"));
  return RequireNonEmpty(token.secret_hash, "API token secret hash");
}

Status ValidateNewAuditEvent(const AuditEvent& event) {
  STYRMIN_RETURN_IF_ERROR(RequireNonEmpty(event.actor, "audit event actor"));
  STYRMIN_RETURN_IF_ERROR(RequireNonEmpty(event.action, "audit event action"));
  return RequireNonEmpty(event.outcome, "audit event outcome");
}

Status ValidateNewDriverVersion(const ApplicationDriverVersion& version,
                                const DriverId& new_driver) {
  STYRMIN_RETURN_IF_ERROR(RequireNonEmpty(version.id.value(), "driver version id"));
  STYRMIN_RETURN_IF_ERROR(RequireNonEmpty(version.driver_name, "driver name"));
  STYRMIN_RETURN_IF_ERROR(RequireNonEmpty(version.version, "driver version"));
  STYRMIN_RETURN_IF_ERROR(RequireNonEmpty(version.digest, "driver version digest"));
  return RequireNonEmpty(new_driver.value(), "new driver id");
}

Status ValidateAuditQuery(const AuditQuery& query) {
  if (query.limit < 1 || query.limit > kMaxAuditLimit) {
    return InvalidArgument("audit limit " + std::to_string(query.limit) + " is outside 1.." +
                           std::to_string(kMaxAuditLimit));
  }
  return OkStatus();
}

std::string_view KindName(BackupLocationKind kind) {
  switch (kind) {
    case BackupLocationKind::kS3:
      return "s3";
    case BackupLocationKind::kFilesystem:
      return "filesystem";
  }
  STYRMIN_CHECK(false, "a BackupLocationKind outside its enumerators");
}

Result<BackupLocationKind> ParseKind(std::string_view name, std::string_view row) {
  if (name == "s3") return BackupLocationKind::kS3;
  if (name == "filesystem") return BackupLocationKind::kFilesystem;
  return Internal(std::string(row) + ": stored unknown kind " + Quoted(name));
}

std::string_view RoleName(Role role) {
  switch (role) {
    case Role::kAdmin:
      return "admin";
    case Role::kOperator:
      return "operator";
    case Role::kViewer:
      return "viewer";
    case Role::kAgent:
      return "agent";
  }
  STYRMIN_CHECK(false, "a Role outside its enumerators");
}

Result<Role> ParseRole(std::string_view name, std::string_view row) {
  if (name == "admin") return Role::kAdmin;
  if (name == "operator") return Role::kOperator;
  if (name == "viewer") return Role::kViewer;
  if (name == "agent") return Role::kAgent;
  return Internal(std::string(row) + ": stored unknown role " + Quoted(name));
}

Result<Json> ParseStoredJson(std::string_view text, std::string_view row) {
  auto json = ParseJson(text);
  if (!json) return tl::unexpected(Corrupt(row, json.error()));
  return json;
}

Result<Timestamp> ParseStoredTimestamp(std::string_view text, std::string_view row) {
  auto timestamp = ParseRfc3339(text);
  if (!timestamp) return tl::unexpected(Corrupt(row, timestamp.error()));
  return timestamp;
}

}  // namespace styrmin::storage
