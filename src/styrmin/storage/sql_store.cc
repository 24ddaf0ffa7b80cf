#include "styrmin/storage/sql_store.h"

#include <initializer_list>
#include <string_view>
#include <utility>

#include "styrmin/core/clock.h"
#include "styrmin/storage/store_values.h"

namespace styrmin::storage {
namespace {

// `error` when `sql` finds a row.
Status FailIfFound(SqlSession& session, std::string_view sql,
                   std::initializer_list<SqlValue> params, tl::unexpected<Error> error) {
  STYRMIN_ASSIGN_OR_RETURN(const bool found, session.Exists(sql, params));
  if (found) return error;
  return OkStatus();
}

// `error` when `sql` finds no row.
Status FailIfMissing(SqlSession& session, std::string_view sql,
                     std::initializer_list<SqlValue> params, tl::unexpected<Error> error) {
  STYRMIN_ASSIGN_OR_RETURN(const bool found, session.Exists(sql, params));
  if (!found) return error;
  return OkStatus();
}

template <typename T>
using RowReader = Result<T> (*)(const SqlRow&);

// Every row of `rows` through `read`, or the first error.
template <typename T>
Result<std::vector<T>> ReadAll(const Result<std::vector<SqlRow>>& rows, RowReader<T> read) {
  if (!rows) return tl::unexpected(rows.error());
  std::vector<T> values;
  values.reserve(rows->size());
  for (const SqlRow& row : *rows) {
    STYRMIN_ASSIGN_OR_RETURN(T value, read(row));
    values.push_back(std::move(value));
  }
  return values;
}

// The first row of `rows` through `read`; kNotFound with `not_found` when there is none.
template <typename T>
Result<T> ReadFirst(const Result<std::vector<SqlRow>>& rows, RowReader<T> read,
                    std::string not_found) {
  if (!rows) return tl::unexpected(rows.error());
  if (rows->empty()) return NotFound(std::move(not_found));
  return read(rows->front());
}

enum class Direction { kAscending, kDescending };

// " ORDER BY a, b" in byte order, as SQLite's default collation (BINARY) compares. PostgreSQL
// is told so (COLLATE "C"), whatever collation its database was created with, so that both
// stores list in the same order. `direction` applies to every column.
std::string OrderByBytes(SqlDialect dialect, std::initializer_list<std::string_view> columns,
                         Direction direction = Direction::kAscending) {
  std::string_view collation;
  switch (dialect) {
    case SqlDialect::kSqlite:
      break;
    case SqlDialect::kPostgresql:
      collation = " COLLATE \"C\"";
      break;
  }
  std::string sql;
  for (const std::string_view column : columns) {
    sql += sql.empty() ? " ORDER BY " : ", ";
    sql += column;
    sql += collation;
    if (direction == Direction::kDescending) sql += " DESC";
  }
  return sql;
}

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
    "SELECT id, name, role, cluster_id, secret_hash, created_at FROM api_tokens";

Result<ApiToken> ReadToken(const SqlRow& row) {
  ApiToken token;
  token.id = TokenId(row.Text(0));
  const std::string where = "API token " + Quoted(token.id.value());
  token.name = row.Text(1);
  STYRMIN_ASSIGN_OR_RETURN(token.role, ParseRole(row.Text(2), where));
  if (const auto& cluster = row.OptionalText(3)) token.cluster_id = ClusterId(*cluster);
  token.secret_hash = row.Text(4);
  STYRMIN_ASSIGN_OR_RETURN(token.created_at, ParseStoredTimestamp(row.Text(5), where));
  return token;
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
  return session.Exec(
      "INSERT INTO api_tokens (id, name, role, cluster_id, secret_hash, created_at) "
      "VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
      {token.id.value(), token.name, RoleName(token.role), token.cluster_id, token.secret_hash,
       FormatRfc3339(token.created_at)},
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

// How many times AddDriverVersion runs its transaction when it loses a race (see there). A second
// run sees the row that won; a third covers yet another writer winning in between.
constexpr int kAddDriverVersionAttempts = 3;

// --- audit log

constexpr std::string_view kSelectAuditEvent =
    "SELECT sequence, at, actor, actor_token_id, action, target, outcome, message, arguments "
    "FROM audit_events";

Result<AuditEvent> ReadAuditEvent(const SqlRow& row) {
  const std::string where = "audit event " + row.Text(0);
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
  return database_->InTransaction(Access::kRead, [&](SqlSession& session) {
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
  return database_->InTransaction(Access::kRead, [&](SqlSession& session) {
    return ReadFirst(
        session.Query(std::string(kSelectToken) + " WHERE secret_hash = ?1", {secret_hash}),
        ReadToken, "no API token has the given secret");
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
        const std::vector<SqlRow> drivers,
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

    STYRMIN_ASSIGN_OR_RETURN(const std::vector<SqlRow> same_content,
                             session.Query(std::string(kSelectDriverVersion) +
                                               " WHERE v.driver_id = ?1 AND v.digest = ?2",
                                           {driver_id.value(), version.digest}));
    if (!same_content.empty()) {
      STYRMIN_ASSIGN_OR_RETURN(ApplicationDriverVersion existing,
                               ReadDriverVersion(same_content.front()));
      return AddedDriverVersion{.version = std::move(existing), .created = false};
    }
    STYRMIN_ASSIGN_OR_RETURN(
        const std::vector<SqlRow> same_version,
        session.Query(
            "SELECT digest FROM application_driver_versions WHERE driver_id = ?1 AND version = ?2",
            {driver_id.value(), version.version}));
    if (!same_version.empty()) {
      return AlreadyExists(driver + " already has version " + Quoted(version.version) +
                           " with other content (" + same_version.front().Text(0) + ")");
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
    STYRMIN_ASSIGN_OR_RETURN(const std::vector<SqlRow> stored_rows,
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
    if (added || !lost_race || attempt == kAddDriverVersionAttempts) return added;
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
  // Only the filters asked for are written, each with its own parameter. SQLite plans a
  // statement before it sees the values, so a filter written as "?1 IS NULL OR ..." would keep
  // it from walking the (action, sequence) index.
  std::string sql(kSelectAuditEvent);
  std::vector<SqlValue> params;
  const auto filter = [&](std::string_view condition, SqlValue value) {
    sql += params.empty() ? " WHERE " : " AND ";
    sql += condition;
    params.push_back(value);
    sql += std::to_string(params.size());
  };
  if (query.before) filter("sequence < ?", *query.before);
  if (query.action) filter("action = ?", *query.action);
  params.emplace_back(static_cast<std::int64_t>(query.limit));
  sql += " ORDER BY sequence DESC LIMIT ?" + std::to_string(params.size());
  return database_->InTransaction(Access::kRead, [&](SqlSession& session) {
    return ReadAll(session.Query(sql, params), ReadAuditEvent);
  });
}

}  // namespace styrmin::storage
