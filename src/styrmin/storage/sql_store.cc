#include "styrmin/storage/sql_store.h"

#include <algorithm>
#include <initializer_list>
#include <string_view>
#include <utility>

#include "styrmin/core/clock.h"
#include "styrmin/storage/sql_store_internal.h"
#include "styrmin/storage/store_values.h"

namespace styrmin::storage {

using sql::Direction;
using sql::FailIfFound;
using sql::FailIfMissing;
using sql::FormatOptionalTimestamp;
using sql::kAttemptsWhenRacing;
using sql::kRunColumns;
using sql::ListStatement;
using sql::LockForUpdate;
using sql::LostARace;
using sql::OrderByBytes;
using sql::QueryUnfinishedRun;
using sql::ReadAll;
using sql::ReadFirst;
using sql::ReadRun;
using sql::RowsPastValues;
using sql::RunName;
using sql::SelectRuns;

namespace {

// --- clusters

constexpr std::string_view kSelectCluster = "SELECT id, name, config, created_at FROM clusters";

Result<Cluster> ReadCluster(const SqlRow& row) {
  Cluster cluster;
  cluster.id = ClusterId(row.Text(0));
  const std::string where = "cluster " + Quoted(cluster.id.value());
  cluster.name = row.Text(1);
  STYRMIN_ASSIGN_OR_RETURN(cluster.config, ParseStoredJson(row.Text(2), where));
  STYRMIN_ASSIGN_OR_RETURN(cluster.created_at, ParseStoredTimestamp(row.Text(3), where));
  return cluster;
}

Status RequireCluster(SqlSession& session, const ClusterId& id) {
  return FailIfMissing(session, "SELECT 1 FROM clusters WHERE id = ?1", {id.value()},
                       InvalidArgument("cluster " + Quoted(id.value()) + " does not exist"));
}

// --- backup storage locations

constexpr std::string_view kSelectBackupLocation =
    "SELECT id, name, kind, endpoint, bucket, region, path, credentials, created_at "
    "FROM backup_storage_locations";

Result<BackupStorageLocation> ReadBackupLocation(const SqlRow& row) {
  BackupStorageLocation location;
  location.id = BackupStorageLocationId(row.Text(0));
  const std::string where = "backup storage location " + Quoted(location.id.value());
  location.name = row.Text(1);
  STYRMIN_ASSIGN_OR_RETURN(location.kind, ParseKind(row.Text(2), where));
  location.endpoint = row.Text(3);
  location.bucket = row.Text(4);
  location.region = row.Text(5);
  location.path = row.Text(6);
  STYRMIN_ASSIGN_OR_RETURN(location.credentials, ParseStoredJson(row.Text(7), where));
  STYRMIN_ASSIGN_OR_RETURN(location.created_at, ParseStoredTimestamp(row.Text(8), where));
  return location;
}

// --- environments

constexpr std::string_view kSelectEnvironment =
    "SELECT e.id, e.name, e.cluster_id, e.config, e.backup_location_id, e.created_at "
    "FROM environments e";

Result<Environment> ReadEnvironment(const SqlRow& row) {
  Environment environment;
  environment.id = EnvironmentId(row.Text(0));
  const std::string where = "environment " + Quoted(environment.id.value());
  environment.name = row.Text(1);
  environment.cluster_id = ClusterId(row.Text(2));
  STYRMIN_ASSIGN_OR_RETURN(environment.config, ParseStoredJson(row.Text(3), where));
  if (const auto& location = row.OptionalText(4)) {
    environment.backup_location_id = BackupStorageLocationId(*location);
  }
  STYRMIN_ASSIGN_OR_RETURN(environment.created_at, ParseStoredTimestamp(row.Text(5), where));
  return environment;
}

// --- tokens

constexpr std::string_view kSelectToken =
    "SELECT id, name, role, cluster_id, secret_hash, created_at, environment_ids, revoked_at "
    "FROM api_tokens";

Result<ApiToken> ReadToken(const SqlRow& row) {
  ApiToken token;
  token.id = TokenId(row.Text(0));
  const std::string where = "API token " + Quoted(token.id.value());
  token.name = row.Text(1);
  STYRMIN_ASSIGN_OR_RETURN(token.role, ParseRole(row.Text(2), where));
  if (const auto& cluster = row.OptionalText(3)) token.cluster_id = ClusterId(*cluster);
  token.secret_hash = row.Text(4);
  STYRMIN_ASSIGN_OR_RETURN(token.created_at, ParseStoredTimestamp(row.Text(5), where));
  STYRMIN_ASSIGN_OR_RETURN(const Json environments, ParseStoredJson(row.Text(6), where));
  if (!environments.is_array()) return Internal(where + ": environment_ids is not a JSON array");
  for (const Json& id : environments) {
    if (!id.is_string()) return Internal(where + ": environment_ids holds a non-string");
    token.environment_ids.emplace_back(id.get<std::string>());
  }
  if (const auto& revoked = row.OptionalText(7)) {
    STYRMIN_ASSIGN_OR_RETURN(token.revoked_at, ParseStoredTimestamp(*revoked, where));
  }
  return token;
}

Status RequireEnvironment(SqlSession& session, const EnvironmentId& id) {
  return FailIfMissing(session, "SELECT 1 FROM environments WHERE id = ?1", {id.value()},
                       InvalidArgument("environment " + Quoted(id.value()) + " does not exist"));
}

// Inserts a validated token inside the caller's write transaction.
Status InsertToken(SqlSession& session, const ApiToken& token) {
  STYRMIN_RETURN_IF_ERROR(FailIfFound(
      session, "SELECT 1 FROM api_tokens WHERE id = ?1", {token.id.value()},
      AlreadyExists("an API token with id " + Quoted(token.id.value()) + " already exists")));
  // The hash is not quoted: messages reach logs, and it identifies a live credential.
  STYRMIN_RETURN_IF_ERROR(
      FailIfFound(session, "SELECT 1 FROM api_tokens WHERE secret_hash = ?1", {token.secret_hash},
                  AlreadyExists("an API token with the same secret already exists")));
  if (token.cluster_id) STYRMIN_RETURN_IF_ERROR(RequireCluster(session, *token.cluster_id));
  for (const EnvironmentId& id : token.environment_ids) {
    STYRMIN_RETURN_IF_ERROR(RequireEnvironment(session, id));
  }
  const std::string environments = sql::JsonList(token.environment_ids);
  return session.Exec(
      "INSERT INTO api_tokens (id, name, role, cluster_id, secret_hash, created_at, "
      "environment_ids) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
      {token.id.value(), token.name, RoleName(token.role), token.cluster_id, token.secret_hash,
       FormatRfc3339(token.created_at), environments},
      "store API token " + Quoted(token.id.value()));
}

// --- application drivers

constexpr std::string_view kSelectDriver = "SELECT id, name, created_at FROM application_drivers";

Result<ApplicationDriver> ReadDriver(const SqlRow& row) {
  ApplicationDriver driver;
  driver.id = DriverId(row.Text(0));
  driver.name = row.Text(1);
  STYRMIN_ASSIGN_OR_RETURN(
      driver.created_at, ParseStoredTimestamp(row.Text(2), "driver " + Quoted(driver.id.value())));
  return driver;
}

// Lists leave out `files`, the one document that may be large. kSelectDriverVersion selects it
// last, so that ReadDriverVersion is ReadDriverVersionWithoutFiles and one more column.
constexpr std::string_view kSelectDriverVersionWithoutFiles =
    "SELECT v.id, v.driver_id, d.name, v.version, v.digest, v.source, v.spec, v.created_at "
    "FROM application_driver_versions v JOIN application_drivers d ON d.id = v.driver_id";
constexpr std::string_view kSelectDriverVersion =
    "SELECT v.id, v.driver_id, d.name, v.version, v.digest, v.source, v.spec, v.created_at, "
    "v.files "
    "FROM application_driver_versions v JOIN application_drivers d ON d.id = v.driver_id";

Result<ApplicationDriverVersion> ReadDriverVersionWithoutFiles(const SqlRow& row) {
  ApplicationDriverVersion version;
  version.id = DriverVersionId(row.Text(0));
  const std::string where = "driver version " + Quoted(version.id.value());
  version.driver_id = DriverId(row.Text(1));
  version.driver_name = row.Text(2);
  version.version = row.Text(3);
  version.digest = row.Text(4);
  STYRMIN_ASSIGN_OR_RETURN(version.source, ParseStoredJson(row.Text(5), where));
  STYRMIN_ASSIGN_OR_RETURN(version.spec, ParseStoredJson(row.Text(6), where));
  STYRMIN_ASSIGN_OR_RETURN(version.created_at, ParseStoredTimestamp(row.Text(7), where));
  return version;
}

Result<ApplicationDriverVersion> ReadDriverVersion(const SqlRow& row) {
  STYRMIN_ASSIGN_OR_RETURN(ApplicationDriverVersion version, ReadDriverVersionWithoutFiles(row));
  STYRMIN_ASSIGN_OR_RETURN(
      version.files, ParseStoredJson(row.Text(8), "driver version " + Quoted(version.id.value())));
  return version;
}

// --- deployments, instances and runs

constexpr std::string_view kSelectDeployment =
    "SELECT id, environment_id, name, driver_version_id, application_version, parameters, "
    "config, phase, active_instance_id, created_at, updated_at FROM deployments";
// The same columns, parameters and config left out (NULL).
constexpr std::string_view kSelectDeploymentWithoutSettings =
    "SELECT id, environment_id, name, driver_version_id, application_version, NULL, NULL, "
    "phase, active_instance_id, created_at, updated_at FROM deployments";

Result<Deployment> ReadDeploymentRow(const SqlRow& row, bool settings) {
  Deployment deployment;
  deployment.id = DeploymentId(row.Text(0));
  const std::string where = "deployment " + Quoted(deployment.id.value());
  deployment.environment_id = EnvironmentId(row.Text(1));
  deployment.name = row.Text(2);
  deployment.driver_version_id = DriverVersionId(row.Text(3));
  deployment.application_version = row.Text(4);
  if (settings) {
    STYRMIN_ASSIGN_OR_RETURN(deployment.parameters, ParseStoredJson(row.Text(5), where));
    STYRMIN_ASSIGN_OR_RETURN(deployment.config, ParseStoredJson(row.Text(6), where));
  }
  deployment.settings_read = settings;
  deployment.phase = row.Text(7);
  if (const auto& instance = row.OptionalText(8)) {
    deployment.active_instance_id = InstanceId(*instance);
  }
  STYRMIN_ASSIGN_OR_RETURN(deployment.created_at, ParseStoredTimestamp(row.Text(9), where));
  STYRMIN_ASSIGN_OR_RETURN(deployment.updated_at, ParseStoredTimestamp(row.Text(10), where));
  return deployment;
}

Result<Deployment> ReadDeployment(const SqlRow& row) { return ReadDeploymentRow(row, true); }

Result<Deployment> ReadDeploymentWithoutSettings(const SqlRow& row) {
  return ReadDeploymentRow(row, false);
}

constexpr std::string_view kSelectInstance =
    "SELECT id, deployment_id, driver_version_id, application_version, phase, context, "
    "created_at FROM instances";

Result<Instance> ReadInstance(const SqlRow& row) {
  Instance instance;
  instance.id = InstanceId(row.Text(0));
  const std::string where = "instance " + Quoted(instance.id.value());
  instance.deployment_id = DeploymentId(row.Text(1));
  instance.driver_version_id = DriverVersionId(row.Text(2));
  instance.application_version = row.Text(3);
  instance.phase = row.Text(4);
  STYRMIN_ASSIGN_OR_RETURN(instance.context, ParseStoredJson(row.Text(5), where));
  STYRMIN_ASSIGN_OR_RETURN(instance.created_at, ParseStoredTimestamp(row.Text(6), where));
  return instance;
}

Status RequireDeployment(SqlSession& session, const DeploymentId& id) {
  return FailIfMissing(session, "SELECT 1 FROM deployments WHERE id = ?1", {id.value()},
                       NotFound("deployment " + Quoted(id.value()) + " not found"));
}

Status RequireDriverVersion(SqlSession& session, const DriverVersionId& id) {
  return FailIfMissing(session, "SELECT 1 FROM application_driver_versions WHERE id = ?1",
                       {id.value()},
                       InvalidArgument("driver version " + Quoted(id.value()) + " does not exist"));
}

// --- audit log

constexpr std::string_view kSelectAuditEvent =
    "SELECT sequence, at, actor, actor_token_id, action, target, outcome, message, arguments "
    "FROM audit_events";

Result<AuditEvent> ReadAuditEvent(const SqlRow& row) {
  const std::string where = "audit event " + std::string(row.Text(0));
  AuditEvent event;
  const std::optional<std::int64_t> sequence = row.Int(0);
  if (!sequence) return Internal(where + ": stored a sequence that is not an integer");
  event.sequence = *sequence;
  STYRMIN_ASSIGN_OR_RETURN(event.at, ParseStoredTimestamp(row.Text(1), where));
  event.actor = row.Text(2);
  if (const auto& token = row.OptionalText(3)) event.actor_token_id = TokenId(*token);
  event.action = row.Text(4);
  event.target = row.Text(5);
  event.outcome = row.Text(6);
  event.message = row.Text(7);
  STYRMIN_ASSIGN_OR_RETURN(event.arguments, ParseStoredJson(row.Text(8), where));
  return event;
}

}  // namespace

SqlStore::SqlStore(std::unique_ptr<SqlDatabase> database, int schema_version)
    : database_(std::move(database)), schema_version_(schema_version) {}

SqlStore::~SqlStore() = default;

Status SqlStore::CreateCluster(const Cluster& cluster, const ApiToken& agent_token) {
  STYRMIN_RETURN_IF_ERROR(ValidateNewCluster(cluster, agent_token));
  return database_->InTransaction(Access::kWrite, [&](SqlSession& session) -> Status {
    STYRMIN_RETURN_IF_ERROR(
        FailIfFound(session, "SELECT 1 FROM clusters WHERE name = ?1", {cluster.name},
                    AlreadyExists("a cluster named " + Quoted(cluster.name) + " already exists")));
    STYRMIN_RETURN_IF_ERROR(FailIfFound(
        session, "SELECT 1 FROM clusters WHERE id = ?1", {cluster.id.value()},
        AlreadyExists("a cluster with id " + Quoted(cluster.id.value()) + " already exists")));
    STYRMIN_RETURN_IF_ERROR(
        session.Exec("INSERT INTO clusters (id, name, config, created_at) VALUES (?1, ?2, ?3, ?4)",
                     {cluster.id.value(), cluster.name, DumpJson(cluster.config),
                      FormatRfc3339(cluster.created_at)},
                     "store cluster " + Quoted(cluster.name)));
    // After the cluster, which the token references; a failure here rolls the cluster back.
    return InsertToken(session, agent_token);
  });
}

Result<Cluster> SqlStore::GetCluster(const ClusterId& id) {
  return database_->InTransaction(Access::kRead, [&](SqlSession& session) {
    return ReadFirst(session.Query(std::string(kSelectCluster) + " WHERE id = ?1", {id.value()}),
                     ReadCluster, "cluster " + Quoted(id.value()) + " not found");
  });
}

Result<std::vector<Cluster>> SqlStore::ListClusters() {
  return database_->InTransaction(Access::kRead, [&](SqlSession& session) {
    return ReadAll(
        session.Query(std::string(kSelectCluster) + OrderByBytes(session.dialect(), {"name"}), {}),
        ReadCluster);
  });
}

Status SqlStore::CreateEnvironment(const Environment& environment) {
  STYRMIN_RETURN_IF_ERROR(ValidateNewEnvironment(environment));
  return database_->InTransaction(Access::kWrite, [&](SqlSession& session) -> Status {
    STYRMIN_RETURN_IF_ERROR(RequireCluster(session, environment.cluster_id));
    if (const auto& location = environment.backup_location_id) {
      STYRMIN_RETURN_IF_ERROR(FailIfMissing(
          session, "SELECT 1 FROM backup_storage_locations WHERE id = ?1", {location->value()},
          InvalidArgument("backup storage location " + Quoted(location->value()) +
                          " does not exist")));
    }
    STYRMIN_RETURN_IF_ERROR(FailIfFound(
        session, "SELECT 1 FROM environments WHERE cluster_id = ?1 AND name = ?2",
        {environment.cluster_id.value(), environment.name},
        AlreadyExists("an environment named " + Quoted(environment.name) +
                      " already exists in cluster " + Quoted(environment.cluster_id.value()))));
    STYRMIN_RETURN_IF_ERROR(
        FailIfFound(session, "SELECT 1 FROM environments WHERE id = ?1", {environment.id.value()},
                    AlreadyExists("an environment with id " + Quoted(environment.id.value()) +
                                  " already exists")));
    return session.Exec(
        "INSERT INTO environments (id, name, cluster_id, config, backup_location_id, created_at) "
        "VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
        {environment.id.value(), environment.name, environment.cluster_id.value(),
         DumpJson(environment.config), environment.backup_location_id,
         FormatRfc3339(environment.created_at)},
        "store environment " + Quoted(environment.name));
  });
}

Result<Environment> SqlStore::GetEnvironment(const EnvironmentId& id) {
  return database_->InTransaction(Access::kReadOne, [&](SqlSession& session) {
    return ReadFirst(
        session.Query(std::string(kSelectEnvironment) + " WHERE e.id = ?1", {id.value()}),
        ReadEnvironment, "environment " + Quoted(id.value()) + " not found");
  });
}

Result<std::vector<Environment>> SqlStore::ListEnvironments(
    const std::optional<ClusterId>& cluster) {
  return database_->InTransaction(Access::kRead, [&](SqlSession& session) {
    std::string sql(kSelectEnvironment);
    sql += " JOIN clusters c ON c.id = e.cluster_id";
    std::vector<SqlValue> params;
    if (cluster) {
      sql += " WHERE e.cluster_id = ?1";
      params.emplace_back(cluster->value());
    }
    sql += OrderByBytes(session.dialect(), {"c.name", "e.name"});
    return ReadAll(session.Query(sql, params), ReadEnvironment);
  });
}

Status SqlStore::CreateBackupLocation(const BackupStorageLocation& location) {
  STYRMIN_RETURN_IF_ERROR(ValidateNewBackupLocation(location));
  return database_->InTransaction(Access::kWrite, [&](SqlSession& session) -> Status {
    STYRMIN_RETURN_IF_ERROR(FailIfFound(
        session, "SELECT 1 FROM backup_storage_locations WHERE name = ?1", {location.name},
        AlreadyExists("a backup storage location named " + Quoted(location.name) +
                      " already exists")));
    STYRMIN_RETURN_IF_ERROR(FailIfFound(
        session, "SELECT 1 FROM backup_storage_locations WHERE id = ?1", {location.id.value()},
        AlreadyExists("a backup storage location with id " + Quoted(location.id.value()) +
                      " already exists")));
    return session.Exec(
        "INSERT INTO backup_storage_locations "
        "(id, name, kind, endpoint, bucket, region, path, credentials, created_at) "
        "VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)",
        {location.id.value(), location.name, KindName(location.kind), location.endpoint,
         location.bucket, location.region, location.path, DumpJson(location.credentials),
         FormatRfc3339(location.created_at)},
        "store backup storage location " + Quoted(location.name));
  });
}

Result<BackupStorageLocation> SqlStore::GetBackupLocation(const BackupStorageLocationId& id) {
  return database_->InTransaction(Access::kRead, [&](SqlSession& session) {
    return ReadFirst(
        session.Query(std::string(kSelectBackupLocation) + " WHERE id = ?1", {id.value()}),
        ReadBackupLocation, "backup storage location " + Quoted(id.value()) + " not found");
  });
}

Result<std::vector<BackupStorageLocation>> SqlStore::ListBackupLocations() {
  return database_->InTransaction(Access::kRead, [&](SqlSession& session) {
    return ReadAll(
        session.Query(
            std::string(kSelectBackupLocation) + OrderByBytes(session.dialect(), {"name"}), {}),
        ReadBackupLocation);
  });
}

Status SqlStore::CreateToken(const ApiToken& token) {
  STYRMIN_RETURN_IF_ERROR(ValidateNewToken(token));
  return database_->InTransaction(Access::kWrite,
                                  [&](SqlSession& session) { return InsertToken(session, token); });
}

Result<ApiToken> SqlStore::FindTokenByHash(const std::string& secret_hash) {
  return database_->InTransaction(Access::kReadOne, [&](SqlSession& session) {
    return ReadFirst(
        session.Query(std::string(kSelectToken) + " WHERE secret_hash = ?1 AND revoked_at IS NULL",
                      {secret_hash}),
        ReadToken, "no API token has the given secret");
  });
}

Result<std::string> SqlStore::RecordSetting(const std::string& name, const std::string& value,
                                            Timestamp now) {
  STYRMIN_RETURN_IF_ERROR(RequireNonEmpty(name, "setting name"));
  return database_->InTransaction(Access::kWrite, [&](SqlSession& session) -> Result<std::string> {
    STYRMIN_RETURN_IF_ERROR(
        session.Exec("INSERT INTO server_settings (name, value, created_at) VALUES (?1, ?2, ?3) "
                     "ON CONFLICT (name) DO NOTHING",
                     {name, value, FormatRfc3339(now)}, "record setting " + Quoted(name)));
    return ReadFirst<std::string>(
        session.Query("SELECT value FROM server_settings WHERE name = ?1", {name}),
        [](const SqlRow& row) -> Result<std::string> { return std::string(row.Text(0)); },
        "setting " + Quoted(name) + " not found");
  });
}

Result<std::vector<ApiToken>> SqlStore::ListTokens() {
  return database_->InTransaction(Access::kRead, [&](SqlSession& session) {
    return ReadAll(session.Query(std::string(kSelectToken) + " WHERE role <> 'agent'" +
                                     OrderByBytes(session.dialect(), {"created_at", "id"}),
                                 {}),
                   ReadToken);
  });
}

Result<ApiToken> SqlStore::RevokeToken(const TokenId& id, Timestamp now) {
  return database_->InTransaction(Access::kWrite, [&](SqlSession& session) -> Result<ApiToken> {
    // The live admin rows first, always in id order: two revocations of the last two admins
    // then wait for each other (on PostgreSQL; SQLite writes one at a time) instead of each
    // seeing the other still live, and they never lock in opposite orders.
    STYRMIN_ASSIGN_OR_RETURN(
        const auto admins,
        session.Query(std::string("SELECT id FROM api_tokens WHERE role = 'admin' AND "
                                  "revoked_at IS NULL ORDER BY id") +
                          std::string(sql::LockForUpdate(session.dialect())),
                      {}));
    STYRMIN_ASSIGN_OR_RETURN(
        ApiToken token,
        ReadFirst(session.Query(std::string(kSelectToken) + " WHERE id = ?1" +
                                    std::string(sql::LockForUpdate(session.dialect())),
                                {id.value()}),
                  ReadToken, "API token " + Quoted(id.value()) + " not found"));
    if (token.revoked_at) return token;
    if (token.role == Role::kAgent) {
      return FailedPrecondition("API token " + Quoted(id.value()) +
                                " is an agent token: it goes with its cluster");
    }
    if (token.role == Role::kAdmin && admins.size() <= 1) {
      return FailedPrecondition("API token " + Quoted(id.value()) +
                                " is the last admin token: create another admin token first");
    }
    token.revoked_at = now;
    STYRMIN_RETURN_IF_ERROR(session.Exec("UPDATE api_tokens SET revoked_at = ?2 WHERE id = ?1",
                                         {id.value(), FormatRfc3339(now)},
                                         "revoke API token " + Quoted(id.value())));
    return token;
  });
}

Result<std::size_t> SqlStore::CountTokens() {
  return database_->InTransaction(Access::kRead, [&](SqlSession& session) -> Result<std::size_t> {
    STYRMIN_ASSIGN_OR_RETURN(const std::int64_t count,
                             session.QueryInt("SELECT COUNT(*) FROM api_tokens"));
    return static_cast<std::size_t>(count);
  });
}

Result<AddedDriverVersion> SqlStore::AddDriverVersion(const ApplicationDriverVersion& version,
                                                      const DriverId& new_driver) {
  STYRMIN_RETURN_IF_ERROR(ValidateNewDriverVersion(version, new_driver));
  const std::string source = DumpJson(version.source);
  const std::string spec = DumpJson(version.spec);
  const std::string files = DumpJson(version.files);
  const std::string created_at = FormatRfc3339(version.created_at);
  const std::string driver = "driver " + Quoted(version.driver_name);

  // Two writers may both find no driver of that name, or no version with their digest, and both
  // insert. On PostgreSQL the second insert waits for the first writer to commit, then fails on
  // the unique constraint, and that aborts its transaction: nothing more can be read in it. So
  // the call runs the transaction again, which now finds the winner's row and answers as if it
  // had come second (that version back, or kAlreadyExists naming it). SQLite writes one
  // transaction at a time and never gets here.
  bool lost_race = false;
  const auto add = [&](SqlSession& session) -> Result<AddedDriverVersion> {
    lost_race = false;
    const auto insert = [&](std::string_view sql, std::initializer_list<SqlValue> params,
                            std::string_view what) -> Status {
      auto inserted = session.Exec(sql, params, what);
      if (!inserted && inserted.error().code() == ErrorCode::kAlreadyExists) lost_race = true;
      return inserted;
    };

    STYRMIN_ASSIGN_OR_RETURN(
        const SqlRows drivers,
        session.Query("SELECT id FROM application_drivers WHERE name = ?1", {version.driver_name}));
    DriverId driver_id = new_driver;
    if (drivers.empty()) {
      STYRMIN_RETURN_IF_ERROR(FailIfFound(
          session, "SELECT 1 FROM application_drivers WHERE id = ?1", {new_driver.value()},
          AlreadyExists("a driver with id " + Quoted(new_driver.value()) + " already exists")));
      STYRMIN_RETURN_IF_ERROR(
          insert("INSERT INTO application_drivers (id, name, created_at) VALUES (?1, ?2, ?3)",
                 {new_driver.value(), version.driver_name, created_at}, "store " + driver));
    } else {
      driver_id = DriverId(drivers.front().Text(0));
    }

    STYRMIN_ASSIGN_OR_RETURN(const SqlRows same_content,
                             session.Query(std::string(kSelectDriverVersion) +
                                               " WHERE v.driver_id = ?1 AND v.digest = ?2",
                                           {driver_id.value(), version.digest}));
    if (!same_content.empty()) {
      STYRMIN_ASSIGN_OR_RETURN(ApplicationDriverVersion existing,
                               ReadDriverVersion(same_content.front()));
      return AddedDriverVersion{.version = std::move(existing), .created = false};
    }
    STYRMIN_ASSIGN_OR_RETURN(
        const SqlRows same_version,
        session.Query(
            "SELECT digest FROM application_driver_versions WHERE driver_id = ?1 AND version = ?2",
            {driver_id.value(), version.version}));
    if (!same_version.empty()) {
      return AlreadyExists(driver + " already has version " + Quoted(version.version) +
                           " with other content (" + std::string(same_version.front().Text(0)) +
                           ")");
    }
    STYRMIN_RETURN_IF_ERROR(FailIfFound(
        session, "SELECT 1 FROM application_driver_versions WHERE id = ?1", {version.id.value()},
        AlreadyExists("a driver version with id " + Quoted(version.id.value()) +
                      " already exists")));
    STYRMIN_RETURN_IF_ERROR(
        insert("INSERT INTO application_driver_versions "
               "(id, driver_id, version, digest, source, spec, files, created_at) "
               "VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)",
               {version.id.value(), driver_id.value(), version.version, version.digest, source,
                spec, files, created_at},
               "store version " + Quoted(version.version) + " of " + driver));
    // Read back, so that the caller gets exactly what GetDriverVersion will return.
    STYRMIN_ASSIGN_OR_RETURN(const SqlRows stored_rows,
                             session.Query(std::string(kSelectDriverVersion) + " WHERE v.id = ?1",
                                           {version.id.value()}));
    if (stored_rows.empty()) {
      return Internal("driver version " + Quoted(version.id.value()) +
                      " was not found right after storing it");
    }
    STYRMIN_ASSIGN_OR_RETURN(ApplicationDriverVersion stored,
                             ReadDriverVersion(stored_rows.front()));
    return AddedDriverVersion{.version = std::move(stored), .created = true};
  };

  for (int attempt = 1;; ++attempt) {
    auto added = database_->InTransaction(Access::kWrite, add);
    if (added || !lost_race || attempt == kAttemptsWhenRacing) return added;
  }
}

Result<std::vector<ApplicationDriver>> SqlStore::ListDrivers() {
  return database_->InTransaction(Access::kRead, [&](SqlSession& session) {
    return ReadAll(
        session.Query(std::string(kSelectDriver) + OrderByBytes(session.dialect(), {"name"}), {}),
        ReadDriver);
  });
}

Result<ApplicationDriver> SqlStore::GetDriver(const DriverId& id) {
  return database_->InTransaction(Access::kRead, [&](SqlSession& session) {
    return ReadFirst(session.Query(std::string(kSelectDriver) + " WHERE id = ?1", {id.value()}),
                     ReadDriver, "driver " + Quoted(id.value()) + " not found");
  });
}

Result<ApplicationDriver> SqlStore::FindDriverByName(const std::string& name) {
  return database_->InTransaction(Access::kRead, [&](SqlSession& session) {
    return ReadFirst(session.Query(std::string(kSelectDriver) + " WHERE name = ?1", {name}),
                     ReadDriver, "no driver named " + Quoted(name));
  });
}

Result<std::vector<ApplicationDriverVersion>> SqlStore::ListDriverVersions(const DriverId& driver) {
  return database_->InTransaction(
      Access::kRead, [&](SqlSession& session) -> Result<std::vector<ApplicationDriverVersion>> {
        STYRMIN_RETURN_IF_ERROR(FailIfMissing(
            session, "SELECT 1 FROM application_drivers WHERE id = ?1", {driver.value()},
            NotFound("driver " + Quoted(driver.value()) + " not found")));
        return ReadAll(session.Query(std::string(kSelectDriverVersionWithoutFiles) +
                                         " WHERE v.driver_id = ?1" +
                                         OrderByBytes(session.dialect(), {"v.created_at", "v.id"},
                                                      Direction::kDescending),
                                     {driver.value()}),
                       ReadDriverVersionWithoutFiles);
      });
}

Result<ApplicationDriverVersion> SqlStore::GetDriverVersion(const DriverVersionId& id) {
  return database_->InTransaction(Access::kRead, [&](SqlSession& session) {
    return ReadFirst(
        session.Query(std::string(kSelectDriverVersion) + " WHERE v.id = ?1", {id.value()}),
        ReadDriverVersion, "driver version " + Quoted(id.value()) + " not found");
  });
}

Status SqlStore::RecordDeploymentChange(const DeploymentChange& change) {
  STYRMIN_RETURN_IF_ERROR(ValidateDeploymentChange(change));
  const Deployment& deployment = change.deployment;
  const Instance& instance = change.instance;
  const std::string parameters = DumpJson(deployment.parameters);
  const std::string config = DumpJson(deployment.config);
  const std::string created_at = FormatRfc3339(deployment.created_at);
  const std::string updated_at = FormatRfc3339(deployment.updated_at);
  const std::string context = DumpJson(instance.context);
  const std::string instance_created_at = FormatRfc3339(instance.created_at);

  // Two writers changing one deployment at once: on PostgreSQL the second waits on the
  // deployment's row lock, then sees the first one's run and is refused like any later change.
  // A writer that does not take the lock (the agent's own statements, an operator's) is caught
  // by the unique indexes instead, which abort the transaction; then, as AddDriverVersion does,
  // the call runs it again, and its checks name the winner (its run, or its deployment). SQLite
  // writes one transaction at a time and never gets there.
  bool lost_race = false;
  const auto record = [&](SqlSession& session) -> Status {
    lost_race = false;
    const auto write = [&](std::string_view sql, std::initializer_list<SqlValue> params,
                           std::string_view what) -> Status {
      auto written = session.Exec(sql, params, what);
      if (LostARace(written)) lost_race = true;
      return written;
    };

    STYRMIN_ASSIGN_OR_RETURN(
        const SqlRows stored,
        session.Query("SELECT environment_id, name FROM deployments WHERE id = ?1" +
                          std::string(LockForUpdate(session.dialect())),
                      {deployment.id.value()}));
    STYRMIN_ASSIGN_OR_RETURN(const std::optional<Run> unfinished,
                             QueryUnfinishedRun(session, deployment.id));
    if (unfinished) {
      // A run references its deployment, so `stored` has the row.
      const std::string name =
          stored.empty() ? deployment.id.value() : std::string(stored.front().Text(1));
      return FailedPrecondition(RunName(*unfinished) + " is " +
                                std::string(RunStateName(unfinished->state)) + " for deployment " +
                                Quoted(name) + "; wait for it or cancel it");
    }

    // An update keeps the stored environment and name.
    if (!change.create && stored.empty()) {
      return NotFound("deployment " + Quoted(deployment.id.value()) + " not found");
    }
    const EnvironmentId environment_id =
        change.create ? deployment.environment_id : EnvironmentId(stored.front().Text(0));
    const std::string name = change.create ? deployment.name : std::string(stored.front().Text(1));
    STYRMIN_ASSIGN_OR_RETURN(const SqlRows environments,
                             session.Query("SELECT cluster_id FROM environments WHERE id = ?1",
                                           {environment_id.value()}));
    if (environments.empty()) {
      return InvalidArgument("environment " + Quoted(environment_id.value()) + " does not exist");
    }
    const ClusterId cluster_id(environments.front().Text(0));
    STYRMIN_RETURN_IF_ERROR(RequireDriverVersion(session, deployment.driver_version_id));
    if (instance.driver_version_id != deployment.driver_version_id) {
      STYRMIN_RETURN_IF_ERROR(RequireDriverVersion(session, instance.driver_version_id));
    }
    if (change.create) {
      STYRMIN_RETURN_IF_ERROR(FailIfFound(
          session, "SELECT 1 FROM deployments WHERE environment_id = ?1 AND name = ?2",
          {environment_id.value(), name},
          AlreadyExists("a deployment named " + Quoted(name) + " already exists in environment " +
                        Quoted(environment_id.value()))));
      if (!stored.empty()) {
        return AlreadyExists("a deployment with id " + Quoted(deployment.id.value()) +
                             " already exists");
      }
    }
    if (const std::optional<Run>& run = change.run) {
      if (run->environment_id != environment_id) {
        return InvalidArgument("run " + Quoted(run->id.value()) + " is for environment " +
                               Quoted(run->environment_id.value()) + ", but deployment " +
                               Quoted(name) + " is in environment " +
                               Quoted(environment_id.value()));
      }
      if (run->cluster_id != cluster_id) {
        return InvalidArgument("run " + Quoted(run->id.value()) + " is for cluster " +
                               Quoted(run->cluster_id.value()) + ", but environment " +
                               Quoted(environment_id.value()) + " is in cluster " +
                               Quoted(cluster_id.value()));
      }
      STYRMIN_RETURN_IF_ERROR(FailIfFound(
          session, "SELECT 1 FROM runs WHERE id = ?1", {run->id.value()},
          AlreadyExists("a run with id " + Quoted(run->id.value()) + " already exists")));
    }
    STYRMIN_RETURN_IF_ERROR(FailIfFound(
        session, "SELECT 1 FROM instances WHERE id = ?1", {instance.id.value()},
        AlreadyExists("an instance with id " + Quoted(instance.id.value()) + " already exists")));

    const std::string what = "store deployment " + Quoted(name);
    if (change.create) {
      // No active instance yet, whatever the change says: one becomes active when its run
      // succeeds.
      STYRMIN_RETURN_IF_ERROR(
          write("INSERT INTO deployments (id, environment_id, name, driver_version_id, "
                "application_version, parameters, config, phase, active_instance_id, created_at, "
                "updated_at) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, NULL, ?9, ?10)",
                {deployment.id.value(), environment_id.value(), name,
                 deployment.driver_version_id.value(), deployment.application_version, parameters,
                 config, deployment.phase, created_at, updated_at},
                what));
    } else {
      STYRMIN_RETURN_IF_ERROR(
          write("UPDATE deployments SET driver_version_id = ?2, application_version = ?3, "
                "parameters = ?4, config = ?5, phase = ?6, updated_at = ?7 WHERE id = ?1",
                {deployment.id.value(), deployment.driver_version_id.value(),
                 deployment.application_version, parameters, config, deployment.phase, updated_at},
                what));
    }
    STYRMIN_RETURN_IF_ERROR(
        write("INSERT INTO instances (id, deployment_id, driver_version_id, application_version, "
              "phase, context, created_at) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
              {instance.id.value(), deployment.id.value(), instance.driver_version_id.value(),
               instance.application_version, instance.phase, context, instance_created_at},
              "store instance " + Quoted(instance.id.value()) + " of deployment " + Quoted(name)));
    if (const std::optional<Run>& run = change.run) {
      STYRMIN_RETURN_IF_ERROR(write(
          "INSERT INTO runs (id, deployment_id, environment_id, cluster_id, kind, state, "
          "instance_id, reason, error, progress, created_at, started_at, finished_at) "
          "VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13)",
          {run->id.value(), deployment.id.value(), environment_id.value(), cluster_id.value(),
           run->kind, RunStateName(run->state), instance.id.value(), run->reason, run->error,
           FormatProgress(run->progress), FormatRfc3339(run->created_at),
           FormatOptionalTimestamp(run->started_at), FormatOptionalTimestamp(run->finished_at)},
          "store " + RunName(*run) + " of deployment " + Quoted(name)));
    }
    return OkStatus();
  };

  for (int attempt = 1;; ++attempt) {
    auto recorded = database_->InTransaction(Access::kWrite, record);
    if (recorded || !lost_race || attempt == kAttemptsWhenRacing) return recorded;
  }
}

Result<Deployment> SqlStore::GetDeployment(const DeploymentId& id) {
  return database_->InTransaction(Access::kRead, [&](SqlSession& session) {
    return ReadFirst(session.Query(std::string(kSelectDeployment) + " WHERE id = ?1", {id.value()}),
                     ReadDeployment, "deployment " + Quoted(id.value()) + " not found");
  });
}

Result<std::vector<Deployment>> SqlStore::ListDeployments(const DeploymentQuery& query) {
  STYRMIN_RETURN_IF_ERROR(ValidateDeploymentQuery(query));
  // One statement, a later page's cursor included: one round trip on PostgreSQL.
  STYRMIN_ASSIGN_OR_RETURN(
      std::vector<Deployment> listed,
      database_->InTransaction(
          Access::kReadOne, [&](SqlSession& session) -> Result<std::vector<Deployment>> {
            ListStatement statement(query.with_settings ? kSelectDeployment
                                                        : kSelectDeploymentWithoutSettings);
            if (query.environment) {
              statement.Where("environment_id = " + statement.Param(query.environment->value()));
            }
            const std::string environments = sql::JsonList(query.environments);
            if (!query.environments.empty()) {
              statement.Where(
                  sql::InJsonList(session.dialect(), "environment_id", statement.NextParam()));
              statement.Param(environments);
            }
            if (query.phase) statement.Where("phase = " + statement.Param(*query.phase));
            if (const std::optional<DeploymentId>& after = query.after) {
              // The cursor's row by its name and id, read by the statement itself. An unknown
              // id makes the name NULL, and the page empty: told apart below.
              const std::string id = statement.Param(after->value());
              statement.Where(
                  RowsPastValues(session.dialect(), {"name", "id"}, Direction::kAscending,
                                 {"(SELECT name FROM deployments WHERE id = " + id + ")", id}));
            }
            statement.Append(OrderByBytes(session.dialect(), {"name", "id"}));
            statement.Append(" LIMIT " + statement.Param(static_cast<std::int64_t>(query.limit)));
            return ReadAll(session.Query(statement.sql(), statement.params()),
                           query.with_settings ? ReadDeployment : ReadDeploymentWithoutSettings);
          }));
  if (listed.empty() && query.after) {
    // Past the last row, or past a deployment that does not exist (or no longer does).
    STYRMIN_ASSIGN_OR_RETURN(
        const bool known, database_->InTransaction(Access::kReadOne, [&](SqlSession& session) {
          return session.Exists("SELECT 1 FROM deployments WHERE id = ?1", {query.after->value()});
        }));
    if (!known) {
      return InvalidArgument("deployment " + Quoted(query.after->value()) +
                             " given as after does not exist");
    }
  }
  return listed;
}

Result<Instance> SqlStore::GetInstance(const InstanceId& id) {
  return database_->InTransaction(Access::kRead, [&](SqlSession& session) {
    return ReadFirst(session.Query(std::string(kSelectInstance) + " WHERE id = ?1", {id.value()}),
                     ReadInstance, "instance " + Quoted(id.value()) + " not found");
  });
}

Result<std::vector<Instance>> SqlStore::ListInstances(const DeploymentId& deployment) {
  return database_->InTransaction(
      Access::kRead, [&](SqlSession& session) -> Result<std::vector<Instance>> {
        STYRMIN_RETURN_IF_ERROR(RequireDeployment(session, deployment));
        return ReadAll(session.Query(std::string(kSelectInstance) + " WHERE deployment_id = ?1" +
                                         OrderByBytes(session.dialect(), {"created_at", "id"},
                                                      Direction::kDescending),
                                     {deployment.value()}),
                       ReadInstance);
      });
}

Result<Run> SqlStore::GetRun(const RunId& id) {
  return database_->InTransaction(Access::kRead, [&](SqlSession& session) {
    return ReadFirst(session.Query(SelectRuns() + " WHERE id = ?1", {id.value()}), ReadRun,
                     "run " + Quoted(id.value()) + " not found");
  });
}

Result<std::vector<Run>> SqlStore::ListRuns(const RunQuery& query) {
  STYRMIN_RETURN_IF_ERROR(ValidateRunQuery(query));
  return database_->InTransaction(
      Access::kRead, [&](SqlSession& session) -> Result<std::vector<Run>> {
        ListStatement statement(SelectRuns());
        if (query.deployment) {
          statement.Where("deployment_id = " + statement.Param(query.deployment->value()));
        }
        if (query.environment) {
          statement.Where("environment_id = " + statement.Param(query.environment->value()));
        }
        const std::string environments = sql::JsonList(query.environments);
        if (!query.environments.empty()) {
          statement.Where(
              sql::InJsonList(session.dialect(), "environment_id", statement.NextParam()));
          statement.Param(environments);
        }
        if (query.state) statement.Where("state = " + statement.Param(RunStateName(*query.state)));
        std::string before_created_at;  // outlives the statement, which views it
        if (const std::optional<RunId>& before = query.before) {
          STYRMIN_ASSIGN_OR_RETURN(
              const SqlRows rows,
              session.Query("SELECT created_at FROM runs WHERE id = ?1", {before->value()}));
          if (rows.empty()) {
            return InvalidArgument("run " + Quoted(before->value()) +
                                   " given as before does not exist");
          }
          before_created_at = rows.front().Text(0);
          const std::string created_at = statement.Param(before_created_at);
          statement.Where(RowsPastValues(session.dialect(), {"created_at", "id"},
                                         Direction::kDescending,
                                         {created_at, statement.Param(before->value())}));
        }
        statement.Append(
            OrderByBytes(session.dialect(), {"created_at", "id"}, Direction::kDescending));
        statement.Append(" LIMIT " + statement.Param(static_cast<std::int64_t>(query.limit)));
        return ReadAll(session.Query(statement.sql(), statement.params()), ReadRun);
      });
}

Result<std::optional<Run>> SqlStore::FindUnfinishedRun(const DeploymentId& deployment) {
  return database_->InTransaction(Access::kRead,
                                  [&](SqlSession& session) -> Result<std::optional<Run>> {
                                    STYRMIN_RETURN_IF_ERROR(RequireDeployment(session, deployment));
                                    return QueryUnfinishedRun(session, deployment);
                                  });
}

Result<std::vector<Run>> SqlStore::FindUnfinishedRuns(
    const std::vector<DeploymentId>& deployments) {
  constexpr std::size_t kMaxIds = 1000;
  if (deployments.size() > kMaxIds) {
    return InvalidArgument("at most " + std::to_string(kMaxIds) + " deployments at once, not " +
                           std::to_string(deployments.size()));
  }
  if (deployments.empty()) return std::vector<Run>();
  // Each id once: SQLite's query joins with the list, which would repeat a run.
  std::vector<std::string_view> ids;
  ids.reserve(deployments.size());
  for (const DeploymentId& id : deployments) ids.push_back(id.value());
  std::sort(ids.begin(), ids.end());
  ids.erase(std::unique(ids.begin(), ids.end()), ids.end());
  const std::string list = sql::JsonList(ids);
  return database_->InTransaction(
      Access::kReadOne, [&](SqlSession& session) -> Result<std::vector<Run>> {
        return ReadAll(session.Query(sql::SelectUnfinishedRuns(session.dialect(), 1), {list}),
                       ReadRun);
      });
}

Result<Run> SqlStore::CancelRun(const RunId& id, Timestamp at) {
  return database_->InTransaction(Access::kWrite, [&](SqlSession& session) -> Result<Run> {
    // The state is checked by the UPDATE itself: an agent claiming the run at the same moment
    // either commits first (no row is cancelled) or waits for this one.
    STYRMIN_ASSIGN_OR_RETURN(
        const SqlRows cancelled,
        session.Query("UPDATE runs SET state = ?2, finished_at = ?3 WHERE id = ?1 AND state = ?4 "
                      "RETURNING " +
                          std::string(kRunColumns),
                      {id.value(), RunStateName(RunState::kCancelled), FormatRfc3339(at),
                       RunStateName(RunState::kPending)},
                      "cancel run " + Quoted(id.value())));
    if (!cancelled.empty()) return ReadRun(cancelled.front());
    STYRMIN_ASSIGN_OR_RETURN(const Run run,
                             ReadFirst(session.Query(SelectRuns() + " WHERE id = ?1", {id.value()}),
                                       ReadRun, "run " + Quoted(id.value()) + " not found"));
    return FailedPrecondition(RunName(run) + " is " + std::string(RunStateName(run.state)) +
                              ", not pending; only a pending run can be cancelled");
  });
}

Result<std::int64_t> SqlStore::RecordAudit(const AuditEvent& event) {
  STYRMIN_RETURN_IF_ERROR(ValidateNewAuditEvent(event));
  return database_->InTransaction(Access::kWrite, [&](SqlSession& session) -> Result<std::int64_t> {
    STYRMIN_ASSIGN_OR_RETURN(
        const auto rows,
        session.Query("INSERT INTO audit_events "
                      "(at, actor, actor_token_id, action, target, outcome, message, arguments) "
                      "VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8) RETURNING sequence",
                      {FormatRfc3339(event.at), event.actor, event.actor_token_id, event.action,
                       event.target, event.outcome, event.message, DumpJson(event.arguments)},
                      "store audit event " + Quoted(event.action)));
    const std::optional<std::int64_t> sequence = rows.empty() ? std::nullopt : rows.front().Int(0);
    if (!sequence) return Internal("storing an audit event returned no sequence");
    return *sequence;
  });
}

Result<std::vector<AuditEvent>> SqlStore::ListAudit(const AuditQuery& query) {
  STYRMIN_RETURN_IF_ERROR(ValidateAuditQuery(query));
  // Only the filters asked for (ListStatement), so that SQLite walks the (action, sequence)
  // index.
  ListStatement statement(kSelectAuditEvent);
  if (query.before) statement.Where("sequence < " + statement.Param(*query.before));
  if (query.action) statement.Where("action = " + statement.Param(*query.action));
  statement.Append(" ORDER BY sequence DESC LIMIT " +
                   statement.Param(static_cast<std::int64_t>(query.limit)));
  return database_->InTransaction(Access::kRead, [&](SqlSession& session) {
    return ReadAll(session.Query(statement.sql(), statement.params()), ReadAuditEvent);
  });
}

}  // namespace styrmin::storage
