#include "styrmin/storage/migrations.h"

#include <array>
#include <cstddef>
#include <cstdint>
#include <string>

#include "styrmin/core/clock.h"

namespace styrmin::storage {
namespace {

constexpr std::array kMigrations = {
    Migration{
        .version = 1,
        .description = "clusters",
        .sql = R"sql(
CREATE TABLE clusters (
  id TEXT PRIMARY KEY,
  name TEXT NOT NULL UNIQUE,
  config TEXT NOT NULL,
  created_at TEXT NOT NULL
);
)sql",
    },
    Migration{
        .version = 2,
        .description = "backup storage locations",
        .sql = R"sql(
CREATE TABLE backup_storage_locations (
  id TEXT PRIMARY KEY,
  name TEXT NOT NULL UNIQUE,
  kind TEXT NOT NULL CHECK (kind IN ('s3', 'filesystem')),
  endpoint TEXT NOT NULL,
  bucket TEXT NOT NULL,
  region TEXT NOT NULL,
  path TEXT NOT NULL,
  credentials TEXT NOT NULL,
  created_at TEXT NOT NULL
);
)sql",
    },
    Migration{
        .version = 3,
        .description = "environments",
        .sql = R"sql(
CREATE TABLE environments (
  id TEXT PRIMARY KEY,
  name TEXT NOT NULL,
  cluster_id TEXT NOT NULL REFERENCES clusters (id),
  config TEXT NOT NULL,
  backup_location_id TEXT REFERENCES backup_storage_locations (id),
  created_at TEXT NOT NULL,
  UNIQUE (cluster_id, name)
);
CREATE INDEX environments_backup_location_id ON environments (backup_location_id);
)sql",
    },
    Migration{
        .version = 4,
        .description = "api tokens",
        .sql = R"sql(
CREATE TABLE api_tokens (
  id TEXT PRIMARY KEY,
  name TEXT NOT NULL,
  role TEXT NOT NULL CHECK (role IN ('admin', 'operator', 'viewer', 'agent')),
  cluster_id TEXT REFERENCES clusters (id),
  secret_hash TEXT NOT NULL UNIQUE,
  created_at TEXT NOT NULL
);
CREATE INDEX api_tokens_cluster_id ON api_tokens (cluster_id);
)sql",
    },
    // `sequence` is the one column spelled per dialect: SQLite assigns an INTEGER PRIMARY KEY
    // (an alias of the rowid) itself, one more than the largest, and PostgreSQL needs an
    // identity column for the same. `actor_token_id` has no REFERENCES: a token may be deleted
    // later, and the log must keep what it did.
    Migration{
        .version = 5,
        .description = "audit log",
        .sql = R"sql(
CREATE TABLE audit_events (
  sequence INTEGER PRIMARY KEY,
  at TEXT NOT NULL,
  actor TEXT NOT NULL,
  actor_token_id TEXT,
  action TEXT NOT NULL,
  target TEXT NOT NULL DEFAULT '',
  outcome TEXT NOT NULL,
  message TEXT NOT NULL DEFAULT '',
  arguments TEXT NOT NULL
);
CREATE INDEX audit_events_action_sequence ON audit_events (action, sequence);
)sql",
        .postgresql_sql = R"sql(
CREATE TABLE audit_events (
  sequence BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  at TEXT NOT NULL,
  actor TEXT NOT NULL,
  actor_token_id TEXT,
  action TEXT NOT NULL,
  target TEXT NOT NULL DEFAULT '',
  outcome TEXT NOT NULL,
  message TEXT NOT NULL DEFAULT '',
  arguments TEXT NOT NULL
);
CREATE INDEX audit_events_action_sequence ON audit_events (action, sequence);
)sql",
    },
    // A version's content is immutable: the same digest is the same content, so a driver holds
    // each digest once, and each version text once. The index serves ListDriverVersions.
    Migration{
        .version = 6,
        .description = "application drivers",
        .sql = R"sql(
CREATE TABLE application_drivers (
  id TEXT PRIMARY KEY,
  name TEXT NOT NULL UNIQUE,
  created_at TEXT NOT NULL
);
CREATE TABLE application_driver_versions (
  id TEXT PRIMARY KEY,
  driver_id TEXT NOT NULL REFERENCES application_drivers (id),
  version TEXT NOT NULL,
  digest TEXT NOT NULL,
  source TEXT NOT NULL,
  spec TEXT NOT NULL,
  files TEXT NOT NULL,
  created_at TEXT NOT NULL,
  UNIQUE (driver_id, version),
  UNIQUE (driver_id, digest)
);
CREATE INDEX application_driver_versions_driver_id_created_at
  ON application_driver_versions (driver_id, created_at DESC, id DESC);
)sql",
    },
};

constexpr bool NumberedOneTwoThreeInOrder() {
  for (std::size_t i = 0; i < kMigrations.size(); ++i) {
    if (kMigrations[i].version != static_cast<int>(i) + 1) return false;
  }
  return true;
}
static_assert(NumberedOneTwoThreeInOrder(), "migrations are numbered 1, 2, 3, ... in order");

}  // namespace

std::span<const Migration> Migrations() { return kMigrations; }

std::string MigrationName(const Migration& migration) {
  return "migration " + std::to_string(migration.version) + " (" +
         std::string(migration.description) + ")";
}

Status CreateSchemaMigrationsTable(SqlSession& session) {
  return session.ExecScript(kCreateSchemaMigrationsTable, "create the schema_migrations table");
}

Status RefuseNewerSchema(SqlSession& session) {
  const auto known = static_cast<std::int64_t>(kMigrations.size());
  STYRMIN_ASSIGN_OR_RETURN(
      const std::int64_t newest,
      session.QueryInt("SELECT COALESCE(MAX(version), 0) FROM schema_migrations"));
  if (newest > known) {
    return FailedPrecondition("database schema version " + std::to_string(newest) +
                              " is newer than this styrmin-server supports (" +
                              std::to_string(known) + "); upgrade styrmin-server");
  }
  return OkStatus();
}

Status ApplyMigration(SqlSession& session, const Migration& migration) {
  const std::int64_t version = migration.version;
  STYRMIN_ASSIGN_OR_RETURN(
      const bool applied,
      session.Exists("SELECT 1 FROM schema_migrations WHERE version = ?1", {version}));
  if (applied) return OkStatus();
  STYRMIN_RETURN_IF_ERROR(
      session.ExecScript(SqlFor(migration, session.dialect()), "apply the migration"));
  return session.Exec("INSERT INTO schema_migrations (version, applied_at) VALUES (?1, ?2)",
                      {version, FormatRfc3339(SystemClock::Instance().Now())});
}

Result<int> CountAppliedMigrations(SqlSession& session) {
  STYRMIN_ASSIGN_OR_RETURN(const std::int64_t count,
                           session.QueryInt("SELECT COUNT(*) FROM schema_migrations"));
  return static_cast<int>(count);
}

}  // namespace styrmin::storage
