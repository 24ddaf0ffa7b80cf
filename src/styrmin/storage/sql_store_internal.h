// The helpers every part of SqlStore shares: reading rows, byte-order comparisons, locks, and
// how runs are selected and read. Internal to storage/; not part of the contract.
#pragma once

#include <algorithm>
#include <initializer_list>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "styrmin/core/clock.h"
#include "styrmin/storage/sql_session.h"
#include "styrmin/storage/store.h"
#include "styrmin/storage/store_values.h"

namespace styrmin::storage::sql {

// `error` when `sql` finds a row.
inline Status FailIfFound(SqlSession& session, std::string_view sql,
                          std::initializer_list<SqlValue> params, tl::unexpected<Error> error) {
  STYRMIN_ASSIGN_OR_RETURN(const bool found, session.Exists(sql, params));
  if (found) return error;
  return OkStatus();
}

// `error` when `sql` finds no row.
inline Status FailIfMissing(SqlSession& session, std::string_view sql,
                            std::initializer_list<SqlValue> params, tl::unexpected<Error> error) {
  STYRMIN_ASSIGN_OR_RETURN(const bool found, session.Exists(sql, params));
  if (!found) return error;
  return OkStatus();
}

template <typename T>
using RowReader = Result<T> (*)(const SqlRow&);

// Every row of `rows` through `read`, or the first error.
template <typename T>
Result<std::vector<T>> ReadAll(const Result<SqlRows>& rows, RowReader<T> read) {
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
Result<T> ReadFirst(const Result<SqlRows>& rows, RowReader<T> read, std::string not_found) {
  if (!rows) return tl::unexpected(rows.error());
  if (rows->empty()) return NotFound(std::move(not_found));
  return read(rows->front());
}

enum class Direction { kAscending, kDescending };

// What makes a text comparison compare bytes, as SQLite's default collation (BINARY) does.
// PostgreSQL is told so (COLLATE "C"), whatever collation its database was created with, so
// that both stores list in the same order.
inline std::string_view ByteOrder(SqlDialect dialect) {
  switch (dialect) {
    case SqlDialect::kSqlite:
      return "";
    case SqlDialect::kPostgresql:
      return " COLLATE \"C\"";
  }
  STYRMIN_CHECK(false, "a SqlDialect outside its enumerators");
}

// " ORDER BY a, b" in byte order. `direction` applies to every column.
inline std::string OrderByBytes(SqlDialect dialect, std::initializer_list<std::string_view> columns,
                                Direction direction = Direction::kAscending) {
  std::string sql;
  for (const std::string_view column : columns) {
    sql += sql.empty() ? " ORDER BY " : ", ";
    sql += column;
    sql += ByteOrder(dialect);
    if (direction == Direction::kDescending) sql += " DESC";
  }
  return sql;
}

// "(a, b) > (x, y)" in byte order, `values` being SQL expressions (placeholders, a scalar
// subquery): the rows after a page's last one in OrderByBytes(columns, direction) (before it
// for kDescending, which lists backwards).
inline std::string RowsPastValues(SqlDialect dialect,
                                  std::initializer_list<std::string_view> columns,
                                  Direction direction, const std::vector<std::string>& values) {
  std::string left;
  for (const std::string_view column : columns) {
    if (!left.empty()) left += ", ";
    left += column;
    left += ByteOrder(dialect);
  }
  std::string right;
  for (const std::string& value : values) {
    if (!right.empty()) right += ", ";
    right += value;
  }
  return "(" + left + (direction == Direction::kAscending ? ") > (" : ") < (") + right + ")";
}

// A list statement written as its filters are added: only the filters asked for, each with
// its own numbered parameter. SQLite plans a statement before it sees the values, so a filter
// written as "?1 IS NULL OR ..." would keep it from walking the index the given filters match.
class ListStatement final {
 public:
  explicit ListStatement(std::string_view select) : sql_(select) {}

  // Adds `value` as the next parameter and returns its placeholder, "?N". Text is viewed, not
  // copied: it must outlive the statement's run.
  std::string Param(SqlValue value) {
    params_.push_back(value);
    return "?" + std::to_string(params_.size());
  }
  // The number of the next parameter Param adds.
  int NextParam() const { return static_cast<int>(params_.size()) + 1; }
  // Appends `condition`, after " WHERE " the first time and " AND " afterwards.
  void Where(std::string_view condition) {
    sql_ += filtered_ ? " AND " : " WHERE ";
    filtered_ = true;
    sql_ += condition;
  }
  // Appends the rest of the statement (ORDER BY, LIMIT).
  void Append(std::string_view text) { sql_ += text; }

  const std::string& sql() const { return sql_; }
  const std::vector<SqlValue>& params() const { return params_; }

 private:
  std::string sql_;
  std::vector<SqlValue> params_;
  bool filtered_ = false;
};

// Appended to a SELECT of a write transaction on PostgreSQL: locks the rows it reads until the
// transaction ends, as an UPDATE of them would, so that a second writer of the same rows waits
// and then reads what the first one committed. NO KEY: a writer that only references the row
// (an insert of a run, checking its foreign key) does not wait. SQLite needs nothing: its write
// transaction holds the whole database from its start (BEGIN IMMEDIATE).
inline std::string_view LockForUpdate(SqlDialect dialect) {
  switch (dialect) {
    case SqlDialect::kSqlite:
      return "";
    case SqlDialect::kPostgresql:
      return " FOR NO KEY UPDATE";
  }
  STYRMIN_CHECK(false, "a SqlDialect outside its enumerators");
}

// How many times a write runs its transaction when it loses a race on PostgreSQL (see
// AddDriverVersion). A second run sees the row that won; a third covers yet another writer
// winning in between.
inline constexpr int kAttemptsWhenRacing = 3;

// A failed write that a concurrent writer may have caused: a unique constraint (the backstop
// behind the store's own checks) refused it. On PostgreSQL that aborts the transaction, so the
// caller runs it again, and the store's checks then see the winner's row.
inline bool LostARace(const Status& written) {
  return !written && (written.error().code() == ErrorCode::kAlreadyExists ||
                      written.error().code() == ErrorCode::kFailedPrecondition);
}

inline std::optional<std::string> FormatOptionalTimestamp(
    const std::optional<Timestamp>& timestamp) {
  if (!timestamp) return std::nullopt;
  return FormatRfc3339(*timestamp);
}

// The columns ReadRun reads, for SELECT and for RETURNING.
inline constexpr std::string_view kRunColumns =
    "id, deployment_id, environment_id, cluster_id, kind, state, instance_id, reason, error, "
    "progress, created_at, started_at, finished_at, attempts, lease_expires_at";

inline std::string SelectRuns() { return "SELECT " + std::string(kRunColumns) + " FROM runs"; }

inline Result<Run> ReadRun(const SqlRow& row) {
  Run run;
  run.id = RunId(row.Text(0));
  const std::string where = "run " + Quoted(run.id.value());
  run.deployment_id = DeploymentId(row.Text(1));
  run.environment_id = EnvironmentId(row.Text(2));
  run.cluster_id = ClusterId(row.Text(3));
  run.kind = row.Text(4);
  STYRMIN_ASSIGN_OR_RETURN(run.state, ParseRunState(row.Text(5), where));
  run.instance_id = InstanceId(row.Text(6));
  run.reason = row.Text(7);
  run.error = row.Text(8);
  STYRMIN_ASSIGN_OR_RETURN(run.progress, ParseStoredProgress(row.Text(9), where));
  STYRMIN_ASSIGN_OR_RETURN(run.created_at, ParseStoredTimestamp(row.Text(10), where));
  if (const auto& started = row.OptionalText(11)) {
    STYRMIN_ASSIGN_OR_RETURN(run.started_at, ParseStoredTimestamp(*started, where));
  }
  if (const auto& finished = row.OptionalText(12)) {
    STYRMIN_ASSIGN_OR_RETURN(run.finished_at, ParseStoredTimestamp(*finished, where));
  }
  const std::optional<std::int64_t> attempts = row.Int(13);
  if (!attempts) return Internal(where + ": stored attempts that are not an integer");
  run.attempts = static_cast<int>(*attempts);
  if (const auto& expires = row.OptionalText(14)) {
    STYRMIN_ASSIGN_OR_RETURN(run.lease_expires_at, ParseStoredTimestamp(*expires, where));
  }
  return run;
}

// "run r-1 (upgrade)": how messages name a run that is in the way.
inline std::string RunName(const Run& run) {
  return "run " + run.id.value() + " (" + run.kind + ")";
}

// The deployment's pending or running run, if any. The condition is the partial unique
// index's, so that both databases find the run through it.
inline Result<std::optional<Run>> QueryUnfinishedRun(SqlSession& session, const DeploymentId& id) {
  STYRMIN_ASSIGN_OR_RETURN(
      const SqlRows rows,
      session.Query(SelectRuns() + " WHERE deployment_id = ?1 AND state IN ('pending', 'running')",
                    {id.value()}));
  if (rows.empty()) return std::nullopt;
  return ReadRun(rows.front());
}

// "<column> IN (...)" over the texts of a JSON array bound as parameter ?<param>: a list of any
// length as one parameter. The statement is then the same for every list, and SQLite does not
// parse hundreds of ?N placeholders (which it does in quadratic time: 500 ids took more time to
// prepare than to run).
inline std::string InJsonList(SqlDialect dialect, std::string_view column, int param) {
  const std::string placeholder = "?" + std::to_string(param);
  switch (dialect) {
    case SqlDialect::kSqlite:
      return std::string(column) + " IN (SELECT value FROM json_each(" + placeholder + "))";
    case SqlDialect::kPostgresql:
      return std::string(column) + " IN (SELECT jsonb_array_elements_text(CAST(" + placeholder +
             " AS jsonb)))";
  }
  STYRMIN_CHECK(false, "a SqlDialect outside its enumerators");
  return {};
}

// `texts` (strings, or ids given by their value()) as the JSON array InJsonList reads.
template <typename Texts>
std::string JsonList(const Texts& texts) {
  const auto text_of = [](const auto& text) -> std::string_view {
    if constexpr (requires { text.value(); }) {
      return text.value();
    } else {
      return text;
    }
  };
  // Ids are printable ASCII without quotes or backslashes: written as they are, between quotes,
  // without a JSON tree of strings (a batch of 500 ids was 3% of a dashboard page). Anything
  // else goes through the JSON library, which escapes it.
  const auto plain = [](std::string_view text) {
    return std::all_of(text.begin(), text.end(),
                       [](char c) { return c >= 0x20 && c < 0x7f && c != '"' && c != '\\'; });
  };
  std::string out = "[";
  for (const auto& item : texts) {
    const std::string_view text = text_of(item);
    if (!plain(text)) {
      Json list = Json::array();
      for (const auto& each : texts) list.push_back(std::string(text_of(each)));
      return DumpJson(list);
    }
    if (out.size() > 1) out += ',';
    out += '"';
    out += text;
    out += '"';
  }
  out += ']';
  return out;
}

// The runs that are pending or running of the deployments whose ids are in the JSON array at
// parameter `param`. SQLite walks the array and probes the partial unique index that holds
// exactly those runs once per id (without statistics its planner would rather read every
// unfinished run of the installation, or build a temporary table of the ids first).
// PostgreSQL plans with its own statistics.
inline std::string SelectUnfinishedRuns(SqlDialect dialect, int param) {
  switch (dialect) {
    case SqlDialect::kSqlite:
      // The list's values are renamed so that they meet none of the runs' columns (json_each
      // has an id too); the CROSS JOIN keeps the list the outer loop.
      return "SELECT " + std::string(kRunColumns) +
             " FROM (SELECT value AS wanted FROM json_each(?" + std::to_string(param) +
             ")) CROSS JOIN runs INDEXED BY runs_one_unfinished_per_deployment ON deployment_id = "
             "wanted WHERE state IN ('pending', 'running')";
    case SqlDialect::kPostgresql:
      return SelectRuns() + " WHERE state IN ('pending', 'running') AND " +
             InJsonList(dialect, "deployment_id", param);
  }
  STYRMIN_CHECK(false, "a SqlDialect outside its enumerators");
  return {};
}

}  // namespace styrmin::storage::sql
