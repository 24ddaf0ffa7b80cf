// Proves the PostgreSQL fixture: a real server, one per test binary, a fresh database per test.
#include <gtest/gtest.h>
#include <libpq-fe.h>

#include <memory>
#include <string>

#include "support/postgres.h"

namespace styrmin::test {
namespace {

PostgresServer* g_server = nullptr;

class PostgresEnvironment final : public ::testing::Environment {
 public:
  void SetUp() override {
    auto server = PostgresServer::Start();
    ASSERT_TRUE(server) << server.error().ToString();
    server_ = std::move(server).value();
    g_server = server_.get();
  }
  void TearDown() override {
    g_server = nullptr;
    server_.reset();
  }

 private:
  std::unique_ptr<PostgresServer> server_;
};

const auto* const kEnvironment = ::testing::AddGlobalTestEnvironment(new PostgresEnvironment);

struct PgConnDeleter {
  void operator()(PGconn* c) const { PQfinish(c); }
};
struct PgResultDeleter {
  void operator()(PGresult* r) const { PQclear(r); }
};
using PgResult = std::unique_ptr<PGresult, PgResultDeleter>;

class PostgresFixture : public ::testing::Test {
 protected:
  void SetUp() override {
    ASSERT_NE(g_server, nullptr);
    auto conninfo = g_server->CreateDatabase();
    ASSERT_TRUE(conninfo) << conninfo.error().ToString();
    conninfo_ = *conninfo;
    conn_.reset(PQconnectdb(conninfo_.c_str()));
    ASSERT_EQ(PQstatus(conn_.get()), CONNECTION_OK) << PQerrorMessage(conn_.get());
  }

  PgResult Exec(const std::string& sql) { return PgResult(PQexec(conn_.get(), sql.c_str())); }

  std::string conninfo_;
  std::unique_ptr<PGconn, PgConnDeleter> conn_;
};

TEST_F(PostgresFixture, TableRoundTripsThroughLibpq) {
  auto created = Exec(
      "CREATE TABLE deployments (id text PRIMARY KEY, replicas integer NOT NULL, "
      "config jsonb NOT NULL)");
  ASSERT_EQ(PQresultStatus(created.get()), PGRES_COMMAND_OK) << PQerrorMessage(conn_.get());

  const char* params[] = {"d-1", "3", R"({"log_level": "INFO"})"};
  PgResult inserted(PQexecParams(conn_.get(),
                                 "INSERT INTO deployments (id, replicas, config) "
                                 "VALUES ($1, $2::integer, $3::jsonb)",
                                 3, nullptr, params, nullptr, nullptr, 0));
  ASSERT_EQ(PQresultStatus(inserted.get()), PGRES_COMMAND_OK) << PQerrorMessage(conn_.get());

  auto rows = Exec("SELECT id, replicas, config->>'log_level' FROM deployments");
  ASSERT_EQ(PQresultStatus(rows.get()), PGRES_TUPLES_OK) << PQerrorMessage(conn_.get());
  ASSERT_EQ(PQntuples(rows.get()), 1);
  EXPECT_STREQ(PQgetvalue(rows.get(), 0, 0), "d-1");
  EXPECT_STREQ(PQgetvalue(rows.get(), 0, 1), "3");
  EXPECT_STREQ(PQgetvalue(rows.get(), 0, 2), "INFO");
}

TEST_F(PostgresFixture, EachTestGetsAFreshEmptyDatabase) {
  auto tables = Exec(
      "SELECT count(*) FROM information_schema.tables WHERE table_schema = "
      "'public'");
  ASSERT_EQ(PQresultStatus(tables.get()), PGRES_TUPLES_OK);
  EXPECT_STREQ(PQgetvalue(tables.get(), 0, 0), "0");
  auto other = g_server->CreateDatabase();
  ASSERT_TRUE(other);
  EXPECT_NE(*other, conninfo_);
}

TEST_F(PostgresFixture, AFailedTransactionChangesNothing) {
  ASSERT_EQ(PQresultStatus(Exec("CREATE TABLE t (id integer PRIMARY KEY)").get()),
            PGRES_COMMAND_OK);
  ASSERT_EQ(PQresultStatus(Exec("BEGIN").get()), PGRES_COMMAND_OK);
  ASSERT_EQ(PQresultStatus(Exec("INSERT INTO t VALUES (1)").get()), PGRES_COMMAND_OK);
  auto duplicate = Exec("INSERT INTO t VALUES (1)");
  EXPECT_EQ(PQresultStatus(duplicate.get()), PGRES_FATAL_ERROR);
  EXPECT_STREQ(PQresultErrorField(duplicate.get(), PG_DIAG_SQLSTATE), "23505");
  ASSERT_EQ(PQresultStatus(Exec("ROLLBACK").get()), PGRES_COMMAND_OK);
  auto count = Exec("SELECT count(*) FROM t");
  EXPECT_STREQ(PQgetvalue(count.get(), 0, 0), "0");
}

TEST_F(PostgresFixture, ListensOnLoopbackOnly) {
  auto addr = Exec("SELECT inet_server_addr()::text");
  ASSERT_EQ(PQresultStatus(addr.get()), PGRES_TUPLES_OK);
  EXPECT_STREQ(PQgetvalue(addr.get(), 0, 0), "127.0.0.1/32");
  auto setting = Exec("SHOW listen_addresses");
  EXPECT_STREQ(PQgetvalue(setting.get(), 0, 0), "127.0.0.1");
}

}  // namespace
}  // namespace styrmin::test
