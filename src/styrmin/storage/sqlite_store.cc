#include "styrmin/storage/sqlite_store.h"

#include <sqlite3.h>

#include <algorithm>
#include <condition_variable>
#include <cstdint>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <span>
#include <string_view>
#include <thread>
#include <unordered_map>
#include <utility>
#include <vector>

#include "styrmin/core/text_hash.h"
#include "styrmin/storage/migrations.h"
#include "styrmin/storage/sql_session.h"
#include "styrmin/storage/store_values.h"

namespace styrmin::storage {
namespace {

// Long enough to ride out another process's checkpoint or a backup tool's read lock.
constexpr int kBusyTimeoutMs = 5000;

struct CloseDatabase {
  void operator()(sqlite3* db) const { sqlite3_close_v2(db); }
};
using DatabasePtr = std::unique_ptr<sqlite3, CloseDatabase>;

struct FinalizeStatement {
  void operator()(sqlite3_stmt* statement) const { sqlite3_finalize(statement); }
};
using StatementPtr = std::unique_ptr<sqlite3_stmt, FinalizeStatement>;

// Classifies the SQLite result code `rc`.
SqlFailure SqliteFailure(sqlite3* db, int rc) {
  // sqlite3_errmsg describes the connection's last failure, which is `rc` whenever the
  // connection exists; without one only the code is known.
  std::string message = db != nullptr ? sqlite3_errmsg(db) : sqlite3_errstr(rc);
  switch (rc) {
    case SQLITE_CONSTRAINT_UNIQUE:
    case SQLITE_CONSTRAINT_PRIMARYKEY:
      return {SqlFailureKind::kUniqueViolation, std::move(message)};
    case SQLITE_CONSTRAINT_FOREIGNKEY:
      return {SqlFailureKind::kForeignKeyViolation, std::move(message)};
    default:
      break;
  }
  switch (rc & 0xff) {
    case SQLITE_BUSY:
    case SQLITE_LOCKED:
    case SQLITE_CANTOPEN:
      return {SqlFailureKind::kUnavailable, std::move(message)};
    case SQLITE_NOTADB:
      return {SqlFailureKind::kNotADatabase, std::move(message)};
    default:
      return {SqlFailureKind::kOther, std::move(message)};
  }
}

// What every connection, the writer and the readers, sets first: extended result codes (which
// SqliteFailure classifies) and the busy timeout.
void SetErrorCodesAndBusyTimeout(sqlite3* db) {
  sqlite3_extended_result_codes(db, 1);
  sqlite3_busy_timeout(db, kBusyTimeoutMs);
}

// A session on a connection the caller owns. Used inside SqliteDatabase's transactions, and by
// Open() before there is one: some PRAGMAs cannot run inside a transaction.
//
// Statements are prepared once per connection and kept, by their text, up to kMaxStatements
// (the store's statements are a fixed set of shapes; a full cache is emptied and starts
// again). A kept statement is reset and its bindings cleared after each use, so it holds no
// lock and no value between uses. The session must go before its connection.
class SqliteSession final : public SqlSession {
 public:
  explicit SqliteSession(sqlite3* db) : SqlSession(SqlDialect::kSqlite), db_(db) {}

 private:
  static constexpr std::size_t kMaxStatements = 128;

  // Resets a kept statement when its use ends, however it ends.
  struct ResetStatement {
    void operator()(sqlite3_stmt* statement) const {
      sqlite3_reset(statement);
      sqlite3_clear_bindings(statement);
    }
  };

  SqlResult<SqlRows> Run(std::string_view sql, std::span<const SqlValue> params) override {
    StatementPtr owned;  // a statement that is not kept
    sqlite3_stmt* raw = nullptr;
    if (const auto kept = statements_.find(sql); kept != statements_.end()) {
      raw = kept->second.get();
    } else {
      const int prepared =
          sqlite3_prepare_v2(db_, sql.data(), static_cast<int>(sql.size()), &raw, nullptr);
      owned.reset(raw);
      if (prepared != SQLITE_OK) return tl::unexpected(SqliteFailure(db_, prepared));
      if (statements_.size() >= kMaxStatements) statements_.clear();
      statements_.emplace(std::string(sql), std::move(owned));
    }
    const std::unique_ptr<sqlite3_stmt, ResetStatement> in_use(raw);
    int index = 0;
    for (const SqlValue& param : params) {
      ++index;
      int bound = SQLITE_OK;
      if (const std::string_view* text = param.text()) {
        // SQLITE_TRANSIENT: SQLite copies the text, so the caller's strings may go away.
        bound = sqlite3_bind_text64(raw, index, text->data(), text->size(), SQLITE_TRANSIENT,
                                    SQLITE_UTF8);
      } else if (const std::int64_t* number = param.number()) {
        bound = sqlite3_bind_int64(raw, index, *number);
      } else {
        bound = sqlite3_bind_null(raw, index);
      }
      // SQLITE_TOOBIG is reachable with a huge value from a client, so this is not a check.
      if (bound != SQLITE_OK) return tl::unexpected(SqliteFailure(db_, bound));
    }
    const int columns = sqlite3_column_count(raw);
    SqlRows rows(static_cast<std::size_t>(columns));
    for (int stepped = sqlite3_step(raw); stepped != SQLITE_DONE; stepped = sqlite3_step(raw)) {
      if (stepped != SQLITE_ROW) return tl::unexpected(SqliteFailure(db_, stepped));
      rows.AddRow();
      for (int column = 0; column < columns; ++column) {
        if (sqlite3_column_type(raw, column) == SQLITE_NULL) {
          rows.AddNull();
          continue;
        }
        // Text first, then its length: the documented order for a value converted to text.
        const auto* text = reinterpret_cast<const char*>(sqlite3_column_text(raw, column));
        const auto length = static_cast<std::size_t>(sqlite3_column_bytes(raw, column));
        rows.AddText(text != nullptr ? std::string_view(text, length) : std::string_view());
      }
    }
    return rows;
  }

  SqlResult<void> RunScript(std::string_view sql) override {
    const std::string text(sql);  // sqlite3_exec wants a terminating NUL
    const int rc = sqlite3_exec(db_, text.c_str(), nullptr, nullptr, nullptr);
    if (rc != SQLITE_OK) return tl::unexpected(SqliteFailure(db_, rc));
    return {};
  }

  sqlite3* const db_;
  std::unordered_map<std::string, StatementPtr, TextHash, std::equal_to<>> statements_;
};

// A connection and its session, which must go first.
struct Connection {
  explicit Connection(DatabasePtr opened) : db(std::move(opened)), session(db.get()) {}
  DatabasePtr db;
  SqliteSession session;
};

// Runs `body` in one transaction on `connection`, which the caller holds alone.
Status TransactOn(Connection& connection, Access access,
                  const std::function<Status(SqlSession&)>& body) {
  // A writer takes the write lock up front (IMMEDIATE), so it waits for other writers under
  // the busy timeout instead of failing with SQLITE_BUSY when it upgrades a read lock
  // halfway. A reader needs no write lock and so does not queue behind writers.
  // As statements, not scripts, so that they are prepared once too.
  STYRMIN_RETURN_IF_ERROR(connection.session.Exec(
      access == Access::kWrite ? "BEGIN IMMEDIATE" : "BEGIN", {}, "begin a transaction"));
  Status result = body(connection.session);
  if (result) result = connection.session.Exec("COMMIT", {}, "commit a transaction");
  // Some errors (SQLITE_FULL, SQLITE_IOERR, ...) roll back by themselves; ROLLBACK would then
  // fail with "no transaction is active", so it runs only inside one.
  if (!result && sqlite3_get_autocommit(connection.db.get()) == 0) {
    sqlite3_exec(connection.db.get(), "ROLLBACK", nullptr, nullptr, nullptr);
  }
  return result;
}

// One connection that writes, one transaction at a time, and a few read-only connections that
// read at the same time as it and as each other (WAL gives each read transaction its own
// snapshot). Without readers (an in-memory database is private to its connection) every
// transaction runs on the writer.
class SqliteDatabase final : public SqlDatabase {
 public:
  explicit SqliteDatabase(DatabasePtr writer) : writer_(std::move(writer)) {}

  // Adds a read-only connection to the readers; only before the database is shared.
  void AddReader(DatabasePtr reader) {
    readers_.push_back(std::make_unique<Connection>(std::move(reader)));
    idle_.push_back(readers_.back().get());
  }

 private:
  Status Transact(Access access, const std::function<Status(SqlSession&)>& body) override {
    if (access == Access::kWrite || readers_.empty()) {
      std::lock_guard lock(writer_mutex_);
      return TransactOn(writer_, access, body);
    }
    Connection* reader = nullptr;
    {
      std::unique_lock lock(readers_mutex_);
      reader_idle_.wait(lock, [this] { return !idle_.empty(); });
      reader = idle_.back();
      idle_.pop_back();
    }
    Status result = TransactOn(*reader, access, body);
    {
      std::lock_guard lock(readers_mutex_);
      idle_.push_back(reader);
    }
    reader_idle_.notify_one();
    return result;
  }

  std::mutex writer_mutex_;
  Connection writer_;  // used only with writer_mutex_ held
  std::vector<std::unique_ptr<Connection>> readers_;
  std::mutex readers_mutex_;
  std::condition_variable reader_idle_;
  std::vector<Connection*> idle_;  // guarded by readers_mutex_; each used by one thread
};

// Sets the connection up and creates the table of migrations, outside any transaction: the
// journal mode cannot change inside one.
Status Prepare(sqlite3* db) {
  SetErrorCodesAndBusyTimeout(db);
  SqliteSession session(db);
  // WAL lets readers of other processes run while the server writes. An in-memory database
  // reports "memory" and has no other readers.
  STYRMIN_ASSIGN_OR_RETURN(const auto rows, session.Query("PRAGMA journal_mode = WAL", {}));
  const std::string mode = rows.empty() ? "" : std::string(rows.front().Text(0));
  if (mode != "wal" && mode != "memory") {
    return FailedPrecondition("cannot switch to WAL journal mode (it stays " + Quoted(mode) + ")");
  }
  // Foreign keys are off per connection by default in SQLite.
  STYRMIN_RETURN_IF_ERROR(session.ExecScript("PRAGMA foreign_keys = ON", "enable foreign keys"));
  STYRMIN_ASSIGN_OR_RETURN(const std::int64_t foreign_keys,
                           session.QueryInt("PRAGMA foreign_keys"));
  if (foreign_keys != 1) return FailedPrecondition("this SQLite cannot enforce foreign keys");
  return CreateSchemaMigrationsTable(session);
}

// Applies the migrations the database lacks, each in its own transaction (another process may
// open the same file meanwhile); returns the number applied in all.
Result<int> Migrate(SqlDatabase& database) {
  STYRMIN_RETURN_IF_ERROR(database.InTransaction(Access::kRead, RefuseNewerSchema));
  for (const Migration& migration : Migrations()) {
    // Each check repeats inside the write transaction: another process may have migrated the
    // same file since the last one.
    auto applied = database.InTransaction(Access::kWrite, [&](SqlSession& session) -> Status {
      STYRMIN_RETURN_IF_ERROR(RefuseNewerSchema(session));
      return ApplyMigration(session, migration);
    });
    if (!applied) return tl::unexpected(applied.error().WithContext(MigrationName(migration)));
  }
  return database.InTransaction(Access::kRead, CountAppliedMigrations);
}

// A read-only connection to the file at `path`, which the writer has set up: a statement that
// writes fails on it with SQLITE_READONLY.
Result<DatabasePtr> OpenReader(const std::string& path) {
  sqlite3* raw = nullptr;
  const int rc =
      sqlite3_open_v2(path.c_str(), &raw, SQLITE_OPEN_READONLY | SQLITE_OPEN_NOMUTEX, nullptr);
  DatabasePtr db(raw);
  if (rc != SQLITE_OK) {
    return tl::unexpected(ToError(SqliteFailure(raw, rc), "cannot open a reader"));
  }
  SetErrorCodesAndBusyTimeout(db.get());
  return db;
}

}  // namespace

Result<std::unique_ptr<SqliteStore>> SqliteStore::Open(const std::string& path) {
  const std::string where = "database " + Quoted(path);
  sqlite3* raw = nullptr;
  // NOMUTEX: SqliteDatabase's mutex already serialises every use of the connection.
  const int rc =
      sqlite3_open_v2(path.c_str(), &raw,
                      SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_NOMUTEX, nullptr);
  DatabasePtr db(raw);  // a failed open still allocates a handle that must be closed
  if (rc != SQLITE_OK) {
    return tl::unexpected(ToError(SqliteFailure(raw, rc), "cannot open " + where));
  }

  // SQLite reads the file only now, so this is where "not a database" shows up.
  if (auto prepared = Prepare(db.get()); !prepared) {
    if (sqlite3_errcode(db.get()) == SQLITE_NOTADB) {
      return FailedPrecondition(Quoted(path) + " is not a SQLite database");
    }
    return tl::unexpected(prepared.error().WithContext(where));
  }
  // A file has a name; an in-memory database has none and is private to its connection.
  const char* file = sqlite3_db_filename(db.get(), "main");
  const bool in_memory = file == nullptr || *file == '\0';
  auto database = std::make_unique<SqliteDatabase>(std::move(db));
  auto version = Migrate(*database);
  if (!version) return tl::unexpected(version.error().WithContext(where));
  if (!in_memory) {
    // Readers open after the migrations, on the schema they leave. One per core, from two to
    // eight.
    const unsigned readers = std::clamp(std::thread::hardware_concurrency(), 2U, 8U);
    for (unsigned k = 0; k < readers; ++k) {
      auto reader = OpenReader(path);
      if (!reader) return tl::unexpected(reader.error().WithContext(where));
      database->AddReader(std::move(*reader));
    }
  }
  return std::unique_ptr<SqliteStore>(new SqliteStore(std::move(database), *version));
}

}  // namespace styrmin::storage
