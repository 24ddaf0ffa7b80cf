// The Store on SQLite, the embedded default: one database file next to the server.
//
// Open() applies the migrations the database lacks (migrations.h) and refuses, with
// kFailedPrecondition, a database written by a newer server. Files run in WAL journal mode with
// foreign keys enforced and a 5 s busy timeout, so a second process (a backup tool, the sqlite3
// shell) holding a lock briefly does not fail a call; a lock held longer is kUnavailable.
//
// Every method is one transaction that is rolled back on any failure. Values only ever reach
// SQL as bound parameters.
//
// Thread-safety: safe to use from many threads. Calls are serialised on one connection by
// `mutex_`; SQLite writes one transaction at a time anyway, and the store's calls are short.
#pragma once

#include <cstdint>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "styrmin/storage/store.h"

struct sqlite3;

namespace styrmin::storage {

class SqliteStore final : public Store {
 public:
  // Opens or creates the database at `path` (":memory:" for a private in-memory database, as
  // tests use). kUnavailable when the file cannot be opened or stays locked; kFailedPrecondition
  // when it is not a SQLite database or its schema is newer than this binary's.
  static Result<std::unique_ptr<SqliteStore>> Open(const std::string& path);

  SqliteStore(const SqliteStore&) = delete;
  SqliteStore& operator=(const SqliteStore&) = delete;
  ~SqliteStore() override;

  Status CreateCluster(const Cluster& cluster, const ApiToken& agent_token) override;
  Result<Cluster> GetCluster(const ClusterId& id) override;
  Result<std::vector<Cluster>> ListClusters() override;

  Status CreateEnvironment(const Environment& environment) override;
  Result<Environment> GetEnvironment(const EnvironmentId& id) override;
  Result<std::vector<Environment>> ListEnvironments(
      const std::optional<ClusterId>& cluster) override;

  Status CreateBackupLocation(const BackupStorageLocation& location) override;
  Result<BackupStorageLocation> GetBackupLocation(const BackupStorageLocationId& id) override;
  Result<std::vector<BackupStorageLocation>> ListBackupLocations() override;

  Status CreateToken(const ApiToken& token) override;
  Result<ApiToken> FindTokenByHash(const std::string& secret_hash) override;
  Result<std::size_t> CountTokens() override;

  Result<std::int64_t> RecordAudit(const AuditEvent& event) override;
  Result<std::vector<AuditEvent>> ListAudit(const AuditQuery& query) override;

  int schema_version() const override { return schema_version_; }

 private:
  // Takes ownership of `db`, an open connection whose schema is at `schema_version`.
  SqliteStore(sqlite3* db, int schema_version);

  std::mutex mutex_;
  sqlite3* db_;  // guarded by mutex_; owned, closed by the destructor

  const int schema_version_;
};

}  // namespace styrmin::storage
