// What every Store implementation checks, writes and reads the same way, so that the backends
// cannot drift apart: the checks made before a write, the names enums are stored under, and
// reading back the JSON and timestamp columns. Internal to storage/; not part of the contract.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

#include "styrmin/core/json.h"
#include "styrmin/core/status.h"
#include "styrmin/storage/store.h"

namespace styrmin::storage {

// `text` in double quotes, as messages name values.
std::string Quoted(std::string_view text);

// kInvalidArgument "<what> must not be empty" when `value` is.
Status RequireNonEmpty(std::string_view value, std::string_view what);

// The checks that need no database, made before a store's transaction begins.
Status ValidateNewCluster(const Cluster& cluster, const ApiToken& agent_token);
Status ValidateNewEnvironment(const Environment& environment);
Status ValidateNewBackupLocation(const BackupStorageLocation& location);
Status ValidateNewToken(const ApiToken& token);
Status ValidateNewAuditEvent(const AuditEvent& event);
// `new_driver` too, though it is used only when the driver does not exist yet: whether a call
// is valid does not depend on what the database holds.
Status ValidateNewDriverVersion(const ApplicationDriverVersion& version,
                                const DriverId& new_driver);

// The checks of RecordDeploymentChange that need no database: non-empty ids, names and kinds,
// known phases, a progress within 0..1, and an instance and run that belong to the deployment
// (the run's environment only on create: an update keeps the stored one, checked in the
// transaction).
Status ValidateDeploymentChange(const DeploymentChange& change);

// The largest page the API serves, and the most rows one list call of the store reads: such a
// page and the row after it, which tells the API whether another page follows.
inline constexpr std::size_t kMaxPageSize = 500;
inline constexpr std::size_t kMaxListLimit = kMaxPageSize + 1;
inline constexpr std::size_t kMaxAuditLimit = kMaxListLimit;

// kInvalidArgument naming the limit when it is outside 1..kMaxListLimit.
Status ValidateAuditQuery(const AuditQuery& query);
Status ValidateDeploymentQuery(const DeploymentQuery& query);
Status ValidateRunQuery(const RunQuery& query);

// "running", "stopped", "deleted": the desired phases of a deployment (and its instances).
bool IsDeploymentPhase(std::string_view phase);

// The stored names back to a kind or role (KindName/RoleName, store.h, write them). Reading an
// unknown name is kInternal (the store wrote something it cannot read); `row` names the row.
Result<BackupLocationKind> ParseKind(std::string_view name, std::string_view row);
Result<Role> ParseRole(std::string_view name, std::string_view row);
Result<RunState> ParseRunState(std::string_view name, std::string_view row);
Result<StepState> ParseStepState(std::string_view name, std::string_view row);

// "debug", "info", "warning", "error": the levels of a run's log lines.
bool IsLogLevel(std::string_view level);
// The vocabularies of observed status (store.h, DeploymentStatus and PodStatus).
bool IsObservedPhase(std::string_view phase);
bool IsHealth(std::string_view health);
bool IsPodPhase(std::string_view phase);

// The checks of a status report that need no database.
Status ValidateDeploymentStatuses(const std::vector<DeploymentStatus>& statuses);
Status ValidatePodStatuses(const std::vector<PodStatus>& pods);

// A run's progress as stored: the shortest decimal text that reads back as the same double, so
// that it survives both databases exactly (SQLite prints a REAL with 15 digits, and PostgreSQL's
// REAL is single precision). ParseStoredProgress reads it back; anything else is kInternal.
std::string FormatProgress(double progress);
Result<double> ParseStoredProgress(std::string_view text, std::string_view row);

// Reads back a JSON or RFC 3339 column; a value that does not parse is kInternal naming `row`.
Result<Json> ParseStoredJson(std::string_view text, std::string_view row);
Result<Timestamp> ParseStoredTimestamp(std::string_view text, std::string_view row);

}  // namespace styrmin::storage
