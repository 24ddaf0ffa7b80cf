// The Store on SQLite, the embedded default: one database file next to the server.
//
// Open() applies the migrations the database lacks (migrations.h) and refuses, with
// kFailedPrecondition, a database written by a newer server. Files run in WAL journal mode with
// foreign keys enforced and a 5 s busy timeout, so a second process (a backup tool, the sqlite3
// shell) holding a lock briefly does not fail a call; a lock held longer is kUnavailable.
//
// The methods are SqlStore's (sql_store.h): every one is one transaction that is rolled back on
// any failure, and values only ever reach SQL as bound parameters. Writers begin with
// BEGIN IMMEDIATE, so they queue for the write lock under the busy timeout instead of failing
// when they upgrade a read lock halfway.
//
// Thread-safety: safe to use from many threads. Writing calls run one at a time on one
// connection; reading calls run at the same time on read-only connections (one per core, from
// two to eight), each on its own snapshot. A private in-memory database has one connection for all.
// Each connection keeps its prepared statements.
#pragma once

#include <memory>
#include <string>

#include "styrmin/storage/sql_store.h"

namespace styrmin::storage {

class SqliteStore final : public SqlStore {
 public:
  // Opens or creates the database at `path` (":memory:" for a private in-memory database, as
  // tests use). kUnavailable when the file cannot be opened or stays locked; kFailedPrecondition
  // when it is not a SQLite database or its schema is newer than this binary's.
  static Result<std::unique_ptr<SqliteStore>> Open(const std::string& path);

 private:
  SqliteStore(std::unique_ptr<SqlDatabase> database, int schema_version)
      : SqlStore(std::move(database), schema_version) {}
};

}  // namespace styrmin::storage
