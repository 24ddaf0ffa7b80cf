#include "styrmin/storage/sqlite_store.h"

#include <sqlite3.h>

#include <cstdint>
#include <initializer_list>
#include <string_view>
#include <utility>
#include <variant>
#include <vector>

#include "styrmin/core/clock.h"
#include "styrmin/storage/migrations.h"
#include "styrmin/storage/store_values.h"

namespace styrmin::storage {
namespace {

// Long enough to ride out another process's checkpoint or a backup tool's read lock.
constexpr int kBusyTimeoutMs = 5000;

// Maps a SQLite result code to the error vocabulary. `what` says what was being done.
Error SqliteError(sqlite3* db, int rc, std::string_view what) {
  std::string message(what);
  message += ": ";
  // sqlite3_errmsg describes the connection's last failure, which is `rc` whenever the
  // connection exists; without one only the code is known.
  message += db != nullptr ? sqlite3_errmsg(db) : sqlite3_errstr(rc);
  switch (rc) {
    case SQLITE_CONSTRAINT_UNIQUE:
    case SQLITE_CONSTRAINT_PRIMARYKEY:
      // The store checks names and ids itself first, for a message that names the thing; this
      // is the backstop should a check ever be missing.
      return Error(ErrorCode::kAlreadyExists, std::move(message));
    case SQLITE_CONSTRAINT_FOREIGNKEY:
      return Error(ErrorCode::kInvalidArgument, std::move(message));
    default:
      break;
  }
  switch (rc & 0xff) {
    case SQLITE_BUSY:
    case SQLITE_LOCKED:
    case SQLITE_CANTOPEN:
      return Error(ErrorCode::kUnavailable, std::move(message));
    case SQLITE_NOTADB:
      return Error(ErrorCode::kFailedPrecondition, std::move(message));
    default:
      return Error(ErrorCode::kInternal, std::move(message));
  }
}

// A value bound to a `?N` parameter: NULL, text, or an integer.
using Param = std::variant<std::monostate, std::string_view, std::int64_t>;

Param OptionalParam(const std::optional<std::string>& value) {
  if (!value) return std::monostate{};
  return std::string_view(*value);
}

// A prepared statement with its parameters bound; finalized on destruction.
class Statement final {
 public:
  static Result<Statement> Prepare(sqlite3* db, std::string_view sql,
                                   std::initializer_list<Param> params) {
    sqlite3_stmt* raw = nullptr;
    const int rc = sqlite3_prepare_v2(db, sql.data(), static_cast<int>(sql.size()), &raw, nullptr);
    Statement statement(db, raw);
    if (rc != SQLITE_OK) return tl::unexpected(SqliteError(db, rc, "prepare a statement"));
    int index = 0;
    for (const Param& param : params) {
      ++index;
      int bound = SQLITE_OK;
      if (const auto* text = std::get_if<std::string_view>(&param)) {
        // SQLITE_TRANSIENT: SQLite copies the text, so the caller's strings may go away.
        bound = sqlite3_bind_text64(raw, index, text->data(), text->size(), SQLITE_TRANSIENT,
                                    SQLITE_UTF8);
      } else if (const auto* number = std::get_if<std::int64_t>(&param)) {
        bound = sqlite3_bind_int64(raw, index, *number);
      } else {
        bound = sqlite3_bind_null(raw, index);
      }
      // SQLITE_TOOBIG is reachable with a huge value from a client, so this is not a check.
      if (bound != SQLITE_OK) return tl::unexpected(SqliteError(db, bound, "bind a parameter"));
    }
    return statement;
  }

  Statement(Statement&& other) noexcept
      : db_(other.db_), statement_(std::exchange(other.statement_, nullptr)) {}
  Statement& operator=(Statement&&) = delete;
  Statement(const Statement&) = delete;
  Statement& operator=(const Statement&) = delete;
  ~Statement() { sqlite3_finalize(statement_); }

  // True when a row is ready to read, false when the statement is done.
  Result<bool> Step() {
    const int rc = sqlite3_step(statement_);
    if (rc == SQLITE_ROW) return true;
    if (rc == SQLITE_DONE) return false;
    return tl::unexpected(SqliteError(db_, rc, "run a statement"));
  }

  // Runs a statement that returns no rows.
  Status Run() {
    STYRMIN_ASSIGN_OR_RETURN(const bool row, Step());
    if (row) return Internal("a statement that should return no rows returned one");
    return OkStatus();
  }

  std::string Text(int column) const {
    const auto* text = sqlite3_column_text(statement_, column);
    if (text == nullptr) return {};
    return {reinterpret_cast<const char*>(text),
            static_cast<std::size_t>(sqlite3_column_bytes(statement_, column))};
  }

  std::optional<std::string> OptionalText(int column) const {
    if (sqlite3_column_type(statement_, column) == SQLITE_NULL) return std::nullopt;
    return Text(column);
  }

  std::int64_t Int(int column) const { return sqlite3_column_int64(statement_, column); }

 private:
  Statement(sqlite3* db, sqlite3_stmt* statement) : db_(db), statement_(statement) {}

  sqlite3* db_;
  sqlite3_stmt* statement_;
};

// Runs SQL without parameters, possibly several statements (migrations, pragmas, BEGIN).
Status Exec(sqlite3* db, std::string_view sql, std::string_view what) {
  const std::string text(sql);  // sqlite3_exec wants a terminating NUL
  const int rc = sqlite3_exec(db, text.c_str(), nullptr, nullptr, nullptr);
  if (rc != SQLITE_OK) return tl::unexpected(SqliteError(db, rc, what));
  return OkStatus();
}

Status Run(sqlite3* db, std::string_view sql, std::initializer_list<Param> params) {
  STYRMIN_ASSIGN_OR_RETURN(auto statement, Statement::Prepare(db, sql, params));
  return statement.Run();
}

Result<bool> Exists(sqlite3* db, std::string_view sql, std::initializer_list<Param> params) {
  STYRMIN_ASSIGN_OR_RETURN(auto statement, Statement::Prepare(db, sql, params));
  return statement.Step();
}

Result<std::int64_t> QueryInt(sqlite3* db, std::string_view sql) {
  STYRMIN_ASSIGN_OR_RETURN(auto statement, Statement::Prepare(db, sql, {}));
  STYRMIN_ASSIGN_OR_RETURN(const bool row, statement.Step());
  if (!row) return Internal("query returned no row: " + std::string(sql));
  return statement.Int(0);
}

enum class Access { kRead, kWrite };

// Runs `body` (returning a Status or Result<T>) in one transaction: committed when it
// succeeds, rolled back when it or the commit fails.
template <typename Body>
auto InTransaction(sqlite3* db, Access access, Body&& body) -> decltype(body()) {
  // A writer takes the write lock up front (IMMEDIATE), so it waits for other writers under the
  // busy timeout instead of failing with SQLITE_BUSY when it upgrades a read lock halfway. A
  // reader needs no write lock and so does not queue behind writers of other processes.
  STYRMIN_RETURN_IF_ERROR(
      Exec(db, access == Access::kWrite ? "BEGIN IMMEDIATE" : "BEGIN", "begin a transaction"));
  auto rollback = [db] {
    // Some errors (SQLITE_FULL, SQLITE_IOERR, ...) roll back by themselves; ROLLBACK then fails
    // with "no transaction is active", which is the state wanted, so its result is not needed.
    if (sqlite3_get_autocommit(db) == 0) sqlite3_exec(db, "ROLLBACK", nullptr, nullptr, nullptr);
  };
  auto result = body();
  if (!result) {
    rollback();
    return result;
  }
  if (auto committed = Exec(db, "COMMIT", "commit a transaction"); !committed) {
    rollback();
    return tl::unexpected(std::move(committed).error());
  }
  return result;
}

Result<Json> ReadJson(const Statement& statement, int column, std::string_view row) {
  return ParseStoredJson(statement.Text(column), row);
}

Result<Timestamp> ReadTimestamp(const Statement& statement, int column, std::string_view row) {
  return ParseStoredTimestamp(statement.Text(column), row);
}

// --- clusters

constexpr std::string_view kSelectCluster = "SELECT id, name, config, created_at FROM clusters";

Result<Cluster> ReadCluster(const Statement& row) {
  Cluster cluster;
  cluster.id = ClusterId(row.Text(0));
  const std::string where = "cluster " + Quoted(cluster.id.value());
  cluster.name = row.Text(1);
  STYRMIN_ASSIGN_OR_RETURN(cluster.config, ReadJson(row, 2, where));
  STYRMIN_ASSIGN_OR_RETURN(cluster.created_at, ReadTimestamp(row, 3, where));
  return cluster;
}

Status RequireCluster(sqlite3* db, const ClusterId& id) {
  STYRMIN_ASSIGN_OR_RETURN(const bool exists,
                           Exists(db, "SELECT 1 FROM clusters WHERE id = ?1", {id.value()}));
  if (!exists) return InvalidArgument("cluster " + Quoted(id.value()) + " does not exist");
  return OkStatus();
}

// --- backup storage locations

constexpr std::string_view kSelectBackupLocation =
    "SELECT id, name, kind, endpoint, bucket, region, path, credentials, created_at "
    "FROM backup_storage_locations";

Result<BackupStorageLocation> ReadBackupLocation(const Statement& row) {
  BackupStorageLocation location;
  location.id = BackupStorageLocationId(row.Text(0));
  const std::string where = "backup storage location " + Quoted(location.id.value());
  location.name = row.Text(1);
  STYRMIN_ASSIGN_OR_RETURN(location.kind, ParseKind(row.Text(2), where));
  location.endpoint = row.Text(3);
  location.bucket = row.Text(4);
  location.region = row.Text(5);
  location.path = row.Text(6);
  STYRMIN_ASSIGN_OR_RETURN(location.credentials, ReadJson(row, 7, where));
  STYRMIN_ASSIGN_OR_RETURN(location.created_at, ReadTimestamp(row, 8, where));
  return location;
}

// --- environments

constexpr std::string_view kSelectEnvironment =
    "SELECT e.id, e.name, e.cluster_id, e.config, e.backup_location_id, e.created_at "
    "FROM environments e";

Result<Environment> ReadEnvironment(const Statement& row) {
  Environment environment;
  environment.id = EnvironmentId(row.Text(0));
  const std::string where = "environment " + Quoted(environment.id.value());
  environment.name = row.Text(1);
  environment.cluster_id = ClusterId(row.Text(2));
  STYRMIN_ASSIGN_OR_RETURN(environment.config, ReadJson(row, 3, where));
  if (auto location = row.OptionalText(4)) {
    environment.backup_location_id = BackupStorageLocationId(std::move(*location));
  }
  STYRMIN_ASSIGN_OR_RETURN(environment.created_at, ReadTimestamp(row, 5, where));
  return environment;
}

// --- tokens

constexpr std::string_view kSelectToken =
    "SELECT id, name, role, cluster_id, secret_hash, created_at FROM api_tokens";

Result<ApiToken> ReadToken(const Statement& row) {
  ApiToken token;
  token.id = TokenId(row.Text(0));
  const std::string where = "API token " + Quoted(token.id.value());
  token.name = row.Text(1);
  STYRMIN_ASSIGN_OR_RETURN(token.role, ParseRole(row.Text(2), where));
  if (auto cluster = row.OptionalText(3)) token.cluster_id = ClusterId(std::move(*cluster));
  token.secret_hash = row.Text(4);
  STYRMIN_ASSIGN_OR_RETURN(token.created_at, ReadTimestamp(row, 5, where));
  return token;
}

// Inserts a validated token inside the caller's write transaction.
Status InsertToken(sqlite3* db, const ApiToken& token) {
  STYRMIN_ASSIGN_OR_RETURN(const bool id_taken, Exists(db, "SELECT 1 FROM api_tokens WHERE id = ?1",
                                                       {token.id.value()}));
  if (id_taken) {
    return AlreadyExists("an API token with id " + Quoted(token.id.value()) + " already exists");
  }
  STYRMIN_ASSIGN_OR_RETURN(
      const bool secret_taken,
      Exists(db, "SELECT 1 FROM api_tokens WHERE secret_hash = ?1", {token.secret_hash}));
  if (secret_taken) {
    // The hash is not quoted: messages reach logs, and it identifies a live credential.
    return AlreadyExists("an API token with the same secret already exists");
  }
  std::optional<std::string> cluster_id;
  if (token.cluster_id) {
    STYRMIN_RETURN_IF_ERROR(RequireCluster(db, *token.cluster_id));
    cluster_id = token.cluster_id->value();
  }
  return Run(db,
             "INSERT INTO api_tokens (id, name, role, cluster_id, secret_hash, created_at) "
             "VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
             {token.id.value(), token.name, RoleName(token.role), OptionalParam(cluster_id),
              token.secret_hash, FormatRfc3339(token.created_at)});
}

// --- audit log

constexpr std::string_view kSelectAuditEvent =
    "SELECT sequence, at, actor, actor_token_id, action, target, outcome, message, arguments "
    "FROM audit_events";

Result<AuditEvent> ReadAuditEvent(const Statement& row) {
  AuditEvent event;
  event.sequence = row.Int(0);
  const std::string where = "audit event " + std::to_string(event.sequence);
  STYRMIN_ASSIGN_OR_RETURN(event.at, ReadTimestamp(row, 1, where));
  event.actor = row.Text(2);
  if (auto token = row.OptionalText(3)) event.actor_token_id = TokenId(std::move(*token));
  event.action = row.Text(4);
  event.target = row.Text(5);
  event.outcome = row.Text(6);
  event.message = row.Text(7);
  STYRMIN_ASSIGN_OR_RETURN(event.arguments, ReadJson(row, 8, where));
  return event;
}

// The statement for one page of `query`. SQLite plans a statement before it sees the values, so
// a filter written as "?1 IS NULL OR ..." would keep it from walking the (action, sequence)
// index; only the filters asked for are written instead. Values are still only bound: ?1 is
// `before`, ?2 the action, ?3 the limit (always there, so ?1 and ?2 can always be bound).
std::string AuditPageSql(const AuditQuery& query) {
  std::string sql(kSelectAuditEvent);
  std::string_view joiner = " WHERE ";
  if (query.before) {
    sql += joiner;
    sql += "sequence < ?1";
    joiner = " AND ";
  }
  if (query.action) {
    sql += joiner;
    sql += "action = ?2";
  }
  sql += " ORDER BY sequence DESC LIMIT ?3";
  return sql;
}

// --- opening

struct CloseDatabase {
  void operator()(sqlite3* db) const { sqlite3_close_v2(db); }
};
using DatabasePtr = std::unique_ptr<sqlite3, CloseDatabase>;

Result<std::string> QueryText(sqlite3* db, std::string_view sql) {
  STYRMIN_ASSIGN_OR_RETURN(auto statement, Statement::Prepare(db, sql, {}));
  STYRMIN_ASSIGN_OR_RETURN(const bool row, statement.Step());
  if (!row) return std::string();
  return statement.Text(0);
}

Status Configure(sqlite3* db) {
  sqlite3_extended_result_codes(db, 1);
  sqlite3_busy_timeout(db, kBusyTimeoutMs);
  // WAL lets readers of other processes run while the server writes. An in-memory database
  // reports "memory" and has no other readers.
  STYRMIN_ASSIGN_OR_RETURN(const std::string mode, QueryText(db, "PRAGMA journal_mode = WAL"));
  if (mode != "wal" && mode != "memory") {
    return FailedPrecondition("cannot switch to WAL journal mode (it stays " + Quoted(mode) + ")");
  }
  // Foreign keys are off per connection by default in SQLite.
  STYRMIN_RETURN_IF_ERROR(Exec(db, "PRAGMA foreign_keys = ON", "enable foreign keys"));
  STYRMIN_ASSIGN_OR_RETURN(const std::int64_t foreign_keys, QueryInt(db, "PRAGMA foreign_keys"));
  if (foreign_keys != 1) return FailedPrecondition("this SQLite cannot enforce foreign keys");
  return OkStatus();
}

Status RefuseNewerSchema(sqlite3* db, int known) {
  STYRMIN_ASSIGN_OR_RETURN(const std::int64_t newest,
                           QueryInt(db, "SELECT COALESCE(MAX(version), 0) FROM schema_migrations"));
  if (newest > known) {
    return FailedPrecondition("database schema version " + std::to_string(newest) +
                              " is newer than this styrmin-server supports (" +
                              std::to_string(known) + "); upgrade styrmin-server");
  }
  return OkStatus();
}

// Applies the migrations the database lacks; returns the number applied in all.
Result<int> Migrate(sqlite3* db) {
  const auto migrations = Migrations();
  const int known = static_cast<int>(migrations.size());
  STYRMIN_RETURN_IF_ERROR(
      Exec(db, kCreateSchemaMigrationsTable, "create the schema_migrations table"));
  STYRMIN_RETURN_IF_ERROR(
      InTransaction(db, Access::kRead, [&] { return RefuseNewerSchema(db, known); }));
  for (const Migration& migration : migrations) {
    STYRMIN_CHECK(migration.version == &migration - migrations.data() + 1,
                  "migrations are numbered 1, 2, 3, ... in order");
    // Each check repeats inside the write transaction: another process may have migrated the
    // same file since the last one.
    auto applied = InTransaction(db, Access::kWrite, [&]() -> Status {
      STYRMIN_RETURN_IF_ERROR(RefuseNewerSchema(db, known));
      STYRMIN_ASSIGN_OR_RETURN(const bool done,
                               Exists(db, "SELECT 1 FROM schema_migrations WHERE version = ?1",
                                      {std::int64_t{migration.version}}));
      if (done) return OkStatus();
      STYRMIN_RETURN_IF_ERROR(
          Exec(db, SqlFor(migration, SqlDialect::kSqlite), "apply the migration"));
      return Run(db, "INSERT INTO schema_migrations (version, applied_at) VALUES (?1, ?2)",
                 {std::int64_t{migration.version}, FormatRfc3339(SystemClock::Instance().Now())});
    });
    if (!applied) {
      return tl::unexpected(applied.error().WithContext("migration " +
                                                        std::to_string(migration.version) + " (" +
                                                        std::string(migration.description) + ")"));
    }
  }
  STYRMIN_ASSIGN_OR_RETURN(const std::int64_t count,
                           QueryInt(db, "SELECT COUNT(*) FROM schema_migrations"));
  return static_cast<int>(count);
}

}  // namespace

Result<std::unique_ptr<SqliteStore>> SqliteStore::Open(const std::string& path) {
  const std::string where = "database " + Quoted(path);
  sqlite3* raw = nullptr;
  // NOMUTEX: `mutex_` already serialises every use of the connection.
  const int rc =
      sqlite3_open_v2(path.c_str(), &raw,
                      SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_NOMUTEX, nullptr);
  DatabasePtr db(raw);  // a failed open still allocates a handle that must be closed
  if (rc != SQLITE_OK) return tl::unexpected(SqliteError(raw, rc, "cannot open " + where));

  // SQLite reads the file only now, so this is where "not a database" shows up.
  if (auto configured = Configure(db.get()); !configured) {
    if (sqlite3_errcode(db.get()) == SQLITE_NOTADB) {
      return FailedPrecondition(Quoted(path) + " is not a SQLite database");
    }
    return tl::unexpected(configured.error().WithContext(where));
  }
  auto version = Migrate(db.get());
  if (!version) return tl::unexpected(version.error().WithContext(where));
  return std::unique_ptr<SqliteStore>(new SqliteStore(db.release(), *version));
}

SqliteStore::SqliteStore(sqlite3* db, int schema_version)
    : db_(db), schema_version_(schema_version) {}

SqliteStore::~SqliteStore() { sqlite3_close_v2(db_); }

Status SqliteStore::CreateCluster(const Cluster& cluster, const ApiToken& agent_token) {
  STYRMIN_RETURN_IF_ERROR(ValidateNewCluster(cluster, agent_token));
  std::lock_guard lock(mutex_);
  return InTransaction(db_, Access::kWrite, [&]() -> Status {
    STYRMIN_ASSIGN_OR_RETURN(const bool name_taken,
                             Exists(db_, "SELECT 1 FROM clusters WHERE name = ?1", {cluster.name}));
    if (name_taken) {
      return AlreadyExists("a cluster named " + Quoted(cluster.name) + " already exists");
    }
    STYRMIN_ASSIGN_OR_RETURN(
        const bool id_taken,
        Exists(db_, "SELECT 1 FROM clusters WHERE id = ?1", {cluster.id.value()}));
    if (id_taken) {
      return AlreadyExists("a cluster with id " + Quoted(cluster.id.value()) + " already exists");
    }
    STYRMIN_RETURN_IF_ERROR(
        Run(db_, "INSERT INTO clusters (id, name, config, created_at) VALUES (?1, ?2, ?3, ?4)",
            {cluster.id.value(), cluster.name, DumpJson(cluster.config),
             FormatRfc3339(cluster.created_at)}));
    // After the cluster, which the token references; a failure here rolls the cluster back.
    return InsertToken(db_, agent_token);
  });
}

Result<Cluster> SqliteStore::GetCluster(const ClusterId& id) {
  std::lock_guard lock(mutex_);
  return InTransaction(db_, Access::kRead, [&]() -> Result<Cluster> {
    STYRMIN_ASSIGN_OR_RETURN(
        auto row,
        Statement::Prepare(db_, std::string(kSelectCluster) + " WHERE id = ?1", {id.value()}));
    STYRMIN_ASSIGN_OR_RETURN(const bool found, row.Step());
    if (!found) return NotFound("cluster " + Quoted(id.value()) + " not found");
    return ReadCluster(row);
  });
}

Result<std::vector<Cluster>> SqliteStore::ListClusters() {
  std::lock_guard lock(mutex_);
  return InTransaction(db_, Access::kRead, [&]() -> Result<std::vector<Cluster>> {
    STYRMIN_ASSIGN_OR_RETURN(
        auto row, Statement::Prepare(db_, std::string(kSelectCluster) + " ORDER BY name", {}));
    std::vector<Cluster> clusters;
    while (true) {
      STYRMIN_ASSIGN_OR_RETURN(const bool more, row.Step());
      if (!more) break;
      STYRMIN_ASSIGN_OR_RETURN(auto cluster, ReadCluster(row));
      clusters.push_back(std::move(cluster));
    }
    return clusters;
  });
}

Status SqliteStore::CreateEnvironment(const Environment& environment) {
  STYRMIN_RETURN_IF_ERROR(ValidateNewEnvironment(environment));
  std::optional<std::string> location_id;
  if (environment.backup_location_id) location_id = environment.backup_location_id->value();
  std::lock_guard lock(mutex_);
  return InTransaction(db_, Access::kWrite, [&]() -> Status {
    STYRMIN_RETURN_IF_ERROR(RequireCluster(db_, environment.cluster_id));
    if (location_id) {
      STYRMIN_ASSIGN_OR_RETURN(
          const bool exists,
          Exists(db_, "SELECT 1 FROM backup_storage_locations WHERE id = ?1", {*location_id}));
      if (!exists) {
        return InvalidArgument("backup storage location " + Quoted(*location_id) +
                               " does not exist");
      }
    }
    STYRMIN_ASSIGN_OR_RETURN(
        const bool name_taken,
        Exists(db_, "SELECT 1 FROM environments WHERE cluster_id = ?1 AND name = ?2",
               {environment.cluster_id.value(), environment.name}));
    if (name_taken) {
      return AlreadyExists("an environment named " + Quoted(environment.name) +
                           " already exists in cluster " + Quoted(environment.cluster_id.value()));
    }
    STYRMIN_ASSIGN_OR_RETURN(
        const bool id_taken,
        Exists(db_, "SELECT 1 FROM environments WHERE id = ?1", {environment.id.value()}));
    if (id_taken) {
      return AlreadyExists("an environment with id " + Quoted(environment.id.value()) +
                           " already exists");
    }
    return Run(db_,
               "INSERT INTO environments "
               "(id, name, cluster_id, config, backup_location_id, created_at) "
               "VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
               {environment.id.value(), environment.name, environment.cluster_id.value(),
                DumpJson(environment.config), OptionalParam(location_id),
                FormatRfc3339(environment.created_at)});
  });
}

Result<Environment> SqliteStore::GetEnvironment(const EnvironmentId& id) {
  std::lock_guard lock(mutex_);
  return InTransaction(db_, Access::kRead, [&]() -> Result<Environment> {
    STYRMIN_ASSIGN_OR_RETURN(
        auto row, Statement::Prepare(db_, std::string(kSelectEnvironment) + " WHERE e.id = ?1",
                                     {id.value()}));
    STYRMIN_ASSIGN_OR_RETURN(const bool found, row.Step());
    if (!found) return NotFound("environment " + Quoted(id.value()) + " not found");
    return ReadEnvironment(row);
  });
}

Result<std::vector<Environment>> SqliteStore::ListEnvironments(
    const std::optional<ClusterId>& cluster) {
  std::string sql(kSelectEnvironment);
  sql += " JOIN clusters c ON c.id = e.cluster_id";
  // ?1 IS NULL selects every cluster's, so one statement serves both cases.
  sql += " WHERE (?1 IS NULL OR e.cluster_id = ?1) ORDER BY c.name, e.name";
  std::optional<std::string> cluster_id;
  if (cluster) cluster_id = cluster->value();
  std::lock_guard lock(mutex_);
  return InTransaction(db_, Access::kRead, [&]() -> Result<std::vector<Environment>> {
    STYRMIN_ASSIGN_OR_RETURN(auto row, Statement::Prepare(db_, sql, {OptionalParam(cluster_id)}));
    std::vector<Environment> environments;
    while (true) {
      STYRMIN_ASSIGN_OR_RETURN(const bool more, row.Step());
      if (!more) break;
      STYRMIN_ASSIGN_OR_RETURN(auto environment, ReadEnvironment(row));
      environments.push_back(std::move(environment));
    }
    return environments;
  });
}

Status SqliteStore::CreateBackupLocation(const BackupStorageLocation& location) {
  STYRMIN_RETURN_IF_ERROR(ValidateNewBackupLocation(location));
  std::lock_guard lock(mutex_);
  return InTransaction(db_, Access::kWrite, [&]() -> Status {
    STYRMIN_ASSIGN_OR_RETURN(
        const bool name_taken,
        Exists(db_, "SELECT 1 FROM backup_storage_locations WHERE name = ?1", {location.name}));
    if (name_taken) {
      return AlreadyExists("a backup storage location named " + Quoted(location.name) +
                           " already exists");
    }
    STYRMIN_ASSIGN_OR_RETURN(
        const bool id_taken,
        Exists(db_, "SELECT 1 FROM backup_storage_locations WHERE id = ?1", {location.id.value()}));
    if (id_taken) {
      return AlreadyExists("a backup storage location with id " + Quoted(location.id.value()) +
                           " already exists");
    }
    return Run(db_,
               "INSERT INTO backup_storage_locations "
               "(id, name, kind, endpoint, bucket, region, path, credentials, created_at) "
               "VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)",
               {location.id.value(), location.name, KindName(location.kind), location.endpoint,
                location.bucket, location.region, location.path, DumpJson(location.credentials),
                FormatRfc3339(location.created_at)});
  });
}

Result<BackupStorageLocation> SqliteStore::GetBackupLocation(const BackupStorageLocationId& id) {
  std::lock_guard lock(mutex_);
  return InTransaction(db_, Access::kRead, [&]() -> Result<BackupStorageLocation> {
    STYRMIN_ASSIGN_OR_RETURN(
        auto row, Statement::Prepare(db_, std::string(kSelectBackupLocation) + " WHERE id = ?1",
                                     {id.value()}));
    STYRMIN_ASSIGN_OR_RETURN(const bool found, row.Step());
    if (!found) return NotFound("backup storage location " + Quoted(id.value()) + " not found");
    return ReadBackupLocation(row);
  });
}

Result<std::vector<BackupStorageLocation>> SqliteStore::ListBackupLocations() {
  std::lock_guard lock(mutex_);
  return InTransaction(db_, Access::kRead, [&]() -> Result<std::vector<BackupStorageLocation>> {
    STYRMIN_ASSIGN_OR_RETURN(
        auto row,
        Statement::Prepare(db_, std::string(kSelectBackupLocation) + " ORDER BY name", {}));
    std::vector<BackupStorageLocation> locations;
    while (true) {
      STYRMIN_ASSIGN_OR_RETURN(const bool more, row.Step());
      if (!more) break;
      STYRMIN_ASSIGN_OR_RETURN(auto location, ReadBackupLocation(row));
      locations.push_back(std::move(location));
    }
    return locations;
  });
}

Status SqliteStore::CreateToken(const ApiToken& token) {
  STYRMIN_RETURN_IF_ERROR(ValidateNewToken(token));
  std::lock_guard lock(mutex_);
  return InTransaction(db_, Access::kWrite, [&] { return InsertToken(db_, token); });
}

Result<ApiToken> SqliteStore::FindTokenByHash(const std::string& secret_hash) {
  std::lock_guard lock(mutex_);
  return InTransaction(db_, Access::kRead, [&]() -> Result<ApiToken> {
    STYRMIN_ASSIGN_OR_RETURN(
        auto row, Statement::Prepare(db_, std::string(kSelectToken) + " WHERE secret_hash = ?1",
                                     {secret_hash}));
    STYRMIN_ASSIGN_OR_RETURN(const bool found, row.Step());
    if (!found) return NotFound("no API token has the given secret");
    return ReadToken(row);
  });
}

Result<std::size_t> SqliteStore::CountTokens() {
  std::lock_guard lock(mutex_);
  return InTransaction(db_, Access::kRead, [&]() -> Result<std::size_t> {
    STYRMIN_ASSIGN_OR_RETURN(const std::int64_t count,
                             QueryInt(db_, "SELECT COUNT(*) FROM api_tokens"));
    return static_cast<std::size_t>(count);
  });
}

Result<std::int64_t> SqliteStore::RecordAudit(const AuditEvent& event) {
  STYRMIN_RETURN_IF_ERROR(ValidateNewAuditEvent(event));
  std::optional<std::string> token_id;
  if (event.actor_token_id) token_id = event.actor_token_id->value();
  std::lock_guard lock(mutex_);
  return InTransaction(db_, Access::kWrite, [&]() -> Result<std::int64_t> {
    STYRMIN_ASSIGN_OR_RETURN(
        auto row, Statement::Prepare(
                      db_,
                      "INSERT INTO audit_events "
                      "(at, actor, actor_token_id, action, target, outcome, message, "
                      "arguments) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8) RETURNING sequence",
                      {FormatRfc3339(event.at), event.actor, OptionalParam(token_id), event.action,
                       event.target, event.outcome, event.message, DumpJson(event.arguments)}));
    STYRMIN_ASSIGN_OR_RETURN(const bool returned, row.Step());
    if (!returned) return Internal("storing an audit event returned no sequence");
    const std::int64_t sequence = row.Int(0);
    STYRMIN_RETURN_IF_ERROR(row.Run());  // to the end, so that no failure there is lost
    return sequence;
  });
}

Result<std::vector<AuditEvent>> SqliteStore::ListAudit(const AuditQuery& query) {
  STYRMIN_RETURN_IF_ERROR(ValidateAuditQuery(query));
  const std::string sql = AuditPageSql(query);
  const Param before = query.before ? Param(*query.before) : Param(std::monostate{});
  std::lock_guard lock(mutex_);
  return InTransaction(db_, Access::kRead, [&]() -> Result<std::vector<AuditEvent>> {
    STYRMIN_ASSIGN_OR_RETURN(auto row,
                             Statement::Prepare(db_, sql,
                                                {before, OptionalParam(query.action),
                                                 static_cast<std::int64_t>(query.limit)}));
    std::vector<AuditEvent> events;
    while (true) {
      STYRMIN_ASSIGN_OR_RETURN(const bool more, row.Step());
      if (!more) break;
      STYRMIN_ASSIGN_OR_RETURN(auto event, ReadAuditEvent(row));
      events.push_back(std::move(event));
    }
    return events;
  });
}

}  // namespace styrmin::storage
