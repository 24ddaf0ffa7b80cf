// The narrow seam between the store's SQL (sql_store.cc, migrations) and a database's C API
// (sqlite_store.cc, postgres_store.cc). Internal to storage/; not part of the contract.
//
// A backend implements two things: a SqlSession, which runs statements on one connection inside
// one transaction, and a SqlDatabase, which hands out sessions one transaction at a time. The
// shared code writes each statement once, with placeholders ?1, ?2, ... (a number may repeat;
// PostgreSQL's backend renumbers them $1, $2, ...), and asks `dialect()` only where the two
// databases spell something differently.
//
// Failures: a backend classifies a failed statement as a SqlFailure (a constraint violation, an
// unavailable database, ...); ToError() turns that into the error vocabulary, the same way for
// every backend.
#pragma once

#include <cstddef>
#include <cstdint>
#include <functional>
#include <initializer_list>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <utility>
#include <variant>
#include <vector>

#include "styrmin/core/ids.h"
#include "styrmin/core/status.h"

namespace styrmin::storage {

enum class SqlDialect { kSqlite, kPostgresql };

// A value bound to a placeholder: NULL, text, or an integer. Holds a view of text, not a copy, so
// a SqlValue must not outlive the string it was made from (a statement's parameters live as
// long as the call that runs it, temporaries included).
class SqlValue final {
 public:
  // Implicit, so that a statement's parameters read as a plain list: {cluster.name, count}.
  SqlValue(std::nullopt_t /*null*/) {}
  SqlValue(std::string_view text) : value_(text) {}
  SqlValue(const std::string& text) : value_(std::string_view(text)) {}
  SqlValue(const char* text) : value_(std::string_view(text)) {}
  SqlValue(std::int64_t number) : value_(number) {}
  // NULL when `value` is empty.
  SqlValue(const std::optional<std::string>& value) {
    if (value) value_ = std::string_view(*value);
  }
  template <typename Tag>
  SqlValue(const std::optional<StrongId<Tag>>& id) {
    if (id) value_ = std::string_view(id->value());
  }

  const std::string_view* text() const { return std::get_if<std::string_view>(&value_); }
  const std::int64_t* number() const { return std::get_if<std::int64_t>(&value_); }

 private:
  std::variant<std::monostate, std::string_view, std::int64_t> value_;
};

class SqlRows;

// One row of a SqlRows: a view, valid as long as the SqlRows it came from. Every column reads
// as text, or NULL; integers read back as the decimal text both databases write for them.
class SqlRow final {
 public:
  // The text of `column` (0-based), "" for NULL. Asking for a column the statement does not
  // select is a bug, checked.
  std::string_view Text(std::size_t column) const;
  std::optional<std::string_view> OptionalText(std::size_t column) const;
  // The integer `column` holds; nullopt when it is NULL or not an integer.
  std::optional<std::int64_t> Int(std::size_t column) const;

 private:
  friend class SqlRows;
  SqlRow(const SqlRows& rows, std::size_t row) : rows_(&rows), row_(row) {}

  const SqlRows* rows_;
  std::size_t row_;
};

// The rows of a result, copied out of the database: all their text in one buffer, so that a
// result of many rows costs a few allocations rather than one per value. Backends build it
// with AddRow and AddText/AddNull, a row's columns in order.
class SqlRows final {
 public:
  class Iterator final {
   public:
    using value_type = SqlRow;
    using difference_type = std::ptrdiff_t;
    Iterator() = default;
    SqlRow operator*() const { return (*rows_)[row_]; }
    Iterator& operator++() {
      ++row_;
      return *this;
    }
    Iterator operator++(int) {
      Iterator before = *this;
      ++row_;
      return before;
    }
    friend bool operator==(const Iterator&, const Iterator&) = default;

   private:
    friend class SqlRows;
    Iterator(const SqlRows* rows, std::size_t row) : rows_(rows), row_(row) {}
    const SqlRows* rows_ = nullptr;
    std::size_t row_ = 0;
  };

  // Rows of `columns` columns each.
  explicit SqlRows(std::size_t columns) : columns_(columns) {}

  std::size_t size() const { return rows_; }
  bool empty() const { return size() == 0; }
  SqlRow operator[](std::size_t row) const { return SqlRow(*this, row); }
  SqlRow front() const { return (*this)[0]; }
  Iterator begin() const { return {this, 0}; }
  Iterator end() const { return {this, size()}; }

  // Starts a row; its columns follow.
  void AddRow() { ++rows_; }
  void AddText(std::string_view text) {
    cells_.push_back({text_.size(), text.size()});
    text_.append(text);
  }
  void AddNull() { cells_.push_back({kNull, 0}); }
  // Room for the cells of `rows` rows.
  void Reserve(std::size_t rows) { cells_.reserve(rows * columns_); }

 private:
  friend class SqlRow;
  static constexpr std::size_t kNull = static_cast<std::size_t>(-1);
  struct Cell {
    std::size_t offset;  // into text_; kNull for NULL
    std::size_t size;
  };

  const Cell& CellAt(std::size_t row, std::size_t column) const;

  std::size_t columns_;
  std::size_t rows_ = 0;
  std::string text_;
  std::vector<Cell> cells_;
};

// What a backend makes of a failed statement.
enum class SqlFailureKind {
  kUniqueViolation,      // a UNIQUE or PRIMARY KEY constraint refused a row
  kForeignKeyViolation,  // a REFERENCES constraint refused a row
  kUnavailable,          // connection lost, database busy or shutting down: a retry may succeed
  kInvalidValue,         // a value the database cannot hold (text with NUL, invalid UTF-8)
  kNotADatabase,         // the file is not a database at all
  kOther,                // anything else: a bug, or damage
};

struct SqlFailure {
  SqlFailureKind kind = SqlFailureKind::kOther;
  // The database's message. Never row values: those reach logs (a secret hash, say).
  std::string message;
  // The violated constraint's name, when the database reports one (PostgreSQL does).
  std::string constraint = {};
};

template <typename T>
using SqlResult = tl::expected<T, SqlFailure>;

// `failure` in the error vocabulary, its message prefixed with `what` (what was being done):
// a unique violation is kAlreadyExists, naming what the duplicate means when the constraint is
// one of the schema's (kFailedPrecondition for the one that guards a state: one unfinished run
// per deployment); a foreign key violation or an invalid value is kInvalidArgument;
// kUnavailable stays kUnavailable; not a database is kFailedPrecondition; the rest kInternal.
Error ToError(const SqlFailure& failure, std::string_view what);

// One connection inside one transaction, lent to a transaction's body; the body must not keep
// it. Not thread-safe: one thread at a time, as a connection is.
class SqlSession {
 public:
  virtual ~SqlSession() = default;
  SqlSession(const SqlSession&) = delete;
  SqlSession& operator=(const SqlSession&) = delete;

  SqlDialect dialect() const { return dialect_; }

  // Runs one statement with `params` bound to ?1, ?2, ... and returns its rows (none for a
  // statement that returns none). `what` names what the statement does in error messages.
  Result<SqlRows> Query(std::string_view sql, std::initializer_list<SqlValue> params,
                        std::string_view what = kRunAStatement);
  Result<SqlRows> Query(std::string_view sql, std::span<const SqlValue> params,
                        std::string_view what = kRunAStatement);
  // Query, for a statement whose rows (if any) do not matter.
  Status Exec(std::string_view sql, std::initializer_list<SqlValue> params,
              std::string_view what = kRunAStatement);
  // True when the query returns at least one row.
  Result<bool> Exists(std::string_view sql, std::initializer_list<SqlValue> params);
  // The integer in the first column of the first row; kInternal when there is none.
  Result<std::int64_t> QueryInt(std::string_view sql, std::initializer_list<SqlValue> params = {});
  // Runs `sql`: one or more statements separated by ';', without parameters (a migration).
  Status ExecScript(std::string_view sql, std::string_view what);

 protected:
  explicit SqlSession(SqlDialect dialect) : dialect_(dialect) {}

 private:
  friend class SqlDatabase;
  static constexpr std::string_view kRunAStatement = "run a statement";

  // What a backend implements: run and classify, the rest is shared.
  virtual SqlResult<SqlRows> Run(std::string_view sql, std::span<const SqlValue> params) = 0;
  virtual SqlResult<void> RunScript(std::string_view sql) = 0;

  const SqlDialect dialect_;
  // Set by SqlDatabase::InTransaction for the body of an Access::kReadOne transaction.
  bool one_statement_ = false;
  int statements_ = 0;
};

// What a transaction may do. A kRead one only reads: PostgreSQL runs it READ ONLY, and SQLite
// takes no write lock for it. A kReadOne one reads with a single statement (a second is a bug,
// checked): PostgreSQL runs that statement on its own, without BEGIN and COMMIT, two round
// trips fewer; a statement alone sees one snapshot, as a transaction of one would. SQLite
// runs it as kRead.
enum class Access { kRead, kReadOne, kWrite };

// A database a store runs transactions on. Thread-safe: transactions may be run from many threads
// at once; the backend decides how many actually run at once (SQLite one writer and a reader
// per core, PostgreSQL one per pooled connection).
class SqlDatabase {
 public:
  virtual ~SqlDatabase() = default;

  // Runs `body` (SqlSession& -> Status or Result<T>) in one transaction: committed when it
  // succeeds, rolled back when it or the commit fails. Returns what `body` returned, or why the
  // transaction could not begin or commit.
  template <typename Body>
  auto InTransaction(Access access, Body&& body) -> decltype(body(std::declval<SqlSession&>())) {
    std::optional<decltype(body(std::declval<SqlSession&>()))> result;
    Status status = Transact(access, [&](SqlSession& session) -> Status {
      session.one_statement_ = access == Access::kReadOne;
      session.statements_ = 0;
      result.emplace(body(session));
      session.one_statement_ = false;
      if (!*result) return tl::unexpected(result->error());
      return OkStatus();
    });
    if (!status) return tl::unexpected(std::move(status).error());
    return std::move(*result);
  }

 protected:
  // InTransaction with the result type erased: `body` runs at most once.
  virtual Status Transact(Access access, const std::function<Status(SqlSession&)>& body) = 0;
};

}  // namespace styrmin::storage
