// What the server keeps, behind one interface per aggregate. Two implementations share one
// contract test suite: SQLite (the embedded default) and PostgreSQL.
//
// Every method is one transaction: it either changes everything it says or nothing. Expected
// failures are values: kNotFound for an unknown id, kAlreadyExists for a taken name,
// kInvalidArgument for input that breaks a rule the store checks (empty names, a reference to
// a row that does not exist), kUnavailable when the database cannot be reached.
//
// Thread-safety: a Store may be used from many threads at once.
#pragma once

#include <chrono>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "styrmin/core/ids.h"
#include "styrmin/core/json.h"
#include "styrmin/core/status.h"

namespace styrmin::storage {

using Timestamp = std::chrono::system_clock::time_point;

struct Cluster {
  ClusterId id;
  std::string name;  // unique
  Json config = Json::object();
  Timestamp created_at;
};

struct Environment {
  EnvironmentId id;
  std::string name;  // unique within its cluster
  ClusterId cluster_id;
  Json config = Json::object();  // overrides the cluster's
  std::optional<BackupStorageLocationId> backup_location_id;
  Timestamp created_at;
};

enum class BackupLocationKind { kS3, kFilesystem };
// "s3", "filesystem": how a kind is stored and named in messages.
std::string_view KindName(BackupLocationKind kind);

struct BackupStorageLocation {
  BackupStorageLocationId id;
  std::string name;  // unique
  BackupLocationKind kind = BackupLocationKind::kS3;
  std::string endpoint;  // kS3
  std::string bucket;    // kS3
  std::string region;    // kS3
  std::string path;      // kFilesystem: a directory; kS3: a key prefix
  // Write-only for API clients. The server seals it before storing (api/secrets.h: a sealed
  // JSON string, or an empty object for none); the store keeps it as given.
  Json credentials = Json::object();
  Timestamp created_at;
};

enum class Role { kAdmin, kOperator, kViewer, kAgent };
// "admin", "operator", "viewer", "agent": how a role is stored and named in messages.
std::string_view RoleName(Role role);

struct ApiToken {
  TokenId id;
  std::string name;
  Role role = Role::kViewer;
  std::optional<ClusterId> cluster_id{};  // agent tokens act for this cluster only
  // Operator and viewer tokens may be limited to these environments; empty: all of them.
  std::vector<EnvironmentId> environment_ids{};
  std::string secret_hash;  // hex SHA-256 of the secret; the secret is never kept
  Timestamp created_at{};
  std::optional<Timestamp> revoked_at{};  // a revoked token authenticates no more
};

class ClusterStore {
 public:
  virtual ~ClusterStore() = default;
  // Stores `cluster` (its id and created_at are set by the caller) with the agent token made
  // for it, in one transaction.
  virtual Status CreateCluster(const Cluster& cluster, const ApiToken& agent_token) = 0;
  virtual Result<Cluster> GetCluster(const ClusterId& id) = 0;
  virtual Result<std::vector<Cluster>> ListClusters() = 0;  // by name
};

class EnvironmentStore {
 public:
  virtual ~EnvironmentStore() = default;
  // kInvalidArgument when the cluster or the backup location does not exist.
  virtual Status CreateEnvironment(const Environment& environment) = 0;
  virtual Result<Environment> GetEnvironment(const EnvironmentId& id) = 0;
  // By cluster name, then name; only `cluster`'s when given.
  virtual Result<std::vector<Environment>> ListEnvironments(
      const std::optional<ClusterId>& cluster) = 0;
};

class BackupLocationStore {
 public:
  virtual ~BackupLocationStore() = default;
  virtual Status CreateBackupLocation(const BackupStorageLocation& location) = 0;
  virtual Result<BackupStorageLocation> GetBackupLocation(const BackupStorageLocationId& id) = 0;
  virtual Result<std::vector<BackupStorageLocation>> ListBackupLocations() = 0;  // by name
};

class TokenStore {
 public:
  virtual ~TokenStore() = default;
  // kInvalidArgument when its cluster or one of its environments does not exist.
  virtual Status CreateToken(const ApiToken& token) = 0;
  // The token whose secret hashes to `secret_hash` and that is not revoked; kNotFound when
  // none is.
  virtual Result<ApiToken> FindTokenByHash(const std::string& secret_hash) = 0;
  // Every token, revoked ones included (they count too: a database that had tokens never gets
  // a new bootstrap admin).
  virtual Result<std::size_t> CountTokens() = 0;
  // Every token but agent tokens (those come and go with their clusters), by creation, oldest
  // first.
  virtual Result<std::vector<ApiToken>> ListTokens() = 0;
  // Marks the token revoked at `now` and returns it; a revoked token stays as it was.
  // kNotFound for an unknown id; kFailedPrecondition for an agent token (revoked with its
  // cluster) or for the last admin token that is not revoked (nobody could administer).
  virtual Result<ApiToken> RevokeToken(const TokenId& id, Timestamp now) = 0;
};

// Facts about the installation as a whole, each written once.
class SettingsStore {
 public:
  virtual ~SettingsStore() = default;
  // Stores `value` under `name` unless a value is there already, and returns the stored value:
  // `value`, or the earlier one. Concurrent callers agree on one value. kInvalidArgument for
  // an empty name.
  virtual Result<std::string> RecordSetting(const std::string& name, const std::string& value,
                                            Timestamp now) = 0;
};

// A named application driver ("infrahub"); its versions hold the content.
struct ApplicationDriver {
  DriverId id;
  std::string name;  // unique; the spec's metadata.name
  Timestamp created_at;
};

// One immutable revision of a driver, as loaded from a directory or a git commit. The store
// keeps the JSON documents as given; the server makes and reads them (driver module).
struct ApplicationDriverVersion {
  DriverVersionId id;
  DriverId driver_id;
  std::string driver_name;       // the driver's name, read back with the version
  std::string version;           // the spec's version ("3"), unique within the driver
  std::string digest;            // "sha256:..." over the files: same content, same digest
  Json source = Json::object();  // where it was loaded from: {kind, location, branch, path, commit}
  Json spec = Json::object();    // SpecToJson of the driver's spec
  Json files = Json::object();   // the driver's files (FilesToJson); empty in lists
  Timestamp created_at;
};

// What AddDriverVersion did.
struct AddedDriverVersion {
  ApplicationDriverVersion version;  // the stored version: the new one, or the existing one
  bool created = false;              // false: the same content was loaded before; nothing changed
};

class DriverStore {
 public:
  virtual ~DriverStore() = default;
  // Stores `version` (its id, digest, documents and created_at set by the caller; driver_id
  // ignored) under the driver named `version.driver_name`, which is created with id `new_driver`
  // and `version.created_at` when it does not exist yet. When the driver already has a version
  // with the same digest, that version is returned with created = false and nothing changes.
  // kAlreadyExists when it has a version with the same `version` text but other content;
  // kInvalidArgument for an empty name, version or digest.
  virtual Result<AddedDriverVersion> AddDriverVersion(const ApplicationDriverVersion& version,
                                                      const DriverId& new_driver) = 0;
  virtual Result<std::vector<ApplicationDriver>> ListDrivers() = 0;  // by name
  virtual Result<ApplicationDriver> GetDriver(const DriverId& id) = 0;
  virtual Result<ApplicationDriver> FindDriverByName(const std::string& name) = 0;
  // The driver's versions, newest first (by created_at, then id), without their files.
  // kNotFound for an unknown driver.
  virtual Result<std::vector<ApplicationDriverVersion>> ListDriverVersions(
      const DriverId& driver) = 0;
  // One version with its files.
  virtual Result<ApplicationDriverVersion> GetDriverVersion(const DriverVersionId& id) = 0;
};

// One application in one environment: the desired state (DESIGN.md §3).
struct Deployment {
  DeploymentId id;
  EnvironmentId environment_id;
  std::string name;  // a DNS label, unique within the environment
  DriverVersionId driver_version_id;
  std::string application_version;
  Json parameters = Json::object();  // typed, as the driver declares them
  Json config = Json::object();      // overrides the environment's
  std::string phase;                 // desired: "running", "stopped" or "deleted"
  // The Instance last deployed successfully; none until a run succeeds.
  std::optional<InstanceId> active_instance_id;
  Timestamp created_at;
  Timestamp updated_at;
  // False when listed without them (DeploymentQuery::with_settings): parameters and config are
  // then left empty, not read.
  bool settings_read = true;
};

// A frozen snapshot of a deployment's resolved context; every change makes one.
struct Instance {
  InstanceId id;
  DeploymentId deployment_id;
  DriverVersionId driver_version_id;
  std::string application_version;
  std::string phase;
  Json context = Json::object();
  Timestamp created_at;
};

enum class RunState { kPending, kRunning, kSucceeded, kFailed, kCancelled };
// "pending", "running", "succeeded", "failed", "cancelled".
std::string_view RunStateName(RunState state);
std::optional<RunState> RunStateFromName(std::string_view name);

// One execution of a flow for a deployment (create, update, upgrade, stop, start, delete).
struct Run {
  RunId id;
  DeploymentId deployment_id;
  EnvironmentId environment_id;  // the deployment's, kept for filtering
  ClusterId cluster_id;          // the environment's: whose agent claims it
  std::string kind;
  RunState state = RunState::kPending;
  InstanceId instance_id;  // the Instance the run deploys
  std::string reason;      // why the planner chose it
  std::string error;       // why it failed
  double progress = 0;     // 0..1
  Timestamp created_at;
  std::optional<Timestamp> started_at;
  std::optional<Timestamp> finished_at;
  int attempts = 0;  // how many times an agent claimed it (more than one: resumed)
  // While running: when the claiming agent's lease ends unless renewed.
  std::optional<Timestamp> lease_expires_at;
};

// A change of a deployment, recorded whole or not at all.
struct DeploymentChange {
  bool create = false;     // true: `deployment` is new; false: it replaces the stored one
  Deployment deployment;   // the new desired state (active_instance_id is kept from the store)
  Instance instance;       // the Instance built for it
  std::optional<Run> run;  // the run the planner chose, if any
};

struct DeploymentQuery {
  std::optional<EnvironmentId> environment;
  // When not empty, only deployments in one of these (a caller limited to environments).
  std::vector<EnvironmentId> environments{};
  std::optional<std::string> phase;
  std::size_t limit = 50;             // 1..501 (a page and a look-ahead row)
  std::optional<DeploymentId> after;  // the last deployment of the previous page
  // False: parameters and config are not read (nor parsed), for lists that show neither.
  bool with_settings = true;
};

struct RunQuery {
  std::optional<DeploymentId> deployment;
  std::optional<EnvironmentId> environment;
  // When not empty, only runs in one of these (a caller limited to environments).
  std::vector<EnvironmentId> environments{};
  std::optional<RunState> state;
  std::size_t limit = 50;       // 1..501 (a page and a look-ahead row)
  std::optional<RunId> before;  // the last run of the previous page
};

class DeploymentStore {
 public:
  virtual ~DeploymentStore() = default;
  // In one transaction: kFailedPrecondition, naming the run ("run r-... (upgrade) is pending"),
  // when the deployment has a pending or running run; then creates the deployment (create:
  // kAlreadyExists for a name taken in the environment, kInvalidArgument when the environment
  // or the driver version does not exist) or updates it (kNotFound when it does not exist;
  // id, environment, name, created_at and active_instance_id are kept), stores the instance
  // and, when given, the run (its cluster must be the environment's, else kInvalidArgument).
  virtual Status RecordDeploymentChange(const DeploymentChange& change) = 0;
  virtual Result<Deployment> GetDeployment(const DeploymentId& id) = 0;
  // Ordered by name, then id; kInvalidArgument for a limit outside 1..501 or an unknown
  // `after`.
  virtual Result<std::vector<Deployment>> ListDeployments(const DeploymentQuery& query) = 0;
  virtual Result<Instance> GetInstance(const InstanceId& id) = 0;
  // Newest first (created_at, then id); kNotFound for an unknown deployment.
  virtual Result<std::vector<Instance>> ListInstances(const DeploymentId& deployment) = 0;
  virtual Result<Run> GetRun(const RunId& id) = 0;
  // Newest first (created_at, then id); kInvalidArgument for a limit outside 1..501 or an
  // unknown `before`.
  virtual Result<std::vector<Run>> ListRuns(const RunQuery& query) = 0;
  // The deployment's pending or running run, if any; kNotFound for an unknown deployment.
  virtual Result<std::optional<Run>> FindUnfinishedRun(const DeploymentId& deployment) = 0;
  // The pending or running runs of any of `deployments` (at most 1,000 ids), one per deployment
  // that has one, in no particular order; unknown ids are skipped. For listings, one query for
  // a whole page instead of one per row.
  virtual Result<std::vector<Run>> FindUnfinishedRuns(
      const std::vector<DeploymentId>& deployments) = 0;
  // Cancels a pending run (state cancelled, finished_at = `at`); kFailedPrecondition naming
  // its state when it is no longer pending (running runs are cancelled by their agent).
  virtual Result<Run> CancelRun(const RunId& id, Timestamp at) = 0;
  // Records a new pending run `new_id` that does again what failed or cancelled run `id` did:
  // the same kind, for the same Instance, created at `at`. kFailedPrecondition, naming the run,
  // when `id` did not fail and was not cancelled, when a newer run of its deployment exists
  // (retrying an older one would undo what came after it), or when its deployment has a run in
  // progress; kNotFound for an unknown run.
  virtual Result<Run> RetryRun(const RunId& id, const RunId& new_id, Timestamp at) = 0;
};

// A run an agent claimed: the run, and the lease it holds on it. The lease id is presented with
// every report on the run; a later claim of the run (after the lease expired) gives a new one,
// and the old one is refused from then on.
struct RunLease {
  Run run;
  std::string lease_id;
};

// Who reports on a claimed run: its id and the lease id its claim returned.
struct LeaseRef {
  RunId run;
  std::string lease_id;
};

enum class StepState { kRunning, kSucceeded, kFailed, kSkipped };
// "running", "succeeded", "failed", "skipped".
std::string_view StepStateName(StepState state);
std::optional<StepState> StepStateFromName(std::string_view name);

// One step of a run, as its agent reported it: started, then finished once.
struct RunStep {
  RunId run_id;
  int position = 0;  // 0, 1, 2, ... in the order the steps were started
  std::string name;  // "pre: migrate", "core", "wait for components"
  StepState state = StepState::kRunning;
  std::string error;  // why it failed
  Timestamp started_at;
  std::optional<Timestamp> finished_at;
};

// One line of a run's log.
struct RunLogLine {
  std::int64_t sequence = 0;  // per run, from 1, assigned by the store
  Timestamp at;
  std::optional<int> step;  // the position of the step the line belongs to
  std::string level;        // "debug", "info", "warning" or "error"
  std::string text;
};

// The limits on what one report may carry.
inline constexpr std::size_t kMaxLogLinesPerAppend = 1000;
inline constexpr std::size_t kMaxLogLineBytes = std::size_t{16} * 1024;
inline constexpr std::size_t kMaxStepNameBytes = 200;

// The agent's side of a run: claiming it under a lease, and reporting its steps, log, progress
// and result. Every report names the lease; a report on a lease that is no longer the run's
// (it expired and another agent claimed the run) or on a finished run is kFailedPrecondition
// and changes nothing, so a stalled agent that wakes up cannot overwrite its successor's work.
class RunExecutionStore {
 public:
  virtual ~RunExecutionStore() = default;
  // Claims the next run of `cluster` for `lease`: the oldest pending run, or else the oldest
  // running one whose lease expired before `now` (its agent is gone: the run resumes). The run
  // becomes running, started_at is set on its first claim, attempts grows by one and the lease
  // (`lease_id`, until now + `duration`) replaces any earlier one. nullopt when no run waits.
  // Concurrent claims, from any number of servers, never return the same run.
  virtual Result<std::optional<RunLease>> ClaimRun(const ClusterId& cluster,
                                                   const std::string& lease_id, Timestamp now,
                                                   std::chrono::milliseconds duration) = 0;
  // How many runs a claim of `cluster` at `now` could take: pending ones, and running ones
  // whose lease expired.
  virtual Result<std::int64_t> CountClaimableRuns(const ClusterId& cluster, Timestamp now) = 0;
  // Extends the lease to now + `duration`.
  virtual Result<Run> RenewLease(const LeaseRef& lease, Timestamp now,
                                 std::chrono::milliseconds duration) = 0;
  // Starts a step at the next position. kFailedPrecondition while another step is running.
  virtual Result<RunStep> StartStep(const LeaseRef& lease, const std::string& name,
                                    Timestamp now) = 0;
  // Finishes the running step at `position` as succeeded, failed (with `error`) or skipped.
  virtual Result<RunStep> FinishStep(const LeaseRef& lease, int position, StepState state,
                                     const std::string& error, Timestamp now) = 0;
  // Appends lines (their sequences are ignored and assigned); the last sequence assigned.
  // At most kMaxLogLinesPerAppend lines of at most kMaxLogLineBytes each.
  virtual Result<std::int64_t> AppendLog(const LeaseRef& lease,
                                         const std::vector<RunLogLine>& lines) = 0;
  // Sets the run's progress (0..1).
  virtual Result<Run> ReportProgress(const LeaseRef& lease, double progress) = 0;
  // Ends the run as succeeded, failed (with `error`) or cancelled, with progress 1 when it
  // succeeded; a succeeded run's Instance becomes its deployment's active one. The lease ends.
  // kFailedPrecondition while a step is still running.
  virtual Result<Run> FinishRun(const LeaseRef& lease, RunState state, const std::string& error,
                                Timestamp now) = 0;
  // The run's steps by position; kNotFound for an unknown run.
  virtual Result<std::vector<RunStep>> ListSteps(const RunId& run) = 0;
  // Up to `limit` (1..501) lines with a sequence above `after`, in order; kNotFound
  // for an unknown run.
  virtual Result<std::vector<RunLogLine>> ListLog(const RunId& run, std::int64_t after,
                                                  std::size_t limit) = 0;
};

// What an agent observed of a deployment in its cluster, kept apart from the declared state
// (the deployment's phase and active Instance): DESIGN.md §3, "Observed status".
struct ComponentStatus {
  std::string name;
  int ready_replicas = 0;
  int desired_replicas = 0;
  std::string health;  // "healthy", "degraded", "failing" or "unknown"
};

struct DeploymentStatus {
  DeploymentId deployment_id;
  // "progressing", "running", "stopped", "deleting", "failed" or "unknown".
  std::string phase;
  std::string health;  // as ComponentStatus::health
  // The Instance the cluster runs, when the agent knows it; one of the deployment's.
  std::optional<InstanceId> observed_instance_id;
  std::string message;
  std::vector<ComponentStatus> components;
  Timestamp reported_at;
};

struct PodCondition {
  std::string type;    // "Ready", "ContainersReady", ...
  std::string status;  // "True", "False", "Unknown"
  std::string reason;
  std::string message;
};

struct PodStatus {
  DeploymentId deployment_id;
  std::string name;
  std::string component;  // the component whose selector matches the pod; "" for none
  std::string phase;      // "pending", "running", "succeeded", "failed" or "unknown"
  bool ready = false;
  int restarts = 0;
  std::vector<PodCondition> conditions;
  Timestamp reported_at;
};

// The limits on one report.
inline constexpr std::size_t kMaxStatusesPerReport = 500;
inline constexpr std::size_t kMaxPodsPerReport = 1000;
inline constexpr std::size_t kMaxComponentsPerStatus = 100;
inline constexpr std::size_t kMaxConditionsPerPod = 20;
inline constexpr std::size_t kMaxStatusMessageBytes = 4096;

// Observed status as agents report it. A report is all or nothing: one refused status refuses
// the whole report, and nothing of it is stored.
class ObservedStatusStore {
 public:
  virtual ~ObservedStatusStore() = default;
  // Stores each status in place of its deployment's previous one. kInvalidArgument naming the
  // status for an unknown deployment, an Instance of another deployment, a value outside its
  // vocabulary or over a limit; kPermissionDenied for a deployment outside `cluster`.
  virtual Status ReportDeploymentStatuses(const ClusterId& cluster,
                                          const std::vector<DeploymentStatus>& statuses) = 0;
  // Replaces the pods of `deployment` with `pods` (none: it has no pods now); their
  // deployment_id is ignored. Errors as ReportDeploymentStatuses.
  virtual Status ReportPodStatuses(const ClusterId& cluster, const DeploymentId& deployment,
                                   const std::vector<PodStatus>& pods) = 0;
  // The statuses of those of `deployments` (at most 1000 ids) that have one, in no particular
  // order; unknown ids are skipped. One query for a whole page of deployments.
  virtual Result<std::vector<DeploymentStatus>> FindDeploymentStatuses(
      const std::vector<DeploymentId>& deployments) = 0;
  // The deployment's pods by name; kNotFound for an unknown deployment.
  virtual Result<std::vector<PodStatus>> ListPodStatuses(const DeploymentId& deployment) = 0;
};

// One mutation as the audit log keeps it: who did what to which target, when, and how it
// ended. `arguments` arrive redacted (the API replaces secrets before recording).
struct AuditEvent {
  std::int64_t sequence = 0;  // assigned by the store, increasing; ignored when recording
  Timestamp at;
  std::string actor;                      // the token's name ("admin", "agent of cluster lab")
  std::optional<TokenId> actor_token_id;  // absent for events without a token
  std::string action;                     // the mutation field ("createCluster")
  std::string target;                     // the id acted on, when there is one
  std::string outcome;                    // "ok", or the error code ("ALREADY_EXISTS")
  std::string message;                    // the error message when not ok
  Json arguments = Json::object();
};

// A page of audit events, newest first.
struct AuditQuery {
  std::size_t limit = 50;              // 1..501 (a page and a look-ahead row)
  std::optional<std::int64_t> before;  // only events with a smaller sequence
  std::optional<std::string> action;   // only this action
};

class AuditStore {
 public:
  virtual ~AuditStore() = default;
  // Appends `event` (its sequence is ignored) and returns the sequence it got.
  virtual Result<std::int64_t> RecordAudit(const AuditEvent& event) = 0;
  // kInvalidArgument for a limit outside 1..501.
  virtual Result<std::vector<AuditEvent>> ListAudit(const AuditQuery& query) = 0;
};

// Everything the server keeps.
class Store : public ClusterStore,
              public EnvironmentStore,
              public BackupLocationStore,
              public TokenStore,
              public SettingsStore,
              public DriverStore,
              public DeploymentStore,
              public RunExecutionStore,
              public ObservedStatusStore,
              public AuditStore {
 public:
  ~Store() override = default;
  // The schema version of the database (the number of migrations applied).
  virtual int schema_version() const = 0;
};

}  // namespace styrmin::storage
