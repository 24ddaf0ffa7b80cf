#include "styrmin/storage/migrations.h"

#include <array>
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "styrmin/core/clock.h"

namespace styrmin::storage {
namespace {

// `parts` as one constant text, for a migration whose dialects differ in a few statements only.
template <std::size_t... Sizes>
constexpr auto JoinSql(const char (&... parts)[Sizes]) {
  std::array<char, (Sizes + ... + 1) - sizeof...(Sizes)> joined{};
  std::size_t at = 0;
  for (const std::string_view part : {std::string_view(parts, Sizes - 1)...}) {
    for (const char c : part) joined[at++] = c;
  }
  return joined;
}

template <std::size_t Size>
constexpr std::string_view SqlText(const std::array<char, Size>& joined) {
  return {joined.data(), Size - 1};
}

// Migration 7. `active_instance_id` references instances, which reference deployments: the
// column is added once both tables exist (ALTER TABLE ... ADD COLUMN with REFERENCES and no
// default, which both databases accept). `progress` is TEXT holding the shortest decimal that
// reads back as the same double (FormatProgress): exact on both databases, where SQLite would
// print a REAL with 15 digits and PostgreSQL's REAL is single precision. The partial unique
// index is the backstop for "one unfinished run per deployment" under concurrent writers.
constexpr char kDeploymentTables[] = R"sql(
CREATE TABLE deployments (
  id TEXT PRIMARY KEY,
  environment_id TEXT NOT NULL REFERENCES environments (id),
  name TEXT NOT NULL,
  driver_version_id TEXT NOT NULL REFERENCES application_driver_versions (id),
  application_version TEXT NOT NULL,
  parameters TEXT NOT NULL,
  config TEXT NOT NULL,
  phase TEXT NOT NULL CHECK (phase IN ('running', 'stopped', 'deleted')),
  created_at TEXT NOT NULL,
  updated_at TEXT NOT NULL,
  UNIQUE (environment_id, name)
);
CREATE TABLE instances (
  id TEXT PRIMARY KEY,
  deployment_id TEXT NOT NULL REFERENCES deployments (id),
  driver_version_id TEXT NOT NULL REFERENCES application_driver_versions (id),
  application_version TEXT NOT NULL,
  phase TEXT NOT NULL CHECK (phase IN ('running', 'stopped', 'deleted')),
  context TEXT NOT NULL,
  created_at TEXT NOT NULL
);
ALTER TABLE deployments ADD COLUMN active_instance_id TEXT REFERENCES instances (id);
CREATE TABLE runs (
  id TEXT PRIMARY KEY,
  deployment_id TEXT NOT NULL REFERENCES deployments (id),
  environment_id TEXT NOT NULL REFERENCES environments (id),
  cluster_id TEXT NOT NULL REFERENCES clusters (id),
  kind TEXT NOT NULL,
  state TEXT NOT NULL
    CHECK (state IN ('pending', 'running', 'succeeded', 'failed', 'cancelled')),
  instance_id TEXT NOT NULL REFERENCES instances (id),
  reason TEXT NOT NULL,
  error TEXT NOT NULL,
  progress TEXT NOT NULL,
  created_at TEXT NOT NULL,
  started_at TEXT,
  finished_at TEXT
);
CREATE UNIQUE INDEX runs_one_unfinished_per_deployment
  ON runs (deployment_id) WHERE state IN ('pending', 'running');
CREATE INDEX deployments_driver_version_id ON deployments (driver_version_id);
CREATE INDEX deployments_active_instance_id ON deployments (active_instance_id);
CREATE INDEX instances_driver_version_id ON instances (driver_version_id);
CREATE INDEX runs_instance_id ON runs (instance_id);
CREATE INDEX runs_cluster_id ON runs (cluster_id);
)sql";

// The indexes the lists walk in order. Lists compare text in byte order (OrderByBytes,
// sql_store.cc), which PostgreSQL spells COLLATE "C"; an index serves such an ORDER BY, or a
// cursor's (a, b) > (?, ?), only when it is built in that collation, so the ordered columns
// carry it there. SQLite's default collation is byte order already, and it knows no "C".
constexpr char kDeploymentListIndexes[] = R"sql(
CREATE INDEX deployments_name_id ON deployments (name, id);
CREATE INDEX deployments_environment_id_name_id ON deployments (environment_id, name, id);
CREATE INDEX deployments_phase_name_id ON deployments (phase, name, id);
CREATE INDEX instances_deployment_id_created_at_id
  ON instances (deployment_id, created_at DESC, id DESC);
CREATE INDEX runs_created_at_id ON runs (created_at DESC, id DESC);
CREATE INDEX runs_deployment_id_created_at_id ON runs (deployment_id, created_at DESC, id DESC);
CREATE INDEX runs_environment_id_created_at_id
  ON runs (environment_id, created_at DESC, id DESC);
CREATE INDEX runs_state_created_at_id ON runs (state, created_at DESC, id DESC);
)sql";
constexpr char kDeploymentListIndexesInByteOrder[] = R"sql(
CREATE INDEX deployments_name_id ON deployments (name COLLATE "C", id COLLATE "C");
CREATE INDEX deployments_environment_id_name_id
  ON deployments (environment_id, name COLLATE "C", id COLLATE "C");
CREATE INDEX deployments_phase_name_id ON deployments (phase, name COLLATE "C", id COLLATE "C");
CREATE INDEX instances_deployment_id_created_at_id
  ON instances (deployment_id, created_at COLLATE "C" DESC, id COLLATE "C" DESC);
CREATE INDEX runs_created_at_id ON runs (created_at COLLATE "C" DESC, id COLLATE "C" DESC);
CREATE INDEX runs_deployment_id_created_at_id
  ON runs (deployment_id, created_at COLLATE "C" DESC, id COLLATE "C" DESC);
CREATE INDEX runs_environment_id_created_at_id
  ON runs (environment_id, created_at COLLATE "C" DESC, id COLLATE "C" DESC);
CREATE INDEX runs_state_created_at_id
  ON runs (state, created_at COLLATE "C" DESC, id COLLATE "C" DESC);
)sql";

constexpr auto kDeploymentsSql = JoinSql(kDeploymentTables, kDeploymentListIndexes);
constexpr auto kDeploymentsPostgresqlSql =
    JoinSql(kDeploymentTables, kDeploymentListIndexesInByteOrder);

// Migration 8: what agents report on the runs they claim. A run holds its current lease (the
// id its claim returned, and when it expires); steps and log lines are numbered per run, so a
// run's are read in order through the primary key. The claim reads a cluster's waiting runs
// oldest first through runs_cluster_id_state_created_at_id.
constexpr char kRunExecutionTables[] = R"sql(
ALTER TABLE runs ADD COLUMN attempts INTEGER NOT NULL DEFAULT 0;
ALTER TABLE runs ADD COLUMN lease_id TEXT;
ALTER TABLE runs ADD COLUMN lease_expires_at TEXT;
CREATE TABLE run_steps (
  run_id TEXT NOT NULL REFERENCES runs (id),
  position INTEGER NOT NULL,
  name TEXT NOT NULL,
  state TEXT NOT NULL CHECK (state IN ('running', 'succeeded', 'failed', 'skipped')),
  error TEXT NOT NULL,
  started_at TEXT NOT NULL,
  finished_at TEXT,
  PRIMARY KEY (run_id, position)
);
CREATE TABLE run_log_lines (
  run_id TEXT NOT NULL REFERENCES runs (id),
  sequence INTEGER NOT NULL,
  at TEXT NOT NULL,
  step INTEGER,
  level TEXT NOT NULL CHECK (level IN ('debug', 'info', 'warning', 'error')),
  text TEXT NOT NULL,
  PRIMARY KEY (run_id, sequence)
);
)sql";
constexpr char kClaimIndex[] = R"sql(
CREATE INDEX runs_cluster_id_state_created_at_id ON runs (cluster_id, state, created_at, id);
)sql";
constexpr char kClaimIndexInByteOrder[] = R"sql(
CREATE INDEX runs_cluster_id_state_created_at_id
  ON runs (cluster_id, state, created_at COLLATE "C", id COLLATE "C");
)sql";
constexpr auto kRunExecutionSql = JoinSql(kRunExecutionTables, kClaimIndex);
constexpr auto kRunExecutionPostgresqlSql = JoinSql(kRunExecutionTables, kClaimIndexInByteOrder);

// Migration 9: observed status, one row per deployment and one per pod, replaced by each
// report. Components and pod conditions are JSON: they are read and written whole.
constexpr char kObservedStatusTables[] = R"sql(
CREATE TABLE deployment_statuses (
  deployment_id TEXT PRIMARY KEY REFERENCES deployments (id),
  phase TEXT NOT NULL
    CHECK (phase IN ('progressing', 'running', 'stopped', 'deleting', 'failed', 'unknown')),
  health TEXT NOT NULL CHECK (health IN ('healthy', 'degraded', 'failing', 'unknown')),
  observed_instance_id TEXT REFERENCES instances (id),
  message TEXT NOT NULL,
  components TEXT NOT NULL,
  reported_at TEXT NOT NULL
);
CREATE INDEX deployment_statuses_observed_instance_id
  ON deployment_statuses (observed_instance_id);
CREATE TABLE pod_statuses (
  deployment_id TEXT NOT NULL REFERENCES deployments (id),
  name TEXT NOT NULL,
  component TEXT NOT NULL,
  phase TEXT NOT NULL CHECK (phase IN ('pending', 'running', 'succeeded', 'failed', 'unknown')),
  ready INTEGER NOT NULL,
  restarts INTEGER NOT NULL,
  conditions TEXT NOT NULL,
  reported_at TEXT NOT NULL,
  PRIMARY KEY (deployment_id, name)
);
)sql";

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
    // The tables and indexes are described above kDeploymentTables.
    Migration{
        .version = 7,
        .description = "deployments, instances and runs",
        .sql = SqlText(kDeploymentsSql),
        .postgresql_sql = SqlText(kDeploymentsPostgresqlSql),
    },
    // Described above kRunExecutionTables.
    Migration{
        .version = 8,
        .description = "run leases, steps and logs",
        .sql = SqlText(kRunExecutionSql),
        .postgresql_sql = SqlText(kRunExecutionPostgresqlSql),
    },
    Migration{
        .version = 9,
        .description = "observed status",
        .sql = kObservedStatusTables,
    },
    // Facts about the whole installation, written once (the secret key's fingerprint).
    Migration{
        .version = 10,
        .description = "server settings",
        .sql = R"sql(
CREATE TABLE server_settings (
  name TEXT PRIMARY KEY,
  value TEXT NOT NULL,
  created_at TEXT NOT NULL
);
)sql",
    },
    // Tokens are revoked, not deleted (the audit log names them), and may be limited to some
    // environments (a JSON array of ids; empty: all).
    Migration{
        .version = 11,
        .description = "token revocation and environment scopes",
        .sql = R"sql(
ALTER TABLE api_tokens ADD COLUMN environment_ids TEXT NOT NULL DEFAULT '[]';
ALTER TABLE api_tokens ADD COLUMN revoked_at TEXT;
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
