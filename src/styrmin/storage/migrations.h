// The schema of the store as an ordered list of migrations, and the steps that apply them.
// Migration N (1-based) takes a database from schema version N-1 to N; a store applies the ones a
// database lacks (SQLite each in its own transaction, PostgreSQL all in one under an advisory lock)
// and records each applied version in `schema_migrations`.
//
// Never edit a migration that has been released: a database that already applied it would not
// see the change. Append a new one instead.
//
// The SQL is written for SQLite and PostgreSQL alike: TEXT, INTEGER and BOOLEAN columns, CHECK
// and REFERENCES constraints, no AUTOINCREMENT, no type affinity tricks. Identifiers and
// timestamps are TEXT (timestamps as RFC 3339 UTC with milliseconds); JSON documents are TEXT.
//
// One thing has no portable spelling: a key the database assigns in increasing order (SQLite's
// INTEGER PRIMARY KEY, PostgreSQL's identity column). A migration that needs one also carries
// `postgresql_sql`, which PostgreSQL runs instead of `sql`; the step keeps one version number,
// so both databases count their schema alike. Everything else stays portable and leaves it
// empty.
#pragma once

#include <span>
#include <string>
#include <string_view>

#include "styrmin/core/status.h"
#include "styrmin/storage/sql_session.h"

namespace styrmin::storage {

struct Migration {
  int version;                   // 1, 2, 3, ... with no gaps
  std::string_view description;  // for logs
  std::string_view sql;          // one or more statements separated by ';'
  // When not empty, what PostgreSQL runs instead of `sql` (see above): the same schema change.
  std::string_view postgresql_sql = {};
};

// The statements `dialect` runs to apply `migration`.
constexpr std::string_view SqlFor(const Migration& migration, SqlDialect dialect) {
  if (dialect == SqlDialect::kPostgresql && !migration.postgresql_sql.empty()) {
    return migration.postgresql_sql;
  }
  return migration.sql;
}

// Every migration this binary knows, in version order.
std::span<const Migration> Migrations();

// Creates the table that records applied versions. Runs before any migration, so it is not one.
inline constexpr std::string_view kCreateSchemaMigrationsTable =
    "CREATE TABLE IF NOT EXISTS schema_migrations ("
    "version INTEGER PRIMARY KEY, "
    "applied_at TEXT NOT NULL)";

// "migration 5 (audit log)": how errors name a migration.
std::string MigrationName(const Migration& migration);

// The steps of migrating, each on the caller's session; each backend arranges them in
// transactions as its database allows (see the top of this file).

// Runs kCreateSchemaMigrationsTable.
Status CreateSchemaMigrationsTable(SqlSession& session);
// kFailedPrecondition ("upgrade styrmin-server") when the database records a version newer than
// the newest this binary knows.
Status RefuseNewerSchema(SqlSession& session);
// Applies `migration` and records it, unless the database records it already.
Status ApplyMigration(SqlSession& session, const Migration& migration);
// The number of migrations the database records: its schema version.
Result<int> CountAppliedMigrations(SqlSession& session);

}  // namespace styrmin::storage
