// PostgresStore against a real PostgreSQL: the whole Store contract suite, then what only
// PostgreSQL has (concurrent migration, the connection pool, connection failures). One server per
// test binary, a fresh database per test.
#include "styrmin/storage/postgres_store.h"

#include <arpa/inet.h>
#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <libpq-fe.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <array>
#include <atomic>
#include <chrono>
#include <functional>
#include <latch>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include "styrmin/storage/migrations.h"
#include "styrmin/storage/store_contract_test.h"
#include "support/postgres.h"

namespace styrmin::storage {
namespace {

using ::testing::HasSubstr;
using ::testing::Not;
using namespace std::chrono_literals;

test::PostgresServer* g_server = nullptr;

class PostgresEnvironment final : public ::testing::Environment {
 public:
  void SetUp() override {
    auto server = test::PostgresServer::Start();
    ASSERT_TRUE(server) << server.error().ToString();
    server_ = std::move(server).value();
    g_server = server_.get();
  }
  void TearDown() override {
    g_server = nullptr;
    server_.reset();
  }

 private:
  std::unique_ptr<test::PostgresServer> server_;
};

const auto* const kEnvironment = ::testing::AddGlobalTestEnvironment(new PostgresEnvironment);

Result<std::unique_ptr<Store>> OpenFreshDatabase() {
  if (g_server == nullptr) return Unavailable("the PostgreSQL test server did not start");
  STYRMIN_ASSIGN_OR_RETURN(const std::string conninfo, g_server->CreateDatabase());
  STYRMIN_ASSIGN_OR_RETURN(auto store, PostgresStore::Open(conninfo));
  return std::unique_ptr<Store>(std::move(store));
}

INSTANTIATE_TEST_SUITE_P(Postgres, StoreContractTest,
                         ::testing::Values(StoreContractParam{"FreshDatabase", OpenFreshDatabase}),
                         StoreContractParamName);

struct CloseConnection {
  void operator()(PGconn* conn) const { PQfinish(conn); }
};
struct ClearResult {
  void operator()(PGresult* result) const { PQclear(result); }
};
using ResultPtr = std::unique_ptr<PGresult, ClearResult>;

// A plain libpq connection of its own, as an operator with psql would have.
class RawConnection final {
 public:
  explicit RawConnection(const std::string& conninfo) : conn_(PQconnectdb(conninfo.c_str())) {
    EXPECT_EQ(PQstatus(conn_.get()), CONNECTION_OK) << PQerrorMessage(conn_.get());
  }

  // Runs `sql`; returns the first column of the first row, or "" when there is none.
  std::string Query(const std::string& sql) {
    const ResultPtr result(PQexec(conn_.get(), sql.c_str()));
    const ExecStatusType status = PQresultStatus(result.get());
    EXPECT_TRUE(status == PGRES_COMMAND_OK || status == PGRES_TUPLES_OK)
        << sql << ": " << PQerrorMessage(conn_.get());
    if (status != PGRES_TUPLES_OK || PQntuples(result.get()) == 0) return {};
    return PQgetvalue(result.get(), 0, 0);
  }

 private:
  std::unique_ptr<PGconn, CloseConnection> conn_;
};

// Polls `condition` until it holds or `timeout` passes; true when it held.
bool WaitFor(const std::function<bool()>& condition, std::chrono::milliseconds timeout = 10s) {
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  while (!condition()) {
    if (std::chrono::steady_clock::now() > deadline) return false;
    std::this_thread::sleep_for(5ms);
  }
  return true;
}

Cluster MakeCluster(const std::string& id, const std::string& name) {
  Cluster cluster;
  cluster.id = ClusterId(id);
  cluster.name = name;
  cluster.created_at = std::chrono::system_clock::time_point{} + 1000h;
  return cluster;
}

ApiToken AgentTokenFor(const Cluster& cluster) {
  ApiToken token;
  token.id = TokenId("t-" + cluster.id.value());
  token.name = "agent of " + cluster.name;
  token.role = Role::kAgent;
  token.cluster_id = cluster.id;
  token.secret_hash = "hash-of-" + cluster.id.value();
  token.created_at = cluster.created_at;
  return token;
}

// A loopback port nothing listens on: bound, read back, and released again.
int UnusedLoopbackPort() {
  const int fd = socket(AF_INET, SOCK_STREAM, 0);
  EXPECT_GE(fd, 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  socklen_t length = sizeof addr;
  EXPECT_EQ(bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr), 0);
  EXPECT_EQ(getsockname(fd, reinterpret_cast<sockaddr*>(&addr), &length), 0);
  close(fd);
  return ntohs(addr.sin_port);
}

class PostgresStoreTest : public ::testing::Test {
 protected:
  void SetUp() override {
    ASSERT_NE(g_server, nullptr);
    auto conninfo = g_server->CreateDatabase();
    ASSERT_TRUE(conninfo) << conninfo.error().ToString();
    conninfo_ = *conninfo;
  }

  std::unique_ptr<PostgresStore> Open(PostgresOptions options = {}) {
    auto store = PostgresStore::Open(conninfo_, options);
    EXPECT_TRUE(store) << store.error().ToString();
    return store ? std::move(store).value() : nullptr;
  }

  // A store with a pool of one connection, on which cluster c-1 ("prod") was created; null
  // (with the failure recorded) when either step fails.
  std::unique_ptr<PostgresStore> OpenOneConnectionWithCluster() {
    PostgresOptions options;
    options.pool_size = 1;
    auto store = Open(options);
    if (store == nullptr) return nullptr;
    const Cluster cluster = MakeCluster("c-1", "prod");
    const Status created = store->CreateCluster(cluster, AgentTokenFor(cluster));
    EXPECT_TRUE(created) << created.error().ToString();
    return created ? std::move(store) : nullptr;
  }

  // Has the server close every connection of the stores (application styrmin-server) and
  // returns how many it closed; the two-argument form waits until each backend is gone.
  std::string TerminateStoreConnections() {
    RawConnection admin(conninfo_);
    return admin.Query(
        "SELECT COUNT(*) FILTER (WHERE pg_terminate_backend(pid, 10000)) FROM "
        "pg_stat_activity WHERE datname = current_database() AND "
        "application_name = 'styrmin-server'");
  }

  std::string conninfo_;  // of this test's fresh database
};

const int kKnownVersion = static_cast<int>(Migrations().size());

// Migrations.

TEST_F(PostgresStoreTest, AppliesEveryMigrationOnceWhenOpenedTwice) {
  auto first = Open();
  ASSERT_NE(first, nullptr);
  EXPECT_EQ(first->schema_version(), kKnownVersion);
  RawConnection raw(conninfo_);
  const std::string applied_at = raw.Query("SELECT MAX(applied_at) FROM schema_migrations");
  first.reset();

  auto second = Open();
  ASSERT_NE(second, nullptr);
  EXPECT_EQ(second->schema_version(), kKnownVersion);
  EXPECT_EQ(raw.Query("SELECT COUNT(*) FROM schema_migrations"), std::to_string(kKnownVersion));
  EXPECT_EQ(raw.Query("SELECT MAX(applied_at) FROM schema_migrations"), applied_at);
}

TEST_F(PostgresStoreTest, UpgradesADatabaseAtVersionFourToTheAuditLogKeepingItsData) {
  // A database as a server that knew only migrations 1 to 4 left it, built by applying exactly
  // those, with a cluster in it.
  RawConnection raw(conninfo_);
  raw.Query("BEGIN");
  raw.Query(std::string(kCreateSchemaMigrationsTable));
  for (const Migration& migration : Migrations().first(4)) {
    raw.Query(std::string(SqlFor(migration, SqlDialect::kPostgresql)));
    raw.Query("INSERT INTO schema_migrations (version, applied_at) VALUES (" +
              std::to_string(migration.version) + ", '2026-01-01T00:00:00.000Z')");
  }
  raw.Query(
      "INSERT INTO clusters (id, name, config, created_at) "
      "VALUES ('c-1', 'prod', '{}', '2026-01-01T00:00:00.000Z')");
  raw.Query("COMMIT");
  ASSERT_EQ(raw.Query("SELECT to_regclass('audit_events') IS NULL"), "t");

  auto store = Open();
  ASSERT_NE(store, nullptr);
  EXPECT_EQ(store->schema_version(), kKnownVersion);
  EXPECT_EQ(raw.Query("SELECT MAX(version) FROM schema_migrations"), std::to_string(kKnownVersion));
  EXPECT_EQ(raw.Query("SELECT to_regclass('audit_events_action_sequence') IS NOT NULL"), "t");
  auto cluster = store->GetCluster(ClusterId("c-1"));
  ASSERT_TRUE(cluster) << cluster.error().ToString();
  EXPECT_EQ(cluster->name, "prod");

  AuditEvent event;
  event.actor = "admin";
  event.action = "createEnvironment";
  event.outcome = "ok";
  auto sequence = store->RecordAudit(event);
  ASSERT_TRUE(sequence) << sequence.error().ToString();
  AuditQuery query;
  query.limit = 10;
  auto listed = store->ListAudit(query);
  ASSERT_TRUE(listed) << listed.error().ToString();
  ASSERT_EQ(listed->size(), 1u);
  EXPECT_EQ(listed->front().sequence, *sequence);
}

TEST_F(PostgresStoreTest, RefusesADatabaseWithANewerSchemaVersion) {
  ASSERT_NE(Open(), nullptr);
  RawConnection raw(conninfo_);
  raw.Query("INSERT INTO schema_migrations (version, applied_at) VALUES (999, 'later')");

  auto store = PostgresStore::Open(conninfo_);
  ASSERT_FALSE(store);
  EXPECT_EQ(store.error().code(), ErrorCode::kFailedPrecondition);
  EXPECT_THAT(store.error().message(),
              HasSubstr("database schema version 999 is newer than this styrmin-server supports (" +
                        std::to_string(kKnownVersion) + "); upgrade styrmin-server"));
}

TEST_F(PostgresStoreTest, TwoServersOpeningOneFreshDatabaseAtOnceBothSucceedAndMigrateOnce) {
  // Without the advisory lock, one of the two fails on a table the other created a moment
  // before. Several rounds, each on a fresh database, make a lucky ordering unlikely to hide it.
  constexpr int kRounds = 5;
  for (int round = 0; round < kRounds; ++round) {
    auto conninfo = g_server->CreateDatabase();
    ASSERT_TRUE(conninfo) << conninfo.error().ToString();
    std::latch start(2);
    std::array<Result<std::unique_ptr<PostgresStore>>, 2> opened = {
        Unavailable("the thread did not run"), Unavailable("the thread did not run")};
    std::vector<std::thread> threads;
    threads.reserve(2);
    for (std::size_t i = 0; i < 2; ++i) {
      threads.emplace_back([&, i] {
        start.arrive_and_wait();
        opened[i] = PostgresStore::Open(*conninfo);
      });
    }
    for (std::thread& thread : threads) thread.join();

    for (const auto& store : opened) {
      ASSERT_TRUE(store) << "round " << round << ": " << store.error().ToString();
      EXPECT_EQ((*store)->schema_version(), kKnownVersion);
    }
    RawConnection raw(*conninfo);
    EXPECT_EQ(raw.Query("SELECT COUNT(*) FROM schema_migrations"), std::to_string(kKnownVersion));
  }
}

// The connection pool.

TEST_F(PostgresStoreTest, KeepsThePoolStatsConsistentUnderManyConcurrentCalls) {
  PostgresOptions options;
  options.pool_size = 2;
  options.acquire_timeout = 30s;  // long enough that no call gives up on a loaded CI machine
  auto store = Open(options);
  ASSERT_NE(store, nullptr);
  const PostgresStore::PoolStats before = store->pool_stats();
  EXPECT_EQ(before.size, 1u);  // the connection that ran the migrations, kept
  EXPECT_EQ(before.in_use, 0u);
  EXPECT_EQ(before.acquired_total, 1u);

  constexpr std::size_t kThreads = 8;
  constexpr std::size_t kCallsPerThread = 25;
  std::atomic<int> failures{0};
  std::vector<std::thread> threads;
  threads.reserve(kThreads);
  for (std::size_t t = 0; t < kThreads; ++t) {
    threads.emplace_back([&store, &failures, t] {
      for (std::size_t i = 0; i < kCallsPerThread; ++i) {
        const std::string suffix = std::to_string(t) + "-" + std::to_string(i);
        const Cluster cluster = MakeCluster("c-" + suffix, "cluster-" + suffix);
        if (!store->CreateCluster(cluster, AgentTokenFor(cluster))) ++failures;
        if (!store->CountTokens()) ++failures;
      }
    });
  }
  for (std::thread& thread : threads) thread.join();

  EXPECT_EQ(failures.load(), 0);
  const PostgresStore::PoolStats after = store->pool_stats();
  EXPECT_EQ(after.size, 2u);
  EXPECT_EQ(after.in_use, 0u);
  EXPECT_EQ(after.waiting, 0u);
  EXPECT_EQ(after.timeouts_total, 0u);
  EXPECT_EQ(after.acquired_total, before.acquired_total + 2 * kThreads * kCallsPerThread);
  EXPECT_EQ(*store->CountTokens(), kThreads * kCallsPerThread);
}

// The only way to keep the store's one connection busy without a test hook in the store: hold a
// lock in the database, from a connection of the test's own, that a call on the store waits for.
// The call then holds the connection until the test lets the lock go.
class BusyConnectionTest : public PostgresStoreTest {
 protected:
  void HoldTheClustersTable(RawConnection& raw) {
    raw.Query("BEGIN");
    raw.Query("LOCK TABLE clusters IN ACCESS EXCLUSIVE MODE");
  }

  // True once a backend of the store waits for a lock.
  bool StoreWaitsForTheLock(RawConnection& raw) {
    return raw.Query(
               "SELECT COUNT(*) FROM pg_stat_activity WHERE datname = current_database() AND "
               "wait_event_type = 'Lock' AND application_name = 'styrmin-server'") == "1";
  }
};

TEST_F(BusyConnectionTest, ACallWaitsForTheBusyConnectionAndGetsItWhenItComesBack) {
  PostgresOptions options;
  options.pool_size = 1;
  options.acquire_timeout = 30s;
  auto store = Open(options);
  ASSERT_NE(store, nullptr);
  RawConnection holder(conninfo_);
  RawConnection observer(conninfo_);
  HoldTheClustersTable(holder);

  Result<std::vector<Cluster>> listed = Unavailable("not run");
  std::thread blocked([&] { listed = store->ListClusters(); });
  ASSERT_TRUE(WaitFor([&] { return StoreWaitsForTheLock(observer); }));
  Result<std::size_t> counted = Unavailable("not run");
  std::thread waiting([&] { counted = store->CountTokens(); });
  EXPECT_TRUE(WaitFor([&] { return store->pool_stats().waiting == 1; }));
  EXPECT_EQ(store->pool_stats().in_use, 1u);

  holder.Query("COMMIT");
  blocked.join();
  waiting.join();
  ASSERT_TRUE(listed) << listed.error().ToString();
  ASSERT_TRUE(counted) << counted.error().ToString();
  const PostgresStore::PoolStats stats = store->pool_stats();
  EXPECT_EQ(stats.size, 1u);
  EXPECT_EQ(stats.in_use, 0u);
  EXPECT_EQ(stats.waiting, 0u);
  EXPECT_EQ(stats.timeouts_total, 0u);
  EXPECT_EQ(stats.acquired_total, 3u);  // Open, ListClusters, CountTokens
}

TEST_F(BusyConnectionTest, ACallGivesUpWithUnavailableWhenTheOnlyConnectionStaysBusy) {
  PostgresOptions options;
  options.pool_size = 1;
  options.acquire_timeout = 200ms;
  auto store = Open(options);
  ASSERT_NE(store, nullptr);
  RawConnection holder(conninfo_);
  RawConnection observer(conninfo_);
  HoldTheClustersTable(holder);

  Result<std::vector<Cluster>> listed = Unavailable("not run");
  std::thread blocked([&] { listed = store->ListClusters(); });
  ASSERT_TRUE(WaitFor([&] { return StoreWaitsForTheLock(observer); }));

  const auto start = std::chrono::steady_clock::now();
  auto counted = store->CountTokens();
  const auto waited = std::chrono::steady_clock::now() - start;
  ASSERT_FALSE(counted);
  EXPECT_EQ(counted.error().code(), ErrorCode::kUnavailable);
  EXPECT_THAT(counted.error().message(), HasSubstr("all 1 database connections are busy"));
  EXPECT_GE(waited, 200ms);
  EXPECT_EQ(store->pool_stats().timeouts_total, 1u);
  EXPECT_EQ(store->pool_stats().waiting, 0u);

  holder.Query("COMMIT");
  blocked.join();
  ASSERT_TRUE(listed) << listed.error().ToString();
  EXPECT_TRUE(store->CountTokens());
  EXPECT_EQ(store->pool_stats().in_use, 0u);
}

TEST_F(PostgresStoreTest, ReplacesAConnectionTheServerClosedWithoutFailingTheNextCall) {
  auto store = OpenOneConnectionWithCluster();
  ASSERT_NE(store, nullptr);

  EXPECT_EQ(TerminateStoreConnections(), "1");

  auto clusters = store->ListClusters();
  ASSERT_TRUE(clusters) << clusters.error().ToString();
  EXPECT_EQ(clusters->size(), 1u);
  const PostgresStore::PoolStats stats = store->pool_stats();
  EXPECT_EQ(stats.size, 1u);
  EXPECT_EQ(stats.in_use, 0u);
}

// Statements are prepared once per connection: on the pool's one connection they must keep
// working after a transaction that used them failed, and a connection that replaces a closed
// one prepares its own.
TEST_F(PostgresStoreTest, KeepsPreparedStatementsWorkingAfterAFailureAndOnAReplacedConnection) {
  auto store = OpenOneConnectionWithCluster();
  ASSERT_NE(store, nullptr);
  ASSERT_TRUE(store->ListClusters());
  Cluster same_name = MakeCluster("c-2", "prod");
  auto refused = store->CreateCluster(same_name, AgentTokenFor(same_name));
  ASSERT_FALSE(refused);
  EXPECT_EQ(refused.error().code(), ErrorCode::kAlreadyExists);
  const Cluster second = MakeCluster("c-3", "staging");
  auto created = store->CreateCluster(second, AgentTokenFor(second));
  ASSERT_TRUE(created) << created.error().ToString();

  EXPECT_EQ(TerminateStoreConnections(), "1");
  auto clusters = store->ListClusters();
  ASSERT_TRUE(clusters) << clusters.error().ToString();
  EXPECT_EQ(clusters->size(), 2u);
  const Cluster third = MakeCluster("c-4", "dev");
  auto again = store->CreateCluster(third, AgentTokenFor(third));
  ASSERT_TRUE(again) << again.error().ToString();
  EXPECT_EQ(store->pool_stats().size, 1u);
}

// A one-statement read (Access::kReadOne: the token lookup every request makes) runs outside a
// transaction: it too must survive a connection the server closed, and the store's
// connections default to read-only transactions, so such a statement could not write.
TEST_F(PostgresStoreTest, RunsOneStatementReadsOutsideTransactionsOnReadOnlyConnections) {
  auto store = OpenOneConnectionWithCluster();
  ASSERT_NE(store, nullptr);
  auto found = store->FindTokenByHash("hash-of-c-1");
  ASSERT_TRUE(found) << found.error().ToString();

  EXPECT_EQ(TerminateStoreConnections(), "1");
  found = store->FindTokenByHash("hash-of-c-1");
  ASSERT_TRUE(found) << found.error().ToString();
  EXPECT_EQ(found->id, TokenId("t-c-1"));
  EXPECT_EQ(store->pool_stats().size, 1u);

  RawConnection admin(conninfo_);
  EXPECT_EQ(admin.Query("SELECT COUNT(*) FROM pg_stat_activity WHERE datname = "
                        "current_database() AND application_name = 'styrmin-server' AND "
                        "state = 'idle' AND backend_xid IS NULL"),
            "1");  // idle, outside any transaction
  // The setting is per connection: the store's, not the database's.
  EXPECT_EQ(admin.Query("SHOW default_transaction_read_only"), "off");
  const Cluster second = MakeCluster("c-2", "dev");
  ASSERT_TRUE(store->CreateCluster(second, AgentTokenFor(second)));  // writes say READ WRITE
  EXPECT_EQ(store->ListClusters()->size(), 2u);
}

TEST_F(PostgresStoreTest, LetsExactlyOneOfTwoStoresRacingForOneClusterNameWin) {
  // Both stores check the name before inserting, so one of them may pass its check while the
  // other's insert is still uncommitted; then the unique constraint decides, and the loser must
  // see kAlreadyExists like any other duplicate.
  auto first = Open();
  auto second = Open();
  ASSERT_NE(first, nullptr);
  ASSERT_NE(second, nullptr);
  constexpr int kRounds = 20;
  for (int round = 0; round < kRounds; ++round) {
    const std::string name = "cluster-" + std::to_string(round);
    std::latch start(2);
    std::vector<Status> created(2, OkStatus());
    std::vector<std::thread> threads;
    threads.reserve(2);
    PostgresStore* stores[] = {first.get(), second.get()};
    for (std::size_t i = 0; i < 2; ++i) {
      threads.emplace_back([&, i] {
        const Cluster cluster =
            MakeCluster("c-" + std::to_string(round) + "-" + std::to_string(i), name);
        start.arrive_and_wait();
        created[i] = stores[i]->CreateCluster(cluster, AgentTokenFor(cluster));
      });
    }
    for (std::thread& thread : threads) thread.join();
    ASSERT_NE(created[0].has_value(), created[1].has_value()) << "round " << round;
    const Status& lost = created[0] ? created[1] : created[0];
    EXPECT_EQ(lost.error().code(), ErrorCode::kAlreadyExists) << lost.error().ToString();
  }
  EXPECT_EQ(first->ListClusters()->size(), static_cast<std::size_t>(kRounds));
}

// Failures to connect.

TEST(PostgresStoreOpen, ReportsAServerThatIsNotThereAsUnavailableQuicklyAndWithoutThePassword) {
  const int port = UnusedLoopbackPort();
  const auto start = std::chrono::steady_clock::now();
  auto store = PostgresStore::Open("host=127.0.0.1 port=" + std::to_string(port) +
                                   " dbname=styrmin user=styrmin password=hunter2-secret");
  const auto took = std::chrono::steady_clock::now() - start;
  ASSERT_FALSE(store);
  EXPECT_EQ(store.error().code(), ErrorCode::kUnavailable);
  EXPECT_THAT(store.error().message(), HasSubstr("127.0.0.1:" + std::to_string(port)));
  EXPECT_THAT(store.error().message(), Not(HasSubstr("hunter2")));
  EXPECT_LT(took, 3s);
}

TEST_F(PostgresStoreTest, ReportsAnUnknownUserClearlyAndWithoutThePassword) {
  // The test server trusts every local login, so a wrong password cannot be refused; a user that
  // does not exist is, and goes through the same path.
  auto store = PostgresStore::Open(conninfo_ + " user=nobody password=hunter2-secret");
  ASSERT_FALSE(store);
  EXPECT_EQ(store.error().code(), ErrorCode::kUnavailable);
  EXPECT_THAT(store.error().message(), HasSubstr("\"nobody\""));
  EXPECT_THAT(store.error().message(), HasSubstr(std::to_string(g_server->port())));
  EXPECT_THAT(store.error().message(), Not(HasSubstr("hunter2")));
}

TEST(PostgresStoreOpen, RefusesAMalformedConnectionStringWithoutQuotingThePassword) {
  auto store = PostgresStore::Open("host=127.0.0.1 password=hunter2-secret dbname");
  ASSERT_FALSE(store);
  EXPECT_EQ(store.error().code(), ErrorCode::kInvalidArgument);
  EXPECT_THAT(store.error().message(), Not(HasSubstr("hunter2")));
}

TEST(PostgresStoreOpen, RefusesAnEmptyPool) {
  PostgresOptions options;
  options.pool_size = 0;
  auto store = PostgresStore::Open("host=127.0.0.1", options);
  ASSERT_FALSE(store);
  EXPECT_EQ(store.error().code(), ErrorCode::kInvalidArgument);
}

// Values PostgreSQL handles differently from SQLite.

TEST_F(PostgresStoreTest, RefusesAValueWithANulCharacterInsteadOfCuttingItShort) {
  auto store = Open();
  ASSERT_NE(store, nullptr);
  const Cluster cluster = MakeCluster("c-1", std::string("pro\0d", 5));
  auto created = store->CreateCluster(cluster, AgentTokenFor(cluster));
  ASSERT_FALSE(created);
  EXPECT_EQ(created.error().code(), ErrorCode::kInvalidArgument);
  EXPECT_TRUE(store->ListClusters()->empty());
}

TEST_F(BusyConnectionTest, MapsAConcurrentWritersDuplicateSecretToAlreadyExistsUnquoted) {
  // A writer of the test's own inserts the same secret hash without committing: the store's
  // check cannot see that row yet, so its insert waits on the unique index and, once the other
  // commits, the server's unique_violation is what refuses it.
  auto store = Open();
  ASSERT_NE(store, nullptr);
  RawConnection writer(conninfo_);
  RawConnection observer(conninfo_);
  writer.Query("BEGIN");
  writer.Query(
      "INSERT INTO api_tokens (id, name, role, cluster_id, secret_hash, created_at) VALUES "
      "('t-1', 'one', 'admin', NULL, 'secret-hash-value', '2026-01-01T00:00:00.000Z')");

  ApiToken token;
  token.id = TokenId("t-2");
  token.name = "two";
  token.role = Role::kViewer;
  token.secret_hash = "secret-hash-value";
  Status created = OkStatus();
  std::thread creating([&] { created = store->CreateToken(token); });
  ASSERT_TRUE(WaitFor([&] { return StoreWaitsForTheLock(observer); }));
  writer.Query("COMMIT");
  creating.join();

  ASSERT_FALSE(created);
  EXPECT_EQ(created.error().code(), ErrorCode::kAlreadyExists);
  // "store API token": the message of the backstop, not of the store's own check.
  EXPECT_THAT(
      created.error().message(),
      HasSubstr("store API token \"t-2\": an API token with the same secret already exists"));
  EXPECT_THAT(created.error().message(), Not(HasSubstr("secret-hash-value")));
  EXPECT_EQ(*store->CountTokens(), 1u);
  EXPECT_EQ(store->pool_stats().in_use, 0u);
}

// A writer of the test's own adds a driver and a version without committing; the store's
// checks cannot see them yet, so its inserts wait on the unique indexes and, once the other
// commits, fail. The store must then answer from the committed rows, as if it had come second.
class RacingDriverWriterTest : public BusyConnectionTest {
 protected:
  void BeginWriterWithVersion(RawConnection& writer, const std::string& digest) {
    writer.Query("BEGIN");
    writer.Query(
        "INSERT INTO application_drivers (id, name, created_at) "
        "VALUES ('d-writer', 'infrahub', '2026-01-01T00:00:00.000Z')");
    writer.Query(
        "INSERT INTO application_driver_versions "
        "(id, driver_id, version, digest, source, spec, files, created_at) VALUES "
        "('v-writer', 'd-writer', '3', '" +
        digest + "', '{}', '{}', '{\"driver.yaml\":\"writer\"}', '2026-01-01T00:00:00.000Z')");
  }

  // Runs AddDriverVersion of version "3" with `digest` on `store` while `writer` holds its
  // uncommitted rows, and lets the writer commit once the store waits for it.
  Result<AddedDriverVersion> AddWhileTheWriterCommits(PostgresStore& store, RawConnection& writer,
                                                      const std::string& digest) {
    RawConnection observer(conninfo_);
    ApplicationDriverVersion version;
    version.id = DriverVersionId("v-store");
    version.driver_name = "infrahub";
    version.version = "3";
    version.digest = digest;
    version.files = Json{{"driver.yaml", "store"}};
    Result<AddedDriverVersion> added = Unavailable("not run");
    std::thread adding([&] { added = store.AddDriverVersion(version, DriverId("d-store")); });
    EXPECT_TRUE(WaitFor([&] { return StoreWaitsForTheLock(observer); }));
    writer.Query("COMMIT");
    adding.join();
    return added;
  }
};

TEST_F(RacingDriverWriterTest, ReturnsTheWinnersVersionWhenAConcurrentWriterAddedTheSameContent) {
  auto store = Open();
  ASSERT_NE(store, nullptr);
  RawConnection writer(conninfo_);
  BeginWriterWithVersion(writer, "sha256:same");

  auto added = AddWhileTheWriterCommits(*store, writer, "sha256:same");
  ASSERT_TRUE(added) << added.error().ToString();
  EXPECT_FALSE(added->created);
  EXPECT_EQ(added->version.id, DriverVersionId("v-writer"));
  EXPECT_EQ(added->version.driver_id, DriverId("d-writer"));
  EXPECT_EQ(added->version.files, (Json{{"driver.yaml", "writer"}}));
  EXPECT_EQ(store->ListDrivers()->size(), 1u);
  EXPECT_EQ(store->ListDriverVersions(DriverId("d-writer"))->size(), 1u);
  EXPECT_EQ(store->pool_stats().in_use, 0u);
}

TEST_F(RacingDriverWriterTest, RefusesTheSameVersionWithOtherContentFromAConcurrentWriter) {
  auto store = Open();
  ASSERT_NE(store, nullptr);
  RawConnection writer(conninfo_);
  BeginWriterWithVersion(writer, "sha256:writer");

  auto added = AddWhileTheWriterCommits(*store, writer, "sha256:store");
  ASSERT_FALSE(added);
  EXPECT_EQ(added.error().code(), ErrorCode::kAlreadyExists);
  // The store's own message, from running again after the constraint refused the insert.
  EXPECT_THAT(added.error().message(),
              HasSubstr("driver \"infrahub\" already has version \"3\" with other content "
                        "(sha256:writer)"));
  EXPECT_EQ(store->GetDriverVersion(DriverVersionId("v-store")).error().code(),
            ErrorCode::kNotFound);
  EXPECT_EQ(store->ListDrivers()->size(), 1u);
}

// Deployments: what PostgreSQL's concurrent writers can do that SQLite's one writer cannot.
class RacingDeploymentWriterTest : public BusyConnectionTest {
 protected:
  // A store with cluster c-1, environment e-1 in it, driver version v-1, and deployment d-1
  // "app" created without a run.
  std::unique_ptr<PostgresStore> OpenWithDeployment() {
    auto store = Open();
    if (store == nullptr) return nullptr;
    const Cluster cluster = MakeCluster("c-1", "prod");
    EXPECT_TRUE(store->CreateCluster(cluster, AgentTokenFor(cluster)));
    Environment environment;
    environment.id = EnvironmentId("e-1");
    environment.name = "staging";
    environment.cluster_id = cluster.id;
    EXPECT_TRUE(store->CreateEnvironment(environment));
    ApplicationDriverVersion version;
    version.id = DriverVersionId("v-1");
    version.driver_name = "infrahub";
    version.version = "1";
    version.digest = "sha256:a";
    EXPECT_TRUE(store->AddDriverVersion(version, DriverId("d")));
    auto created = store->RecordDeploymentChange(Change("d-1", "app", "i-1", /*run=*/""));
    EXPECT_TRUE(created) << created.error().ToString();
    created_ = store->GetDeployment(DeploymentId("d-1")).value();
    return store;
  }

  // A change of deployment `id` named `name` in e-1 with instance `instance` and, unless `run`
  // is empty, a pending upgrade run `run`; a creation when `id` is not d-1.
  static DeploymentChange Change(const std::string& id, const std::string& name,
                                 const std::string& instance, const std::string& run) {
    DeploymentChange change;
    change.create = id != "d-1" || run.empty();
    change.deployment.id = DeploymentId(id);
    change.deployment.environment_id = EnvironmentId("e-1");
    change.deployment.name = name;
    change.deployment.driver_version_id = DriverVersionId("v-1");
    change.deployment.application_version = run.empty() ? "1.6.0" : "1.7.0";
    change.deployment.phase = "running";
    change.instance.id = InstanceId(instance);
    change.instance.deployment_id = change.deployment.id;
    change.instance.driver_version_id = change.deployment.driver_version_id;
    change.instance.application_version = change.deployment.application_version;
    change.instance.phase = "running";
    if (!run.empty()) {
      storage::Run pending;
      pending.id = RunId(run);
      pending.deployment_id = change.deployment.id;
      pending.environment_id = change.deployment.environment_id;
      pending.cluster_id = ClusterId("c-1");
      pending.kind = "upgrade";
      pending.instance_id = change.instance.id;
      change.run = pending;
    }
    return change;
  }

  // Records `change` on `store` while `writer` holds its uncommitted rows, and lets the writer
  // commit once the store waits for it.
  Status RecordWhileTheWriterCommits(PostgresStore& store, RawConnection& writer,
                                     const DeploymentChange& change) {
    RawConnection observer(conninfo_);
    Status recorded = OkStatus();
    std::thread recording([&] { recorded = store.RecordDeploymentChange(change); });
    EXPECT_TRUE(WaitFor([&] { return StoreWaitsForTheLock(observer); }));
    writer.Query("COMMIT");
    recording.join();
    return recorded;
  }

  Deployment created_;
};

TEST_F(RacingDeploymentWriterTest, RefusesARunRacingAnotherWritersRunNamingTheWinner) {
  // The writer (an agent's statements, say) does not lock the deployment, so the store's checks
  // cannot see its run yet; the partial unique index makes the store's insert wait and then
  // refuses it, and the store, running its transaction again, names the run that won.
  auto store = OpenWithDeployment();
  ASSERT_NE(store, nullptr);
  RawConnection writer(conninfo_);
  writer.Query("BEGIN");
  writer.Query(
      "INSERT INTO instances (id, deployment_id, driver_version_id, application_version, phase, "
      "context, created_at) VALUES ('i-writer', 'd-1', 'v-1', '1.6.1', 'running', '{}', "
      "'2026-01-01T00:00:00.000Z')");
  writer.Query(
      "INSERT INTO runs (id, deployment_id, environment_id, cluster_id, kind, state, instance_id, "
      "reason, error, progress, created_at) VALUES ('r-writer', 'd-1', 'e-1', 'c-1', 'upgrade', "
      "'pending', 'i-writer', '', '', '0', '2026-01-01T00:00:00.000Z')");

  auto recorded =
      RecordWhileTheWriterCommits(*store, writer, Change("d-1", "app", "i-store", "r-store"));
  ASSERT_FALSE(recorded);
  EXPECT_EQ(recorded.error().code(), ErrorCode::kFailedPrecondition);
  EXPECT_THAT(recorded.error().message(),
              HasSubstr("run r-writer (upgrade) is pending for deployment \"app\"; wait for it "
                        "or cancel it"));
  EXPECT_EQ(store->GetInstance(InstanceId("i-store")).error().code(), ErrorCode::kNotFound);
  EXPECT_EQ(store->GetRun(RunId("r-store")).error().code(), ErrorCode::kNotFound);
  auto deployment = store->GetDeployment(DeploymentId("d-1"));
  ASSERT_TRUE(deployment) << deployment.error().ToString();
  EXPECT_EQ(deployment->application_version, created_.application_version);
  EXPECT_EQ(store->pool_stats().in_use, 0u);
}

TEST_F(RacingDeploymentWriterTest, RefusesANameAConcurrentWriterTookWithTheStoresOwnMessage) {
  auto store = OpenWithDeployment();
  ASSERT_NE(store, nullptr);
  RawConnection writer(conninfo_);
  writer.Query("BEGIN");
  writer.Query(
      "INSERT INTO deployments (id, environment_id, name, driver_version_id, application_version, "
      "parameters, config, phase, created_at, updated_at) VALUES ('d-writer', 'e-1', 'db', 'v-1', "
      "'1.6.0', '{}', '{}', 'running', '2026-01-01T00:00:00.000Z', '2026-01-01T00:00:00.000Z')");

  auto recorded =
      RecordWhileTheWriterCommits(*store, writer, Change("d-store", "db", "i-store", "r-store"));
  ASSERT_FALSE(recorded);
  EXPECT_EQ(recorded.error().code(), ErrorCode::kAlreadyExists);
  // The store's own message, from running again after the constraint refused the insert.
  EXPECT_THAT(recorded.error().message(),
              HasSubstr("a deployment named \"db\" already exists in environment \"e-1\""));
  EXPECT_EQ(store->GetDeployment(DeploymentId("d-store")).error().code(), ErrorCode::kNotFound);
  EXPECT_EQ(store->GetRun(RunId("r-store")).error().code(), ErrorCode::kNotFound);
}

TEST_F(RacingDeploymentWriterTest, KeepsTheActiveInstanceAnotherWriterSetWhenTheDeploymentChanges) {
  // No store method marks an instance active yet (the agent's run will); an update must keep
  // whatever is there.
  auto store = OpenWithDeployment();
  ASSERT_NE(store, nullptr);
  RawConnection raw(conninfo_);
  raw.Query("UPDATE deployments SET active_instance_id = 'i-1' WHERE id = 'd-1'");

  DeploymentChange update = Change("d-1", "app", "i-2", "r-2");
  update.deployment.active_instance_id.reset();
  auto recorded = store->RecordDeploymentChange(update);
  ASSERT_TRUE(recorded) << recorded.error().ToString();
  auto deployment = store->GetDeployment(DeploymentId("d-1"));
  ASSERT_TRUE(deployment) << deployment.error().ToString();
  EXPECT_EQ(deployment->active_instance_id, InstanceId("i-1"));
  EXPECT_EQ(deployment->application_version, "1.7.0");
}

TEST_F(PostgresStoreTest, ReferencesInstancesFromTheActiveInstanceAddedAfterBothTables) {
  auto store = Open();
  ASSERT_NE(store, nullptr);
  RawConnection raw(conninfo_);
  EXPECT_EQ(raw.Query("SELECT COUNT(*) FROM pg_constraint WHERE conrelid = 'deployments'::regclass "
                      "AND contype = 'f' AND confrelid = 'instances'::regclass"),
            "1");
}

}  // namespace
}  // namespace styrmin::storage
