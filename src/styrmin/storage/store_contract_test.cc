#include "styrmin/storage/store_contract_test.h"

#include <gmock/gmock.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdint>
#include <functional>
#include <latch>
#include <optional>
#include <set>
#include <string>
#include <thread>
#include <utility>
#include <vector>

#include "styrmin/core/clock.h"

namespace styrmin::storage {
namespace {

using ::testing::HasSubstr;
using namespace std::chrono_literals;

// Stores keep milliseconds, so every instant here is a whole number of them.
Timestamp At(std::chrono::sys_days day, std::chrono::milliseconds time_of_day) {
  return Timestamp{day} + time_of_day;
}

const Timestamp kMonday = At(std::chrono::year{2026} / 3 / 16, 9h + 30min + 15s + 123ms);
const Timestamp kTuesday = At(std::chrono::year{2026} / 3 / 17, 23h + 59min + 59s + 999ms);

std::string ClusterTokenHash(const std::string& cluster_id) { return "hash-of-" + cluster_id; }

Cluster MakeCluster(const std::string& id, const std::string& name) {
  Cluster cluster;
  cluster.id = ClusterId(id);
  cluster.name = name;
  cluster.created_at = kMonday;
  return cluster;
}

ApiToken AgentTokenFor(const Cluster& cluster, const std::string& secret_hash) {
  ApiToken token;
  token.id = TokenId("t-" + cluster.id.value());
  token.name = "agent of " + cluster.name;
  token.role = Role::kAgent;
  token.cluster_id = cluster.id;
  token.secret_hash = secret_hash;
  token.created_at = kMonday;
  return token;
}

ApiToken AgentTokenFor(const Cluster& cluster) {
  return AgentTokenFor(cluster, ClusterTokenHash(cluster.id.value()));
}

BackupStorageLocation MakeS3Location(const std::string& id, const std::string& name) {
  BackupStorageLocation location;
  location.id = BackupStorageLocationId(id);
  location.name = name;
  location.kind = BackupLocationKind::kS3;
  location.endpoint = "https://s3.eu-north-1.amazonaws.com";
  location.bucket = "styrmin-backups";
  location.region = "eu-north-1";
  location.path = "prod/";
  location.credentials = Json{{"accessKeyId", "AKIA"}, {"secretAccessKey", "s3cr3t"}};
  location.created_at = kTuesday;
  return location;
}

Environment MakeEnvironment(const std::string& id, const std::string& name,
                            const ClusterId& cluster) {
  Environment environment;
  environment.id = EnvironmentId(id);
  environment.name = name;
  environment.cluster_id = cluster;
  environment.created_at = kTuesday;
  return environment;
}

ApiToken MakeToken(const std::string& id, Role role, const std::string& secret_hash) {
  ApiToken token;
  token.id = TokenId(id);
  token.name = "token " + id;
  token.role = role;
  token.secret_hash = secret_hash;
  token.created_at = kTuesday;
  return token;
}

void ExpectSameCluster(const Cluster& actual, const Cluster& expected) {
  EXPECT_EQ(actual.id, expected.id);
  EXPECT_EQ(actual.name, expected.name);
  EXPECT_EQ(actual.config, expected.config);
  EXPECT_EQ(FormatRfc3339(actual.created_at), FormatRfc3339(expected.created_at));
  EXPECT_TRUE(actual.created_at == expected.created_at);
}

void ExpectSameLocation(const BackupStorageLocation& actual,
                        const BackupStorageLocation& expected) {
  EXPECT_EQ(actual.id, expected.id);
  EXPECT_EQ(actual.name, expected.name);
  EXPECT_EQ(actual.kind, expected.kind);
  EXPECT_EQ(actual.endpoint, expected.endpoint);
  EXPECT_EQ(actual.bucket, expected.bucket);
  EXPECT_EQ(actual.region, expected.region);
  EXPECT_EQ(actual.path, expected.path);
  EXPECT_EQ(actual.credentials, expected.credentials);
  EXPECT_TRUE(actual.created_at == expected.created_at);
}

void ExpectSameEnvironment(const Environment& actual, const Environment& expected) {
  EXPECT_EQ(actual.id, expected.id);
  EXPECT_EQ(actual.name, expected.name);
  EXPECT_EQ(actual.cluster_id, expected.cluster_id);
  EXPECT_EQ(actual.config, expected.config);
  EXPECT_EQ(actual.backup_location_id, expected.backup_location_id);
  EXPECT_TRUE(actual.created_at == expected.created_at);
}

void ExpectSameToken(const ApiToken& actual, const ApiToken& expected) {
  EXPECT_EQ(actual.id, expected.id);
  EXPECT_EQ(actual.name, expected.name);
  EXPECT_EQ(actual.role, expected.role);
  EXPECT_EQ(actual.cluster_id, expected.cluster_id);
  EXPECT_EQ(actual.secret_hash, expected.secret_hash);
  EXPECT_TRUE(actual.created_at == expected.created_at);
}

// Clusters.

TEST_P(StoreContractTest, StoresAClusterWithEveryField) {
  Cluster cluster = MakeCluster("c-1", "prod");
  cluster.config = Json{{"kubeconfig", {{"context", "prod"}}}, {"replicas", 3}, {"tags", {"a"}}};
  ASSERT_TRUE(store().CreateCluster(cluster, AgentTokenFor(cluster)));

  auto stored = store().GetCluster(ClusterId("c-1"));
  ASSERT_TRUE(stored) << stored.error().ToString();
  ExpectSameCluster(*stored, cluster);
  auto all = store().ListClusters();
  ASSERT_TRUE(all) << all.error().ToString();
  ASSERT_EQ(all->size(), 1u);
  ExpectSameCluster(all->front(), cluster);
}

TEST_P(StoreContractTest, StoresTheAgentTokenWithItsCluster) {
  const Cluster cluster = MakeCluster("c-1", "prod");
  const ApiToken token = AgentTokenFor(cluster);
  ASSERT_TRUE(store().CreateCluster(cluster, token));

  auto found = store().FindTokenByHash(token.secret_hash);
  ASSERT_TRUE(found) << found.error().ToString();
  ExpectSameToken(*found, token);
}

TEST_P(StoreContractTest, ListsClustersByName) {
  const std::vector<std::pair<std::string, std::string>> clusters = {
      {"c-1", "staging"}, {"c-2", "dev"}, {"c-3", "prod"}};
  for (const auto& [id, name] : clusters) {
    const Cluster cluster = MakeCluster(id, name);
    ASSERT_TRUE(store().CreateCluster(cluster, AgentTokenFor(cluster)));
  }
  auto all = store().ListClusters();
  ASSERT_TRUE(all) << all.error().ToString();
  std::vector<std::string> names;
  for (const Cluster& cluster : *all) names.push_back(cluster.name);
  EXPECT_THAT(names, ::testing::ElementsAre("dev", "prod", "staging"));
}

TEST_P(StoreContractTest, KeepsQuotesAndSqlInValuesAsPlainText) {
  Cluster cluster = MakeCluster("c-'1", "o'brien\"; DROP TABLE clusters; --");
  cluster.config = Json{{"note", "it's \"quoted\" and ünïcödé"}};
  ASSERT_TRUE(store().CreateCluster(cluster, AgentTokenFor(cluster)));

  auto stored = store().GetCluster(cluster.id);
  ASSERT_TRUE(stored) << stored.error().ToString();
  ExpectSameCluster(*stored, cluster);
}

TEST_P(StoreContractTest, KeepsTimestampsExactToTheMillisecond) {
  const std::vector<Timestamp> instants = {
      Timestamp{},
      Timestamp{} - 750ms,
      At(std::chrono::year{1999} / 12 / 31, 23h + 59min + 59s + 1ms),
      At(std::chrono::year{2026} / 2 / 28, 12h + 7ms),
      At(std::chrono::year{2096} / 2 / 29, 999ms),
  };
  int n = 0;
  for (const Timestamp& instant : instants) {
    Cluster cluster = MakeCluster("c-" + std::to_string(n), "cluster-" + std::to_string(n));
    ++n;
    cluster.created_at = instant;
    ASSERT_TRUE(store().CreateCluster(cluster, AgentTokenFor(cluster)));
    auto stored = store().GetCluster(cluster.id);
    ASSERT_TRUE(stored) << stored.error().ToString();
    EXPECT_EQ(FormatRfc3339(stored->created_at), FormatRfc3339(instant));
    EXPECT_TRUE(stored->created_at == instant) << FormatRfc3339(instant);
  }
}

TEST_P(StoreContractTest, RefusesASecondClusterWithTheSameNameAndKeepsTheFirst) {
  const Cluster first = MakeCluster("c-1", "prod");
  ASSERT_TRUE(store().CreateCluster(first, AgentTokenFor(first)));

  const Cluster second = MakeCluster("c-2", "prod");
  auto created = store().CreateCluster(second, AgentTokenFor(second));
  ASSERT_FALSE(created);
  EXPECT_EQ(created.error().code(), ErrorCode::kAlreadyExists);
  EXPECT_THAT(created.error().message(), HasSubstr("a cluster named \"prod\" already exists"));
  EXPECT_EQ(store().ListClusters()->size(), 1u);
  EXPECT_EQ(store().ListClusters()->front().id, ClusterId("c-1"));
  EXPECT_EQ(*store().CountTokens(), 1u);
}

TEST_P(StoreContractTest, RefusesASecondClusterWithTheSameId) {
  const Cluster first = MakeCluster("c-1", "prod");
  ASSERT_TRUE(store().CreateCluster(first, AgentTokenFor(first)));

  const Cluster second = MakeCluster("c-1", "staging");
  auto created = store().CreateCluster(second, AgentTokenFor(second, "another-hash"));
  ASSERT_FALSE(created);
  EXPECT_EQ(created.error().code(), ErrorCode::kAlreadyExists);
  EXPECT_EQ(store().ListClusters()->size(), 1u);
  EXPECT_EQ(*store().CountTokens(), 1u);
}

TEST_P(StoreContractTest, DoesNotStoreAClusterWhoseAgentTokenIsRefused) {
  const Cluster first = MakeCluster("c-1", "prod");
  ASSERT_TRUE(store().CreateCluster(first, AgentTokenFor(first, "shared-hash")));

  const Cluster second = MakeCluster("c-2", "staging");
  auto created = store().CreateCluster(second, AgentTokenFor(second, "shared-hash"));
  ASSERT_FALSE(created);
  EXPECT_EQ(created.error().code(), ErrorCode::kAlreadyExists);
  auto missing = store().GetCluster(ClusterId("c-2"));
  ASSERT_FALSE(missing);
  EXPECT_EQ(missing.error().code(), ErrorCode::kNotFound);
  EXPECT_EQ(store().ListClusters()->size(), 1u);
  EXPECT_EQ(*store().CountTokens(), 1u);
}

TEST_P(StoreContractTest, RefusesAClusterWhoseTokenIsNotAnAgentTokenForIt) {
  const Cluster cluster = MakeCluster("c-1", "prod");
  ApiToken admin = AgentTokenFor(cluster);
  admin.role = Role::kAdmin;
  ApiToken elsewhere = AgentTokenFor(cluster);
  elsewhere.cluster_id = ClusterId("c-2");
  ApiToken unbound = AgentTokenFor(cluster);
  unbound.cluster_id.reset();

  for (const ApiToken& token : {admin, elsewhere, unbound}) {
    auto created = store().CreateCluster(cluster, token);
    ASSERT_FALSE(created);
    EXPECT_EQ(created.error().code(), ErrorCode::kInvalidArgument);
  }
  EXPECT_TRUE(store().ListClusters()->empty());
  EXPECT_EQ(*store().CountTokens(), 0u);
}

TEST_P(StoreContractTest, RefusesAClusterWithAnEmptyName) {
  const Cluster cluster = MakeCluster("c-1", "");
  auto created = store().CreateCluster(cluster, AgentTokenFor(cluster));
  ASSERT_FALSE(created);
  EXPECT_EQ(created.error().code(), ErrorCode::kInvalidArgument);
  EXPECT_THAT(created.error().message(), HasSubstr("name"));
  EXPECT_TRUE(store().ListClusters()->empty());
}

TEST_P(StoreContractTest, ReportsAnUnknownClusterAsNotFound) {
  auto cluster = store().GetCluster(ClusterId("x"));
  ASSERT_FALSE(cluster);
  EXPECT_EQ(cluster.error().code(), ErrorCode::kNotFound);
  EXPECT_THAT(cluster.error().message(), HasSubstr("cluster \"x\" not found"));
}

// Backup storage locations.

TEST_P(StoreContractTest, StoresAnS3BackupLocationWithEveryField) {
  const BackupStorageLocation location = MakeS3Location("b-1", "offsite");
  ASSERT_TRUE(store().CreateBackupLocation(location));

  auto stored = store().GetBackupLocation(location.id);
  ASSERT_TRUE(stored) << stored.error().ToString();
  ExpectSameLocation(*stored, location);
}

TEST_P(StoreContractTest, StoresAFilesystemBackupLocationWithEveryField) {
  BackupStorageLocation location;
  location.id = BackupStorageLocationId("b-2");
  location.name = "local-disk";
  location.kind = BackupLocationKind::kFilesystem;
  location.path = "/var/backups/styrmin";
  location.created_at = kMonday;
  ASSERT_TRUE(store().CreateBackupLocation(location));

  auto stored = store().GetBackupLocation(location.id);
  ASSERT_TRUE(stored) << stored.error().ToString();
  ExpectSameLocation(*stored, location);
  EXPECT_TRUE(stored->credentials.is_object() && stored->credentials.empty());
}

TEST_P(StoreContractTest, ListsBackupLocationsByName) {
  ASSERT_TRUE(store().CreateBackupLocation(MakeS3Location("b-1", "zulu")));
  ASSERT_TRUE(store().CreateBackupLocation(MakeS3Location("b-2", "alpha")));
  auto all = store().ListBackupLocations();
  ASSERT_TRUE(all) << all.error().ToString();
  ASSERT_EQ(all->size(), 2u);
  EXPECT_EQ((*all)[0].name, "alpha");
  EXPECT_EQ((*all)[1].name, "zulu");
  ExpectSameLocation((*all)[1], MakeS3Location("b-1", "zulu"));
}

TEST_P(StoreContractTest, RefusesASecondBackupLocationWithTheSameName) {
  ASSERT_TRUE(store().CreateBackupLocation(MakeS3Location("b-1", "offsite")));
  auto created = store().CreateBackupLocation(MakeS3Location("b-2", "offsite"));
  ASSERT_FALSE(created);
  EXPECT_EQ(created.error().code(), ErrorCode::kAlreadyExists);
  EXPECT_THAT(created.error().message(),
              HasSubstr("a backup storage location named \"offsite\" already exists"));
  EXPECT_EQ(store().ListBackupLocations()->size(), 1u);
}

TEST_P(StoreContractTest, RefusesABackupLocationWithAnEmptyName) {
  auto created = store().CreateBackupLocation(MakeS3Location("b-1", ""));
  ASSERT_FALSE(created);
  EXPECT_EQ(created.error().code(), ErrorCode::kInvalidArgument);
  EXPECT_TRUE(store().ListBackupLocations()->empty());
}

TEST_P(StoreContractTest, ReportsAnUnknownBackupLocationAsNotFound) {
  auto location = store().GetBackupLocation(BackupStorageLocationId("b-x"));
  ASSERT_FALSE(location);
  EXPECT_EQ(location.error().code(), ErrorCode::kNotFound);
  EXPECT_THAT(location.error().message(), HasSubstr("\"b-x\""));
}

// Environments.

void CreateClusters(Store& store) {
  const std::vector<std::pair<std::string, std::string>> clusters = {{"c-1", "prod"},
                                                                     {"c-2", "edge"}};
  for (const auto& [id, name] : clusters) {
    const Cluster cluster = MakeCluster(id, name);
    ASSERT_TRUE(store.CreateCluster(cluster, AgentTokenFor(cluster)));
  }
}

TEST_P(StoreContractTest, StoresAnEnvironmentWithEveryField) {
  ASSERT_NO_FATAL_FAILURE(CreateClusters(store()));
  ASSERT_TRUE(store().CreateBackupLocation(MakeS3Location("b-1", "offsite")));
  Environment environment = MakeEnvironment("e-1", "staging", ClusterId("c-1"));
  environment.config = Json{{"namespace", "staging"}, {"limits", {{"cpu", "2"}}}};
  environment.backup_location_id = BackupStorageLocationId("b-1");
  ASSERT_TRUE(store().CreateEnvironment(environment));

  auto stored = store().GetEnvironment(environment.id);
  ASSERT_TRUE(stored) << stored.error().ToString();
  ExpectSameEnvironment(*stored, environment);
}

TEST_P(StoreContractTest, StoresAnEnvironmentWithoutABackupLocation) {
  ASSERT_NO_FATAL_FAILURE(CreateClusters(store()));
  const Environment environment = MakeEnvironment("e-1", "staging", ClusterId("c-1"));
  ASSERT_TRUE(store().CreateEnvironment(environment));

  auto stored = store().GetEnvironment(environment.id);
  ASSERT_TRUE(stored) << stored.error().ToString();
  ExpectSameEnvironment(*stored, environment);
  EXPECT_FALSE(stored->backup_location_id.has_value());
}

TEST_P(StoreContractTest, RefusesAnEnvironmentInAnUnknownClusterAndWritesNothing) {
  auto created = store().CreateEnvironment(MakeEnvironment("e-1", "staging", ClusterId("c-9")));
  ASSERT_FALSE(created);
  EXPECT_EQ(created.error().code(), ErrorCode::kInvalidArgument);
  EXPECT_THAT(created.error().message(), HasSubstr("cluster \"c-9\" does not exist"));
  EXPECT_TRUE(store().ListEnvironments(std::nullopt)->empty());
  EXPECT_EQ(store().GetEnvironment(EnvironmentId("e-1")).error().code(), ErrorCode::kNotFound);
}

TEST_P(StoreContractTest, RefusesAnEnvironmentWithAnUnknownBackupLocationAndWritesNothing) {
  ASSERT_NO_FATAL_FAILURE(CreateClusters(store()));
  Environment environment = MakeEnvironment("e-1", "staging", ClusterId("c-1"));
  environment.backup_location_id = BackupStorageLocationId("b-9");
  auto created = store().CreateEnvironment(environment);
  ASSERT_FALSE(created);
  EXPECT_EQ(created.error().code(), ErrorCode::kInvalidArgument);
  EXPECT_THAT(created.error().message(),
              HasSubstr("backup storage location \"b-9\" does not exist"));
  EXPECT_TRUE(store().ListEnvironments(std::nullopt)->empty());
}

TEST_P(StoreContractTest, RefusesASecondEnvironmentWithTheSameNameInOneCluster) {
  ASSERT_NO_FATAL_FAILURE(CreateClusters(store()));
  ASSERT_TRUE(store().CreateEnvironment(MakeEnvironment("e-1", "staging", ClusterId("c-1"))));
  auto created = store().CreateEnvironment(MakeEnvironment("e-2", "staging", ClusterId("c-1")));
  ASSERT_FALSE(created);
  EXPECT_EQ(created.error().code(), ErrorCode::kAlreadyExists);
  EXPECT_THAT(created.error().message(), HasSubstr("\"staging\""));
  EXPECT_EQ(store().ListEnvironments(std::nullopt)->size(), 1u);
}

TEST_P(StoreContractTest, AllowsTheSameEnvironmentNameInTwoClusters) {
  ASSERT_NO_FATAL_FAILURE(CreateClusters(store()));
  ASSERT_TRUE(store().CreateEnvironment(MakeEnvironment("e-1", "staging", ClusterId("c-1"))));
  auto created = store().CreateEnvironment(MakeEnvironment("e-2", "staging", ClusterId("c-2")));
  ASSERT_TRUE(created) << created.error().ToString();
  EXPECT_EQ(store().ListEnvironments(std::nullopt)->size(), 2u);
}

TEST_P(StoreContractTest, RefusesAnEnvironmentWithAnEmptyName) {
  ASSERT_NO_FATAL_FAILURE(CreateClusters(store()));
  auto created = store().CreateEnvironment(MakeEnvironment("e-1", "", ClusterId("c-1")));
  ASSERT_FALSE(created);
  EXPECT_EQ(created.error().code(), ErrorCode::kInvalidArgument);
  EXPECT_TRUE(store().ListEnvironments(std::nullopt)->empty());
}

TEST_P(StoreContractTest, ListsEnvironmentsByClusterNameThenNameOrOnlyOneClusters) {
  ASSERT_NO_FATAL_FAILURE(CreateClusters(store()));  // c-1 "prod", c-2 "edge"
  ASSERT_TRUE(store().CreateEnvironment(MakeEnvironment("e-1", "staging", ClusterId("c-1"))));
  ASSERT_TRUE(store().CreateEnvironment(MakeEnvironment("e-2", "main", ClusterId("c-1"))));
  ASSERT_TRUE(store().CreateEnvironment(MakeEnvironment("e-3", "west", ClusterId("c-2"))));

  auto all = store().ListEnvironments(std::nullopt);
  ASSERT_TRUE(all) << all.error().ToString();
  std::vector<std::string> ids;
  for (const Environment& environment : *all) ids.push_back(environment.id.value());
  EXPECT_THAT(ids, ::testing::ElementsAre("e-3", "e-2", "e-1"));

  auto prod = store().ListEnvironments(ClusterId("c-1"));
  ASSERT_TRUE(prod) << prod.error().ToString();
  ids.clear();
  for (const Environment& environment : *prod) ids.push_back(environment.id.value());
  EXPECT_THAT(ids, ::testing::ElementsAre("e-2", "e-1"));
}

TEST_P(StoreContractTest, ListsNoEnvironmentsForAnUnknownCluster) {
  ASSERT_NO_FATAL_FAILURE(CreateClusters(store()));
  ASSERT_TRUE(store().CreateEnvironment(MakeEnvironment("e-1", "staging", ClusterId("c-1"))));
  auto none = store().ListEnvironments(ClusterId("c-9"));
  ASSERT_TRUE(none) << none.error().ToString();
  EXPECT_TRUE(none->empty());
}

TEST_P(StoreContractTest, ReportsAnUnknownEnvironmentAsNotFound) {
  auto environment = store().GetEnvironment(EnvironmentId("e-x"));
  ASSERT_FALSE(environment);
  EXPECT_EQ(environment.error().code(), ErrorCode::kNotFound);
  EXPECT_THAT(environment.error().message(), HasSubstr("environment \"e-x\" not found"));
}

// Tokens.

TEST_P(StoreContractTest, StoresATokenOfEachRoleWithEveryField) {
  ASSERT_NO_FATAL_FAILURE(CreateClusters(store()));
  ApiToken agent = MakeToken("t-agent", Role::kAgent, "h-agent");
  agent.cluster_id = ClusterId("c-2");
  const std::vector<ApiToken> tokens = {
      MakeToken("t-admin", Role::kAdmin, "h-admin"),
      MakeToken("t-operator", Role::kOperator, "h-operator"),
      MakeToken("t-viewer", Role::kViewer, "h-viewer"),
      agent,
  };
  for (const ApiToken& token : tokens) ASSERT_TRUE(store().CreateToken(token));
  for (const ApiToken& token : tokens) {
    auto found = store().FindTokenByHash(token.secret_hash);
    ASSERT_TRUE(found) << found.error().ToString();
    ExpectSameToken(*found, token);
  }
}

TEST_P(StoreContractTest, FindsNoTokenForAnUnknownHash) {
  ASSERT_TRUE(store().CreateToken(MakeToken("t-1", Role::kAdmin, "h-1")));
  auto found = store().FindTokenByHash("h-2");
  ASSERT_FALSE(found);
  EXPECT_EQ(found.error().code(), ErrorCode::kNotFound);
}

TEST_P(StoreContractTest, CountsTokensIncludingAgentTokens) {
  EXPECT_EQ(*store().CountTokens(), 0u);
  ASSERT_NO_FATAL_FAILURE(CreateClusters(store()));
  ASSERT_TRUE(store().CreateToken(MakeToken("t-1", Role::kAdmin, "h-1")));
  auto count = store().CountTokens();
  ASSERT_TRUE(count) << count.error().ToString();
  EXPECT_EQ(*count, 3u);
}

TEST_P(StoreContractTest, RefusesASecondTokenWithTheSameSecretHash) {
  ASSERT_TRUE(store().CreateToken(MakeToken("t-1", Role::kAdmin, "h-1")));
  auto created = store().CreateToken(MakeToken("t-2", Role::kViewer, "h-1"));
  ASSERT_FALSE(created);
  EXPECT_EQ(created.error().code(), ErrorCode::kAlreadyExists);
  EXPECT_EQ(*store().CountTokens(), 1u);
  EXPECT_EQ(store().FindTokenByHash("h-1")->id, TokenId("t-1"));
}

TEST_P(StoreContractTest, RefusesATokenForAnUnknownCluster) {
  ApiToken token = MakeToken("t-1", Role::kAgent, "h-1");
  token.cluster_id = ClusterId("c-9");
  auto created = store().CreateToken(token);
  ASSERT_FALSE(created);
  EXPECT_EQ(created.error().code(), ErrorCode::kInvalidArgument);
  EXPECT_THAT(created.error().message(), HasSubstr("cluster \"c-9\" does not exist"));
  EXPECT_EQ(*store().CountTokens(), 0u);
}

TEST_P(StoreContractTest, RefusesATokenWithAnEmptyNameOrSecretHash) {
  auto unnamed = MakeToken("t-1", Role::kAdmin, "h-1");
  unnamed.name.clear();
  EXPECT_EQ(store().CreateToken(unnamed).error().code(), ErrorCode::kInvalidArgument);
  EXPECT_EQ(store().CreateToken(MakeToken("t-2", Role::kAdmin, "")).error().code(),
            ErrorCode::kInvalidArgument);
  EXPECT_EQ(*store().CountTokens(), 0u);
}

// Audit log.

AuditEvent MakeAuditEvent(const std::string& action, const std::string& target) {
  AuditEvent event;
  event.at = kTuesday;
  event.actor = "admin";
  event.actor_token_id = TokenId("t-admin");
  event.action = action;
  event.target = target;
  event.outcome = "ok";
  event.arguments = Json{{"name", target}};
  return event;
}

void ExpectSameAuditEvent(const AuditEvent& actual, const AuditEvent& expected) {
  EXPECT_EQ(FormatRfc3339(actual.at), FormatRfc3339(expected.at));
  EXPECT_TRUE(actual.at == expected.at);
  EXPECT_EQ(actual.actor, expected.actor);
  EXPECT_EQ(actual.actor_token_id, expected.actor_token_id);
  EXPECT_EQ(actual.action, expected.action);
  EXPECT_EQ(actual.target, expected.target);
  EXPECT_EQ(actual.outcome, expected.outcome);
  EXPECT_EQ(actual.message, expected.message);
  EXPECT_EQ(actual.arguments, expected.arguments);
}

std::vector<std::int64_t> Sequences(const std::vector<AuditEvent>& events) {
  std::vector<std::int64_t> sequences;
  sequences.reserve(events.size());
  for (const AuditEvent& event : events) sequences.push_back(event.sequence);
  return sequences;
}

AuditQuery Page(std::size_t limit, std::optional<std::int64_t> before = std::nullopt,
                std::optional<std::string> action = std::nullopt) {
  AuditQuery query;
  query.limit = limit;
  query.before = before;
  query.action = std::move(action);
  return query;
}

TEST_P(StoreContractTest, RecordsAuditEventsAndListsThemWithEveryField) {
  // No token "t-agent" exists: the log keeps token ids without a reference, since tokens may
  // be deleted while their events stay.
  AuditEvent failed;
  failed.at = At(std::chrono::year{1969} / 12 / 31, 23h + 59min + 59s + 250ms);
  failed.actor = "agent of cluster lab";
  failed.actor_token_id = TokenId("t-agent");
  failed.action = "createEnvironment";
  failed.target = "e-'1\"; DROP TABLE audit_events; --";
  failed.outcome = "ALREADY_EXISTS";
  failed.message = "an environment named \"staging\" already exists in cluster \"c-1\"";
  failed.arguments =
      Json{{"input", {{"name", "staging"}, {"config", {{"replicas", 3}, {"tags", {"a", "ü"}}}}}},
           {"credentials", "[redacted]"},
           {"dryRun", false},
           {"nothing", nullptr}};
  AuditEvent bare;  // no token, no target, no message, no arguments
  bare.at = kMonday;
  bare.actor = "bootstrap";
  bare.action = "createToken";
  bare.outcome = "ok";

  auto first = store().RecordAudit(failed);
  ASSERT_TRUE(first) << first.error().ToString();
  auto second = store().RecordAudit(bare);
  ASSERT_TRUE(second) << second.error().ToString();
  EXPECT_GT(*second, *first);

  auto listed = store().ListAudit(Page(50));
  ASSERT_TRUE(listed) << listed.error().ToString();
  ASSERT_EQ(listed->size(), 2u);
  EXPECT_EQ((*listed)[0].sequence, *second);
  ExpectSameAuditEvent((*listed)[0], bare);
  EXPECT_FALSE((*listed)[0].actor_token_id.has_value());
  EXPECT_TRUE((*listed)[0].arguments.is_object() && (*listed)[0].arguments.empty());
  EXPECT_EQ((*listed)[1].sequence, *first);
  ExpectSameAuditEvent((*listed)[1], failed);
}

TEST_P(StoreContractTest, IgnoresTheSequenceOfAnAuditEventBeingRecorded) {
  AuditEvent event = MakeAuditEvent("createCluster", "c-1");
  event.sequence = 1000;
  auto first = store().RecordAudit(event);
  ASSERT_TRUE(first) << first.error().ToString();
  auto second = store().RecordAudit(event);
  ASSERT_TRUE(second) << second.error().ToString();
  EXPECT_NE(*first, *second);
  EXPECT_THAT(Sequences(*store().ListAudit(Page(50))), ::testing::ElementsAre(*second, *first));
}

TEST_P(StoreContractTest, PagesThroughAuditEventsNewestFirstWithBefore) {
  constexpr int kEvents = 120;
  std::vector<std::int64_t> recorded;
  for (int i = 0; i < kEvents; ++i) {
    auto sequence = store().RecordAudit(MakeAuditEvent("createCluster", "c-" + std::to_string(i)));
    ASSERT_TRUE(sequence) << sequence.error().ToString();
    if (!recorded.empty()) {
      ASSERT_GT(*sequence, recorded.back());
    }
    recorded.push_back(*sequence);
  }

  std::vector<std::size_t> page_sizes;
  std::vector<std::int64_t> listed;
  std::vector<std::string> targets;
  std::optional<std::int64_t> before;
  for (int pages = 0; pages < 5; ++pages) {
    auto page = store().ListAudit(Page(50, before));
    ASSERT_TRUE(page) << page.error().ToString();
    page_sizes.push_back(page->size());
    if (page->empty()) break;
    for (const AuditEvent& event : *page) {
      listed.push_back(event.sequence);
      targets.push_back(event.target);
    }
    before = page->back().sequence;
  }
  EXPECT_THAT(page_sizes, ::testing::ElementsAre(50u, 50u, 20u, 0u));
  const std::vector<std::int64_t> newest_first(recorded.rbegin(), recorded.rend());
  EXPECT_EQ(listed, newest_first);
  ASSERT_EQ(targets.size(), static_cast<std::size_t>(kEvents));
  EXPECT_EQ(targets.front(), "c-119");
  EXPECT_EQ(targets.back(), "c-0");
}

TEST_P(StoreContractTest, ListsOnlyTheAuditEventsOfTheActionAskedFor) {
  std::vector<std::int64_t> clusters;
  for (int i = 0; i < 6; ++i) {
    const std::string action = i % 2 == 0 ? "createCluster" : "createEnvironment";
    auto sequence = store().RecordAudit(MakeAuditEvent(action, "x-" + std::to_string(i)));
    ASSERT_TRUE(sequence) << sequence.error().ToString();
    if (i % 2 == 0) clusters.push_back(*sequence);
  }
  ASSERT_TRUE(store().RecordAudit(MakeAuditEvent("createClusterX", "x-6")));

  auto only = store().ListAudit(Page(50, std::nullopt, "createCluster"));
  ASSERT_TRUE(only) << only.error().ToString();
  EXPECT_THAT(Sequences(*only), ::testing::ElementsAre(clusters[2], clusters[1], clusters[0]));
  for (const AuditEvent& event : *only) EXPECT_EQ(event.action, "createCluster");

  auto older = store().ListAudit(Page(1, clusters[2], "createCluster"));
  ASSERT_TRUE(older) << older.error().ToString();
  EXPECT_THAT(Sequences(*older), ::testing::ElementsAre(clusters[1]));

  auto none = store().ListAudit(Page(50, std::nullopt, "deleteCluster"));
  ASSERT_TRUE(none) << none.error().ToString();
  EXPECT_TRUE(none->empty());
}

TEST_P(StoreContractTest, RefusesAnAuditLimitOfZeroOrAboveFiveHundredNamingIt) {
  ASSERT_TRUE(store().RecordAudit(MakeAuditEvent("createCluster", "c-1")));
  for (const std::size_t limit : {std::size_t{0}, std::size_t{501}}) {
    auto listed = store().ListAudit(Page(limit));
    ASSERT_FALSE(listed) << "limit " << limit;
    EXPECT_EQ(listed.error().code(), ErrorCode::kInvalidArgument);
    EXPECT_THAT(listed.error().message(), HasSubstr("limit " + std::to_string(limit)));
  }
  for (const std::size_t limit : {std::size_t{1}, std::size_t{500}}) {
    auto listed = store().ListAudit(Page(limit));
    ASSERT_TRUE(listed) << "limit " << limit << ": " << listed.error().ToString();
    EXPECT_EQ(listed->size(), 1u);
  }
}

TEST_P(StoreContractTest, RefusesAnAuditEventWithoutActorActionOrOutcomeAndWritesNothing) {
  AuditEvent no_actor = MakeAuditEvent("createCluster", "c-1");
  no_actor.actor.clear();
  AuditEvent no_action = MakeAuditEvent("", "c-1");
  AuditEvent no_outcome = MakeAuditEvent("createCluster", "c-1");
  no_outcome.outcome.clear();
  const std::vector<std::pair<AuditEvent, std::string>> cases = {
      {no_actor, "actor"}, {no_action, "action"}, {no_outcome, "outcome"}};
  for (const auto& [event, field] : cases) {
    auto recorded = store().RecordAudit(event);
    ASSERT_FALSE(recorded) << field;
    EXPECT_EQ(recorded.error().code(), ErrorCode::kInvalidArgument);
    EXPECT_THAT(recorded.error().message(), HasSubstr(field + " must not be empty"));
  }
  auto listed = store().ListAudit(Page(500));
  ASSERT_TRUE(listed) << listed.error().ToString();
  EXPECT_TRUE(listed->empty());
}

// Application drivers.

ApplicationDriverVersion MakeDriverVersion(const std::string& id, const std::string& driver,
                                           const std::string& version, const std::string& digest,
                                           Timestamp created_at = kMonday) {
  ApplicationDriverVersion made;
  made.id = DriverVersionId(id);
  made.driver_name = driver;
  made.version = version;
  made.digest = digest;
  made.source = Json{{"kind", "git"},
                     {"location", "https://git.example.com/drivers.git"},
                     {"branch", "main"},
                     {"path", driver},
                     {"commit", "0123abcd"}};
  made.spec = Json{{"metadata", {{"name", driver}}}, {"version", version}};
  made.files = Json{{"driver.yaml", "name: " + driver + "\nversion: " + version + "\n"},
                    {"templates/deployment.yaml", "kind: Deployment # " + digest + "\n"}};
  made.created_at = created_at;
  return made;
}

// `actual` as stored from `expected` under `driver`; `with_files` false for a list's versions.
void ExpectSameDriverVersion(const ApplicationDriverVersion& actual,
                             const ApplicationDriverVersion& expected, const DriverId& driver,
                             bool with_files = true) {
  EXPECT_EQ(actual.id, expected.id);
  EXPECT_EQ(actual.driver_id, driver);
  EXPECT_EQ(actual.driver_name, expected.driver_name);
  EXPECT_EQ(actual.version, expected.version);
  EXPECT_EQ(actual.digest, expected.digest);
  EXPECT_EQ(actual.source, expected.source);
  EXPECT_EQ(actual.spec, expected.spec);
  if (with_files) {
    EXPECT_EQ(actual.files, expected.files);
  } else {
    EXPECT_EQ(actual.files, Json::object());
  }
  EXPECT_EQ(FormatRfc3339(actual.created_at), FormatRfc3339(expected.created_at));
}

std::vector<std::string> VersionIds(const std::vector<ApplicationDriverVersion>& versions) {
  std::vector<std::string> ids;
  ids.reserve(versions.size());
  for (const ApplicationDriverVersion& version : versions) ids.push_back(version.id.value());
  return ids;
}

std::vector<std::string> DriverNames(const std::vector<ApplicationDriver>& drivers) {
  std::vector<std::string> names;
  names.reserve(drivers.size());
  for (const ApplicationDriver& driver : drivers) names.push_back(driver.name);
  return names;
}

TEST_P(StoreContractTest, CreatesADriverWithItsFirstVersion) {
  ApplicationDriverVersion version = MakeDriverVersion("v-1", "infrahub", "3", "sha256:aaa");
  version.driver_id = DriverId("ignored");
  auto added = store().AddDriverVersion(version, DriverId("d-1"));
  ASSERT_TRUE(added) << added.error().ToString();
  EXPECT_TRUE(added->created);
  ExpectSameDriverVersion(added->version, version, DriverId("d-1"));

  auto driver = store().GetDriver(DriverId("d-1"));
  ASSERT_TRUE(driver) << driver.error().ToString();
  EXPECT_EQ(driver->id, DriverId("d-1"));
  EXPECT_EQ(driver->name, "infrahub");
  EXPECT_TRUE(driver->created_at == version.created_at);
  auto found = store().FindDriverByName("infrahub");
  ASSERT_TRUE(found) << found.error().ToString();
  EXPECT_EQ(found->id, DriverId("d-1"));
  EXPECT_THAT(DriverNames(*store().ListDrivers()), ::testing::ElementsAre("infrahub"));
  EXPECT_EQ(store().GetDriver(DriverId("ignored")).error().code(), ErrorCode::kNotFound);

  auto stored = store().GetDriverVersion(DriverVersionId("v-1"));
  ASSERT_TRUE(stored) << stored.error().ToString();
  ExpectSameDriverVersion(*stored, version, DriverId("d-1"));
  EXPECT_TRUE(stored->created_at == version.created_at);
  auto listed = store().ListDriverVersions(DriverId("d-1"));
  ASSERT_TRUE(listed) << listed.error().ToString();
  ASSERT_EQ(listed->size(), 1u);
  ExpectSameDriverVersion(listed->front(), version, DriverId("d-1"), /*with_files=*/false);
}

TEST_P(StoreContractTest, AddsASecondVersionToTheDriverOfThatName) {
  const ApplicationDriverVersion first = MakeDriverVersion("v-1", "infrahub", "3", "sha256:aaa");
  const ApplicationDriverVersion second =
      MakeDriverVersion("v-2", "infrahub", "4", "sha256:bbb", kTuesday);
  ASSERT_TRUE(store().AddDriverVersion(first, DriverId("d-1")));
  auto added = store().AddDriverVersion(second, DriverId("d-2"));
  ASSERT_TRUE(added) << added.error().ToString();
  EXPECT_TRUE(added->created);
  ExpectSameDriverVersion(added->version, second, DriverId("d-1"));

  // The driver existed, so "d-2" was not used, and the driver keeps its first created_at.
  EXPECT_EQ(store().GetDriver(DriverId("d-2")).error().code(), ErrorCode::kNotFound);
  auto drivers = store().ListDrivers();
  ASSERT_TRUE(drivers) << drivers.error().ToString();
  ASSERT_EQ(drivers->size(), 1u);
  EXPECT_EQ(drivers->front().id, DriverId("d-1"));
  EXPECT_TRUE(drivers->front().created_at == kMonday);
  auto listed = store().ListDriverVersions(DriverId("d-1"));
  ASSERT_TRUE(listed) << listed.error().ToString();
  EXPECT_THAT(VersionIds(*listed), ::testing::ElementsAre("v-2", "v-1"));
}

TEST_P(StoreContractTest, ReturnsTheExistingVersionWhenTheSameContentIsAddedAgain) {
  const ApplicationDriverVersion first = MakeDriverVersion("v-1", "infrahub", "3", "sha256:aaa");
  ASSERT_TRUE(store().AddDriverVersion(first, DriverId("d-1")));

  // Loaded again later: new ids and a new time from the caller, the same digest.
  ApplicationDriverVersion again =
      MakeDriverVersion("v-2", "infrahub", "3", "sha256:aaa", kTuesday);
  again.source["commit"] = "4567cdef";
  auto added = store().AddDriverVersion(again, DriverId("d-2"));
  ASSERT_TRUE(added) << added.error().ToString();
  EXPECT_FALSE(added->created);
  ExpectSameDriverVersion(added->version, first, DriverId("d-1"));

  // The digest decides, whatever version text the content carries this time.
  auto renamed = store().AddDriverVersion(MakeDriverVersion("v-3", "infrahub", "3.0", "sha256:aaa"),
                                          DriverId("d-3"));
  ASSERT_TRUE(renamed) << renamed.error().ToString();
  EXPECT_FALSE(renamed->created);
  EXPECT_EQ(renamed->version.id, DriverVersionId("v-1"));

  EXPECT_EQ(store().ListDrivers()->size(), 1u);
  EXPECT_THAT(VersionIds(*store().ListDriverVersions(DriverId("d-1"))),
              ::testing::ElementsAre("v-1"));
  EXPECT_EQ(store().GetDriverVersion(DriverVersionId("v-2")).error().code(), ErrorCode::kNotFound);
}

TEST_P(StoreContractTest, RefusesTheSameVersionWithOtherContentAndChangesNothing) {
  const ApplicationDriverVersion first = MakeDriverVersion("v-1", "infrahub", "3", "sha256:aaa");
  ASSERT_TRUE(store().AddDriverVersion(first, DriverId("d-1")));

  auto added = store().AddDriverVersion(
      MakeDriverVersion("v-2", "infrahub", "3", "sha256:bbb", kTuesday), DriverId("d-2"));
  ASSERT_FALSE(added);
  EXPECT_EQ(added.error().code(), ErrorCode::kAlreadyExists);
  EXPECT_THAT(added.error().message(),
              HasSubstr("driver \"infrahub\" already has version \"3\" with other content "
                        "(sha256:aaa)"));
  EXPECT_THAT(VersionIds(*store().ListDriverVersions(DriverId("d-1"))),
              ::testing::ElementsAre("v-1"));
  EXPECT_EQ(store().GetDriverVersion(DriverVersionId("v-2")).error().code(), ErrorCode::kNotFound);
  auto stored = store().GetDriverVersion(DriverVersionId("v-1"));
  ASSERT_TRUE(stored) << stored.error().ToString();
  ExpectSameDriverVersion(*stored, first, DriverId("d-1"));
}

TEST_P(StoreContractTest, KeepsTheSameVersionTextApartInDifferentDrivers) {
  ASSERT_TRUE(store().AddDriverVersion(MakeDriverVersion("v-1", "infrahub", "3", "sha256:aaa"),
                                       DriverId("d-1")));
  auto other = store().AddDriverVersion(MakeDriverVersion("v-2", "netbox", "3", "sha256:aaa"),
                                        DriverId("d-2"));
  ASSERT_TRUE(other) << other.error().ToString();
  EXPECT_TRUE(other->created);
  EXPECT_EQ(other->version.driver_id, DriverId("d-2"));
  EXPECT_THAT(VersionIds(*store().ListDriverVersions(DriverId("d-2"))),
              ::testing::ElementsAre("v-2"));
}

TEST_P(StoreContractTest, RefusesADriverVersionWhoseIdIsTakenAndChangesNothing) {
  ASSERT_TRUE(store().AddDriverVersion(MakeDriverVersion("v-1", "infrahub", "3", "sha256:aaa"),
                                       DriverId("d-1")));
  auto added = store().AddDriverVersion(MakeDriverVersion("v-1", "netbox", "1", "sha256:bbb"),
                                        DriverId("d-2"));
  ASSERT_FALSE(added);
  EXPECT_EQ(added.error().code(), ErrorCode::kAlreadyExists);
  EXPECT_THAT(added.error().message(), HasSubstr("\"v-1\""));
  // The driver made for it is rolled back with it.
  EXPECT_THAT(DriverNames(*store().ListDrivers()), ::testing::ElementsAre("infrahub"));

  auto taken = store().AddDriverVersion(MakeDriverVersion("v-2", "netbox", "1", "sha256:bbb"),
                                        DriverId("d-1"));
  ASSERT_FALSE(taken);
  EXPECT_EQ(taken.error().code(), ErrorCode::kAlreadyExists);
  EXPECT_THAT(taken.error().message(), HasSubstr("a driver with id \"d-1\" already exists"));
  EXPECT_THAT(DriverNames(*store().ListDrivers()), ::testing::ElementsAre("infrahub"));
}

TEST_P(StoreContractTest, RefusesADriverVersionWithAnEmptyNameVersionOrDigestAndWritesNothing) {
  const ApplicationDriverVersion valid = MakeDriverVersion("v-1", "infrahub", "3", "sha256:aaa");
  ApplicationDriverVersion no_name = valid;
  no_name.driver_name.clear();
  ApplicationDriverVersion no_version = valid;
  no_version.version.clear();
  ApplicationDriverVersion no_digest = valid;
  no_digest.digest.clear();
  ApplicationDriverVersion no_id = valid;
  no_id.id = DriverVersionId("");
  const std::vector<std::pair<ApplicationDriverVersion, std::string>> cases = {
      {no_name, "driver name"},
      {no_version, "driver version"},
      {no_digest, "driver version digest"},
      {no_id, "driver version id"}};
  for (const auto& [version, field] : cases) {
    auto added = store().AddDriverVersion(version, DriverId("d-1"));
    ASSERT_FALSE(added) << field;
    EXPECT_EQ(added.error().code(), ErrorCode::kInvalidArgument);
    EXPECT_THAT(added.error().message(), HasSubstr(field + " must not be empty"));
  }
  auto no_driver_id = store().AddDriverVersion(valid, DriverId(""));
  ASSERT_FALSE(no_driver_id);
  EXPECT_EQ(no_driver_id.error().code(), ErrorCode::kInvalidArgument);

  auto drivers = store().ListDrivers();
  ASSERT_TRUE(drivers) << drivers.error().ToString();
  EXPECT_TRUE(drivers->empty());
  EXPECT_EQ(store().GetDriverVersion(DriverVersionId("v-1")).error().code(), ErrorCode::kNotFound);
}

TEST_P(StoreContractTest, ListsDriversByNameInByteOrder) {
  int n = 0;
  for (const std::string name : {"zeta", "alpha", "Beta", "beta-2", "beta"}) {
    const std::string suffix = std::to_string(n++);
    ASSERT_TRUE(store().AddDriverVersion(MakeDriverVersion("v-" + suffix, name, "1", "sha256:x"),
                                         DriverId("d-" + suffix)));
  }
  auto drivers = store().ListDrivers();
  ASSERT_TRUE(drivers) << drivers.error().ToString();
  EXPECT_THAT(DriverNames(*drivers),
              ::testing::ElementsAre("Beta", "alpha", "beta", "beta-2", "zeta"));
}

TEST_P(StoreContractTest, ListsADriversVersionsNewestFirstThenByIdWithoutTheirFiles) {
  // Created out of order, two at the same instant.
  const std::vector<ApplicationDriverVersion> versions = {
      MakeDriverVersion("v-b", "infrahub", "2", "sha256:b", kTuesday),
      MakeDriverVersion("v-a", "infrahub", "1", "sha256:a", kMonday),
      MakeDriverVersion("v-c", "infrahub", "3", "sha256:c", kTuesday),
      MakeDriverVersion("v-d", "infrahub", "4", "sha256:d", kTuesday + 1ms),
  };
  for (const ApplicationDriverVersion& version : versions) {
    ASSERT_TRUE(store().AddDriverVersion(version, DriverId("d-1")));
  }
  ASSERT_TRUE(store().AddDriverVersion(
      MakeDriverVersion("v-z", "netbox", "9", "sha256:z", kTuesday), DriverId("d-2")));

  auto listed = store().ListDriverVersions(DriverId("d-1"));
  ASSERT_TRUE(listed) << listed.error().ToString();
  EXPECT_THAT(VersionIds(*listed), ::testing::ElementsAre("v-d", "v-c", "v-b", "v-a"));
  for (const ApplicationDriverVersion& version : *listed) {
    const auto made = std::find_if(versions.begin(), versions.end(), [&](const auto& candidate) {
      return candidate.id == version.id;
    });
    ASSERT_NE(made, versions.end());
    ExpectSameDriverVersion(version, *made, DriverId("d-1"), /*with_files=*/false);
  }
}

TEST_P(StoreContractTest, KeepsDriverFilesIntactIncludingNonAsciiTextAndLargeDocuments) {
  ApplicationDriverVersion version = MakeDriverVersion("v-1", "infrahub", "3", "sha256:aaa");
  constexpr std::size_t kKiB = 1024;
  // About 1 MiB of JSON in many small values, and one value of 256 KiB.
  Json many = Json::array();
  for (int i = 0; i < 8192; ++i) {
    many.push_back(
        Json{{"line", i}, {"text", "value " + std::to_string(i) + std::string(90, 'x')}});
  }
  version.files = Json{
      {"README.md", "Grüße, 日本語, emoji 🚀, quotes ' \" and a backslash \\ and a tab \t"},
      {"templates/ünïcödé name.yaml", "kind: ConfigMap\ndata:\n  a: \"ü\"\n"},
      {"values.json", many},
      {"big.txt", std::string(256 * kKiB, 'b')},
      {"empty", ""},
  };
  version.spec = Json{{"description", "Ein Treiber für ✓ Infrahub"}, {"nested", {{"n", nullptr}}}};
  ASSERT_GE(DumpJson(version.files).size(), 1024 * kKiB);

  auto added = store().AddDriverVersion(version, DriverId("d-1"));
  ASSERT_TRUE(added) << added.error().ToString();
  EXPECT_TRUE(added->version.files == version.files);
  auto stored = store().GetDriverVersion(version.id);
  ASSERT_TRUE(stored) << stored.error().ToString();
  EXPECT_TRUE(stored->files == version.files);
  EXPECT_EQ(DumpJson(stored->files), DumpJson(version.files));
  EXPECT_EQ(stored->spec, version.spec);

  // Adding it again compares by digest and hands the large files back whole.
  auto again = store().AddDriverVersion(version, DriverId("d-1"));
  ASSERT_TRUE(again) << again.error().ToString();
  EXPECT_FALSE(again->created);
  EXPECT_TRUE(again->version.files == version.files);
}

TEST_P(StoreContractTest, ReportsUnknownDriversAndVersionsAsNotFoundNamingThem) {
  ASSERT_TRUE(store().AddDriverVersion(MakeDriverVersion("v-1", "infrahub", "3", "sha256:aaa"),
                                       DriverId("d-1")));
  auto driver = store().GetDriver(DriverId("d-x"));
  ASSERT_FALSE(driver);
  EXPECT_EQ(driver.error().code(), ErrorCode::kNotFound);
  EXPECT_THAT(driver.error().message(), HasSubstr("\"d-x\""));

  auto named = store().FindDriverByName("netbox");
  ASSERT_FALSE(named);
  EXPECT_EQ(named.error().code(), ErrorCode::kNotFound);
  EXPECT_THAT(named.error().message(), HasSubstr("\"netbox\""));

  auto versions = store().ListDriverVersions(DriverId("d-x"));
  ASSERT_FALSE(versions);
  EXPECT_EQ(versions.error().code(), ErrorCode::kNotFound);
  EXPECT_THAT(versions.error().message(), HasSubstr("\"d-x\""));

  auto version = store().GetDriverVersion(DriverVersionId("v-x"));
  ASSERT_FALSE(version);
  EXPECT_EQ(version.error().code(), ErrorCode::kNotFound);
  EXPECT_THAT(version.error().message(), HasSubstr("\"v-x\""));
}

TEST_P(StoreContractTest, ListsNoDriversInANewStore) {
  auto drivers = store().ListDrivers();
  ASSERT_TRUE(drivers) << drivers.error().ToString();
  EXPECT_TRUE(drivers->empty());
}

// Concurrency.

TEST_P(StoreContractTest, KeepsEveryClusterCreatedConcurrentlyFromFourThreads) {
  constexpr std::size_t kThreads = 4;
  constexpr std::size_t kClustersPerThread = 50;
  std::atomic<int> failures{0};
  std::vector<std::thread> threads;
  threads.reserve(kThreads);
  for (std::size_t t = 0; t < kThreads; ++t) {
    threads.emplace_back([this, t, &failures] {
      for (std::size_t i = 0; i < kClustersPerThread; ++i) {
        const std::string suffix = std::to_string(t) + "-" + std::to_string(i);
        const Cluster cluster = MakeCluster("c-" + suffix, "cluster-" + suffix);
        if (!store().CreateCluster(cluster, AgentTokenFor(cluster))) ++failures;
      }
    });
  }
  for (std::thread& thread : threads) thread.join();

  EXPECT_EQ(failures.load(), 0);
  auto all = store().ListClusters();
  ASSERT_TRUE(all) << all.error().ToString();
  EXPECT_EQ(all->size(), kThreads * kClustersPerThread);
  EXPECT_EQ(*store().CountTokens(), kThreads * kClustersPerThread);
}

TEST_P(StoreContractTest, GivesAuditEventsRecordedConcurrentlyFromFourThreadsDistinctSequences) {
  constexpr std::size_t kThreads = 4;
  constexpr std::size_t kEventsPerThread = 50;
  std::vector<std::vector<std::int64_t>> sequences(kThreads);
  std::atomic<int> failures{0};
  std::vector<std::thread> threads;
  threads.reserve(kThreads);
  for (std::size_t t = 0; t < kThreads; ++t) {
    threads.emplace_back([this, t, &failures, &mine = sequences[t]] {
      for (std::size_t i = 0; i < kEventsPerThread; ++i) {
        AuditEvent event = MakeAuditEvent("createCluster", std::to_string(t));
        event.arguments = Json{{"thread", t}, {"i", i}};
        auto sequence = store().RecordAudit(event);
        if (!sequence) {
          ++failures;
          continue;
        }
        mine.push_back(*sequence);
      }
    });
  }
  for (std::thread& thread : threads) thread.join();

  EXPECT_EQ(failures.load(), 0);
  std::set<std::int64_t> distinct;
  for (const std::vector<std::int64_t>& mine : sequences) {
    // One thread's calls follow one another, so each gets a larger sequence than the last.
    EXPECT_EQ(std::adjacent_find(mine.begin(), mine.end(), std::greater_equal<>()), mine.end());
    distinct.insert(mine.begin(), mine.end());
  }
  EXPECT_EQ(distinct.size(), kThreads * kEventsPerThread);

  auto listed = store().ListAudit(Page(500));
  ASSERT_TRUE(listed) << listed.error().ToString();
  const std::vector<std::int64_t> newest_first(distinct.rbegin(), distinct.rend());
  EXPECT_EQ(Sequences(*listed), newest_first);
}

// Several servers loading one driver at once: each call brings ids of its own, and the same
// name, version and digest. Each round uses a new driver, so that the driver's creation races
// too, not only its version's.
TEST_P(StoreContractTest, KeepsOneVersionWhenFourThreadsAddTheSameContentAtOnce) {
  constexpr std::size_t kThreads = 4;
  constexpr int kRounds = 10;
  for (int round = 0; round < kRounds; ++round) {
    const std::string name = "driver-" + std::to_string(round);
    std::latch start(kThreads);
    std::vector<Result<AddedDriverVersion>> added(kThreads, NotFound("the thread did not run"));
    std::vector<std::thread> threads;
    threads.reserve(kThreads);
    for (std::size_t t = 0; t < kThreads; ++t) {
      threads.emplace_back([&, t] {
        const std::string suffix = std::to_string(round) + "-" + std::to_string(t);
        const ApplicationDriverVersion version =
            MakeDriverVersion("v-" + suffix, name, "1", "sha256:same");
        start.arrive_and_wait();
        added[t] = store().AddDriverVersion(version, DriverId("d-" + suffix));
      });
    }
    for (std::thread& thread : threads) thread.join();

    int created = 0;
    std::set<std::string> ids;
    for (const Result<AddedDriverVersion>& result : added) {
      ASSERT_TRUE(result) << "round " << round << ": " << result.error().ToString();
      if (result->created) ++created;
      ids.insert(result->version.id.value());
    }
    EXPECT_EQ(created, 1) << "round " << round;
    EXPECT_EQ(ids.size(), 1u) << "round " << round;
    auto driver = store().FindDriverByName(name);
    ASSERT_TRUE(driver) << driver.error().ToString();
    auto versions = store().ListDriverVersions(driver->id);
    ASSERT_TRUE(versions) << versions.error().ToString();
    EXPECT_THAT(VersionIds(*versions), ::testing::ElementsAre(*ids.begin()));
  }
  EXPECT_EQ(store().ListDrivers()->size(), static_cast<std::size_t>(kRounds));
}

TEST_P(StoreContractTest, LetsOneOfFourThreadsAddingOneVersionWithOtherContentsWin) {
  constexpr std::size_t kThreads = 4;
  constexpr int kRounds = 10;
  for (int round = 0; round < kRounds; ++round) {
    const std::string name = "driver-" + std::to_string(round);
    std::latch start(kThreads);
    std::vector<Result<AddedDriverVersion>> added(kThreads, NotFound("the thread did not run"));
    std::vector<std::thread> threads;
    threads.reserve(kThreads);
    for (std::size_t t = 0; t < kThreads; ++t) {
      threads.emplace_back([&, t] {
        const std::string suffix = std::to_string(round) + "-" + std::to_string(t);
        const ApplicationDriverVersion version =
            MakeDriverVersion("v-" + suffix, name, "1", "sha256:" + suffix);
        start.arrive_and_wait();
        added[t] = store().AddDriverVersion(version, DriverId("d-" + suffix));
      });
    }
    for (std::thread& thread : threads) thread.join();

    int created = 0;
    for (const Result<AddedDriverVersion>& result : added) {
      if (result) {
        EXPECT_TRUE(result->created);
        ++created;
        continue;
      }
      EXPECT_EQ(result.error().code(), ErrorCode::kAlreadyExists) << result.error().ToString();
      EXPECT_THAT(result.error().message(),
                  HasSubstr("driver \"" + name + "\" already has version \"1\""));
    }
    EXPECT_EQ(created, 1) << "round " << round;
    auto driver = store().FindDriverByName(name);
    ASSERT_TRUE(driver) << driver.error().ToString();
    EXPECT_EQ(store().ListDriverVersions(driver->id)->size(), 1u);
  }
}

}  // namespace
}  // namespace styrmin::storage
