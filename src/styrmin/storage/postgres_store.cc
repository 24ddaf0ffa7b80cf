#include "styrmin/storage/postgres_store.h"

#include <libpq-fe.h>

#include <array>
#include <charconv>
#include <condition_variable>
#include <cstdint>
#include <initializer_list>
#include <mutex>
#include <optional>
#include <string_view>
#include <utility>
#include <variant>
#include <vector>

#include "styrmin/core/clock.h"
#include "styrmin/storage/migrations.h"
#include "styrmin/storage/store_values.h"

namespace styrmin::storage {
namespace {

// The key of the advisory lock that serialises migrations. Advisory locks are scoped to one
// database, so servers migrating other databases of the same PostgreSQL do not wait on it. The
// bytes spell "Styrmin" in ASCII, which keeps it apart from other applications' keys.
constexpr std::int64_t kMigrationLockKey = 0x0053'7479'726d'696e;

struct CloseConnection {
  void operator()(PGconn* conn) const { PQfinish(conn); }
};
using ConnectionPtr = std::unique_ptr<PGconn, CloseConnection>;

struct ClearResult {
  void operator()(PGresult* result) const { PQclear(result); }
};
using ResultPtr = std::unique_ptr<PGresult, ClearResult>;

struct FreeOptions {
  void operator()(PQconninfoOption* options) const { PQconninfoFree(options); }
};
using OptionsPtr = std::unique_ptr<PQconninfoOption, FreeOptions>;

// libpq's messages end in a newline and continue on lines that start with a tab; logs want one
// line.
std::string OneLine(std::string_view text) {
  std::string line;
  line.reserve(text.size());
  for (std::size_t i = 0; i < text.size(); ++i) {
    if (text[i] != '\n') {
      line += text[i];
      continue;
    }
    line += ' ';
    if (i + 1 < text.size() && text[i + 1] == '\t') ++i;
  }
  while (!line.empty() && line.back() == ' ') line.pop_back();
  return line;
}

// Replaces every occurrence of `secret` in `text`. libpq's own messages do not quote passwords,
// but a message that reaches logs is no place to find out that one version does.
std::string Redact(std::string text, std::string_view secret) {
  if (secret.empty()) return text;
  constexpr std::string_view kMask = "********";
  for (std::size_t at = text.find(secret); at != std::string::npos;
       at = text.find(secret, at + kMask.size())) {
    text.replace(at, secret.size(), kMask);
  }
  return text;
}

// The value of `keyword` in a libpq option array, or "" when it is unset.
std::string OptionValue(const PQconninfoOption* options, std::string_view keyword) {
  for (const PQconninfoOption* option = options; option != nullptr && option->keyword != nullptr;
       ++option) {
    if (keyword == option->keyword && option->val != nullptr) return option->val;
  }
  return {};
}

// "host:port" of the server `conn` is for, from the options libpq settled on (the connection
// string, then the PG* environment variables, then its defaults). A password is never part of
// it.
std::string ServerAddress(PGconn* conn) {
  const OptionsPtr options(PQconninfo(conn));
  std::string host = OptionValue(options.get(), "host");
  if (host.empty()) host = OptionValue(options.get(), "hostaddr");
  if (host.empty()) host = "the local socket";
  std::string port = OptionValue(options.get(), "port");
  if (port.empty()) port = "5432";
  return host + ":" + port;
}

std::string DatabaseName(PGconn* conn) {
  const OptionsPtr options(PQconninfo(conn));
  return OptionValue(options.get(), "dbname");
}

// Refuses a connection string libpq cannot parse, before anything tries to connect with it.
Status CheckConnectionString(const std::string& conninfo) {
  char* error = nullptr;
  const OptionsPtr options(PQconninfoParse(conninfo.c_str(), &error));
  if (options != nullptr) return OkStatus();
  std::string message = error != nullptr ? OneLine(error) : "out of memory";
  PQfreemem(error);
  // The parser quotes the text around a mistake, which can be the password: say only where.
  if (conninfo.find("password") != std::string::npos || conninfo.find('@') != std::string::npos) {
    message = "the parser's message is withheld because the string holds a password";
  }
  return InvalidArgument("malformed PostgreSQL connection string (" + message + ")");
}

Result<ConnectionPtr> Connect(const std::string& conninfo, const PostgresOptions& options) {
  // Whole seconds, rounded up: libpq's unit.
  const auto seconds = (options.connect_timeout.count() + 999) / 1000;
  const std::string timeout = std::to_string(seconds);
  // Keywords after "dbname" override the connection string that "dbname" expands to, so the
  // options and the encoding this code relies on win over whatever the string says.
  const std::array<const char*, 5> keywords = {"dbname", "connect_timeout", "client_encoding",
                                               "fallback_application_name", nullptr};
  const std::array<const char*, 5> values = {conninfo.c_str(), timeout.c_str(), "UTF8",
                                             "styrmin-server", nullptr};
  ConnectionPtr conn(PQconnectdbParams(keywords.data(), values.data(), /*expand_dbname=*/1));
  if (conn == nullptr) return Internal("libpq could not allocate a connection");
  if (PQstatus(conn.get()) != CONNECTION_OK) {
    // Every failure to connect is kUnavailable, a refused login included: libpq reports no
    // SQLSTATE for it, and its localised text is no basis to branch on.
    const char* password = PQpass(conn.get());
    const std::string message =
        Redact(OneLine(PQerrorMessage(conn.get())), password != nullptr ? password : "");
    return Unavailable("cannot connect to PostgreSQL at " + ServerAddress(conn.get()) +
                       " (database " + Quoted(DatabaseName(conn.get())) + "): " + message);
  }
  // libpq prints the server's notices to stderr by default, outside the server's structured
  // log. The only one the store's SQL raises is CREATE TABLE IF NOT EXISTS's "already exists,
  // skipping" at every start, so they are dropped.
  PQsetNoticeProcessor(
      conn.get(), [](void* /*arg*/, const char* /*message*/) {}, nullptr);
  return conn;
}

// What a duplicate in each unique constraint means, for the backstop message when a concurrent
// writer slipped between a store's own check and its insert. Named by PostgreSQL's defaults for
// the constraints in migrations.cc.
struct UniqueConstraint {
  std::string_view name;
  std::string_view duplicate;
};
constexpr std::array<UniqueConstraint, 10> kUniqueConstraints = {{
    {"clusters_pkey", "a cluster with the same id"},
    {"clusters_name_key", "a cluster with the same name"},
    {"backup_storage_locations_pkey", "a backup storage location with the same id"},
    {"backup_storage_locations_name_key", "a backup storage location with the same name"},
    {"environments_pkey", "an environment with the same id"},
    {"environments_cluster_id_name_key", "an environment with the same name in that cluster"},
    {"api_tokens_pkey", "an API token with the same id"},
    {"api_tokens_secret_hash_key", "an API token with the same secret"},
    {"schema_migrations_pkey", "a record of the same schema migration"},
    {"audit_events_pkey", "an audit event with the same sequence"},
}};

std::string_view SqlState(const PGresult* result) {
  const char* state = result != nullptr ? PQresultErrorField(result, PG_DIAG_SQLSTATE) : nullptr;
  return state != nullptr ? state : "";
}

// Maps a failed statement to the error vocabulary. `what` says what was being done.
Error PostgresError(PGconn* conn, const PGresult* result, std::string_view what) {
  const std::string_view state = SqlState(result);
  std::string message(what);
  message += ": ";
  // Only the primary message: the DETAIL line quotes the row's values (a duplicate secret hash,
  // say), and messages reach logs.
  const char* primary =
      result != nullptr ? PQresultErrorField(result, PG_DIAG_MESSAGE_PRIMARY) : nullptr;
  if (primary != nullptr) {
    message += primary;
  } else {
    // No server message: libpq failed on its side (a lost connection, out of memory).
    message += OneLine(PQerrorMessage(conn));
  }
  if (PQstatus(conn) != CONNECTION_OK || state.starts_with("08")) {
    return Error(ErrorCode::kUnavailable, std::move(message));
  }
  if (state == "23505") {
    const char* constraint = PQresultErrorField(result, PG_DIAG_CONSTRAINT_NAME);
    for (const UniqueConstraint& unique : kUniqueConstraints) {
      if (constraint != nullptr && unique.name == constraint) {
        return Error(ErrorCode::kAlreadyExists,
                     std::string(what) + ": " + std::string(unique.duplicate) + " already exists");
      }
    }
    return Error(ErrorCode::kAlreadyExists, std::move(message));
  }
  // foreign_key_violation, and class 22 (data exceptions: text that is not valid UTF-8, say):
  // both are the caller's input.
  if (state == "23503" || state.starts_with("22")) {
    return Error(ErrorCode::kInvalidArgument, std::move(message));
  }
  // Retrying may succeed: a serialization failure or deadlock, a server shutting down or
  // starting up, or one out of connections.
  if (state == "40001" || state == "40P01" || state.starts_with("57P") || state == "53300") {
    return Error(ErrorCode::kUnavailable, std::move(message));
  }
  return Error(ErrorCode::kInternal, std::move(message));
}

// A value passed as a parameter: NULL, text, or an integer.
using Param = std::variant<std::monostate, std::string_view, std::int64_t>;

Param OptionalParam(const std::optional<std::string>& value) {
  if (!value) return std::monostate{};
  return std::string_view(*value);
}

// Runs one statement with `params` as $1, $2, ... in text format, and returns its result.
Result<ResultPtr> Execute(PGconn* conn, std::string_view sql, std::initializer_list<Param> params,
                          std::string_view what = "run a statement") {
  // libpq takes NUL-terminated strings, so every value is copied into one; `texts` is sized
  // up front so that the pointers into it stay valid.
  std::vector<std::string> texts(params.size());
  std::vector<const char*> values(params.size(), nullptr);
  std::size_t index = 0;
  for (const Param& param : params) {
    if (const auto* text = std::get_if<std::string_view>(&param)) {
      // PostgreSQL's text cannot hold NUL, and libpq would silently cut the value there.
      if (text->find('\0') != std::string_view::npos) {
        return InvalidArgument(
            std::string(what) +
            ": a value contains a NUL character, which PostgreSQL text cannot hold");
      }
      texts[index] = std::string(*text);
      values[index] = texts[index].c_str();
    } else if (const auto* number = std::get_if<std::int64_t>(&param)) {
      texts[index] = std::to_string(*number);
      values[index] = texts[index].c_str();
    }
    ++index;
  }
  const std::string statement(sql);
  ResultPtr result(PQexecParams(conn, statement.c_str(), static_cast<int>(values.size()),
                                /*paramTypes=*/nullptr, values.data(), /*paramLengths=*/nullptr,
                                /*paramFormats=*/nullptr, /*resultFormat=*/0));
  const ExecStatusType status = PQresultStatus(result.get());  // PGRES_FATAL_ERROR for nullptr
  if (status != PGRES_COMMAND_OK && status != PGRES_TUPLES_OK) {
    return tl::unexpected(PostgresError(conn, result.get(), what));
  }
  return result;
}

// Runs SQL without parameters, possibly several statements (the migrations).
Status ExecuteScript(PGconn* conn, std::string_view sql, std::string_view what) {
  const std::string script(sql);
  const ResultPtr result(PQexec(conn, script.c_str()));
  const ExecStatusType status = PQresultStatus(result.get());
  if (status != PGRES_COMMAND_OK && status != PGRES_TUPLES_OK) {
    return tl::unexpected(PostgresError(conn, result.get(), what));
  }
  return OkStatus();
}

Status Run(PGconn* conn, std::string_view sql, std::initializer_list<Param> params,
           std::string_view what = "run a statement") {
  STYRMIN_RETURN_IF_ERROR(Execute(conn, sql, params, what));
  return OkStatus();
}

Result<bool> Exists(PGconn* conn, std::string_view sql, std::initializer_list<Param> params) {
  STYRMIN_ASSIGN_OR_RETURN(const ResultPtr result, Execute(conn, sql, params));
  return PQntuples(result.get()) > 0;
}

// One row of a result, read by column.
class Row final {
 public:
  Row(const PGresult* result, int index) : result_(result), index_(index) {}

  std::string Text(int column) const {
    return {PQgetvalue(result_, index_, column),
            static_cast<std::size_t>(PQgetlength(result_, index_, column))};
  }

  std::optional<std::string> OptionalText(int column) const {
    if (PQgetisnull(result_, index_, column) != 0) return std::nullopt;
    return Text(column);
  }

 private:
  const PGresult* result_;
  int index_;
};

// Every row of `result` through `read` (Row -> Result<T>), in order.
template <typename T, typename Read>
Result<std::vector<T>> ReadRows(const PGresult* result, Read read) {
  const int count = PQntuples(result);
  std::vector<T> rows;
  rows.reserve(static_cast<std::size_t>(count));
  for (int i = 0; i < count; ++i) {
    STYRMIN_ASSIGN_OR_RETURN(T row, read(Row(result, i)));
    rows.push_back(std::move(row));
  }
  return rows;
}

// The integer `text` spells in full (as the server writes a bigint), or nullopt.
std::optional<std::int64_t> ParseInt(std::string_view text) {
  std::int64_t value = 0;
  const auto [end, error] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (error != std::errc() || end != text.data() + text.size()) return std::nullopt;
  return value;
}

// The integer in the first column of the first row of `result`, which `sql` returned.
Result<std::int64_t> FirstInt(const PGresult* result, std::string_view sql) {
  if (PQntuples(result) < 1) return Internal("query returned no row: " + std::string(sql));
  const std::string text = Row(result, 0).Text(0);
  const std::optional<std::int64_t> value = ParseInt(text);
  if (!value) {
    return Internal("query returned " + Quoted(text) + ", not an integer: " + std::string(sql));
  }
  return *value;
}

Result<std::int64_t> QueryInt(PGconn* conn, std::string_view sql) {
  STYRMIN_ASSIGN_OR_RETURN(const ResultPtr result, Execute(conn, sql, {}));
  return FirstInt(result.get(), sql);
}

}  // namespace

// The pool behind a PostgresStore: at most `pool_size` connections, opened lazily and kept
// while they work. Thread-safe.
class PostgresConnectionPool final {
 public:
  // A connection checked out of the pool; returned to it (or, when broken or left inside a
  // transaction, closed) on destruction.
  class Lease final {
   public:
    Lease(PostgresConnectionPool* pool, ConnectionPtr conn, bool reused)
        : pool_(pool), conn_(std::move(conn)), reused_(reused) {}
    Lease(Lease&& other) noexcept = default;
    Lease& operator=(Lease&&) = delete;
    Lease(const Lease&) = delete;
    Lease& operator=(const Lease&) = delete;
    ~Lease() {
      if (conn_ != nullptr) pool_->Release(std::move(conn_));
    }

    PGconn* get() const { return conn_.get(); }
    // True when the connection served an earlier call, so it may have gone stale while idle.
    bool reused() const { return reused_; }

   private:
    PostgresConnectionPool* pool_;
    ConnectionPtr conn_;
    bool reused_;
  };

  PostgresConnectionPool(std::string conninfo, PostgresOptions options)
      : conninfo_(std::move(conninfo)), options_(options) {
    idle_.reserve(options_.pool_size);  // no allocation under the mutex later
  }

  PostgresConnectionPool(const PostgresConnectionPool&) = delete;
  PostgresConnectionPool& operator=(const PostgresConnectionPool&) = delete;

  ~PostgresConnectionPool() {
    STYRMIN_CHECK(in_use_ == 0, "a PostgresStore is destroyed while a call is using it");
  }

  // An idle connection, else a new one while fewer than pool_size are open, else the first to
  // come back within acquire_timeout.
  Result<Lease> Acquire() {
    std::unique_lock lock(mutex_);
    const auto available = [this] { return !idle_.empty() || open_ < options_.pool_size; };
    if (!available()) {
      ++waiting_;
      const bool got = returned_.wait_for(lock, options_.acquire_timeout, available);
      --waiting_;
      if (!got) {
        ++timeouts_total_;
        return Unavailable("all " + std::to_string(options_.pool_size) +
                           " database connections are busy");
      }
    }
    ++in_use_;
    if (!idle_.empty()) {
      ConnectionPtr conn = std::move(idle_.back());  // the most recently used: least likely stale
      idle_.pop_back();
      ++acquired_total_;
      return Lease(this, std::move(conn), /*reused=*/true);
    }
    // The slot is taken before connecting, without the mutex held, so that concurrent callers
    // cannot open more than pool_size between them while this one waits for the server.
    ++open_;
    lock.unlock();
    auto conn = Connect(conninfo_, options_);
    lock.lock();
    if (!conn) {
      --open_;
      --in_use_;
      lock.unlock();
      returned_.notify_one();
      return tl::unexpected(std::move(conn).error());
    }
    ++acquired_total_;
    return Lease(this, std::move(*conn), /*reused=*/false);
  }

  PostgresStore::PoolStats Stats() const {
    std::lock_guard lock(mutex_);
    return {.size = open_,
            .in_use = in_use_,
            .waiting = waiting_,
            .acquired_total = acquired_total_,
            .timeouts_total = timeouts_total_};
  }

  std::size_t capacity() const { return options_.pool_size; }

 private:
  void Release(ConnectionPtr conn) {
    // Only a connection that works and sits outside any transaction can serve the next call.
    const bool reusable =
        PQstatus(conn.get()) == CONNECTION_OK && PQtransactionStatus(conn.get()) == PQTRANS_IDLE;
    {
      std::lock_guard lock(mutex_);
      --in_use_;
      if (reusable) {
        idle_.push_back(std::move(conn));
      } else {
        --open_;  // the slot is free for a new connection
      }
    }
    returned_.notify_one();
    // A discarded connection closes here, outside the mutex: PQfinish talks to the server.
  }

  const std::string conninfo_;
  const PostgresOptions options_;

  mutable std::mutex mutex_;
  std::condition_variable returned_;  // a connection went back to idle_ or a slot came free
  // The members below are guarded by mutex_.
  std::vector<ConnectionPtr> idle_;
  std::size_t open_ = 0;  // idle, checked out, or being opened
  std::size_t in_use_ = 0;
  std::size_t waiting_ = 0;
  std::uint64_t acquired_total_ = 0;
  std::uint64_t timeouts_total_ = 0;
};

namespace {

enum class Access { kRead, kWrite };

// Runs `body` (PGconn* -> Status or Result<T>) in one transaction on a pooled connection:
// committed when it succeeds, rolled back when it or the commit fails.
template <typename Body>
auto InTransaction(PostgresConnectionPool& pool, Access access, Body&& body)
    -> decltype(body(std::declval<PGconn*>())) {
  const std::string_view begin = access == Access::kWrite ? "BEGIN" : "BEGIN READ ONLY";
  // A reused connection may have been closed by the server while it sat idle (a restart, an
  // idle timeout); its first statement is where that shows. Nothing has run yet, so the call
  // moves on: each such connection is discarded, and there are at most pool_size of them.
  for (std::size_t attempt = 0;; ++attempt) {
    STYRMIN_ASSIGN_OR_RETURN(auto lease, pool.Acquire());
    PGconn* conn = lease.get();
    if (auto begun = Run(conn, begin, {}, "begin a transaction"); !begun) {
      if (lease.reused() && PQstatus(conn) != CONNECTION_OK && attempt < pool.capacity()) {
        continue;
      }
      return tl::unexpected(std::move(begun).error());
    }
    auto rollback = [conn] {
      // A connection that broke, or a ROLLBACK that failed, leaves the connection outside the
      // idle state; the lease then closes it instead of returning it.
      if (PQstatus(conn) == CONNECTION_OK && PQtransactionStatus(conn) != PQTRANS_IDLE) {
        const ResultPtr ignored(PQexec(conn, "ROLLBACK"));
      }
    };
    auto result = body(conn);
    if (!result) {
      rollback();
      return result;
    }
    if (auto committed = Run(conn, "COMMIT", {}, "commit a transaction"); !committed) {
      rollback();
      return tl::unexpected(std::move(committed).error());
    }
    return result;
  }
}

// --- clusters

constexpr std::string_view kSelectCluster = "SELECT id, name, config, created_at FROM clusters";

Result<Cluster> ReadCluster(const Row& row) {
  Cluster cluster;
  cluster.id = ClusterId(row.Text(0));
  const std::string where = "cluster " + Quoted(cluster.id.value());
  cluster.name = row.Text(1);
  STYRMIN_ASSIGN_OR_RETURN(cluster.config, ParseStoredJson(row.Text(2), where));
  STYRMIN_ASSIGN_OR_RETURN(cluster.created_at, ParseStoredTimestamp(row.Text(3), where));
  return cluster;
}

Status RequireCluster(PGconn* conn, const ClusterId& id) {
  STYRMIN_ASSIGN_OR_RETURN(const bool exists,
                           Exists(conn, "SELECT 1 FROM clusters WHERE id = $1", {id.value()}));
  if (!exists) return InvalidArgument("cluster " + Quoted(id.value()) + " does not exist");
  return OkStatus();
}

// --- backup storage locations

constexpr std::string_view kSelectBackupLocation =
    "SELECT id, name, kind, endpoint, bucket, region, path, credentials, created_at "
    "FROM backup_storage_locations";

Result<BackupStorageLocation> ReadBackupLocation(const Row& row) {
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

Result<Environment> ReadEnvironment(const Row& row) {
  Environment environment;
  environment.id = EnvironmentId(row.Text(0));
  const std::string where = "environment " + Quoted(environment.id.value());
  environment.name = row.Text(1);
  environment.cluster_id = ClusterId(row.Text(2));
  STYRMIN_ASSIGN_OR_RETURN(environment.config, ParseStoredJson(row.Text(3), where));
  if (auto location = row.OptionalText(4)) {
    environment.backup_location_id = BackupStorageLocationId(std::move(*location));
  }
  STYRMIN_ASSIGN_OR_RETURN(environment.created_at, ParseStoredTimestamp(row.Text(5), where));
  return environment;
}

// --- tokens

constexpr std::string_view kSelectToken =
    "SELECT id, name, role, cluster_id, secret_hash, created_at FROM api_tokens";

Result<ApiToken> ReadToken(const Row& row) {
  ApiToken token;
  token.id = TokenId(row.Text(0));
  const std::string where = "API token " + Quoted(token.id.value());
  token.name = row.Text(1);
  STYRMIN_ASSIGN_OR_RETURN(token.role, ParseRole(row.Text(2), where));
  if (auto cluster = row.OptionalText(3)) token.cluster_id = ClusterId(std::move(*cluster));
  token.secret_hash = row.Text(4);
  STYRMIN_ASSIGN_OR_RETURN(token.created_at, ParseStoredTimestamp(row.Text(5), where));
  return token;
}

// Inserts a validated token inside the caller's write transaction.
Status InsertToken(PGconn* conn, const ApiToken& token) {
  STYRMIN_ASSIGN_OR_RETURN(
      const bool id_taken,
      Exists(conn, "SELECT 1 FROM api_tokens WHERE id = $1", {token.id.value()}));
  if (id_taken) {
    return AlreadyExists("an API token with id " + Quoted(token.id.value()) + " already exists");
  }
  STYRMIN_ASSIGN_OR_RETURN(
      const bool secret_taken,
      Exists(conn, "SELECT 1 FROM api_tokens WHERE secret_hash = $1", {token.secret_hash}));
  if (secret_taken) {
    // The hash is not quoted: messages reach logs, and it identifies a live credential.
    return AlreadyExists("an API token with the same secret already exists");
  }
  std::optional<std::string> cluster_id;
  if (token.cluster_id) {
    STYRMIN_RETURN_IF_ERROR(RequireCluster(conn, *token.cluster_id));
    cluster_id = token.cluster_id->value();
  }
  return Run(conn,
             "INSERT INTO api_tokens (id, name, role, cluster_id, secret_hash, created_at) "
             "VALUES ($1, $2, $3, $4, $5, $6)",
             {token.id.value(), token.name, RoleName(token.role), OptionalParam(cluster_id),
              token.secret_hash, FormatRfc3339(token.created_at)},
             "store API token " + Quoted(token.id.value()));
}

// --- audit log

constexpr std::string_view kInsertAuditEvent =
    "INSERT INTO audit_events "
    "(at, actor, actor_token_id, action, target, outcome, message, arguments) "
    "VALUES ($1, $2, $3, $4, $5, $6, $7, $8) RETURNING sequence";

// PQexecParams plans its unnamed statement with the parameters' values in hand, so a NULL
// filter folds away ("NULL IS NULL OR ...") and the (action, sequence) index still serves an
// action's page; one statement covers every combination of filters. The casts type parameters
// PostgreSQL cannot infer.
constexpr std::string_view kSelectAuditPage =
    "SELECT sequence, at, actor, actor_token_id, action, target, outcome, message, arguments "
    "FROM audit_events "
    "WHERE ($1::bigint IS NULL OR sequence < $1::bigint) "
    "AND ($2::text IS NULL OR action = $2::text) "
    "ORDER BY sequence DESC LIMIT $3::bigint";

Result<AuditEvent> ReadAuditEvent(const Row& row) {
  const std::string sequence = row.Text(0);
  const std::string where = "audit event " + sequence;
  AuditEvent event;
  const std::optional<std::int64_t> parsed = ParseInt(sequence);
  if (!parsed) return Internal(where + ": stored a sequence that is not an integer");
  event.sequence = *parsed;
  STYRMIN_ASSIGN_OR_RETURN(event.at, ParseStoredTimestamp(row.Text(1), where));
  event.actor = row.Text(2);
  if (auto token = row.OptionalText(3)) event.actor_token_id = TokenId(std::move(*token));
  event.action = row.Text(4);
  event.target = row.Text(5);
  event.outcome = row.Text(6);
  event.message = row.Text(7);
  STYRMIN_ASSIGN_OR_RETURN(event.arguments, ParseStoredJson(row.Text(8), where));
  return event;
}

// --- migrations

Status RefuseNewerSchema(PGconn* conn, int known) {
  STYRMIN_ASSIGN_OR_RETURN(
      const std::int64_t newest,
      QueryInt(conn, "SELECT COALESCE(MAX(version), 0) FROM schema_migrations"));
  if (newest > known) {
    return FailedPrecondition("database schema version " + std::to_string(newest) +
                              " is newer than this styrmin-server supports (" +
                              std::to_string(known) + "); upgrade styrmin-server");
  }
  return OkStatus();
}

// Applies the migrations the database lacks, all in the caller's transaction; returns the number
// applied in all.
Result<int> Migrate(PGconn* conn) {
  const auto migrations = Migrations();
  const int known = static_cast<int>(migrations.size());
  // Held until the transaction ends. A second server opening the same database waits here, and
  // then (READ COMMITTED: each statement sees what committed before it started) finds the
  // migrations applied. Taken before the CREATE TABLE IF NOT EXISTS, which is not safe to race.
  STYRMIN_RETURN_IF_ERROR(Run(conn, "SELECT pg_advisory_xact_lock($1::bigint)", {kMigrationLockKey},
                              "lock the schema for migration"));
  STYRMIN_RETURN_IF_ERROR(
      ExecuteScript(conn, kCreateSchemaMigrationsTable, "create the schema_migrations table"));
  STYRMIN_RETURN_IF_ERROR(RefuseNewerSchema(conn, known));
  for (const Migration& migration : migrations) {
    STYRMIN_CHECK(migration.version == &migration - migrations.data() + 1,
                  "migrations are numbered 1, 2, 3, ... in order");
    auto applied = [&]() -> Status {
      STYRMIN_ASSIGN_OR_RETURN(const bool done,
                               Exists(conn, "SELECT 1 FROM schema_migrations WHERE version = $1",
                                      {std::int64_t{migration.version}}));
      if (done) return OkStatus();
      STYRMIN_RETURN_IF_ERROR(
          ExecuteScript(conn, SqlFor(migration, SqlDialect::kPostgresql), "apply the migration"));
      return Run(conn, "INSERT INTO schema_migrations (version, applied_at) VALUES ($1, $2)",
                 {std::int64_t{migration.version}, FormatRfc3339(SystemClock::Instance().Now())});
    }();
    if (!applied) {
      return tl::unexpected(applied.error().WithContext("migration " +
                                                        std::to_string(migration.version) + " (" +
                                                        std::string(migration.description) + ")"));
    }
  }
  STYRMIN_ASSIGN_OR_RETURN(const std::int64_t count,
                           QueryInt(conn, "SELECT COUNT(*) FROM schema_migrations"));
  return static_cast<int>(count);
}

}  // namespace

Result<std::unique_ptr<PostgresStore>> PostgresStore::Open(const std::string& conninfo,
                                                           PostgresOptions options) {
  if (options.pool_size < 1) return InvalidArgument("the connection pool size must be at least 1");
  if (options.connect_timeout <= std::chrono::milliseconds::zero()) {
    return InvalidArgument("the connect timeout must be positive");
  }
  if (options.acquire_timeout < std::chrono::milliseconds::zero()) {
    return InvalidArgument("the acquire timeout must not be negative");
  }
  STYRMIN_RETURN_IF_ERROR(CheckConnectionString(conninfo));
  auto pool = std::make_unique<PostgresConnectionPool>(conninfo, options);
  // One transaction for all the missing migrations: PostgreSQL's DDL is transactional, so a
  // failed upgrade leaves the database at the version it had, never halfway, and the advisory
  // lock is held from the first check to the last insert. The connection stays in the pool.
  std::string where;
  auto version = InTransaction(*pool, Access::kWrite, [&](PGconn* conn) -> Result<int> {
    where = "database " + Quoted(DatabaseName(conn)) + " at " + ServerAddress(conn);
    return Migrate(conn);
  });
  if (!version) {
    // A connection failure names the server already; where is empty when none was reached.
    if (where.empty()) return tl::unexpected(std::move(version).error());
    return tl::unexpected(version.error().WithContext(where));
  }
  return std::unique_ptr<PostgresStore>(new PostgresStore(std::move(pool), *version));
}

PostgresStore::PostgresStore(std::unique_ptr<PostgresConnectionPool> pool, int schema_version)
    : pool_(std::move(pool)), schema_version_(schema_version) {}

PostgresStore::~PostgresStore() = default;

PostgresStore::PoolStats PostgresStore::pool_stats() const { return pool_->Stats(); }

Status PostgresStore::CreateCluster(const Cluster& cluster, const ApiToken& agent_token) {
  STYRMIN_RETURN_IF_ERROR(ValidateNewCluster(cluster, agent_token));
  return InTransaction(*pool_, Access::kWrite, [&](PGconn* conn) -> Status {
    STYRMIN_ASSIGN_OR_RETURN(
        const bool name_taken,
        Exists(conn, "SELECT 1 FROM clusters WHERE name = $1", {cluster.name}));
    if (name_taken) {
      return AlreadyExists("a cluster named " + Quoted(cluster.name) + " already exists");
    }
    STYRMIN_ASSIGN_OR_RETURN(
        const bool id_taken,
        Exists(conn, "SELECT 1 FROM clusters WHERE id = $1", {cluster.id.value()}));
    if (id_taken) {
      return AlreadyExists("a cluster with id " + Quoted(cluster.id.value()) + " already exists");
    }
    STYRMIN_RETURN_IF_ERROR(
        Run(conn, "INSERT INTO clusters (id, name, config, created_at) VALUES ($1, $2, $3, $4)",
            {cluster.id.value(), cluster.name, DumpJson(cluster.config),
             FormatRfc3339(cluster.created_at)},
            "store cluster " + Quoted(cluster.name)));
    // After the cluster, which the token references; a failure here rolls the cluster back.
    return InsertToken(conn, agent_token);
  });
}

Result<Cluster> PostgresStore::GetCluster(const ClusterId& id) {
  return InTransaction(*pool_, Access::kRead, [&](PGconn* conn) -> Result<Cluster> {
    STYRMIN_ASSIGN_OR_RETURN(
        const ResultPtr rows,
        Execute(conn, std::string(kSelectCluster) + " WHERE id = $1", {id.value()}));
    if (PQntuples(rows.get()) == 0) return NotFound("cluster " + Quoted(id.value()) + " not found");
    return ReadCluster(Row(rows.get(), 0));
  });
}

// Lists order by name COLLATE "C" (byte order, as SQLite's), whatever collation the database
// was created with, so that both stores list in the same order.
Result<std::vector<Cluster>> PostgresStore::ListClusters() {
  return InTransaction(*pool_, Access::kRead, [&](PGconn* conn) -> Result<std::vector<Cluster>> {
    STYRMIN_ASSIGN_OR_RETURN(
        const ResultPtr rows,
        Execute(conn, std::string(kSelectCluster) + " ORDER BY name COLLATE \"C\"", {}));
    return ReadRows<Cluster>(rows.get(), ReadCluster);
  });
}

Status PostgresStore::CreateEnvironment(const Environment& environment) {
  STYRMIN_RETURN_IF_ERROR(ValidateNewEnvironment(environment));
  std::optional<std::string> location_id;
  if (environment.backup_location_id) location_id = environment.backup_location_id->value();
  return InTransaction(*pool_, Access::kWrite, [&](PGconn* conn) -> Status {
    STYRMIN_RETURN_IF_ERROR(RequireCluster(conn, environment.cluster_id));
    if (location_id) {
      STYRMIN_ASSIGN_OR_RETURN(
          const bool exists,
          Exists(conn, "SELECT 1 FROM backup_storage_locations WHERE id = $1", {*location_id}));
      if (!exists) {
        return InvalidArgument("backup storage location " + Quoted(*location_id) +
                               " does not exist");
      }
    }
    STYRMIN_ASSIGN_OR_RETURN(
        const bool name_taken,
        Exists(conn, "SELECT 1 FROM environments WHERE cluster_id = $1 AND name = $2",
               {environment.cluster_id.value(), environment.name}));
    if (name_taken) {
      return AlreadyExists("an environment named " + Quoted(environment.name) +
                           " already exists in cluster " + Quoted(environment.cluster_id.value()));
    }
    STYRMIN_ASSIGN_OR_RETURN(
        const bool id_taken,
        Exists(conn, "SELECT 1 FROM environments WHERE id = $1", {environment.id.value()}));
    if (id_taken) {
      return AlreadyExists("an environment with id " + Quoted(environment.id.value()) +
                           " already exists");
    }
    return Run(conn,
               "INSERT INTO environments "
               "(id, name, cluster_id, config, backup_location_id, created_at) "
               "VALUES ($1, $2, $3, $4, $5, $6)",
               {environment.id.value(), environment.name, environment.cluster_id.value(),
                DumpJson(environment.config), OptionalParam(location_id),
                FormatRfc3339(environment.created_at)},
               "store environment " + Quoted(environment.name));
  });
}

Result<Environment> PostgresStore::GetEnvironment(const EnvironmentId& id) {
  return InTransaction(*pool_, Access::kRead, [&](PGconn* conn) -> Result<Environment> {
    STYRMIN_ASSIGN_OR_RETURN(
        const ResultPtr rows,
        Execute(conn, std::string(kSelectEnvironment) + " WHERE e.id = $1", {id.value()}));
    if (PQntuples(rows.get()) == 0) {
      return NotFound("environment " + Quoted(id.value()) + " not found");
    }
    return ReadEnvironment(Row(rows.get(), 0));
  });
}

Result<std::vector<Environment>> PostgresStore::ListEnvironments(
    const std::optional<ClusterId>& cluster) {
  std::string sql(kSelectEnvironment);
  sql += " JOIN clusters c ON c.id = e.cluster_id";
  // $1 IS NULL selects every cluster's, so one statement serves both cases; the casts give the
  // parameter a type where PostgreSQL cannot infer one.
  sql += " WHERE ($1::text IS NULL OR e.cluster_id = $1::text)";
  sql += " ORDER BY c.name COLLATE \"C\", e.name COLLATE \"C\"";
  std::optional<std::string> cluster_id;
  if (cluster) cluster_id = cluster->value();
  return InTransaction(*pool_, Access::kRead,
                       [&](PGconn* conn) -> Result<std::vector<Environment>> {
                         STYRMIN_ASSIGN_OR_RETURN(const ResultPtr rows,
                                                  Execute(conn, sql, {OptionalParam(cluster_id)}));
                         return ReadRows<Environment>(rows.get(), ReadEnvironment);
                       });
}

Status PostgresStore::CreateBackupLocation(const BackupStorageLocation& location) {
  STYRMIN_RETURN_IF_ERROR(ValidateNewBackupLocation(location));
  return InTransaction(*pool_, Access::kWrite, [&](PGconn* conn) -> Status {
    STYRMIN_ASSIGN_OR_RETURN(
        const bool name_taken,
        Exists(conn, "SELECT 1 FROM backup_storage_locations WHERE name = $1", {location.name}));
    if (name_taken) {
      return AlreadyExists("a backup storage location named " + Quoted(location.name) +
                           " already exists");
    }
    STYRMIN_ASSIGN_OR_RETURN(const bool id_taken,
                             Exists(conn, "SELECT 1 FROM backup_storage_locations WHERE id = $1",
                                    {location.id.value()}));
    if (id_taken) {
      return AlreadyExists("a backup storage location with id " + Quoted(location.id.value()) +
                           " already exists");
    }
    return Run(conn,
               "INSERT INTO backup_storage_locations "
               "(id, name, kind, endpoint, bucket, region, path, credentials, created_at) "
               "VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)",
               {location.id.value(), location.name, KindName(location.kind), location.endpoint,
                location.bucket, location.region, location.path, DumpJson(location.credentials),
                FormatRfc3339(location.created_at)},
               "store backup storage location " + Quoted(location.name));
  });
}

Result<BackupStorageLocation> PostgresStore::GetBackupLocation(const BackupStorageLocationId& id) {
  return InTransaction(*pool_, Access::kRead, [&](PGconn* conn) -> Result<BackupStorageLocation> {
    STYRMIN_ASSIGN_OR_RETURN(
        const ResultPtr rows,
        Execute(conn, std::string(kSelectBackupLocation) + " WHERE id = $1", {id.value()}));
    if (PQntuples(rows.get()) == 0) {
      return NotFound("backup storage location " + Quoted(id.value()) + " not found");
    }
    return ReadBackupLocation(Row(rows.get(), 0));
  });
}

Result<std::vector<BackupStorageLocation>> PostgresStore::ListBackupLocations() {
  return InTransaction(
      *pool_, Access::kRead, [&](PGconn* conn) -> Result<std::vector<BackupStorageLocation>> {
        STYRMIN_ASSIGN_OR_RETURN(
            const ResultPtr rows,
            Execute(conn, std::string(kSelectBackupLocation) + " ORDER BY name COLLATE \"C\"", {}));
        return ReadRows<BackupStorageLocation>(rows.get(), ReadBackupLocation);
      });
}

Status PostgresStore::CreateToken(const ApiToken& token) {
  STYRMIN_RETURN_IF_ERROR(ValidateNewToken(token));
  return InTransaction(*pool_, Access::kWrite,
                       [&](PGconn* conn) { return InsertToken(conn, token); });
}

Result<ApiToken> PostgresStore::FindTokenByHash(const std::string& secret_hash) {
  return InTransaction(*pool_, Access::kRead, [&](PGconn* conn) -> Result<ApiToken> {
    STYRMIN_ASSIGN_OR_RETURN(
        const ResultPtr rows,
        Execute(conn, std::string(kSelectToken) + " WHERE secret_hash = $1", {secret_hash}));
    if (PQntuples(rows.get()) == 0) return NotFound("no API token has the given secret");
    return ReadToken(Row(rows.get(), 0));
  });
}

Result<std::size_t> PostgresStore::CountTokens() {
  return InTransaction(*pool_, Access::kRead, [&](PGconn* conn) -> Result<std::size_t> {
    STYRMIN_ASSIGN_OR_RETURN(const std::int64_t count,
                             QueryInt(conn, "SELECT COUNT(*) FROM api_tokens"));
    return static_cast<std::size_t>(count);
  });
}

Result<std::int64_t> PostgresStore::RecordAudit(const AuditEvent& event) {
  STYRMIN_RETURN_IF_ERROR(ValidateNewAuditEvent(event));
  std::optional<std::string> token_id;
  if (event.actor_token_id) token_id = event.actor_token_id->value();
  return InTransaction(*pool_, Access::kWrite, [&](PGconn* conn) -> Result<std::int64_t> {
    STYRMIN_ASSIGN_OR_RETURN(
        const ResultPtr rows,
        Execute(conn, kInsertAuditEvent,
                {FormatRfc3339(event.at), event.actor, OptionalParam(token_id), event.action,
                 event.target, event.outcome, event.message, DumpJson(event.arguments)},
                "store audit event " + Quoted(event.action)));
    return FirstInt(rows.get(), kInsertAuditEvent);
  });
}

Result<std::vector<AuditEvent>> PostgresStore::ListAudit(const AuditQuery& query) {
  STYRMIN_RETURN_IF_ERROR(ValidateAuditQuery(query));
  const Param before = query.before ? Param(*query.before) : Param(std::monostate{});
  return InTransaction(*pool_, Access::kRead, [&](PGconn* conn) -> Result<std::vector<AuditEvent>> {
    STYRMIN_ASSIGN_OR_RETURN(
        const ResultPtr rows,
        Execute(conn, kSelectAuditPage,
                {before, OptionalParam(query.action), static_cast<std::int64_t>(query.limit)}));
    return ReadRows<AuditEvent>(rows.get(), ReadAuditEvent);
  });
}

}  // namespace styrmin::storage
