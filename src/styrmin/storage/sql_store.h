// The Store written once over the SQL seam (sql_session.h): every aggregate's statements, row
// mapping, checks and messages. SqliteStore and PostgresStore are this class over their backend;
// they add only how to open one. Internal to storage/; not part of the contract.
//
// Every method validates its input, then runs one transaction on the database. The store checks
// names, ids and references itself inside that transaction, for messages that name the thing;
// the schema's constraints are the backstop for a concurrent writer (ToError, sql_session.h).
//
// Thread-safety: as safe as the SqlDatabase, which every backend makes safe from many threads.
#pragma once

#include <chrono>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "styrmin/storage/sql_session.h"
#include "styrmin/storage/store.h"

namespace styrmin::storage {

class SqlStore : public Store {
 public:
  SqlStore(const SqlStore&) = delete;
  SqlStore& operator=(const SqlStore&) = delete;
  ~SqlStore() override;

  Status CreateCluster(const Cluster& cluster, const ApiToken& agent_token) final;
  Result<Cluster> GetCluster(const ClusterId& id) final;
  Result<std::vector<Cluster>> ListClusters() final;

  Status CreateEnvironment(const Environment& environment) final;
  Result<Environment> GetEnvironment(const EnvironmentId& id) final;
  Result<std::vector<Environment>> ListEnvironments(const std::optional<ClusterId>& cluster) final;

  Status CreateBackupLocation(const BackupStorageLocation& location) final;
  Result<BackupStorageLocation> GetBackupLocation(const BackupStorageLocationId& id) final;
  Result<std::vector<BackupStorageLocation>> ListBackupLocations() final;

  Status CreateToken(const ApiToken& token) final;
  Result<ApiToken> FindTokenByHash(const std::string& secret_hash) final;
  Result<std::size_t> CountTokens() final;
  Result<std::vector<ApiToken>> ListTokens() final;
  Result<ApiToken> RevokeToken(const TokenId& id, Timestamp now) final;

  Result<std::string> RecordSetting(const std::string& name, const std::string& value,
                                    Timestamp now) final;

  Result<AddedDriverVersion> AddDriverVersion(const ApplicationDriverVersion& version,
                                              const DriverId& new_driver) final;
  Result<std::vector<ApplicationDriver>> ListDrivers() final;
  Result<ApplicationDriver> GetDriver(const DriverId& id) final;
  Result<ApplicationDriver> FindDriverByName(const std::string& name) final;
  Result<std::vector<ApplicationDriverVersion>> ListDriverVersions(const DriverId& driver) final;
  Result<ApplicationDriverVersion> GetDriverVersion(const DriverVersionId& id) final;

  Status RecordDeploymentChange(const DeploymentChange& change) final;
  Result<Deployment> GetDeployment(const DeploymentId& id) final;
  Result<std::vector<Deployment>> ListDeployments(const DeploymentQuery& query) final;
  Result<Instance> GetInstance(const InstanceId& id) final;
  Result<std::vector<Instance>> ListInstances(const DeploymentId& deployment) final;
  Result<Run> GetRun(const RunId& id) final;
  Result<std::vector<Run>> ListRuns(const RunQuery& query) final;
  Result<std::optional<Run>> FindUnfinishedRun(const DeploymentId& deployment) final;
  Result<std::vector<Run>> FindUnfinishedRuns(const std::vector<DeploymentId>& deployments) final;
  Result<Run> CancelRun(const RunId& id, Timestamp at) final;
  Result<Run> RetryRun(const RunId& id, const RunId& new_id, Timestamp at) final;  // runs file

  // sql_run_execution.cc
  Result<std::optional<RunLease>> ClaimRun(const ClusterId& cluster, const std::string& lease_id,
                                           Timestamp now, std::chrono::milliseconds duration) final;
  Result<std::int64_t> CountClaimableRuns(const ClusterId& cluster, Timestamp now) final;
  Result<Run> RenewLease(const LeaseRef& lease, Timestamp now,
                         std::chrono::milliseconds duration) final;
  Result<RunStep> StartStep(const LeaseRef& lease, const std::string& name, Timestamp now) final;
  Result<RunStep> FinishStep(const LeaseRef& lease, int position, StepState state,
                             const std::string& error, Timestamp now) final;
  Result<std::int64_t> AppendLog(const LeaseRef& lease, const std::vector<RunLogLine>& lines) final;
  Result<Run> ReportProgress(const LeaseRef& lease, double progress) final;
  Result<Run> FinishRun(const LeaseRef& lease, RunState state, const std::string& error,
                        Timestamp now) final;
  Result<std::vector<RunStep>> ListSteps(const RunId& run) final;
  Result<std::vector<RunLogLine>> ListLog(const RunId& run, std::int64_t after,
                                          std::size_t limit) final;

  // sql_observed_status.cc
  Status ReportDeploymentStatuses(const ClusterId& cluster,
                                  const std::vector<DeploymentStatus>& statuses) final;
  Status ReportPodStatuses(const ClusterId& cluster, const DeploymentId& deployment,
                           const std::vector<PodStatus>& pods) final;
  Result<std::vector<DeploymentStatus>> FindDeploymentStatuses(
      const std::vector<DeploymentId>& deployments) final;
  Result<std::vector<PodStatus>> ListPodStatuses(const DeploymentId& deployment) final;

  Result<std::int64_t> RecordAudit(const AuditEvent& event) final;
  Result<std::vector<AuditEvent>> ListAudit(const AuditQuery& query) final;

  int schema_version() const final { return schema_version_; }

 protected:
  // `database` is migrated to `schema_version` already.
  SqlStore(std::unique_ptr<SqlDatabase> database, int schema_version);

  SqlDatabase& database() const { return *database_; }

 private:
  const std::unique_ptr<SqlDatabase> database_;  // thread-safe by itself
  const int schema_version_;
};

}  // namespace styrmin::storage
