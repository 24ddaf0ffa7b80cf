#include "styrmin/storage/sqlite_store.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <sqlite3.h>
#include <stdlib.h>

#include <atomic>
#include <filesystem>
#include <fstream>
#include <string>

#include "styrmin/storage/migrations.h"
#include "styrmin/storage/store_contract_test.h"

namespace styrmin::storage {
namespace {

using ::testing::HasSubstr;

// A directory of its own under the system's temporary directory, removed with everything in it
// when the object goes away.
class TempDir final {
 public:
  TempDir() {
    std::string pattern = (std::filesystem::temp_directory_path() / "styrmin-storage-XXXXXX");
    STYRMIN_CHECK(mkdtemp(pattern.data()) != nullptr, "tests need a temporary directory");
    path_ = pattern;
  }
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;
  ~TempDir() {
    std::error_code ignored;
    std::filesystem::remove_all(path_, ignored);
  }

  std::string File(const std::string& name) const { return (path_ / name).string(); }

 private:
  std::filesystem::path path_;
};

Result<std::unique_ptr<Store>> OpenInMemory() {
  STYRMIN_ASSIGN_OR_RETURN(auto store, SqliteStore::Open(":memory:"));
  return std::unique_ptr<Store>(std::move(store));
}

// Each call gets a new file in one directory that lives as long as the test binary.
Result<std::unique_ptr<Store>> OpenNewFile() {
  static TempDir dir;
  static std::atomic<int> next{0};
  STYRMIN_ASSIGN_OR_RETURN(
      auto store, SqliteStore::Open(dir.File("contract-" + std::to_string(next++) + ".db")));
  return std::unique_ptr<Store>(std::move(store));
}

INSTANTIATE_TEST_SUITE_P(Sqlite, StoreContractTest,
                         ::testing::Values(StoreContractParam{"InMemory", OpenInMemory},
                                           StoreContractParam{"File", OpenNewFile}),
                         StoreContractParamName);

// Runs `sql` on the database at `path` through the plain sqlite3 API, as an operator with the
// sqlite3 shell would; returns the first column of the first row, if any.
std::string RawQuery(const std::string& path, const std::string& sql) {
  sqlite3* db = nullptr;
  EXPECT_EQ(sqlite3_open(path.c_str(), &db), SQLITE_OK);
  std::string first;
  char* error = nullptr;
  const int rc = sqlite3_exec(
      db, sql.c_str(),
      [](void* out, int columns, char** values, char** /*names*/) {
        auto& text = *static_cast<std::string*>(out);
        if (text.empty() && columns > 0 && values[0] != nullptr) text = values[0];
        return 0;
      },
      &first, &error);
  EXPECT_EQ(rc, SQLITE_OK) << (error != nullptr ? error : "");
  sqlite3_free(error);
  sqlite3_close(db);
  return first;
}

// Runs `sql` as RawQuery does, with foreign keys enforced, expecting it to fail; returns
// SQLite's message.
std::string RawFailure(const std::string& path, const std::string& sql) {
  sqlite3* db = nullptr;
  EXPECT_EQ(sqlite3_open(path.c_str(), &db), SQLITE_OK);
  EXPECT_EQ(sqlite3_exec(db, "PRAGMA foreign_keys = ON", nullptr, nullptr, nullptr), SQLITE_OK);
  char* error = nullptr;
  EXPECT_NE(sqlite3_exec(db, sql.c_str(), nullptr, nullptr, &error), SQLITE_OK) << sql;
  std::string message = error != nullptr ? error : "";
  sqlite3_free(error);
  sqlite3_close(db);
  return message;
}

Cluster MakeCluster(const std::string& id, const std::string& name) {
  Cluster cluster;
  cluster.id = ClusterId(id);
  cluster.name = name;
  cluster.config = Json{{"region", "eu"}};
  return cluster;
}

ApiToken AgentTokenFor(const Cluster& cluster) {
  ApiToken token;
  token.id = TokenId("t-" + cluster.id.value());
  token.name = "agent";
  token.role = Role::kAgent;
  token.cluster_id = cluster.id;
  token.secret_hash = "hash-" + cluster.id.value();
  return token;
}

const int kKnownVersions = static_cast<int>(Migrations().size());

TEST(Migrations, AreNumberedFromOneWithoutGaps) {
  int expected = 1;
  for (const Migration& migration : Migrations()) {
    EXPECT_EQ(migration.version, expected++);
    EXPECT_FALSE(migration.description.empty());
    EXPECT_FALSE(migration.sql.empty());
  }
}

TEST(SqliteStore, AppliesEveryMigrationToANewDatabase) {
  TempDir dir;
  const std::string path = dir.File("styrmin.db");
  auto store = SqliteStore::Open(path);
  ASSERT_TRUE(store) << store.error().ToString();
  EXPECT_EQ((*store)->schema_version(), kKnownVersions);
  EXPECT_EQ(RawQuery(path, "SELECT COUNT(*) FROM schema_migrations"),
            std::to_string(kKnownVersions));
  EXPECT_EQ(RawQuery(path, "SELECT MAX(version) FROM schema_migrations"),
            std::to_string(kKnownVersions));
}

TEST(SqliteStore, UpgradesADatabaseAtVersionFourToTheAuditLogKeepingItsData) {
  // A database as a server that knew only migrations 1 to 4 left it, built by applying exactly
  // those, with a cluster and its agent token in it.
  TempDir dir;
  const std::string path = dir.File("styrmin.db");
  std::string script(kCreateSchemaMigrationsTable);
  script += ";\n";
  for (const Migration& migration : Migrations().first(4)) {
    script += SqlFor(migration, SqlDialect::kSqlite);
    script += "INSERT INTO schema_migrations (version, applied_at) VALUES (" +
              std::to_string(migration.version) + ", '2026-01-01T00:00:00.000Z');\n";
  }
  script +=
      "INSERT INTO clusters (id, name, config, created_at) "
      "VALUES ('c-1', 'prod', '{}', '2026-01-01T00:00:00.000Z');"
      "INSERT INTO api_tokens (id, name, role, cluster_id, secret_hash, created_at) "
      "VALUES ('t-c-1', 'agent', 'agent', 'c-1', 'hash-c-1', '2026-01-01T00:00:00.000Z');";
  RawQuery(path, script);
  ASSERT_EQ(RawQuery(path, "SELECT MAX(version) FROM schema_migrations"), "4");
  ASSERT_EQ(RawQuery(path, "SELECT COUNT(*) FROM sqlite_master WHERE name = 'audit_events'"), "0");

  auto store = SqliteStore::Open(path);
  ASSERT_TRUE(store) << store.error().ToString();
  EXPECT_EQ((*store)->schema_version(), kKnownVersions);
  EXPECT_EQ(RawQuery(path, "SELECT MAX(version) FROM schema_migrations"),
            std::to_string(kKnownVersions));
  EXPECT_EQ(RawQuery(path,
                     "SELECT COUNT(*) FROM sqlite_master "
                     "WHERE type = 'index' AND name = 'audit_events_action_sequence'"),
            "1");
  auto cluster = (*store)->GetCluster(ClusterId("c-1"));
  ASSERT_TRUE(cluster) << cluster.error().ToString();
  EXPECT_EQ(cluster->name, "prod");
  EXPECT_EQ(*(*store)->CountTokens(), 1u);

  AuditEvent event;
  event.actor = "agent";
  event.actor_token_id = TokenId("t-c-1");
  event.action = "createEnvironment";
  event.outcome = "ok";
  auto sequence = (*store)->RecordAudit(event);
  ASSERT_TRUE(sequence) << sequence.error().ToString();
  AuditQuery query;
  query.limit = 10;
  auto listed = (*store)->ListAudit(query);
  ASSERT_TRUE(listed) << listed.error().ToString();
  ASSERT_EQ(listed->size(), 1u);
  EXPECT_EQ(listed->front().sequence, *sequence);
}

TEST(SqliteStore, KeepsTheAuditLogWhenTheTokenOfAnEventIsDeleted) {
  TempDir dir;
  const std::string path = dir.File("styrmin.db");
  const Cluster cluster = MakeCluster("c-1", "prod");
  {
    auto store = SqliteStore::Open(path);
    ASSERT_TRUE(store) << store.error().ToString();
    ASSERT_TRUE((*store)->CreateCluster(cluster, AgentTokenFor(cluster)));
    AuditEvent event;
    event.actor = "agent";
    event.actor_token_id = TokenId("t-c-1");
    event.action = "createEnvironment";
    event.outcome = "ok";
    ASSERT_TRUE((*store)->RecordAudit(event));
  }
  // No store method deletes tokens yet; an operator can, and the log must not stop them.
  RawQuery(path, "PRAGMA foreign_keys = ON; DELETE FROM api_tokens WHERE id = 't-c-1'");
  EXPECT_EQ(RawQuery(path, "SELECT COUNT(*) FROM api_tokens"), "0");

  auto store = SqliteStore::Open(path);
  ASSERT_TRUE(store) << store.error().ToString();
  AuditQuery query;
  query.limit = 10;
  auto listed = (*store)->ListAudit(query);
  ASSERT_TRUE(listed) << listed.error().ToString();
  ASSERT_EQ(listed->size(), 1u);
  EXPECT_EQ(listed->front().actor_token_id, TokenId("t-c-1"));
}

TEST(SqliteStore, AppliesNothingWhenTheDatabaseIsOpenedAgain) {
  TempDir dir;
  const std::string path = dir.File("styrmin.db");
  ASSERT_TRUE(SqliteStore::Open(path));
  const std::string first = RawQuery(path,
                                     "SELECT group_concat(version || '@' || applied_at) "
                                     "FROM schema_migrations");
  auto again = SqliteStore::Open(path);
  ASSERT_TRUE(again) << again.error().ToString();
  EXPECT_EQ((*again)->schema_version(), kKnownVersions);
  EXPECT_EQ(RawQuery(path,
                     "SELECT group_concat(version || '@' || applied_at) "
                     "FROM schema_migrations"),
            first);
}

TEST(SqliteStore, KeepsItsDataWhenTheFileIsOpenedAgain) {
  TempDir dir;
  const std::string path = dir.File("styrmin.db");
  const Cluster cluster = MakeCluster("c-1", "prod");
  {
    auto store = SqliteStore::Open(path);
    ASSERT_TRUE(store) << store.error().ToString();
    ASSERT_TRUE((*store)->CreateCluster(cluster, AgentTokenFor(cluster)));
  }
  auto store = SqliteStore::Open(path);
  ASSERT_TRUE(store) << store.error().ToString();
  auto stored = (*store)->GetCluster(cluster.id);
  ASSERT_TRUE(stored) << stored.error().ToString();
  EXPECT_EQ(stored->name, "prod");
  EXPECT_EQ(stored->config, cluster.config);
  EXPECT_EQ(*(*store)->CountTokens(), 1u);
}

TEST(SqliteStore, RefusesADatabaseWithANewerSchema) {
  TempDir dir;
  const std::string path = dir.File("styrmin.db");
  ASSERT_TRUE(SqliteStore::Open(path));
  RawQuery(path,
           "INSERT INTO schema_migrations (version, applied_at) "
           "VALUES (999, '2030-01-01T00:00:00.000Z')");

  auto store = SqliteStore::Open(path);
  ASSERT_FALSE(store);
  EXPECT_EQ(store.error().code(), ErrorCode::kFailedPrecondition);
  EXPECT_THAT(store.error().message(),
              HasSubstr("database schema version 999 is newer than this styrmin-server supports (" +
                        std::to_string(kKnownVersions) + "); upgrade styrmin-server"));
  EXPECT_THAT(store.error().message(), HasSubstr(path));
}

TEST(SqliteStore, RefusesAFileThatIsNotADatabaseNamingIt) {
  TempDir dir;
  const std::string path = dir.File("notes.txt");
  {
    std::ofstream file(path);
    for (int i = 0; i < 200; ++i) file << "these are not the pages you are looking for\n";
  }
  auto store = SqliteStore::Open(path);
  ASSERT_FALSE(store);
  EXPECT_EQ(store.error().code(), ErrorCode::kFailedPrecondition);
  EXPECT_THAT(store.error().message(), HasSubstr(path));
  EXPECT_THAT(store.error().message(), HasSubstr("is not a SQLite database"));
}

TEST(SqliteStore, ReportsAFileItCannotCreateAsUnavailable) {
  TempDir dir;
  const std::string path = dir.File("missing/styrmin.db");
  auto store = SqliteStore::Open(path);
  ASSERT_FALSE(store);
  EXPECT_EQ(store.error().code(), ErrorCode::kUnavailable);
  EXPECT_THAT(store.error().message(), HasSubstr(path));
}

// What the schema enforces for writers other than the store: one unfinished run per deployment,
// and an active instance that exists. Then the store keeps an active instance set elsewhere
// (no store method sets one yet; the agent's finished run will).
TEST(SqliteStore, EnforcesOneUnfinishedRunAndAnExistingActiveInstanceAndKeepsTheActiveInstance) {
  TempDir dir;
  const std::string path = dir.File("styrmin.db");
  auto store = SqliteStore::Open(path);
  ASSERT_TRUE(store) << store.error().ToString();
  const Cluster cluster = MakeCluster("c-1", "prod");
  ASSERT_TRUE((*store)->CreateCluster(cluster, AgentTokenFor(cluster)));
  Environment environment;
  environment.id = EnvironmentId("e-1");
  environment.name = "staging";
  environment.cluster_id = cluster.id;
  ASSERT_TRUE((*store)->CreateEnvironment(environment));
  ApplicationDriverVersion version;
  version.id = DriverVersionId("v-1");
  version.driver_name = "infrahub";
  version.version = "1";
  version.digest = "sha256:a";
  ASSERT_TRUE((*store)->AddDriverVersion(version, DriverId("d")));
  DeploymentChange change;
  change.create = true;
  change.deployment.id = DeploymentId("d-1");
  change.deployment.environment_id = environment.id;
  change.deployment.name = "app";
  change.deployment.driver_version_id = version.id;
  change.deployment.application_version = "1.6.0";
  change.deployment.phase = "running";
  change.instance.id = InstanceId("i-1");
  change.instance.deployment_id = change.deployment.id;
  change.instance.driver_version_id = version.id;
  change.instance.application_version = "1.6.0";
  change.instance.phase = "running";
  storage::Run run;
  run.id = RunId("r-1");
  run.deployment_id = change.deployment.id;
  run.environment_id = environment.id;
  run.cluster_id = cluster.id;
  run.kind = "create";
  run.instance_id = change.instance.id;
  change.run = run;
  ASSERT_TRUE((*store)->RecordDeploymentChange(change));

  EXPECT_THAT(RawFailure(path,
                         "INSERT INTO runs (id, deployment_id, environment_id, cluster_id, kind, "
                         "state, instance_id, reason, error, progress, created_at) VALUES "
                         "('r-2', 'd-1', 'e-1', 'c-1', 'update', 'running', 'i-1', '', '', '0', "
                         "'2026-01-01T00:00:00.000Z')"),
              HasSubstr("UNIQUE constraint failed: runs.deployment_id"));
  EXPECT_THAT(RawFailure(path, "UPDATE deployments SET active_instance_id = 'i-9'"),
              HasSubstr("FOREIGN KEY constraint failed"));

  RawQuery(path, "UPDATE deployments SET active_instance_id = 'i-1'");
  ASSERT_TRUE((*store)->CancelRun(RunId("r-1"), {}));
  DeploymentChange update = change;
  update.create = false;
  update.deployment.application_version = "1.7.0";
  update.instance.id = InstanceId("i-2");
  update.run->id = RunId("r-2");
  update.run->instance_id = update.instance.id;
  ASSERT_TRUE((*store)->RecordDeploymentChange(update));
  auto stored = (*store)->GetDeployment(DeploymentId("d-1"));
  ASSERT_TRUE(stored) << stored.error().ToString();
  EXPECT_EQ(stored->active_instance_id, InstanceId("i-1"));
  EXPECT_EQ(stored->application_version, "1.7.0");
}

TEST(SqliteStore, KeepsAFileInWalJournalMode) {
  TempDir dir;
  const std::string path = dir.File("styrmin.db");
  ASSERT_TRUE(SqliteStore::Open(path));
  // WAL is a property of the file, so a fresh connection sees it.
  EXPECT_EQ(RawQuery(path, "PRAGMA journal_mode"), "wal");
}

}  // namespace
}  // namespace styrmin::storage
