// The Store on PostgreSQL, for servers that share one database or want it managed apart from
// the server. Talks to the server through the libpq C API.
//
// Open() applies the migrations the database lacks (migrations.h) in one transaction that first
// takes a transaction-scoped advisory lock, so that servers started at the same moment on the
// same database migrate it once, one after the other; PostgreSQL's DDL is transactional, so an
// upgrade is all or nothing. A database written by a newer server is refused with
// kFailedPrecondition.
//
// Connections come from a pool of at most `pool_size`. They are opened lazily: Open() opens the
// first (it runs the migrations) and keeps it; later ones are opened when every open connection
// is in use, up to the limit. A call checks one out for its transaction and returns it after. A
// connection that breaks (the server restarted, a network failure) is discarded, and the pool
// opens a new one when it is next needed; when a call finds its reused connection broken before
// anything ran (at BEGIN), it retries once per such connection, so a server restart costs no
// call its result. With every connection busy, a call waits up to `acquire_timeout` for one and
// then fails with kUnavailable.
//
// The methods are SqlStore's (sql_store.h): every one is one transaction, rolled back on any
// failure, and values only ever reach SQL as bound parameters (PQexecPrepared: each statement is
// prepared once per pooled connection and kept with it, up to 128). Errors: the store checks
// names, ids and references itself, for messages that name the thing (as SqliteStore does); the
// server's unique_violation (23505) and foreign_key_violation (23503) are the backstops for a
// concurrent writer that slipped between check and insert, mapped to kAlreadyExists and
// kInvalidArgument. Lost connections (SQLSTATE class 08, a bad connection status), a server
// shutting down and serialization failures are kUnavailable; anything else is kInternal with the
// server's primary message, which never quotes the row's values (the DETAIL line, which does, is
// left out).
//
// Thread-safety: safe to use from many threads; up to `pool_size` calls run at once. The store
// must outlive every call made on it.
#pragma once

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>

#include "styrmin/storage/sql_store.h"

namespace styrmin::storage {

class PostgresDatabase;  // defined in postgres_store.cc, which alone includes libpq

struct PostgresOptions {
  // The most connections open at once; at least 1.
  std::size_t pool_size = 8;
  // How long a call waits for a connection when all are busy before it fails (kUnavailable).
  std::chrono::milliseconds acquire_timeout{5000};
  // Bound on opening one connection. libpq counts whole seconds, so this is rounded up to them,
  // and libpq treats anything under 2 s as 2 s. Must be positive. Overrides a `connect_timeout`
  // in the connection string.
  std::chrono::milliseconds connect_timeout{5000};
};

class PostgresStore final : public SqlStore {
 public:
  // A snapshot of the connection pool, for /metrics.
  struct PoolStats {
    std::size_t size;              // connections open now (idle, in use or being opened)
    std::size_t in_use;            // checked out by a call (including one being opened)
    std::size_t waiting;           // calls waiting for a connection
    std::uint64_t acquired_total;  // checkouts that got a connection, Open()'s included
    std::uint64_t timeouts_total;  // checkouts that gave up after acquire_timeout
  };

  // Connects with the libpq connection string `conninfo` ("host=... port=... dbname=..." or a
  // postgresql:// URI) and migrates the database. kInvalidArgument for a malformed `conninfo`
  // or options; kUnavailable when the server cannot be reached or refuses the login (the message
  // names host and port, never the password); kFailedPrecondition when the database's schema is
  // newer than this binary's.
  static Result<std::unique_ptr<PostgresStore>> Open(const std::string& conninfo,
                                                     PostgresOptions options = {});

  PoolStats pool_stats() const;

 private:
  PostgresStore(std::unique_ptr<PostgresDatabase> database, int schema_version);
};

}  // namespace styrmin::storage
