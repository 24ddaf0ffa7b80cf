#include "styrmin/storage/postgres_store.h"

#include <libpq-fe.h>

#include <array>
#include <cctype>
#include <condition_variable>
#include <cstdint>
#include <functional>
#include <mutex>
#include <optional>
#include <span>
#include <string_view>
#include <unordered_map>
#include <utility>
#include <vector>

#include "styrmin/core/text_hash.h"
#include "styrmin/storage/migrations.h"
#include "styrmin/storage/sql_session.h"
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

// The statements prepared on one connection (PQprepare), by their text: the server parses and
// plans each once per connection. Named statements last as long as the connection, whatever
// becomes of the transaction that prepared them.
struct PreparedStatements {
  static constexpr std::size_t kMax = 128;  // beyond, statements run unprepared
  std::unordered_map<std::string, std::string, TextHash, std::equal_to<>> names;
};

// A connection of the pool and what it has prepared, which goes with it.
struct PooledConnection {
  ConnectionPtr conn;
  PreparedStatements prepared;
};

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
  // Transactions say READ WRITE when they write; a statement outside any (Access::kReadOne)
  // is then refused if it writes, as a READ ONLY transaction refuses it.
  const ResultPtr set(PQexec(conn.get(), "SET default_transaction_read_only = on"));
  if (PQresultStatus(set.get()) != PGRES_COMMAND_OK) {
    return Unavailable("cannot set up a PostgreSQL connection at " + ServerAddress(conn.get()) +
                       ": " + OneLine(PQerrorMessage(conn.get())));
  }
  return conn;
}

std::string_view SqlState(const PGresult* result) {
  const char* state = result != nullptr ? PQresultErrorField(result, PG_DIAG_SQLSTATE) : nullptr;
  return state != nullptr ? state : "";
}

// Classifies a failed statement.
SqlFailure PostgresFailure(PGconn* conn, const PGresult* result) {
  const std::string_view state = SqlState(result);
  // Only the primary message: the DETAIL line quotes the row's values (a duplicate secret hash,
  // say), and messages reach logs.
  const char* primary =
      result != nullptr ? PQresultErrorField(result, PG_DIAG_MESSAGE_PRIMARY) : nullptr;
  // Without a server message, libpq failed on its side (a lost connection, out of memory).
  std::string message = primary != nullptr ? primary : OneLine(PQerrorMessage(conn));
  if (PQstatus(conn) != CONNECTION_OK || state.starts_with("08")) {
    return {SqlFailureKind::kUnavailable, std::move(message)};
  }
  if (state == "23505") {
    const char* constraint = PQresultErrorField(result, PG_DIAG_CONSTRAINT_NAME);
    return {SqlFailureKind::kUniqueViolation, std::move(message),
            constraint != nullptr ? constraint : ""};
  }
  if (state == "23503") return {SqlFailureKind::kForeignKeyViolation, std::move(message)};
  // Class 22, data exceptions (text that is not valid UTF-8, say): the caller's input.
  if (state.starts_with("22")) return {SqlFailureKind::kInvalidValue, std::move(message)};
  // Retrying may succeed: a serialization failure or deadlock, a server shutting down or
  // starting up, or one out of connections.
  if (state == "40001" || state == "40P01" || state.starts_with("57P") || state == "53300") {
    return {SqlFailureKind::kUnavailable, std::move(message)};
  }
  return {SqlFailureKind::kOther, std::move(message)};
}

// `sql` with the shared placeholders ?1, ?2, ... written as PostgreSQL's $1, $2, .... A ? inside
// quotes ('text', "identifier") is not a placeholder and stays.
std::string NumberedParameters(std::string_view sql) {
  std::string statement(sql);
  char quote = 0;
  for (std::size_t i = 0; i < statement.size(); ++i) {
    const char c = statement[i];
    if (quote != 0) {
      if (c == quote) quote = 0;  // a doubled quote closes and reopens, which comes to the same
    } else if (c == '\'' || c == '"') {
      quote = c;
    } else if (c == '?' && i + 1 < statement.size() &&
               std::isdigit(static_cast<unsigned char>(statement[i + 1])) != 0) {
      statement[i] = '$';
    }
  }
  return statement;
}

// Whether a statement ran, else how it failed.
SqlResult<void> Check(PGconn* conn, const PGresult* result) {
  const ExecStatusType status = PQresultStatus(result);  // PGRES_FATAL_ERROR for nullptr
  if (status != PGRES_COMMAND_OK && status != PGRES_TUPLES_OK) {
    return tl::unexpected(PostgresFailure(conn, result));
  }
  return {};
}

// A session on a pooled connection, for one transaction.
class PostgresSession final : public SqlSession {
 public:
  explicit PostgresSession(PooledConnection& connection)
      : SqlSession(SqlDialect::kPostgresql),
        conn_(connection.conn.get()),
        prepared_(connection.prepared) {}

  PGconn* conn() const { return conn_; }

 private:
  // One statement through PQexecParams, values in text format.
  SqlResult<SqlRows> Run(std::string_view sql, std::span<const SqlValue> params) override {
    // libpq takes NUL-terminated strings, so every value is copied into one; `texts` is sized
    // up front so that the pointers into it stay valid.
    std::vector<std::string> texts(params.size());
    std::vector<const char*> values(params.size(), nullptr);
    for (std::size_t i = 0; i < params.size(); ++i) {
      if (const std::string_view* text = params[i].text()) {
        // PostgreSQL's text cannot hold NUL, and libpq would silently cut the value there.
        if (text->find('\0') != std::string_view::npos) {
          return tl::unexpected(
              SqlFailure{SqlFailureKind::kInvalidValue,
                         "a value contains a NUL character, which PostgreSQL text cannot hold"});
        }
        texts[i] = std::string(*text);
        values[i] = texts[i].c_str();
      } else if (const std::int64_t* number = params[i].number()) {
        texts[i] = std::to_string(*number);
        values[i] = texts[i].c_str();
      }  // else NULL, which libpq takes as a null pointer
    }
    auto name = prepared_.names.find(sql);
    if (name == prepared_.names.end() && prepared_.names.size() < PreparedStatements::kMax) {
      // Parameter types are inferred from the statement, as PQexecParams infers them.
      std::string fresh = "styrmin_" + std::to_string(prepared_.names.size());
      const ResultPtr made(PQprepare(conn_, fresh.c_str(), NumberedParameters(sql).c_str(),
                                     /*nParams=*/0, /*paramTypes=*/nullptr));
      if (auto ran = Check(conn_, made.get()); !ran) return tl::unexpected(ran.error());
      name = prepared_.names.emplace(std::string(sql), std::move(fresh)).first;
    }
    const ResultPtr result(
        name != prepared_.names.end()
            ? PQexecPrepared(conn_, name->second.c_str(), static_cast<int>(values.size()),
                             values.data(), /*paramLengths=*/nullptr, /*paramFormats=*/nullptr,
                             /*resultFormat=*/0)
            : PQexecParams(conn_, NumberedParameters(sql).c_str(), static_cast<int>(values.size()),
                           /*paramTypes=*/nullptr, values.data(), /*paramLengths=*/nullptr,
                           /*paramFormats=*/nullptr,
                           /*resultFormat=*/0));
    if (auto ran = Check(conn_, result.get()); !ran) return tl::unexpected(ran.error());
    const int count = PQntuples(result.get());
    const int columns = PQnfields(result.get());
    SqlRows rows(static_cast<std::size_t>(columns));
    rows.Reserve(static_cast<std::size_t>(count));
    for (int row = 0; row < count; ++row) {
      rows.AddRow();
      for (int column = 0; column < columns; ++column) {
        if (PQgetisnull(result.get(), row, column) != 0) {
          rows.AddNull();
          continue;
        }
        rows.AddText(
            std::string_view(PQgetvalue(result.get(), row, column),
                             static_cast<std::size_t>(PQgetlength(result.get(), row, column))));
      }
    }
    return rows;
  }

  // PQexec runs several statements, which PQexecParams refuses.
  SqlResult<void> RunScript(std::string_view sql) override {
    const std::string script(sql);
    const ResultPtr result(PQexec(conn_, script.c_str()));
    return Check(conn_, result.get());
  }

  PGconn* const conn_;
  PreparedStatements& prepared_;
};

// The pool behind a PostgresStore: at most `pool_size` connections, opened lazily and kept
// while they work. Thread-safe.
class PostgresConnectionPool final {
 public:
  // A connection checked out of the pool; returned to it (or, when broken or left inside a
  // transaction, closed) on destruction.
  class Lease final {
   public:
    Lease(PostgresConnectionPool* pool, std::unique_ptr<PooledConnection> conn, bool reused)
        : pool_(pool), conn_(std::move(conn)), reused_(reused) {}
    Lease(Lease&& other) noexcept = default;
    Lease& operator=(Lease&&) = delete;
    Lease(const Lease&) = delete;
    Lease& operator=(const Lease&) = delete;
    ~Lease() {
      if (conn_ != nullptr) pool_->Release(std::move(conn_));
    }

    PGconn* get() const { return conn_->conn.get(); }
    PooledConnection& connection() const { return *conn_; }
    // True when the connection served an earlier call, so it may have gone stale while idle.
    bool reused() const { return reused_; }

   private:
    PostgresConnectionPool* pool_;
    std::unique_ptr<PooledConnection> conn_;
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
      auto conn = std::move(idle_.back());  // the most recently used: least likely stale
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
    return Lease(this, std::make_unique<PooledConnection>(PooledConnection{std::move(*conn), {}}),
                 /*reused=*/false);
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
  void Release(std::unique_ptr<PooledConnection> conn) {
    // Only a connection that works and sits outside any transaction can serve the next call.
    const bool reusable = PQstatus(conn->conn.get()) == CONNECTION_OK &&
                          PQtransactionStatus(conn->conn.get()) == PQTRANS_IDLE;
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
  std::vector<std::unique_ptr<PooledConnection>> idle_;
  std::size_t open_ = 0;  // idle, checked out, or being opened
  std::size_t in_use_ = 0;
  std::size_t waiting_ = 0;
  std::uint64_t acquired_total_ = 0;
  std::uint64_t timeouts_total_ = 0;
};

// Applies the migrations the database lacks, all in the caller's transaction; returns the number
// applied in all.
Result<int> Migrate(SqlSession& session) {
  // Held until the transaction ends. A second server opening the same database waits here, and
  // then (READ COMMITTED: each statement sees what committed before it started) finds the
  // migrations applied. Taken before the CREATE TABLE IF NOT EXISTS, which is not safe to race.
  STYRMIN_RETURN_IF_ERROR(session.Exec("SELECT pg_advisory_xact_lock(?1::bigint)",
                                       {kMigrationLockKey}, "lock the schema for migration"));
  STYRMIN_RETURN_IF_ERROR(CreateSchemaMigrationsTable(session));
  STYRMIN_RETURN_IF_ERROR(RefuseNewerSchema(session));
  for (const Migration& migration : Migrations()) {
    if (auto applied = ApplyMigration(session, migration); !applied) {
      return tl::unexpected(applied.error().WithContext(MigrationName(migration)));
    }
  }
  return CountAppliedMigrations(session);
}

}  // namespace

// The SqlDatabase of a PostgresStore: transactions on connections of its pool.
class PostgresDatabase final : public SqlDatabase {
 public:
  PostgresDatabase(std::string conninfo, PostgresOptions options)
      : pool_(std::move(conninfo), options) {}

  // SqlDatabase's transaction, with the session's own type for what needs the connection.
  Status TransactOnConnection(Access access, const std::function<Status(PostgresSession&)>& body) {
    // Connections default to read-only transactions (Connect), so that a kReadOne statement,
    // which runs outside any transaction, cannot write either.
    const std::string_view begin =
        access == Access::kWrite ? "BEGIN READ WRITE" : "BEGIN READ ONLY";
    // A reused connection may have been closed by the server while it sat idle (a restart, an
    // idle timeout); its first statement is where that shows. Nothing has run yet, so the call
    // moves on: each such connection is discarded, and there are at most pool_size of them.
    for (std::size_t attempt = 0;; ++attempt) {
      STYRMIN_ASSIGN_OR_RETURN(auto lease, pool_.Acquire());
      PGconn* conn = lease.get();
      PostgresSession session(lease.connection());
      const auto broken_on_reuse = [&] {
        return lease.reused() && PQstatus(conn) != CONNECTION_OK && attempt < pool_.capacity();
      };
      if (access == Access::kReadOne) {
        // The body's one statement is its first: when that finds the connection closed, it
        // read nothing, and runs again on another.
        Status result = body(session);
        if (!result && broken_on_reuse()) continue;
        return result;
      }
      if (auto begun = session.Exec(begin, {}, "begin a transaction"); !begun) {
        if (broken_on_reuse()) continue;
        return begun;
      }
      Status result = body(session);
      if (result) result = session.Exec("COMMIT", {}, "commit a transaction");
      // A connection that broke, or a ROLLBACK that failed, leaves the connection outside the
      // idle state; the lease then closes it instead of returning it.
      if (!result && PQstatus(conn) == CONNECTION_OK && PQtransactionStatus(conn) != PQTRANS_IDLE) {
        const ResultPtr ignored(PQexec(conn, "ROLLBACK"));
      }
      return result;
    }
  }

  PostgresStore::PoolStats Stats() const { return pool_.Stats(); }

 private:
  Status Transact(Access access, const std::function<Status(SqlSession&)>& body) override {
    return TransactOnConnection(access, [&](PostgresSession& session) { return body(session); });
  }

  PostgresConnectionPool pool_;  // thread-safe by itself
};

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
  auto database = std::make_unique<PostgresDatabase>(conninfo, options);
  // One transaction for all the missing migrations: PostgreSQL's DDL is transactional, so a
  // failed upgrade leaves the database at the version it had, never halfway, and the advisory
  // lock is held from the first check to the last insert. The connection stays in the pool.
  std::string where;
  int version = 0;
  auto migrated =
      database->TransactOnConnection(Access::kWrite, [&](PostgresSession& session) -> Status {
        where = "database " + Quoted(DatabaseName(session.conn())) + " at " +
                ServerAddress(session.conn());
        STYRMIN_ASSIGN_OR_RETURN(version, Migrate(session));
        return OkStatus();
      });
  if (!migrated) {
    // A connection failure names the server already; where is empty when none was reached.
    if (where.empty()) return tl::unexpected(std::move(migrated).error());
    return tl::unexpected(migrated.error().WithContext(where));
  }
  return std::unique_ptr<PostgresStore>(new PostgresStore(std::move(database), version));
}

PostgresStore::PostgresStore(std::unique_ptr<PostgresDatabase> database, int schema_version)
    : SqlStore(std::move(database), schema_version) {}

PostgresStore::PoolStats PostgresStore::pool_stats() const {
  // Open() gives every PostgresStore a PostgresDatabase.
  return static_cast<const PostgresDatabase&>(database()).Stats();
}

}  // namespace styrmin::storage
