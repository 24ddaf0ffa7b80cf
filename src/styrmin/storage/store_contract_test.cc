#include "styrmin/storage/store_contract_test.h"

#include <gmock/gmock.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cmath>
#include <cstdint>
#include <functional>
#include <latch>
#include <limits>
#include <map>
#include <optional>
#include <set>
#include <string>
#include <thread>
#include <tuple>
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
  EXPECT_EQ(actual.environment_ids, expected.environment_ids);
  EXPECT_TRUE(actual.revoked_at == expected.revoked_at);
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

// Settings.

TEST_P(StoreContractTest, RecordsASettingOnceAndKeepsTheFirstValue) {
  auto first = store().RecordSetting("secret_key_fingerprint", "sha256:aaaa", kMonday);
  ASSERT_TRUE(first) << first.error().ToString();
  EXPECT_EQ(*first, "sha256:aaaa");
  auto second = store().RecordSetting("secret_key_fingerprint", "sha256:bbbb", kMonday);
  ASSERT_TRUE(second) << second.error().ToString();
  EXPECT_EQ(*second, "sha256:aaaa");
  EXPECT_EQ(store().RecordSetting("other", "x'); DROP TABLE server_settings; --", kMonday).value(),
            "x'); DROP TABLE server_settings; --");
  EXPECT_EQ(store().RecordSetting("", "v", kMonday).error().code(), ErrorCode::kInvalidArgument);
}

TEST_P(StoreContractTest, ConcurrentSettingWritersAgreeOnOneValue) {
  std::vector<std::string> seen(4);
  std::vector<std::thread> threads;
  threads.reserve(seen.size());
  for (std::size_t i = 0; i < seen.size(); ++i) {
    threads.emplace_back([&, i] {
      auto value = store().RecordSetting("race", "writer-" + std::to_string(i), kMonday);
      seen[i] = value ? *value : value.error().ToString();
    });
  }
  for (std::thread& thread : threads) thread.join();
  for (const std::string& value : seen) EXPECT_EQ(value, seen.front());
  EXPECT_TRUE(seen.front().starts_with("writer-")) << seen.front();
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

TEST_P(StoreContractTest, KeepsATokensEnvironmentScopeAndRefusesUnknownEnvironments) {
  ASSERT_NO_FATAL_FAILURE(CreateClusters(store()));
  ASSERT_TRUE(store().CreateEnvironment(MakeEnvironment("e-1", "staging", ClusterId("c-1"))));
  ASSERT_TRUE(store().CreateEnvironment(MakeEnvironment("e-2", "prod", ClusterId("c-2"))));
  ApiToken scoped = MakeToken("t-scoped", Role::kOperator, "h-scoped");
  scoped.environment_ids = {EnvironmentId("e-2"), EnvironmentId("e-1")};
  ASSERT_TRUE(store().CreateToken(scoped));
  ExpectSameToken(store().FindTokenByHash("h-scoped").value(), scoped);
  ApiToken stray = MakeToken("t-stray", Role::kViewer, "h-stray");
  stray.environment_ids = {EnvironmentId("e-1"), EnvironmentId("e-x")};
  const Status refused = store().CreateToken(stray);
  ASSERT_FALSE(refused);
  EXPECT_EQ(refused.error().code(), ErrorCode::kInvalidArgument);
  EXPECT_THAT(refused.error().message(), HasSubstr("\"e-x\""));
  EXPECT_EQ(store().FindTokenByHash("h-stray").error().code(), ErrorCode::kNotFound);
}

TEST_P(StoreContractTest, ListsTokensOtherThanAgentTokensOldestFirst) {
  ASSERT_NO_FATAL_FAILURE(CreateClusters(store()));  // two agent tokens
  ApiToken later = MakeToken("t-a", Role::kViewer, "h-a");
  later.created_at = kTuesday + std::chrono::hours(1);
  ASSERT_TRUE(store().CreateToken(later));
  ASSERT_TRUE(store().CreateToken(MakeToken("t-b", Role::kAdmin, "h-b")));
  auto listed = store().ListTokens();
  ASSERT_TRUE(listed) << listed.error().ToString();
  ASSERT_EQ(listed->size(), 2U);
  EXPECT_EQ((*listed)[0].id, TokenId("t-b"));
  ExpectSameToken((*listed)[1], later);
}

TEST_P(StoreContractTest, RevokesATokenOnceAndItAuthenticatesNoMore) {
  ASSERT_TRUE(store().CreateToken(MakeToken("t-admin", Role::kAdmin, "h-admin")));
  ASSERT_TRUE(store().CreateToken(MakeToken("t-viewer", Role::kViewer, "h-viewer")));
  auto revoked = store().RevokeToken(TokenId("t-viewer"), kTuesday + 1h);
  ASSERT_TRUE(revoked) << revoked.error().ToString();
  ASSERT_TRUE(revoked->revoked_at.has_value());
  EXPECT_TRUE(*revoked->revoked_at == kTuesday + 1h);
  EXPECT_EQ(store().FindTokenByHash("h-viewer").error().code(), ErrorCode::kNotFound);
  // Again: nothing changes, the first revocation's time stays.
  auto again = store().RevokeToken(TokenId("t-viewer"), kTuesday + 2h);
  ASSERT_TRUE(again) << again.error().ToString();
  EXPECT_TRUE(*again->revoked_at == kTuesday + 1h);
  // Revoked tokens are still listed and counted.
  EXPECT_EQ(store().ListTokens()->size(), 2U);
  EXPECT_EQ(*store().CountTokens(), 2U);
  EXPECT_EQ(store().RevokeToken(TokenId("t-x"), kTuesday + 1h).error().code(),
            ErrorCode::kNotFound);
}

TEST_P(StoreContractTest, NeverRevokesTheLastAdminTokenOrAnAgentToken) {
  ASSERT_NO_FATAL_FAILURE(CreateClusters(store()));
  ASSERT_TRUE(store().CreateToken(MakeToken("t-1", Role::kAdmin, "h-1")));
  ASSERT_TRUE(store().CreateToken(MakeToken("t-2", Role::kAdmin, "h-2")));
  ASSERT_TRUE(store().RevokeToken(TokenId("t-1"), kTuesday + 1h));
  const auto last = store().RevokeToken(TokenId("t-2"), kTuesday + 1h);
  ASSERT_FALSE(last);
  EXPECT_EQ(last.error().code(), ErrorCode::kFailedPrecondition);
  EXPECT_THAT(last.error().message(), HasSubstr("last admin token"));
  EXPECT_TRUE(store().FindTokenByHash("h-2"));
  const auto agent =
      store().RevokeToken(AgentTokenFor(MakeCluster("c-1", "prod")).id, kTuesday + 1h);
  ASSERT_FALSE(agent);
  EXPECT_EQ(agent.error().code(), ErrorCode::kFailedPrecondition);
}

TEST_P(StoreContractTest, ConcurrentRevocationsLeaveOneAdminToken) {
  for (int i = 0; i < 4; ++i) {
    const std::string n = std::to_string(i);
    ASSERT_TRUE(store().CreateToken(MakeToken("t-" + n, Role::kAdmin, "h-" + n)));
  }
  std::vector<std::thread> threads;
  threads.reserve(4);
  for (int i = 0; i < 4; ++i) {
    threads.emplace_back(
        [&, i] { (void)store().RevokeToken(TokenId("t-" + std::to_string(i)), kTuesday + 1h); });
  }
  for (std::thread& thread : threads) thread.join();
  int live = 0;
  for (int i = 0; i < 4; ++i) live += store().FindTokenByHash("h-" + std::to_string(i)) ? 1 : 0;
  EXPECT_EQ(live, 1);
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

TEST_P(StoreContractTest, RefusesAnAuditLimitOfZeroOrAboveFiveHundredAndOneNamingIt) {
  ASSERT_TRUE(store().RecordAudit(MakeAuditEvent("createCluster", "c-1")));
  for (const std::size_t limit : {std::size_t{0}, std::size_t{502}}) {
    auto listed = store().ListAudit(Page(limit));
    ASSERT_FALSE(listed) << "limit " << limit;
    EXPECT_EQ(listed.error().code(), ErrorCode::kInvalidArgument);
    EXPECT_THAT(listed.error().message(), HasSubstr("limit " + std::to_string(limit)));
  }
  for (const std::size_t limit : {std::size_t{1}, std::size_t{501}}) {
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

// Deployments, instances and runs.

// What deployments reference: clusters c-1 "prod" and c-2 "edge"; environments e-1 "staging"
// and e-2 "main" in c-1, e-3 "west" in c-2; versions v-1 and v-2 of driver "infrahub".
void CreateDeploymentPrerequisites(Store& store) {
  ASSERT_NO_FATAL_FAILURE(CreateClusters(store));
  ASSERT_TRUE(store.CreateEnvironment(MakeEnvironment("e-1", "staging", ClusterId("c-1"))));
  ASSERT_TRUE(store.CreateEnvironment(MakeEnvironment("e-2", "main", ClusterId("c-1"))));
  ASSERT_TRUE(store.CreateEnvironment(MakeEnvironment("e-3", "west", ClusterId("c-2"))));
  ASSERT_TRUE(
      store.AddDriverVersion(MakeDriverVersion("v-1", "infrahub", "1", "sha256:a"), DriverId("d")));
  ASSERT_TRUE(
      store.AddDriverVersion(MakeDriverVersion("v-2", "infrahub", "2", "sha256:b"), DriverId("d")));
}

// The cluster of each environment CreateDeploymentPrerequisites makes.
ClusterId ClusterOf(const EnvironmentId& environment) {
  return ClusterId(environment.value() == "e-3" ? "c-2" : "c-1");
}

Deployment MakeDeployment(const std::string& id, const std::string& name,
                          const std::string& environment = "e-1") {
  Deployment deployment;
  deployment.id = DeploymentId(id);
  deployment.environment_id = EnvironmentId(environment);
  deployment.name = name;
  deployment.driver_version_id = DriverVersionId("v-1");
  deployment.application_version = "1.6.0";
  deployment.parameters = Json{{"replicas", 2}, {"edition", "community"}, {"note", "ünïcödé"}};
  deployment.config = Json{{"storage", {{"class", "fast"}, {"size", "10Gi"}}}};
  deployment.phase = "running";
  deployment.created_at = kMonday;
  deployment.updated_at = kMonday;
  return deployment;
}

// A change of `deployment` with instance `instance_id`, made at its updated_at, and no run.
DeploymentChange CreateChange(const Deployment& deployment, const std::string& instance_id) {
  DeploymentChange change;
  change.create = true;
  change.deployment = deployment;
  change.instance.id = InstanceId(instance_id);
  change.instance.deployment_id = deployment.id;
  change.instance.driver_version_id = deployment.driver_version_id;
  change.instance.application_version = deployment.application_version;
  change.instance.phase = deployment.phase;
  change.instance.context =
      Json{{"deployment", deployment.name}, {"values", {{"replicas", 2}, {"tags", {"a", "b"}}}}};
  change.instance.created_at = deployment.updated_at;
  return change;
}

DeploymentChange UpdateChange(const Deployment& deployment, const std::string& instance_id) {
  DeploymentChange change = CreateChange(deployment, instance_id);
  change.create = false;
  return change;
}

// `change` with a pending run `run_id` of `kind` that deploys its instance.
DeploymentChange WithRun(DeploymentChange change, const std::string& run_id,
                         const std::string& kind) {
  Run run;
  run.id = RunId(run_id);
  run.deployment_id = change.deployment.id;
  run.environment_id = change.deployment.environment_id;
  run.cluster_id = ClusterOf(run.environment_id);
  run.kind = kind;
  run.instance_id = change.instance.id;
  run.reason = "the planner chose " + kind;
  run.created_at = change.deployment.updated_at;
  change.run = run;
  return change;
}

void ExpectSameDeployment(const Deployment& actual, const Deployment& expected) {
  EXPECT_EQ(actual.id, expected.id);
  EXPECT_EQ(actual.environment_id, expected.environment_id);
  EXPECT_EQ(actual.name, expected.name);
  EXPECT_EQ(actual.driver_version_id, expected.driver_version_id);
  EXPECT_EQ(actual.application_version, expected.application_version);
  EXPECT_EQ(actual.parameters, expected.parameters);
  EXPECT_EQ(actual.config, expected.config);
  EXPECT_EQ(actual.phase, expected.phase);
  EXPECT_EQ(actual.active_instance_id, expected.active_instance_id);
  EXPECT_EQ(FormatRfc3339(actual.created_at), FormatRfc3339(expected.created_at));
  EXPECT_EQ(FormatRfc3339(actual.updated_at), FormatRfc3339(expected.updated_at));
  EXPECT_EQ(actual.settings_read, expected.settings_read);
}

void ExpectSameInstance(const Instance& actual, const Instance& expected) {
  EXPECT_EQ(actual.id, expected.id);
  EXPECT_EQ(actual.deployment_id, expected.deployment_id);
  EXPECT_EQ(actual.driver_version_id, expected.driver_version_id);
  EXPECT_EQ(actual.application_version, expected.application_version);
  EXPECT_EQ(actual.phase, expected.phase);
  EXPECT_EQ(actual.context, expected.context);
  EXPECT_EQ(FormatRfc3339(actual.created_at), FormatRfc3339(expected.created_at));
}

std::optional<std::string> OptionalRfc3339(const std::optional<Timestamp>& timestamp) {
  if (!timestamp) return std::nullopt;
  return FormatRfc3339(*timestamp);
}

void ExpectSameRun(const Run& actual, const Run& expected) {
  EXPECT_EQ(actual.id, expected.id);
  EXPECT_EQ(actual.deployment_id, expected.deployment_id);
  EXPECT_EQ(actual.environment_id, expected.environment_id);
  EXPECT_EQ(actual.cluster_id, expected.cluster_id);
  EXPECT_EQ(actual.kind, expected.kind);
  EXPECT_EQ(RunStateName(actual.state), RunStateName(expected.state));
  EXPECT_EQ(actual.instance_id, expected.instance_id);
  EXPECT_EQ(actual.reason, expected.reason);
  EXPECT_EQ(actual.error, expected.error);
  EXPECT_EQ(actual.progress, expected.progress);  // exactly: the store keeps every bit
  EXPECT_EQ(FormatRfc3339(actual.created_at), FormatRfc3339(expected.created_at));
  EXPECT_EQ(OptionalRfc3339(actual.started_at), OptionalRfc3339(expected.started_at));
  EXPECT_EQ(OptionalRfc3339(actual.finished_at), OptionalRfc3339(expected.finished_at));
}

std::vector<std::string> DeploymentIds(const std::vector<Deployment>& deployments) {
  std::vector<std::string> ids;
  ids.reserve(deployments.size());
  for (const Deployment& deployment : deployments) ids.push_back(deployment.id.value());
  return ids;
}

std::vector<std::string> InstanceIds(const std::vector<Instance>& instances) {
  std::vector<std::string> ids;
  ids.reserve(instances.size());
  for (const Instance& instance : instances) ids.push_back(instance.id.value());
  return ids;
}

std::vector<std::string> RunIds(const std::vector<Run>& runs) {
  std::vector<std::string> ids;
  ids.reserve(runs.size());
  for (const Run& run : runs) ids.push_back(run.id.value());
  return ids;
}

DeploymentQuery DeploymentPage(std::size_t limit, std::optional<std::string> after = std::nullopt) {
  DeploymentQuery query;
  query.limit = limit;
  if (after) query.after = DeploymentId(*after);
  return query;
}

RunQuery RunPage(std::size_t limit, std::optional<std::string> before = std::nullopt) {
  RunQuery query;
  query.limit = limit;
  if (before) query.before = RunId(*before);
  return query;
}

// Every deployment `query` lists, page after page; fails the test on an error or an endless
// paging.
std::vector<std::string> AllDeploymentPages(Store& store, DeploymentQuery query,
                                            std::vector<std::size_t>* page_sizes = nullptr) {
  std::vector<std::string> ids;
  for (int pages = 0; pages < 100; ++pages) {
    auto page = store.ListDeployments(query);
    EXPECT_TRUE(page) << page.error().ToString();
    if (!page) return ids;
    if (page_sizes != nullptr) page_sizes->push_back(page->size());
    if (page->empty()) return ids;
    for (const Deployment& deployment : *page) ids.push_back(deployment.id.value());
    query.after = page->back().id;
  }
  ADD_FAILURE() << "paging through deployments did not end";
  return ids;
}

std::vector<std::string> AllRunPages(Store& store, RunQuery query,
                                     std::vector<std::size_t>* page_sizes = nullptr) {
  std::vector<std::string> ids;
  for (int pages = 0; pages < 100; ++pages) {
    auto page = store.ListRuns(query);
    EXPECT_TRUE(page) << page.error().ToString();
    if (!page) return ids;
    if (page_sizes != nullptr) page_sizes->push_back(page->size());
    if (page->empty()) return ids;
    for (const Run& run : *page) ids.push_back(run.id.value());
    query.before = page->back().id;
  }
  ADD_FAILURE() << "paging through runs did not end";
  return ids;
}

// Nothing of a refused change is stored: neither its instance nor its run, and the deployment
// reads back as `before` (or does not exist when it was to be created).
void ExpectNothingWritten(Store& store, const DeploymentChange& change,
                          const std::optional<Deployment>& before) {
  auto deployment = store.GetDeployment(change.deployment.id);
  if (before) {
    ASSERT_TRUE(deployment) << deployment.error().ToString();
    ExpectSameDeployment(*deployment, *before);
  } else {
    ASSERT_FALSE(deployment);
    EXPECT_EQ(deployment.error().code(), ErrorCode::kNotFound);
  }
  auto instance = store.GetInstance(change.instance.id);
  ASSERT_FALSE(instance) << change.instance.id;
  EXPECT_EQ(instance.error().code(), ErrorCode::kNotFound);
  if (change.run) {
    auto run = store.GetRun(change.run->id);
    ASSERT_FALSE(run) << change.run->id;
    EXPECT_EQ(run.error().code(), ErrorCode::kNotFound);
  }
}

TEST_P(StoreContractTest, RecordsANewDeploymentWithItsInstanceAndRunAndReadsEveryFieldBack) {
  ASSERT_NO_FATAL_FAILURE(CreateDeploymentPrerequisites(store()));
  Deployment deployment = MakeDeployment("d-1", "app");
  deployment.updated_at = kTuesday;
  const DeploymentChange change = WithRun(CreateChange(deployment, "i-1"), "r-1", "create");
  auto recorded = store().RecordDeploymentChange(change);
  ASSERT_TRUE(recorded) << recorded.error().ToString();

  auto stored = store().GetDeployment(deployment.id);
  ASSERT_TRUE(stored) << stored.error().ToString();
  ExpectSameDeployment(*stored, deployment);
  EXPECT_FALSE(stored->active_instance_id.has_value());
  auto instance = store().GetInstance(InstanceId("i-1"));
  ASSERT_TRUE(instance) << instance.error().ToString();
  ExpectSameInstance(*instance, change.instance);
  auto run = store().GetRun(RunId("r-1"));
  ASSERT_TRUE(run) << run.error().ToString();
  ExpectSameRun(*run, *change.run);
  EXPECT_EQ(run->state, RunState::kPending);
  EXPECT_FALSE(run->started_at.has_value());
  EXPECT_FALSE(run->finished_at.has_value());

  auto listed = store().ListDeployments(DeploymentPage(50));
  ASSERT_TRUE(listed) << listed.error().ToString();
  ASSERT_EQ(listed->size(), 1u);
  ExpectSameDeployment(listed->front(), deployment);
  auto instances = store().ListInstances(deployment.id);
  ASSERT_TRUE(instances) << instances.error().ToString();
  ASSERT_EQ(instances->size(), 1u);
  ExpectSameInstance(instances->front(), change.instance);
  auto runs = store().ListRuns(RunPage(50));
  ASSERT_TRUE(runs) << runs.error().ToString();
  ASSERT_EQ(runs->size(), 1u);
  ExpectSameRun(runs->front(), *change.run);
  auto unfinished = store().FindUnfinishedRun(deployment.id);
  ASSERT_TRUE(unfinished) << unfinished.error().ToString();
  ASSERT_TRUE(unfinished->has_value());
  ExpectSameRun(**unfinished, *change.run);
}

TEST_P(StoreContractTest, ListsDeploymentsWithoutTheirSettingsWhenAsked) {
  ASSERT_NO_FATAL_FAILURE(CreateDeploymentPrerequisites(store()));
  const Deployment one = MakeDeployment("d-1", "one");
  const Deployment two = MakeDeployment("d-2", "two");
  ASSERT_TRUE(store().RecordDeploymentChange(CreateChange(one, "i-1")));
  ASSERT_TRUE(store().RecordDeploymentChange(CreateChange(two, "i-2")));
  DeploymentQuery query = DeploymentPage(50);
  query.with_settings = false;
  auto bare = store().ListDeployments(query);
  ASSERT_TRUE(bare) << bare.error().ToString();
  ASSERT_EQ(bare->size(), 2u);
  for (const auto& [listed, stored] :
       {std::pair(bare->front(), one), std::pair(bare->back(), two)}) {
    Deployment expected = stored;
    expected.parameters = Json::object();
    expected.config = Json::object();
    expected.settings_read = false;
    ExpectSameDeployment(listed, expected);
  }
  // The same page with them, and through a cursor: the filters do not depend on the columns.
  query.with_settings = true;
  query.after = DeploymentId("d-1");
  auto full = store().ListDeployments(query);
  ASSERT_TRUE(full) << full.error().ToString();
  ASSERT_EQ(full->size(), 1u);
  ExpectSameDeployment(full->front(), two);
}

TEST_P(StoreContractTest, FindsTheUnfinishedRunsOfManyDeploymentsInOneCall) {
  ASSERT_NO_FATAL_FAILURE(CreateDeploymentPrerequisites(store()));
  ASSERT_TRUE(store().RecordDeploymentChange(
      WithRun(CreateChange(MakeDeployment("d-1", "one"), "i-1"), "r-1", "create")));
  ASSERT_TRUE(store().RecordDeploymentChange(CreateChange(MakeDeployment("d-2", "two"), "i-2")));
  DeploymentChange finished =
      WithRun(CreateChange(MakeDeployment("d-3", "three"), "i-3"), "r-3", "create");
  finished.run->state = RunState::kSucceeded;
  ASSERT_TRUE(store().RecordDeploymentChange(finished));
  DeploymentChange running =
      WithRun(CreateChange(MakeDeployment("d-4", "four"), "i-4"), "r-4", "create");
  running.run->state = RunState::kRunning;
  ASSERT_TRUE(store().RecordDeploymentChange(running));

  auto runs = store().FindUnfinishedRuns({DeploymentId("d-1"), DeploymentId("d-2"),
                                          DeploymentId("d-3"), DeploymentId("d-4"),
                                          DeploymentId("d-unknown"), DeploymentId("d-1")});
  ASSERT_TRUE(runs) << runs.error().ToString();
  std::vector<std::string> ids;
  ids.reserve(runs->size());
  for (const storage::Run& run : *runs) ids.push_back(run.id.value());
  std::sort(ids.begin(), ids.end());
  EXPECT_EQ(ids, (std::vector<std::string>{"r-1", "r-4"}));
  EXPECT_TRUE(store().FindUnfinishedRuns({})->empty());
  const std::vector<DeploymentId> too_many(1001, DeploymentId("d-1"));
  auto refused = store().FindUnfinishedRuns(too_many);
  ASSERT_FALSE(refused);
  EXPECT_EQ(refused.error().code(), ErrorCode::kInvalidArgument);
}

TEST_P(StoreContractTest, KeepsARunsTimestampsProgressAndTextsExactly) {
  ASSERT_NO_FATAL_FAILURE(CreateDeploymentPrerequisites(store()));
  DeploymentChange change =
      WithRun(CreateChange(MakeDeployment("d-1", "app"), "i-1"), "r-1", "create");
  change.run->state = RunState::kFailed;
  change.run->progress = 1.0 / 3.0;
  change.run->reason = "it's \"new\"; DROP TABLE runs; --";
  change.run->error = "step \"pre\" failed: Grüße 🚀\nsecond line";
  change.run->started_at = kMonday + 1ms;
  change.run->finished_at = kTuesday;
  ASSERT_TRUE(store().RecordDeploymentChange(change));

  auto run = store().GetRun(RunId("r-1"));
  ASSERT_TRUE(run) << run.error().ToString();
  ExpectSameRun(*run, *change.run);
  ASSERT_TRUE(run->started_at.has_value());
  EXPECT_TRUE(*run->started_at == kMonday + 1ms);
  EXPECT_TRUE(run->finished_at == kTuesday);
  // A failed run is finished: it does not hold up the next change.
  auto unfinished = store().FindUnfinishedRun(DeploymentId("d-1"));
  ASSERT_TRUE(unfinished) << unfinished.error().ToString();
  EXPECT_FALSE(unfinished->has_value());

  for (const double progress : {0.0, 0.1, 0.5, 1e-300, 0.999999999999, 1.0}) {
    SCOPED_TRACE(progress);
    const std::string suffix = std::to_string(store().ListRuns(RunPage(500))->size() + 1);
    Deployment deployment = MakeDeployment("d-1", "app");
    deployment.updated_at = kTuesday;
    DeploymentChange next =
        WithRun(UpdateChange(deployment, "i-" + suffix), "r-" + suffix, "update");
    next.run->state = RunState::kSucceeded;
    next.run->progress = progress;
    ASSERT_TRUE(store().RecordDeploymentChange(next));
    auto stored = store().GetRun(next.run->id);
    ASSERT_TRUE(stored) << stored.error().ToString();
    EXPECT_EQ(stored->progress, progress);
  }
}

TEST_P(StoreContractTest, UpdatesADeploymentKeepingItsIdEnvironmentNameCreationAndActiveInstance) {
  ASSERT_NO_FATAL_FAILURE(CreateDeploymentPrerequisites(store()));
  const Deployment created = MakeDeployment("d-1", "app");
  ASSERT_TRUE(store().RecordDeploymentChange(CreateChange(created, "i-1")));

  Deployment changed = created;
  changed.environment_id = EnvironmentId("e-2");
  changed.name = "renamed";
  changed.created_at = kTuesday;
  changed.active_instance_id = InstanceId("i-1");
  changed.driver_version_id = DriverVersionId("v-2");
  changed.application_version = "1.7.0";
  changed.parameters = Json{{"replicas", 3}, {"list", {1, 2, 3}}, {"none", nullptr}};
  changed.config = Json::object();
  changed.phase = "stopped";
  changed.updated_at = kTuesday;
  DeploymentChange update = WithRun(UpdateChange(changed, "i-2"), "r-2", "upgrade");
  // The run is for the deployment's environment, which the update does not change.
  update.run->environment_id = EnvironmentId("e-1");
  auto recorded = store().RecordDeploymentChange(update);
  ASSERT_TRUE(recorded) << recorded.error().ToString();

  Deployment expected = changed;
  expected.environment_id = created.environment_id;
  expected.name = created.name;
  expected.created_at = created.created_at;
  expected.active_instance_id.reset();
  auto stored = store().GetDeployment(created.id);
  ASSERT_TRUE(stored) << stored.error().ToString();
  ExpectSameDeployment(*stored, expected);
  auto instance = store().GetInstance(InstanceId("i-2"));
  ASSERT_TRUE(instance) << instance.error().ToString();
  ExpectSameInstance(*instance, update.instance);
  auto run = store().GetRun(RunId("r-2"));
  ASSERT_TRUE(run) << run.error().ToString();
  ExpectSameRun(*run, *update.run);
  EXPECT_THAT(InstanceIds(*store().ListInstances(created.id)),
              ::testing::ElementsAre("i-2", "i-1"));
}

TEST_P(StoreContractTest, IgnoresTheActiveInstanceOfANewDeployment) {
  ASSERT_NO_FATAL_FAILURE(CreateDeploymentPrerequisites(store()));
  Deployment deployment = MakeDeployment("d-1", "app");
  deployment.active_instance_id = InstanceId("i-1");
  ASSERT_TRUE(store().RecordDeploymentChange(CreateChange(deployment, "i-1")));
  auto stored = store().GetDeployment(deployment.id);
  ASSERT_TRUE(stored) << stored.error().ToString();
  EXPECT_FALSE(stored->active_instance_id.has_value());
}

TEST_P(StoreContractTest, RefusesAChangeWhileARunIsPendingNamingItAndChangesNothing) {
  ASSERT_NO_FATAL_FAILURE(CreateDeploymentPrerequisites(store()));
  const Deployment created = MakeDeployment("d-1", "app");
  ASSERT_TRUE(
      store().RecordDeploymentChange(WithRun(CreateChange(created, "i-1"), "r-1", "create")));

  Deployment changed = created;
  changed.application_version = "1.7.0";
  changed.updated_at = kTuesday;
  // With a run of its own, and without one (the planner found nothing to do): both wait.
  for (const DeploymentChange& change :
       {WithRun(UpdateChange(changed, "i-2"), "r-2", "upgrade"), UpdateChange(changed, "i-2")}) {
    auto recorded = store().RecordDeploymentChange(change);
    ASSERT_FALSE(recorded);
    EXPECT_EQ(recorded.error().code(), ErrorCode::kFailedPrecondition);
    EXPECT_THAT(recorded.error().message(),
                HasSubstr("run r-1 (create) is pending for deployment \"app\"; wait for it or "
                          "cancel it"));
    ASSERT_NO_FATAL_FAILURE(ExpectNothingWritten(store(), change, created));
  }
  EXPECT_THAT(InstanceIds(*store().ListInstances(created.id)), ::testing::ElementsAre("i-1"));
  EXPECT_THAT(RunIds(*store().ListRuns(RunPage(50))), ::testing::ElementsAre("r-1"));
}

TEST_P(StoreContractTest, AcceptsTheNextChangeOnceThePendingRunIsCancelled) {
  ASSERT_NO_FATAL_FAILURE(CreateDeploymentPrerequisites(store()));
  const Deployment created = MakeDeployment("d-1", "app");
  ASSERT_TRUE(
      store().RecordDeploymentChange(WithRun(CreateChange(created, "i-1"), "r-1", "create")));

  auto cancelled = store().CancelRun(RunId("r-1"), kTuesday);
  ASSERT_TRUE(cancelled) << cancelled.error().ToString();
  EXPECT_EQ(cancelled->state, RunState::kCancelled);
  EXPECT_TRUE(cancelled->finished_at == kTuesday);
  auto stored = store().GetRun(RunId("r-1"));
  ASSERT_TRUE(stored) << stored.error().ToString();
  ExpectSameRun(*stored, *cancelled);
  EXPECT_FALSE(store().FindUnfinishedRun(created.id)->has_value());

  Deployment changed = created;
  changed.phase = "stopped";
  changed.updated_at = kTuesday;
  auto recorded =
      store().RecordDeploymentChange(WithRun(UpdateChange(changed, "i-2"), "r-2", "stop"));
  ASSERT_TRUE(recorded) << recorded.error().ToString();
  EXPECT_EQ(store().GetDeployment(created.id)->phase, "stopped");
  auto unfinished = store().FindUnfinishedRun(created.id);
  ASSERT_TRUE(unfinished) << unfinished.error().ToString();
  ASSERT_TRUE(unfinished->has_value());
  EXPECT_EQ((*unfinished)->id, RunId("r-2"));
}

TEST_P(StoreContractTest, RefusesAChangeWhileARunIsRunningAndDoesNotCancelIt) {
  ASSERT_NO_FATAL_FAILURE(CreateDeploymentPrerequisites(store()));
  const Deployment created = MakeDeployment("d-1", "app");
  DeploymentChange create = WithRun(CreateChange(created, "i-1"), "r-1", "create");
  create.run->state = RunState::kRunning;
  create.run->started_at = kMonday;
  create.run->progress = 0.25;
  ASSERT_TRUE(store().RecordDeploymentChange(create));

  const DeploymentChange update = WithRun(UpdateChange(created, "i-2"), "r-2", "update");
  auto recorded = store().RecordDeploymentChange(update);
  ASSERT_FALSE(recorded);
  EXPECT_EQ(recorded.error().code(), ErrorCode::kFailedPrecondition);
  EXPECT_THAT(recorded.error().message(),
              HasSubstr("run r-1 (create) is running for deployment \"app\""));
  ASSERT_NO_FATAL_FAILURE(ExpectNothingWritten(store(), update, created));

  auto cancelled = store().CancelRun(RunId("r-1"), kTuesday);
  ASSERT_FALSE(cancelled);
  EXPECT_EQ(cancelled.error().code(), ErrorCode::kFailedPrecondition);
  EXPECT_THAT(cancelled.error().message(), HasSubstr("run r-1 (create) is running, not pending"));
  auto run = store().GetRun(RunId("r-1"));
  ASSERT_TRUE(run) << run.error().ToString();
  ExpectSameRun(*run, *create.run);
}

TEST_P(StoreContractTest, RefusesToCancelARunThatIsNoLongerPendingAndKeepsItAsItWas) {
  ASSERT_NO_FATAL_FAILURE(CreateDeploymentPrerequisites(store()));
  ASSERT_TRUE(store().RecordDeploymentChange(
      WithRun(CreateChange(MakeDeployment("d-1", "app"), "i-1"), "r-1", "create")));
  ASSERT_TRUE(store().CancelRun(RunId("r-1"), kMonday + 5ms));

  auto again = store().CancelRun(RunId("r-1"), kTuesday);
  ASSERT_FALSE(again);
  EXPECT_EQ(again.error().code(), ErrorCode::kFailedPrecondition);
  EXPECT_THAT(again.error().message(), HasSubstr("run r-1 (create) is cancelled, not pending"));
  auto run = store().GetRun(RunId("r-1"));
  ASSERT_TRUE(run) << run.error().ToString();
  EXPECT_EQ(run->state, RunState::kCancelled);
  EXPECT_TRUE(run->finished_at == kMonday + 5ms);
}

TEST_P(StoreContractTest, StoresOnlyTheInstanceOfAChangeWithoutARun) {
  ASSERT_NO_FATAL_FAILURE(CreateDeploymentPrerequisites(store()));
  const Deployment created = MakeDeployment("d-1", "app");
  ASSERT_TRUE(store().RecordDeploymentChange(CreateChange(created, "i-1")));
  Deployment changed = created;
  changed.parameters = Json{{"replicas", 5}};
  changed.updated_at = kTuesday;
  ASSERT_TRUE(store().RecordDeploymentChange(UpdateChange(changed, "i-2")));

  EXPECT_EQ(store().GetDeployment(created.id)->parameters, changed.parameters);
  EXPECT_THAT(InstanceIds(*store().ListInstances(created.id)),
              ::testing::ElementsAre("i-2", "i-1"));
  auto runs = store().ListRuns(RunPage(50));
  ASSERT_TRUE(runs) << runs.error().ToString();
  EXPECT_TRUE(runs->empty());
  auto unfinished = store().FindUnfinishedRun(created.id);
  ASSERT_TRUE(unfinished) << unfinished.error().ToString();
  EXPECT_FALSE(unfinished->has_value());
}

TEST_P(StoreContractTest, RefusesADeploymentNameTakenInItsEnvironmentAndWritesNothing) {
  ASSERT_NO_FATAL_FAILURE(CreateDeploymentPrerequisites(store()));
  ASSERT_TRUE(store().RecordDeploymentChange(CreateChange(MakeDeployment("d-1", "app"), "i-1")));

  const DeploymentChange taken =
      WithRun(CreateChange(MakeDeployment("d-2", "app"), "i-2"), "r-2", "create");
  auto recorded = store().RecordDeploymentChange(taken);
  ASSERT_FALSE(recorded);
  EXPECT_EQ(recorded.error().code(), ErrorCode::kAlreadyExists);
  EXPECT_THAT(recorded.error().message(),
              HasSubstr("a deployment named \"app\" already exists in environment \"e-1\""));
  ASSERT_NO_FATAL_FAILURE(ExpectNothingWritten(store(), taken, std::nullopt));

  // The same name in another environment is another deployment.
  auto elsewhere = store().RecordDeploymentChange(
      WithRun(CreateChange(MakeDeployment("d-2", "app", "e-3"), "i-2"), "r-2", "create"));
  ASSERT_TRUE(elsewhere) << elsewhere.error().ToString();
  EXPECT_EQ(store().ListDeployments(DeploymentPage(50))->size(), 2u);
}

TEST_P(StoreContractTest, RefusesADeploymentInstanceOrRunIdThatIsTakenAndWritesNothing) {
  ASSERT_NO_FATAL_FAILURE(CreateDeploymentPrerequisites(store()));
  const Deployment created = MakeDeployment("d-1", "app");
  ASSERT_TRUE(
      store().RecordDeploymentChange(WithRun(CreateChange(created, "i-1"), "r-1", "create")));
  ASSERT_TRUE(store().CancelRun(RunId("r-1"), kTuesday));

  const DeploymentChange same_id = CreateChange(MakeDeployment("d-1", "other"), "i-9");
  auto recorded = store().RecordDeploymentChange(same_id);
  ASSERT_FALSE(recorded);
  EXPECT_EQ(recorded.error().code(), ErrorCode::kAlreadyExists);
  EXPECT_THAT(recorded.error().message(), HasSubstr("a deployment with id \"d-1\" already exists"));
  ASSERT_NO_FATAL_FAILURE(ExpectNothingWritten(store(), same_id, created));

  Deployment changed = created;
  changed.phase = "deleted";
  auto same_instance = store().RecordDeploymentChange(UpdateChange(changed, "i-1"));
  ASSERT_FALSE(same_instance);
  EXPECT_EQ(same_instance.error().code(), ErrorCode::kAlreadyExists);
  EXPECT_THAT(same_instance.error().message(),
              HasSubstr("an instance with id \"i-1\" already exists"));

  const DeploymentChange same_run = WithRun(UpdateChange(changed, "i-2"), "r-1", "delete");
  auto run_taken = store().RecordDeploymentChange(same_run);
  ASSERT_FALSE(run_taken);
  EXPECT_EQ(run_taken.error().code(), ErrorCode::kAlreadyExists);
  EXPECT_THAT(run_taken.error().message(), HasSubstr("a run with id \"r-1\" already exists"));
  auto deployment = store().GetDeployment(created.id);
  ASSERT_TRUE(deployment) << deployment.error().ToString();
  ExpectSameDeployment(*deployment, created);
  EXPECT_EQ(store().GetInstance(InstanceId("i-2")).error().code(), ErrorCode::kNotFound);
  EXPECT_EQ(store().GetRun(RunId("r-1"))->state, RunState::kCancelled);
}

TEST_P(StoreContractTest, RefusesAReferenceToAnUnknownEnvironmentOrDriverVersionAndWritesNothing) {
  ASSERT_NO_FATAL_FAILURE(CreateDeploymentPrerequisites(store()));
  const DeploymentChange unknown_environment =
      CreateChange(MakeDeployment("d-1", "app", "e-9"), "i-1");
  DeploymentChange unknown_driver_version = CreateChange(MakeDeployment("d-1", "app"), "i-1");
  unknown_driver_version.deployment.driver_version_id = DriverVersionId("v-9");
  unknown_driver_version.instance.driver_version_id = DriverVersionId("v-9");
  DeploymentChange unknown_instance_driver_version =
      WithRun(CreateChange(MakeDeployment("d-1", "app"), "i-1"), "r-1", "create");
  unknown_instance_driver_version.instance.driver_version_id = DriverVersionId("v-8");
  const std::vector<std::pair<DeploymentChange, std::string>> cases = {
      {unknown_environment, "environment \"e-9\" does not exist"},
      {unknown_driver_version, "driver version \"v-9\" does not exist"},
      {unknown_instance_driver_version, "driver version \"v-8\" does not exist"},
  };
  for (const auto& [change, message] : cases) {
    SCOPED_TRACE(message);
    auto recorded = store().RecordDeploymentChange(change);
    ASSERT_FALSE(recorded);
    EXPECT_EQ(recorded.error().code(), ErrorCode::kInvalidArgument);
    EXPECT_THAT(recorded.error().message(), HasSubstr(message));
    ASSERT_NO_FATAL_FAILURE(ExpectNothingWritten(store(), change, std::nullopt));
  }

  // And on update: the deployment stays as it was.
  const Deployment created = MakeDeployment("d-1", "app");
  ASSERT_TRUE(store().RecordDeploymentChange(CreateChange(created, "i-1")));
  Deployment changed = created;
  changed.driver_version_id = DriverVersionId("v-9");
  const DeploymentChange update = UpdateChange(changed, "i-2");
  auto recorded = store().RecordDeploymentChange(update);
  ASSERT_FALSE(recorded);
  EXPECT_EQ(recorded.error().code(), ErrorCode::kInvalidArgument);
  EXPECT_THAT(recorded.error().message(), HasSubstr("driver version \"v-9\" does not exist"));
  ASSERT_NO_FATAL_FAILURE(ExpectNothingWritten(store(), update, created));
}

TEST_P(StoreContractTest, ReportsAnUpdateOfAnUnknownDeploymentAsNotFoundAndWritesNothing) {
  ASSERT_NO_FATAL_FAILURE(CreateDeploymentPrerequisites(store()));
  const DeploymentChange update =
      WithRun(UpdateChange(MakeDeployment("d-9", "app"), "i-1"), "r-1", "update");
  auto recorded = store().RecordDeploymentChange(update);
  ASSERT_FALSE(recorded);
  EXPECT_EQ(recorded.error().code(), ErrorCode::kNotFound);
  EXPECT_THAT(recorded.error().message(), HasSubstr("deployment \"d-9\" not found"));
  ASSERT_NO_FATAL_FAILURE(ExpectNothingWritten(store(), update, std::nullopt));
}

TEST_P(StoreContractTest,
       RefusesARunForAnotherClusterOrEnvironmentThanTheDeploymentsAndWritesNothing) {
  ASSERT_NO_FATAL_FAILURE(CreateDeploymentPrerequisites(store()));
  DeploymentChange other_cluster =
      WithRun(CreateChange(MakeDeployment("d-1", "app"), "i-1"), "r-1", "create");
  other_cluster.run->cluster_id = ClusterId("c-2");
  auto recorded = store().RecordDeploymentChange(other_cluster);
  ASSERT_FALSE(recorded);
  EXPECT_EQ(recorded.error().code(), ErrorCode::kInvalidArgument);
  EXPECT_THAT(recorded.error().message(),
              HasSubstr("run \"r-1\" is for cluster \"c-2\", but environment \"e-1\" is in "
                        "cluster \"c-1\""));
  ASSERT_NO_FATAL_FAILURE(ExpectNothingWritten(store(), other_cluster, std::nullopt));

  DeploymentChange other_environment =
      WithRun(CreateChange(MakeDeployment("d-1", "app"), "i-1"), "r-1", "create");
  other_environment.run->environment_id = EnvironmentId("e-3");
  other_environment.run->cluster_id = ClusterId("c-2");
  recorded = store().RecordDeploymentChange(other_environment);
  ASSERT_FALSE(recorded);
  EXPECT_EQ(recorded.error().code(), ErrorCode::kInvalidArgument);
  EXPECT_THAT(recorded.error().message(), HasSubstr("run \"r-1\" is for environment \"e-3\""));
  ASSERT_NO_FATAL_FAILURE(ExpectNothingWritten(store(), other_environment, std::nullopt));

  // An update's run is checked against the stored environment, not the change's.
  const Deployment created = MakeDeployment("d-1", "app");
  ASSERT_TRUE(store().RecordDeploymentChange(CreateChange(created, "i-1")));
  Deployment moved = created;
  moved.environment_id = EnvironmentId("e-3");
  const DeploymentChange update = WithRun(UpdateChange(moved, "i-2"), "r-2", "update");
  recorded = store().RecordDeploymentChange(update);
  ASSERT_FALSE(recorded);
  EXPECT_EQ(recorded.error().code(), ErrorCode::kInvalidArgument);
  EXPECT_THAT(recorded.error().message(),
              HasSubstr("run \"r-2\" is for environment \"e-3\", but deployment \"app\" is in "
                        "environment \"e-1\""));
  ASSERT_NO_FATAL_FAILURE(ExpectNothingWritten(store(), update, created));
}

TEST_P(StoreContractTest, RefusesAnInvalidDeploymentChangeBeforeWritingAnything) {
  ASSERT_NO_FATAL_FAILURE(CreateDeploymentPrerequisites(store()));
  const DeploymentChange valid =
      WithRun(CreateChange(MakeDeployment("d-1", "app"), "i-1"), "r-1", "create");
  std::vector<std::pair<DeploymentChange, std::string>> cases;
  const auto add = [&](const std::string& message, auto&& edit) {
    DeploymentChange change = valid;
    edit(change);
    cases.emplace_back(std::move(change), message);
  };
  add("deployment id must not be empty", [](DeploymentChange& c) {
    c.deployment.id = DeploymentId("");
    c.instance.deployment_id = c.deployment.id;
    c.run->deployment_id = c.deployment.id;
  });
  add("deployment name must not be empty", [](DeploymentChange& c) { c.deployment.name.clear(); });
  add("deployment environment id must not be empty",
      [](DeploymentChange& c) { c.deployment.environment_id = EnvironmentId(""); });
  add("deployment driver version id must not be empty",
      [](DeploymentChange& c) { c.deployment.driver_version_id = DriverVersionId(""); });
  add("deployment application version must not be empty",
      [](DeploymentChange& c) { c.deployment.application_version.clear(); });
  add("deployment phase \"paused\"", [](DeploymentChange& c) { c.deployment.phase = "paused"; });
  add("instance id must not be empty", [](DeploymentChange& c) {
    c.instance.id = InstanceId("");
    c.run->instance_id = c.instance.id;
  });
  add("instance \"i-1\" is for deployment \"d-2\", not \"d-1\"",
      [](DeploymentChange& c) { c.instance.deployment_id = DeploymentId("d-2"); });
  add("instance phase \"\"", [](DeploymentChange& c) { c.instance.phase.clear(); });
  add("run id must not be empty", [](DeploymentChange& c) { c.run->id = RunId(""); });
  add("run kind must not be empty", [](DeploymentChange& c) { c.run->kind.clear(); });
  add("run \"r-1\" is for deployment \"d-2\", not \"d-1\"",
      [](DeploymentChange& c) { c.run->deployment_id = DeploymentId("d-2"); });
  add("run \"r-1\" deploys instance \"i-0\", not the change's instance \"i-1\"",
      [](DeploymentChange& c) { c.run->instance_id = InstanceId("i-0"); });
  add("run \"r-1\" has progress 1.5, outside 0..1",
      [](DeploymentChange& c) { c.run->progress = 1.5; });
  add("outside 0..1", [](DeploymentChange& c) { c.run->progress = -0.1; });
  add("outside 0..1",
      [](DeploymentChange& c) { c.run->progress = std::numeric_limits<double>::quiet_NaN(); });
  for (const auto& [change, message] : cases) {
    SCOPED_TRACE(message);
    auto recorded = store().RecordDeploymentChange(change);
    ASSERT_FALSE(recorded);
    EXPECT_EQ(recorded.error().code(), ErrorCode::kInvalidArgument);
    EXPECT_THAT(recorded.error().message(), HasSubstr(message));
  }
  EXPECT_TRUE(store().ListDeployments(DeploymentPage(50))->empty());
  EXPECT_TRUE(store().ListRuns(RunPage(50))->empty());
  EXPECT_EQ(store().GetInstance(InstanceId("i-1")).error().code(), ErrorCode::kNotFound);
}

TEST_P(StoreContractTest, ReportsUnknownDeploymentsInstancesAndRunsAsNotFoundNamingThem) {
  const auto expect_not_found = [](const Error& error, const std::string& message) {
    EXPECT_EQ(error.code(), ErrorCode::kNotFound) << error.ToString();
    EXPECT_THAT(error.message(), HasSubstr(message));
  };
  expect_not_found(store().GetDeployment(DeploymentId("d-x")).error(), "deployment \"d-x\"");
  expect_not_found(store().ListInstances(DeploymentId("d-x")).error(), "deployment \"d-x\"");
  expect_not_found(store().FindUnfinishedRun(DeploymentId("d-x")).error(), "deployment \"d-x\"");
  expect_not_found(store().GetInstance(InstanceId("i-x")).error(), "instance \"i-x\"");
  expect_not_found(store().GetRun(RunId("r-x")).error(), "run \"r-x\"");
  expect_not_found(store().CancelRun(RunId("r-x"), kTuesday).error(), "run \"r-x\"");
}

TEST_P(StoreContractTest, ListsInstancesOfOneDeploymentNewestFirstThenById) {
  ASSERT_NO_FATAL_FAILURE(CreateDeploymentPrerequisites(store()));
  const Deployment first = MakeDeployment("d-1", "app");
  ASSERT_TRUE(store().RecordDeploymentChange(CreateChange(first, "i-b")));
  ASSERT_TRUE(store().RecordDeploymentChange(CreateChange(MakeDeployment("d-2", "db"), "i-z")));
  // Two at the same instant, one earlier than the first.
  for (const auto& [id, at] : std::vector<std::pair<std::string, Timestamp>>{
           {"i-c", kTuesday}, {"i-a", kTuesday}, {"i-0", kMonday - 1ms}}) {
    Deployment changed = first;
    changed.updated_at = at;
    ASSERT_TRUE(store().RecordDeploymentChange(UpdateChange(changed, id)));
  }
  auto instances = store().ListInstances(first.id);
  ASSERT_TRUE(instances) << instances.error().ToString();
  EXPECT_THAT(InstanceIds(*instances), ::testing::ElementsAre("i-c", "i-a", "i-b", "i-0"));
}

// Twelve deployments: four names in each of three environments, ids in another order than
// names, every third stopped.
void CreateTwelveDeployments(Store& store, std::vector<Deployment>* made) {
  const std::vector<std::string> names = {"app", "Beta", "db", "alpha"};
  const std::vector<std::string> environments = {"e-1", "e-2", "e-3"};
  for (int i = 0; i < 12; ++i) {
    const std::string id = "d-" + std::string(1, static_cast<char>('a' + (i * 5) % 12));
    Deployment deployment = MakeDeployment(id, names[i % 4], environments[i / 4]);
    if (i % 3 == 0) deployment.phase = "stopped";
    ASSERT_TRUE(store.RecordDeploymentChange(CreateChange(deployment, "i-" + id)));
    made->push_back(deployment);
  }
}

// The ids of `deployments` that `keep` accepts, by name then id in byte order.
std::vector<std::string> ByNameThenId(std::vector<Deployment> deployments,
                                      const std::function<bool(const Deployment&)>& keep) {
  std::sort(deployments.begin(), deployments.end(), [](const Deployment& a, const Deployment& b) {
    return std::tie(a.name, a.id) < std::tie(b.name, b.id);
  });
  std::vector<std::string> ids;
  for (const Deployment& deployment : deployments) {
    if (keep(deployment)) ids.push_back(deployment.id.value());
  }
  return ids;
}

TEST_P(StoreContractTest, ListsDeploymentsByNameThenIdInByteOrderFilteredByEnvironmentAndPhase) {
  ASSERT_NO_FATAL_FAILURE(CreateDeploymentPrerequisites(store()));
  std::vector<Deployment> made;
  ASSERT_NO_FATAL_FAILURE(CreateTwelveDeployments(store(), &made));

  auto all = store().ListDeployments(DeploymentPage(500));
  ASSERT_TRUE(all) << all.error().ToString();
  EXPECT_EQ(DeploymentIds(*all), ByNameThenId(made, [](const Deployment&) { return true; }));
  ASSERT_EQ(all->size(), 12u);
  EXPECT_EQ(all->front().name, "Beta");  // byte order: upper case first

  DeploymentQuery in_e2 = DeploymentPage(50);
  in_e2.environment = EnvironmentId("e-2");
  EXPECT_EQ(
      DeploymentIds(*store().ListDeployments(in_e2)),
      ByNameThenId(made, [](const Deployment& d) { return d.environment_id.value() == "e-2"; }));
  DeploymentQuery stopped = DeploymentPage(50);
  stopped.phase = "stopped";
  EXPECT_EQ(DeploymentIds(*store().ListDeployments(stopped)),
            ByNameThenId(made, [](const Deployment& d) { return d.phase == "stopped"; }));
  DeploymentQuery running_in_e1 = DeploymentPage(50);
  running_in_e1.environment = EnvironmentId("e-1");
  running_in_e1.phase = "running";
  const std::vector<std::string> expected = ByNameThenId(made, [](const Deployment& d) {
    return d.environment_id.value() == "e-1" && d.phase == "running";
  });
  EXPECT_EQ(DeploymentIds(*store().ListDeployments(running_in_e1)), expected);
  EXPECT_EQ(expected.size(), 2u);
  DeploymentQuery deleted = DeploymentPage(50);
  deleted.phase = "deleted";
  EXPECT_TRUE(store().ListDeployments(deleted)->empty());
  DeploymentQuery nowhere = DeploymentPage(50);
  nowhere.environment = EnvironmentId("e-9");
  EXPECT_TRUE(store().ListDeployments(nowhere)->empty());
  // Limited to some environments (a scoped token), paged.
  DeploymentQuery scoped = DeploymentPage(2);
  scoped.environments = {EnvironmentId("e-1"), EnvironmentId("e-3")};
  EXPECT_EQ(AllDeploymentPages(store(), scoped), ByNameThenId(made, [](const Deployment& d) {
              return d.environment_id.value() != "e-2";
            }));
  scoped.environment = EnvironmentId("e-2");  // both filters hold: nothing
  EXPECT_TRUE(store().ListDeployments(scoped)->empty());
}

TEST_P(StoreContractTest, PagesThroughDeploymentsWithAfterListingEachOnceInOrder) {
  ASSERT_NO_FATAL_FAILURE(CreateDeploymentPrerequisites(store()));
  std::vector<Deployment> made;
  ASSERT_NO_FATAL_FAILURE(CreateTwelveDeployments(store(), &made));

  std::vector<std::size_t> sizes;
  EXPECT_EQ(AllDeploymentPages(store(), DeploymentPage(5), &sizes),
            ByNameThenId(made, [](const Deployment&) { return true; }));
  EXPECT_THAT(sizes, ::testing::ElementsAre(5u, 5u, 2u, 0u));

  // Pages of a filtered list; `after` need not match the filter.
  DeploymentQuery running = DeploymentPage(3);
  running.phase = "running";
  sizes.clear();
  EXPECT_EQ(AllDeploymentPages(store(), running, &sizes),
            ByNameThenId(made, [](const Deployment& d) { return d.phase == "running"; }));
  EXPECT_THAT(sizes, ::testing::ElementsAre(3u, 3u, 2u, 0u));
  const std::vector<std::string> by_name =
      ByNameThenId(made, [](const Deployment&) { return true; });
  DeploymentQuery in_e3 = DeploymentPage(1, by_name.front());
  in_e3.environment = EnvironmentId("e-3");
  std::vector<std::string> expected =
      ByNameThenId(made, [](const Deployment& d) { return d.environment_id.value() == "e-3"; });
  expected.erase(std::remove(expected.begin(), expected.end(), by_name.front()), expected.end());
  EXPECT_EQ(AllDeploymentPages(store(), in_e3), expected);
}

TEST_P(StoreContractTest,
       PagesThroughRunsNewestFirstWithBeforeFilteredByDeploymentEnvironmentAndState) {
  ASSERT_NO_FATAL_FAILURE(CreateDeploymentPrerequisites(store()));
  const std::vector<Deployment> deployments = {MakeDeployment("d-1", "app", "e-1"),
                                               MakeDeployment("d-2", "db", "e-1"),
                                               MakeDeployment("d-3", "app", "e-3")};
  for (const Deployment& deployment : deployments) {
    ASSERT_TRUE(
        store().RecordDeploymentChange(CreateChange(deployment, "i-" + deployment.id.value())));
  }
  // Eleven runs, two to an instant, ids in another order than time; the last of each deployment
  // is still pending, the others have succeeded.
  constexpr int kRuns = 11;
  std::vector<storage::Run> made;
  for (int k = 0; k < kRuns; ++k) {
    Deployment deployment = deployments[static_cast<std::size_t>(k % 3)];
    deployment.updated_at = kMonday + std::chrono::seconds(k / 2);
    const std::string id = "r-" + std::string(1, static_cast<char>('a' + (k * 3) % kRuns));
    DeploymentChange change =
        WithRun(UpdateChange(deployment, "i-" + std::to_string(k)), id, "update");
    if (k < kRuns - 3) {
      change.run->state = RunState::kSucceeded;
      change.run->finished_at = deployment.updated_at + 1ms;
    }
    auto recorded = store().RecordDeploymentChange(change);
    ASSERT_TRUE(recorded) << recorded.error().ToString();
    made.push_back(*change.run);
  }
  std::sort(made.begin(), made.end(), [](const storage::Run& a, const storage::Run& b) {
    return std::tie(a.created_at, a.id) > std::tie(b.created_at, b.id);
  });
  const auto expect = [&](const std::function<bool(const storage::Run&)>& keep) {
    std::vector<std::string> ids;
    for (const storage::Run& run : made) {
      if (keep(run)) ids.push_back(run.id.value());
    }
    return ids;
  };

  std::vector<std::size_t> sizes;
  EXPECT_EQ(AllRunPages(store(), RunPage(4), &sizes),
            expect([](const storage::Run&) { return true; }));
  EXPECT_THAT(sizes, ::testing::ElementsAre(4u, 4u, 3u, 0u));
  RunQuery of_d2 = RunPage(2);
  of_d2.deployment = DeploymentId("d-2");
  EXPECT_EQ(AllRunPages(store(), of_d2),
            expect([](const storage::Run& run) { return run.deployment_id.value() == "d-2"; }));
  RunQuery in_e3 = RunPage(2);
  in_e3.environment = EnvironmentId("e-3");
  EXPECT_EQ(AllRunPages(store(), in_e3),
            expect([](const storage::Run& run) { return run.environment_id.value() == "e-3"; }));
  RunQuery pending = RunPage(2);
  pending.state = RunState::kPending;
  const std::vector<std::string> pending_ids =
      expect([](const storage::Run& run) { return run.state == RunState::kPending; });
  EXPECT_EQ(AllRunPages(store(), pending), pending_ids);
  EXPECT_EQ(pending_ids.size(), 3u);
  RunQuery succeeded_in_e1 = RunPage(3);
  succeeded_in_e1.environment = EnvironmentId("e-1");
  succeeded_in_e1.state = RunState::kSucceeded;
  EXPECT_EQ(AllRunPages(store(), succeeded_in_e1), expect([](const storage::Run& run) {
              return run.environment_id.value() == "e-1" && run.state == RunState::kSucceeded;
            }));
  RunQuery failed = RunPage(50);
  failed.state = RunState::kFailed;
  EXPECT_TRUE(store().ListRuns(failed)->empty());
  // Limited to some environments (a scoped token): pages stay full and in order.
  RunQuery scoped = RunPage(2);
  scoped.environments = {EnvironmentId("e-3"), EnvironmentId("e-1")};
  EXPECT_EQ(AllRunPages(store(), scoped),
            expect([](const storage::Run& run) { return run.environment_id.value() != "e-2"; }));
  scoped.environment = EnvironmentId("e-2");  // both filters hold: nothing
  EXPECT_TRUE(store().ListRuns(scoped)->empty());

  for (const storage::Run& run : made) {
    auto stored = store().GetRun(run.id);
    ASSERT_TRUE(stored) << stored.error().ToString();
    ExpectSameRun(*stored, run);
  }
}

TEST_P(StoreContractTest, RefusesListLimitsOutsideOneToFiveHundredAndOneUnknownCursorsAndPhases) {
  ASSERT_NO_FATAL_FAILURE(CreateDeploymentPrerequisites(store()));
  ASSERT_TRUE(store().RecordDeploymentChange(
      WithRun(CreateChange(MakeDeployment("d-1", "app"), "i-1"), "r-1", "create")));
  for (const std::size_t limit : {std::size_t{0}, std::size_t{502}}) {
    auto deployments = store().ListDeployments(DeploymentPage(limit));
    ASSERT_FALSE(deployments);
    EXPECT_EQ(deployments.error().code(), ErrorCode::kInvalidArgument);
    EXPECT_THAT(deployments.error().message(),
                HasSubstr("limit " + std::to_string(limit) + " is outside 1..501"));
    auto runs = store().ListRuns(RunPage(limit));
    ASSERT_FALSE(runs);
    EXPECT_EQ(runs.error().code(), ErrorCode::kInvalidArgument);
    EXPECT_THAT(runs.error().message(),
                HasSubstr("limit " + std::to_string(limit) + " is outside 1..501"));
  }
  for (const std::size_t limit : {std::size_t{1}, std::size_t{501}}) {
    EXPECT_EQ(store().ListDeployments(DeploymentPage(limit))->size(), 1u);
    EXPECT_EQ(store().ListRuns(RunPage(limit))->size(), 1u);
  }

  // Past the last deployment is an empty page; past an unknown one, an error.
  auto past_last = store().ListDeployments(DeploymentPage(50, "d-1"));
  ASSERT_TRUE(past_last) << past_last.error().ToString();
  EXPECT_TRUE(past_last->empty());
  auto after = store().ListDeployments(DeploymentPage(50, "d-x"));
  ASSERT_FALSE(after);
  EXPECT_EQ(after.error().code(), ErrorCode::kInvalidArgument);
  EXPECT_THAT(after.error().message(), HasSubstr("\"d-x\""));
  auto before = store().ListRuns(RunPage(50, "r-x"));
  ASSERT_FALSE(before);
  EXPECT_EQ(before.error().code(), ErrorCode::kInvalidArgument);
  EXPECT_THAT(before.error().message(), HasSubstr("\"r-x\""));
  DeploymentQuery paused = DeploymentPage(50);
  paused.phase = "paused";
  auto phase = store().ListDeployments(paused);
  ASSERT_FALSE(phase);
  EXPECT_EQ(phase.error().code(), ErrorCode::kInvalidArgument);
  EXPECT_THAT(phase.error().message(), HasSubstr("\"paused\""));
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

// Several requests changing one deployment at once, each with a run: one is recorded, and every
// other is refused naming the winner's run, as if it had come second.
TEST_P(StoreContractTest, LetsOneOfFourThreadsChangingOneDeploymentWithARunWin) {
  ASSERT_NO_FATAL_FAILURE(CreateDeploymentPrerequisites(store()));
  constexpr std::size_t kThreads = 4;
  constexpr int kRounds = 10;
  for (int round = 0; round < kRounds; ++round) {
    const std::string r = std::to_string(round);
    const Deployment created = MakeDeployment("d-" + r, "app-" + r);
    ASSERT_TRUE(store().RecordDeploymentChange(CreateChange(created, "i-" + r)));
    std::latch start(kThreads);
    std::vector<Status> recorded(kThreads, NotFound("the thread did not run"));
    std::vector<std::thread> threads;
    threads.reserve(kThreads);
    for (std::size_t t = 0; t < kThreads; ++t) {
      threads.emplace_back([&, t] {
        const std::string suffix = r + "-" + std::to_string(t);
        Deployment changed = created;
        changed.application_version = "1.7." + std::to_string(t);
        const DeploymentChange change =
            WithRun(UpdateChange(changed, "i-" + suffix), "r-" + suffix, "upgrade");
        start.arrive_and_wait();
        recorded[t] = store().RecordDeploymentChange(change);
      });
    }
    for (std::thread& thread : threads) thread.join();

    auto runs = store().ListRuns([&] {
      RunQuery query = RunPage(50);
      query.deployment = created.id;
      return query;
    }());
    ASSERT_TRUE(runs) << runs.error().ToString();
    ASSERT_EQ(runs->size(), 1u) << "round " << round;
    const storage::Run& winner = runs->front();
    int succeeded = 0;
    for (std::size_t t = 0; t < kThreads; ++t) {
      const Status& result = recorded[t];
      if (result) {
        ++succeeded;
        EXPECT_EQ(winner.id, RunId("r-" + r + "-" + std::to_string(t)));
        continue;
      }
      EXPECT_EQ(result.error().code(), ErrorCode::kFailedPrecondition) << result.error().ToString();
      EXPECT_THAT(result.error().message(),
                  HasSubstr("run " + winner.id.value() +
                            " (upgrade) is pending for deployment \"app-" + r + "\""));
    }
    EXPECT_EQ(succeeded, 1) << "round " << round;
    EXPECT_EQ(store().ListInstances(created.id)->size(), 2u) << "round " << round;
    auto stored = store().GetDeployment(created.id);
    ASSERT_TRUE(stored) << stored.error().ToString();
    auto instance = store().GetInstance(winner.instance_id);
    ASSERT_TRUE(instance) << instance.error().ToString();
    EXPECT_EQ(stored->application_version, instance->application_version) << "round " << round;
  }
}

TEST_P(StoreContractTest, LetsOneOfFourThreadsCreatingOneDeploymentNameWin) {
  ASSERT_NO_FATAL_FAILURE(CreateDeploymentPrerequisites(store()));
  constexpr std::size_t kThreads = 4;
  constexpr int kRounds = 10;
  for (int round = 0; round < kRounds; ++round) {
    const std::string name = "app-" + std::to_string(round);
    std::latch start(kThreads);
    std::vector<Status> recorded(kThreads, NotFound("the thread did not run"));
    std::vector<std::thread> threads;
    threads.reserve(kThreads);
    for (std::size_t t = 0; t < kThreads; ++t) {
      threads.emplace_back([&, t] {
        const std::string suffix = std::to_string(round) + "-" + std::to_string(t);
        const DeploymentChange change =
            WithRun(CreateChange(MakeDeployment("d-" + suffix, name), "i-" + suffix), "r-" + suffix,
                    "create");
        start.arrive_and_wait();
        recorded[t] = store().RecordDeploymentChange(change);
      });
    }
    for (std::thread& thread : threads) thread.join();

    int succeeded = 0;
    for (const Status& result : recorded) {
      if (result) {
        ++succeeded;
        continue;
      }
      EXPECT_EQ(result.error().code(), ErrorCode::kAlreadyExists) << result.error().ToString();
      EXPECT_THAT(result.error().message(),
                  HasSubstr("a deployment named \"" + name + "\" already exists"));
    }
    EXPECT_EQ(succeeded, 1) << "round " << round;
  }
  EXPECT_EQ(store().ListDeployments(DeploymentPage(500))->size(),
            static_cast<std::size_t>(kRounds));
  EXPECT_EQ(store().ListRuns(RunPage(500))->size(), static_cast<std::size_t>(kRounds));
}

// Claims, leases and what agents report on runs.

// Deployment `id` in `environment` with a pending create run `run_id`, recorded at `at`.
void RecordPendingRun(Store& store, const std::string& id, const std::string& environment,
                      const std::string& run_id, Timestamp at) {
  Deployment deployment = MakeDeployment(id, "app-" + id, environment);
  deployment.updated_at = at;
  auto recorded =
      store.RecordDeploymentChange(WithRun(CreateChange(deployment, "i-" + id), run_id, "create"));
  ASSERT_TRUE(recorded) << recorded.error().ToString();
}

const Timestamp kClaimed = kTuesday + 1h;

// A claim of cluster c-1 at `now` for `lease_id`, with a 30 s lease; the run claimed, or none.
std::optional<storage::Run> Claim(Store& store, const std::string& lease_id,
                                  Timestamp now = kClaimed, const std::string& cluster = "c-1") {
  auto claimed = store.ClaimRun(ClusterId(cluster), lease_id, now, 30s);
  EXPECT_TRUE(claimed) << claimed.error().ToString();
  if (!claimed || !*claimed) return std::nullopt;
  EXPECT_EQ((*claimed)->lease_id, lease_id);
  return (*claimed)->run;
}

LeaseRef Lease(const std::string& run, const std::string& lease_id) {
  return LeaseRef{RunId(run), lease_id};
}

void ExpectRefused(const Status& status, ErrorCode code, const std::string& message) {
  ASSERT_FALSE(status) << "expected: " << message;
  EXPECT_EQ(status.error().code(), code) << status.error().ToString();
  EXPECT_THAT(status.error().message(), HasSubstr(message));
}

template <typename T>
Status AsStatus(const Result<T>& result) {
  if (!result) return tl::unexpected(result.error());
  return OkStatus();
}

TEST_P(StoreContractTest, ClaimsTheOldestPendingRunOfTheClusterAndNoneWhenNoneWaits) {
  ASSERT_NO_FATAL_FAILURE(CreateDeploymentPrerequisites(store()));
  ASSERT_NO_FATAL_FAILURE(RecordPendingRun(store(), "d-2", "e-2", "r-2", kMonday + 2ms));
  ASSERT_NO_FATAL_FAILURE(RecordPendingRun(store(), "d-1", "e-1", "r-1", kMonday + 1ms));
  ASSERT_NO_FATAL_FAILURE(RecordPendingRun(store(), "d-3", "e-3", "r-3", kMonday));

  EXPECT_EQ(store().CountClaimableRuns(ClusterId("c-1"), kClaimed), 2);
  EXPECT_EQ(store().CountClaimableRuns(ClusterId("c-2"), kClaimed), 1);
  const std::optional<storage::Run> first = Claim(store(), "lease-a");
  ASSERT_TRUE(first);
  EXPECT_EQ(first->id, RunId("r-1"));
  EXPECT_EQ(store().CountClaimableRuns(ClusterId("c-1"), kClaimed), 1);
  EXPECT_EQ(store().CountClaimableRuns(ClusterId("c-1"), kClaimed + 31s), 2)
      << "r-1's lease has expired by then";
  EXPECT_EQ(first->state, RunState::kRunning);
  EXPECT_TRUE(first->started_at == kClaimed);
  EXPECT_EQ(first->attempts, 1);
  EXPECT_TRUE(first->lease_expires_at == kClaimed + 30s);
  auto stored = store().GetRun(RunId("r-1"));
  ASSERT_TRUE(stored) << stored.error().ToString();
  ExpectSameRun(*stored, *first);
  EXPECT_EQ(stored->attempts, 1);
  EXPECT_TRUE(stored->lease_expires_at == kClaimed + 30s);

  const std::optional<storage::Run> second = Claim(store(), "lease-b");
  ASSERT_TRUE(second);
  EXPECT_EQ(second->id, RunId("r-2"));
  EXPECT_FALSE(Claim(store(), "lease-c")) << "c-1 has no run left; r-3 is c-2's";
  const std::optional<storage::Run> other = Claim(store(), "lease-d", kClaimed, "c-2");
  ASSERT_TRUE(other);
  EXPECT_EQ(other->id, RunId("r-3"));
  EXPECT_FALSE(Claim(store(), "lease-e", kClaimed, "c-unknown"));
}

TEST_P(StoreContractTest, RecordsStepsLogAndProgressUnderTheLeaseThenFinishesTheRun) {
  ASSERT_NO_FATAL_FAILURE(CreateDeploymentPrerequisites(store()));
  ASSERT_NO_FATAL_FAILURE(RecordPendingRun(store(), "d-1", "e-1", "r-1", kMonday));
  ASSERT_TRUE(Claim(store(), "lease-a"));
  const LeaseRef lease = Lease("r-1", "lease-a");

  auto pre = store().StartStep(lease, "pre: migrate", kClaimed + 1s);
  ASSERT_TRUE(pre) << pre.error().ToString();
  EXPECT_EQ(pre->position, 0);
  EXPECT_EQ(pre->state, StepState::kRunning);
  ExpectRefused(AsStatus(store().StartStep(lease, "core", kClaimed + 2s)),
                ErrorCode::kFailedPrecondition,
                "step 0 (\"pre: migrate\") of run r-1 (create) is still running");
  auto finished = store().FinishStep(lease, 0, StepState::kSucceeded, "ignored", kClaimed + 3s);
  ASSERT_TRUE(finished) << finished.error().ToString();
  EXPECT_EQ(finished->state, StepState::kSucceeded);
  EXPECT_EQ(finished->error, "");
  EXPECT_TRUE(finished->finished_at == kClaimed + 3s);
  ExpectRefused(AsStatus(store().FinishStep(lease, 0, StepState::kFailed, "late", kClaimed + 4s)),
                ErrorCode::kFailedPrecondition, "has finished already (succeeded)");
  auto core = store().StartStep(lease, "core", kClaimed + 5s);
  ASSERT_TRUE(core) << core.error().ToString();
  EXPECT_EQ(core->position, 1);

  std::vector<RunLogLine> lines(3);
  for (std::size_t i = 0; i < lines.size(); ++i) {
    lines[i].at = kClaimed + std::chrono::milliseconds(6000 + i);
    lines[i].level = i == 2 ? "error" : "info";
    lines[i].text = "line " + std::to_string(i) + " 'quoted' ünïcödé";
    lines[i].sequence = 99;  // ignored
  }
  lines[1].step = 1;
  auto appended = store().AppendLog(lease, lines);
  ASSERT_TRUE(appended) << appended.error().ToString();
  EXPECT_EQ(*appended, 3);
  appended = store().AppendLog(lease, {lines[0], lines[1]});
  ASSERT_TRUE(appended) << appended.error().ToString();
  EXPECT_EQ(*appended, 5);
  auto page = store().ListLog(RunId("r-1"), 0, 2);
  ASSERT_TRUE(page) << page.error().ToString();
  ASSERT_EQ(page->size(), 2u);
  EXPECT_EQ(page->at(0).sequence, 1);
  EXPECT_EQ(page->at(0).text, lines[0].text);
  EXPECT_FALSE(page->at(0).step);
  EXPECT_EQ(page->at(1).step, 1);
  EXPECT_TRUE(page->at(1).at == lines[1].at);
  page = store().ListLog(RunId("r-1"), 2, 10);
  ASSERT_TRUE(page) << page.error().ToString();
  ASSERT_EQ(page->size(), 3u);
  EXPECT_EQ(page->at(0).sequence, 3);
  EXPECT_EQ(page->at(0).level, "error");
  EXPECT_EQ(page->back().sequence, 5);

  auto progressed = store().ReportProgress(lease, 0.5);
  ASSERT_TRUE(progressed) << progressed.error().ToString();
  EXPECT_EQ(progressed->progress, 0.5);
  auto renewed = store().RenewLease(lease, kClaimed + 20s, 30s);
  ASSERT_TRUE(renewed) << renewed.error().ToString();
  EXPECT_TRUE(renewed->lease_expires_at == kClaimed + 50s);

  ExpectRefused(AsStatus(store().FinishRun(lease, RunState::kSucceeded, "", kClaimed + 30s)),
                ErrorCode::kFailedPrecondition, "step 1 (\"core\") of run r-1 (create) is still");
  ASSERT_TRUE(store().FinishStep(lease, 1, StepState::kSucceeded, "", kClaimed + 31s));
  auto done = store().FinishRun(lease, RunState::kSucceeded, "", kClaimed + 32s);
  ASSERT_TRUE(done) << done.error().ToString();
  EXPECT_EQ(done->state, RunState::kSucceeded);
  EXPECT_EQ(done->progress, 1.0);
  EXPECT_TRUE(done->finished_at == kClaimed + 32s);
  EXPECT_FALSE(done->lease_expires_at);
  auto deployment = store().GetDeployment(DeploymentId("d-1"));
  ASSERT_TRUE(deployment) << deployment.error().ToString();
  EXPECT_EQ(deployment->active_instance_id, InstanceId("i-d-1"));

  auto steps = store().ListSteps(RunId("r-1"));
  ASSERT_TRUE(steps) << steps.error().ToString();
  ASSERT_EQ(steps->size(), 2u);
  EXPECT_EQ(steps->at(0).name, "pre: migrate");
  EXPECT_EQ(steps->at(1).name, "core");
  EXPECT_EQ(steps->at(1).state, StepState::kSucceeded);
  ExpectRefused(AsStatus(store().ReportProgress(lease, 0.1)), ErrorCode::kFailedPrecondition,
                "run r-1 (create) is succeeded; no lease on it is held any more");
  ExpectRefused(AsStatus(store().AppendLog(lease, {lines[0]})), ErrorCode::kFailedPrecondition,
                "is succeeded");
}

TEST_P(StoreContractTest, ResumesARunWhoseLeaseExpiredAndRefusesTheLostLease) {
  ASSERT_NO_FATAL_FAILURE(CreateDeploymentPrerequisites(store()));
  ASSERT_NO_FATAL_FAILURE(RecordPendingRun(store(), "d-1", "e-1", "r-1", kMonday));
  ASSERT_TRUE(Claim(store(), "lease-a"));
  const LeaseRef lost = Lease("r-1", "lease-a");
  ASSERT_TRUE(store().StartStep(lost, "pre", kClaimed + 1s));
  ASSERT_TRUE(store().FinishStep(lost, 0, StepState::kSucceeded, "", kClaimed + 2s));
  ASSERT_TRUE(store().StartStep(lost, "core", kClaimed + 3s));

  EXPECT_FALSE(Claim(store(), "lease-b", kClaimed + 29s)) << "the lease still holds";
  const std::optional<storage::Run> resumed = Claim(store(), "lease-b", kClaimed + 31s);
  ASSERT_TRUE(resumed);
  EXPECT_EQ(resumed->id, RunId("r-1"));
  EXPECT_EQ(resumed->attempts, 2);
  EXPECT_TRUE(resumed->started_at == kClaimed) << "the first claim started it";
  EXPECT_TRUE(resumed->lease_expires_at == kClaimed + 61s);

  auto steps = store().ListSteps(RunId("r-1"));
  ASSERT_TRUE(steps) << steps.error().ToString();
  ASSERT_EQ(steps->size(), 2u);
  EXPECT_EQ(steps->at(0).state, StepState::kSucceeded);
  EXPECT_EQ(steps->at(1).state, StepState::kFailed);
  EXPECT_THAT(steps->at(1).error, HasSubstr("lease expired"));
  EXPECT_TRUE(steps->at(1).finished_at == kClaimed + 31s);

  const std::string stale = "lease \"lease-a\" on run r-1 (create) is no longer held";
  ExpectRefused(AsStatus(store().ReportProgress(lost, 0.9)), ErrorCode::kFailedPrecondition, stale);
  ExpectRefused(AsStatus(store().RenewLease(lost, kClaimed + 32s, 30s)),
                ErrorCode::kFailedPrecondition, stale);
  ExpectRefused(AsStatus(store().StartStep(lost, "core", kClaimed + 32s)),
                ErrorCode::kFailedPrecondition, stale);
  ExpectRefused(AsStatus(store().FinishRun(lost, RunState::kFailed, "x", kClaimed + 32s)),
                ErrorCode::kFailedPrecondition, stale);
  auto run = store().GetRun(RunId("r-1"));
  ASSERT_TRUE(run) << run.error().ToString();
  EXPECT_EQ(run->progress, 0.0);
  EXPECT_EQ(run->state, RunState::kRunning);

  const LeaseRef held = Lease("r-1", "lease-b");
  auto again = store().StartStep(held, "core", kClaimed + 33s);
  ASSERT_TRUE(again) << again.error().ToString();
  EXPECT_EQ(again->position, 2);
  ASSERT_TRUE(store().FinishStep(held, 2, StepState::kFailed, "helm said no", kClaimed + 34s));
  auto failed =
      store().FinishRun(held, RunState::kFailed, "core failed: helm said no", kClaimed + 35s);
  ASSERT_TRUE(failed) << failed.error().ToString();
  EXPECT_EQ(failed->state, RunState::kFailed);
  EXPECT_EQ(failed->error, "core failed: helm said no");
  auto deployment = store().GetDeployment(DeploymentId("d-1"));
  ASSERT_TRUE(deployment) << deployment.error().ToString();
  EXPECT_FALSE(deployment->active_instance_id) << "a failed run activates nothing";
  EXPECT_FALSE(Claim(store(), "lease-c", kClaimed + 1h)) << "a finished run is not claimed";
}

TEST_P(StoreContractTest, RefusesBadReportsClearlyAndChangesNothing) {
  ASSERT_NO_FATAL_FAILURE(CreateDeploymentPrerequisites(store()));
  ASSERT_NO_FATAL_FAILURE(RecordPendingRun(store(), "d-1", "e-1", "r-1", kMonday));
  ASSERT_NO_FATAL_FAILURE(RecordPendingRun(store(), "d-2", "e-1", "r-2", kMonday + 1ms));
  const LeaseRef lease = Lease("r-1", "lease-a");
  ExpectRefused(AsStatus(store().ReportProgress(lease, 0.5)), ErrorCode::kFailedPrecondition,
                "run r-1 (create) is pending; no lease on it is held");
  ASSERT_TRUE(Claim(store(), "lease-a"));
  ASSERT_TRUE(store().StartStep(lease, "core", kClaimed));
  RunLogLine line;
  line.at = kClaimed;
  line.level = "info";
  line.text = "ok";

  ExpectRefused(AsStatus(store().ClaimRun(ClusterId("c-1"), "", kClaimed, 30s)),
                ErrorCode::kInvalidArgument, "lease id must not be empty");
  ExpectRefused(AsStatus(store().ClaimRun(ClusterId("c-1"), "lease-x", kClaimed, 0s)),
                ErrorCode::kInvalidArgument, "longer than 0 ms");
  ExpectRefused(AsStatus(store().ReportProgress(Lease("r-404", "lease-a"), 0.5)),
                ErrorCode::kNotFound, "run \"r-404\" not found");
  ExpectRefused(AsStatus(store().ReportProgress(Lease("r-2", "lease-a"), 0.5)),
                ErrorCode::kFailedPrecondition, "run r-2 (create) is pending");
  ExpectRefused(AsStatus(store().ReportProgress(lease, 1.5)), ErrorCode::kInvalidArgument,
                "between 0 and 1");
  ExpectRefused(AsStatus(store().ReportProgress(lease, std::nan(""))), ErrorCode::kInvalidArgument,
                "between 0 and 1");
  ExpectRefused(AsStatus(store().StartStep(lease, "", kClaimed)), ErrorCode::kInvalidArgument,
                "step name must not be empty");
  ExpectRefused(AsStatus(store().StartStep(lease, std::string(201, 's'), kClaimed)),
                ErrorCode::kInvalidArgument, "at most 200 bytes");
  ExpectRefused(AsStatus(store().FinishStep(lease, 0, StepState::kRunning, "", kClaimed)),
                ErrorCode::kInvalidArgument, "not running");
  ExpectRefused(AsStatus(store().FinishStep(lease, 0, StepState::kFailed, "", kClaimed)),
                ErrorCode::kInvalidArgument, "a failed step needs an error");
  ExpectRefused(AsStatus(store().FinishStep(lease, 7, StepState::kSucceeded, "", kClaimed)),
                ErrorCode::kNotFound, "run r-1 (create) has no step 7");
  ExpectRefused(AsStatus(store().FinishRun(lease, RunState::kPending, "", kClaimed)),
                ErrorCode::kInvalidArgument, "not pending");
  ExpectRefused(AsStatus(store().FinishRun(lease, RunState::kFailed, "", kClaimed)),
                ErrorCode::kInvalidArgument, "a failed run needs an error");
  ExpectRefused(AsStatus(store().AppendLog(lease, {})), ErrorCode::kInvalidArgument,
                "no log lines");
  RunLogLine bad = line;
  bad.level = "trace";
  ExpectRefused(AsStatus(store().AppendLog(lease, {line, bad})), ErrorCode::kInvalidArgument,
                "log line 1: unknown level \"trace\"");
  bad = line;
  bad.text = std::string(kMaxLogLineBytes + 1, 'x');
  ExpectRefused(AsStatus(store().AppendLog(lease, {bad})), ErrorCode::kInvalidArgument,
                "at most 16384 are accepted");
  ExpectRefused(AsStatus(store().AppendLog(lease, std::vector<RunLogLine>(1001, line))),
                ErrorCode::kInvalidArgument, "1001 log lines in one append; at most 1000");
  bad = line;
  bad.step = 1;
  ExpectRefused(AsStatus(store().AppendLog(lease, {line, bad})), ErrorCode::kInvalidArgument,
                "log line 1 names step 1, which run r-1 (create) has not started");
  ExpectRefused(AsStatus(store().ListLog(RunId("r-1"), 0, 0)), ErrorCode::kInvalidArgument,
                "limit 0 is outside 1..501");
  ExpectRefused(AsStatus(store().ListLog(RunId("r-404"), 0, 10)), ErrorCode::kNotFound,
                "run \"r-404\" not found");
  ExpectRefused(AsStatus(store().ListSteps(RunId("r-404"))), ErrorCode::kNotFound,
                "run \"r-404\" not found");

  auto log = store().ListLog(RunId("r-1"), 0, 500);
  ASSERT_TRUE(log) << log.error().ToString();
  EXPECT_TRUE(log->empty()) << "no refused append wrote a line";
  auto steps = store().ListSteps(RunId("r-1"));
  ASSERT_TRUE(steps) << steps.error().ToString();
  ASSERT_EQ(steps->size(), 1u);
  EXPECT_EQ(steps->front().state, StepState::kRunning);
  auto run = store().GetRun(RunId("r-1"));
  ASSERT_TRUE(run) << run.error().ToString();
  EXPECT_EQ(run->state, RunState::kRunning);
  EXPECT_EQ(run->progress, 0.0);
}

TEST_P(StoreContractTest, LetsTheAgentCancelItsRunSoThatTheNextChangeIsAccepted) {
  ASSERT_NO_FATAL_FAILURE(CreateDeploymentPrerequisites(store()));
  const Deployment created = MakeDeployment("d-1", "app");
  ASSERT_TRUE(
      store().RecordDeploymentChange(WithRun(CreateChange(created, "i-1"), "r-1", "create")));
  ASSERT_TRUE(Claim(store(), "lease-a"));
  auto cancelled = store().FinishRun(Lease("r-1", "lease-a"), RunState::kCancelled, "", kClaimed);
  ASSERT_TRUE(cancelled) << cancelled.error().ToString();
  EXPECT_EQ(cancelled->state, RunState::kCancelled);
  EXPECT_EQ(cancelled->progress, 0.0);
  auto next =
      store().RecordDeploymentChange(WithRun(UpdateChange(created, "i-2"), "r-2", "update"));
  EXPECT_TRUE(next) << next.error().ToString();
}

TEST_P(StoreContractTest, GivesEachWaitingRunToExactlyOneOfFourClaimingThreads) {
  ASSERT_NO_FATAL_FAILURE(CreateDeploymentPrerequisites(store()));
  constexpr int kRuns = 24;
  for (int i = 0; i < kRuns; ++i) {
    const std::string n = std::to_string(i);
    ASSERT_NO_FATAL_FAILURE(RecordPendingRun(store(), "d-" + n, "e-1", "r-" + n,
                                             kMonday + std::chrono::milliseconds(i)));
  }
  constexpr std::size_t kThreads = 4;
  std::latch start(kThreads);
  std::vector<std::vector<std::string>> claimed(kThreads);
  std::vector<std::string> errors(kThreads);
  std::vector<std::thread> threads;
  threads.reserve(kThreads);
  for (std::size_t t = 0; t < kThreads; ++t) {
    threads.emplace_back([&, t] {
      start.arrive_and_wait();
      for (int tries = 0; tries < 2 * kRuns; ++tries) {
        auto run = store().ClaimRun(ClusterId("c-1"), "lease-" + std::to_string(t), kClaimed, 30s);
        if (!run) {
          errors[t] = run.error().ToString();
          return;
        }
        if (!*run) return;
        claimed[t].push_back((*run)->run.id.value());
      }
    });
  }
  for (std::thread& thread : threads) thread.join();
  std::multiset<std::string> all;
  for (std::size_t t = 0; t < kThreads; ++t) {
    EXPECT_EQ(errors[t], "") << "thread " << t;
    all.insert(claimed[t].begin(), claimed[t].end());
  }
  EXPECT_EQ(all.size(), static_cast<std::size_t>(kRuns));
  for (int i = 0; i < kRuns; ++i) {
    EXPECT_EQ(all.count("r-" + std::to_string(i)), 1u) << "run r-" << i;
  }
}

// Observed status.

DeploymentStatus MakeStatus(const std::string& deployment, const std::string& phase,
                            Timestamp at = kClaimed) {
  DeploymentStatus status;
  status.deployment_id = DeploymentId(deployment);
  status.phase = phase;
  status.health = "degraded";
  status.message = "1 of 2 'server' pods ready: ünïcödé";
  status.components = {{"server", 1, 2, "degraded"}, {"worker", 0, 0, "unknown"}};
  status.reported_at = at;
  return status;
}

PodStatus MakePod(const std::string& name, const std::string& phase) {
  PodStatus pod;
  pod.name = name;
  pod.component = "server";
  pod.phase = phase;
  pod.ready = phase == "running";
  pod.restarts = 3;
  pod.conditions = {{"Ready", "False", "ContainersNotReady", "containers with unready status"},
                    {"PodScheduled", "True", "", ""}};
  pod.reported_at = kClaimed;
  return pod;
}

std::map<std::string, DeploymentStatus> StatusesOf(Store& store,
                                                   const std::vector<std::string>& ids) {
  std::vector<DeploymentId> wanted;
  wanted.reserve(ids.size());
  for (const std::string& id : ids) wanted.emplace_back(id);
  auto found = store.FindDeploymentStatuses(wanted);
  EXPECT_TRUE(found) << found.error().ToString();
  std::map<std::string, DeploymentStatus> out;
  if (found) {
    for (DeploymentStatus& status : *found) out.emplace(status.deployment_id.value(), status);
  }
  return out;
}

TEST_P(StoreContractTest, StoresAndReplacesObservedStatusesApartFromTheDeclaredState) {
  ASSERT_NO_FATAL_FAILURE(CreateDeploymentPrerequisites(store()));
  ASSERT_NO_FATAL_FAILURE(RecordPendingRun(store(), "d-1", "e-1", "r-1", kMonday));
  ASSERT_NO_FATAL_FAILURE(RecordPendingRun(store(), "d-2", "e-2", "r-2", kMonday));
  DeploymentStatus first = MakeStatus("d-1", "progressing");
  first.observed_instance_id = InstanceId("i-d-1");
  DeploymentStatus second = MakeStatus("d-2", "failed");
  second.components.clear();
  ASSERT_TRUE(store().ReportDeploymentStatuses(ClusterId("c-1"), {first, second}));

  auto statuses = StatusesOf(store(), {"d-1", "d-2", "d-unknown"});
  ASSERT_EQ(statuses.size(), 2u);
  const DeploymentStatus& read = statuses.at("d-1");
  EXPECT_EQ(read.phase, "progressing");
  EXPECT_EQ(read.health, "degraded");
  EXPECT_EQ(read.observed_instance_id, InstanceId("i-d-1"));
  EXPECT_EQ(read.message, first.message);
  ASSERT_EQ(read.components.size(), 2u);
  EXPECT_EQ(read.components[0].name, "server");
  EXPECT_EQ(read.components[0].ready_replicas, 1);
  EXPECT_EQ(read.components[0].desired_replicas, 2);
  EXPECT_EQ(read.components[1].health, "unknown");
  EXPECT_TRUE(read.reported_at == kClaimed);
  EXPECT_TRUE(statuses.at("d-2").components.empty());
  EXPECT_FALSE(statuses.at("d-2").observed_instance_id);

  DeploymentStatus later = MakeStatus("d-1", "running", kClaimed + 1min);
  later.health = "healthy";
  later.components = {{"server", 2, 2, "healthy"}};
  ASSERT_TRUE(store().ReportDeploymentStatuses(ClusterId("c-1"), {later}));
  statuses = StatusesOf(store(), {"d-1"});
  ASSERT_EQ(statuses.size(), 1u);
  EXPECT_EQ(statuses.at("d-1").phase, "running");
  EXPECT_FALSE(statuses.at("d-1").observed_instance_id) << "the later report knows none";
  ASSERT_EQ(statuses.at("d-1").components.size(), 1u);
  EXPECT_TRUE(statuses.at("d-1").reported_at == kClaimed + 1min);
  auto deployment = store().GetDeployment(DeploymentId("d-1"));
  ASSERT_TRUE(deployment) << deployment.error().ToString();
  EXPECT_EQ(deployment->phase, "running");
  EXPECT_FALSE(deployment->active_instance_id) << "observing is not declaring";
  ASSERT_TRUE(store().ReportDeploymentStatuses(ClusterId("c-1"), {}));
}

TEST_P(StoreContractTest, ReplacesTheReportedPodsOfADeploymentAsASet) {
  ASSERT_NO_FATAL_FAILURE(CreateDeploymentPrerequisites(store()));
  ASSERT_NO_FATAL_FAILURE(RecordPendingRun(store(), "d-1", "e-1", "r-1", kMonday));
  ASSERT_NO_FATAL_FAILURE(RecordPendingRun(store(), "d-2", "e-1", "r-2", kMonday));
  ASSERT_TRUE(
      store().ReportPodStatuses(ClusterId("c-1"), DeploymentId("d-1"),
                                {MakePod("server-b", "running"), MakePod("server-a", "pending"),
                                 MakePod("worker-0", "failed")}));
  ASSERT_TRUE(store().ReportPodStatuses(ClusterId("c-1"), DeploymentId("d-2"),
                                        {MakePod("other", "running")}));
  auto pods = store().ListPodStatuses(DeploymentId("d-1"));
  ASSERT_TRUE(pods) << pods.error().ToString();
  ASSERT_EQ(pods->size(), 3u);
  EXPECT_EQ(pods->at(0).name, "server-a");
  EXPECT_EQ(pods->at(0).deployment_id, DeploymentId("d-1"));
  EXPECT_EQ(pods->at(0).phase, "pending");
  EXPECT_FALSE(pods->at(0).ready);
  EXPECT_EQ(pods->at(1).name, "server-b");
  EXPECT_TRUE(pods->at(1).ready);
  EXPECT_EQ(pods->at(1).restarts, 3);
  ASSERT_EQ(pods->at(1).conditions.size(), 2u);
  EXPECT_EQ(pods->at(1).conditions[0].reason, "ContainersNotReady");
  EXPECT_EQ(pods->at(1).conditions[1].message, "");
  EXPECT_TRUE(pods->at(1).reported_at == kClaimed);

  ASSERT_TRUE(store().ReportPodStatuses(ClusterId("c-1"), DeploymentId("d-1"),
                                        {MakePod("server-c", "running")}));
  pods = store().ListPodStatuses(DeploymentId("d-1"));
  ASSERT_TRUE(pods) << pods.error().ToString();
  ASSERT_EQ(pods->size(), 1u);
  EXPECT_EQ(pods->front().name, "server-c");
  ASSERT_TRUE(store().ReportPodStatuses(ClusterId("c-1"), DeploymentId("d-1"), {}));
  EXPECT_TRUE(store().ListPodStatuses(DeploymentId("d-1"))->empty());
  EXPECT_EQ(store().ListPodStatuses(DeploymentId("d-2"))->size(), 1u) << "d-2's are its own";
  ExpectRefused(AsStatus(store().ListPodStatuses(DeploymentId("d-404"))), ErrorCode::kNotFound,
                "deployment \"d-404\" not found");
}

TEST_P(StoreContractTest, RefusesAStatusReportWholeForAnyBadStatusAndWritesNothing) {
  ASSERT_NO_FATAL_FAILURE(CreateDeploymentPrerequisites(store()));
  ASSERT_NO_FATAL_FAILURE(RecordPendingRun(store(), "d-1", "e-1", "r-1", kMonday));
  ASSERT_NO_FATAL_FAILURE(RecordPendingRun(store(), "d-2", "e-1", "r-2", kMonday));
  ASSERT_NO_FATAL_FAILURE(RecordPendingRun(store(), "d-3", "e-3", "r-3", kMonday));
  const DeploymentStatus kept = MakeStatus("d-1", "running");
  ASSERT_TRUE(store().ReportDeploymentStatuses(ClusterId("c-1"), {kept}));
  ASSERT_TRUE(store().ReportPodStatuses(ClusterId("c-1"), DeploymentId("d-1"),
                                        {MakePod("server-0", "running")}));
  const DeploymentStatus good = MakeStatus("d-2", "running");
  const auto with = [&](const std::function<void(DeploymentStatus&)>& change) {
    DeploymentStatus bad = MakeStatus("d-1", "stopped");
    change(bad);
    return std::vector<DeploymentStatus>{good, bad};
  };
  const ClusterId c1("c-1");
  ExpectRefused(store().ReportDeploymentStatuses(
                    c1, with([](DeploymentStatus& s) { s.deployment_id = DeploymentId("d-9"); })),
                ErrorCode::kInvalidArgument, "status 1: deployment \"d-9\" does not exist");
  ExpectRefused(store().ReportDeploymentStatuses(
                    c1, with([](DeploymentStatus& s) { s.deployment_id = DeploymentId("d-3"); })),
                ErrorCode::kPermissionDenied, "deployment \"d-3\" is in cluster c-2, not c-1");
  ExpectRefused(
      store().ReportDeploymentStatuses(
          c1, with([](DeploymentStatus& s) { s.observed_instance_id = InstanceId("i-d-2"); })),
      ErrorCode::kInvalidArgument, "instance \"i-d-2\" is not one of deployment \"d-1\"'s");
  ExpectRefused(
      store().ReportDeploymentStatuses(c1, with([](DeploymentStatus& s) { s.phase = "sleeping"; })),
      ErrorCode::kInvalidArgument, "unknown phase \"sleeping\"");
  ExpectRefused(store().ReportDeploymentStatuses(
                    c1, with([](DeploymentStatus& s) { s.components[0].health = "fine"; })),
                ErrorCode::kInvalidArgument, "component \"server\": unknown health \"fine\"");
  ExpectRefused(store().ReportDeploymentStatuses(
                    c1, with([](DeploymentStatus& s) { s.components[1].ready_replicas = -1; })),
                ErrorCode::kInvalidArgument, "replicas must not be negative");
  ExpectRefused(store().ReportDeploymentStatuses(
                    c1, with([](DeploymentStatus& s) { s.message = std::string(4097, 'm'); })),
                ErrorCode::kInvalidArgument, "at most 4096 are accepted");
  ExpectRefused(store().ReportDeploymentStatuses(
                    c1, with([](DeploymentStatus& s) { s.deployment_id = DeploymentId("d-2"); })),
                ErrorCode::kInvalidArgument, "the deployment is reported twice");
  ExpectRefused(store().ReportDeploymentStatuses(c1, std::vector<DeploymentStatus>(501, good)),
                ErrorCode::kInvalidArgument, "501 deployment statuses in one report");
  ExpectRefused(store().ReportPodStatuses(ClusterId("c-2"), DeploymentId("d-1"), {}),
                ErrorCode::kPermissionDenied, "is in cluster c-1, not c-2");
  ExpectRefused(store().ReportPodStatuses(c1, DeploymentId("d-1"),
                                          {MakePod("a", "running"), MakePod("a", "running")}),
                ErrorCode::kInvalidArgument, "pod \"a\" is reported twice");
  ExpectRefused(store().ReportPodStatuses(c1, DeploymentId("d-1"), {MakePod("a", "Running")}),
                ErrorCode::kInvalidArgument, "unknown phase \"Running\"");
  PodStatus restarts = MakePod("a", "running");
  restarts.restarts = -2;
  ExpectRefused(store().ReportPodStatuses(c1, DeploymentId("d-1"), {restarts}),
                ErrorCode::kInvalidArgument, "restarts must not be negative");
  ExpectRefused(store().ReportPodStatuses(c1, DeploymentId("d-9"), {}), ErrorCode::kInvalidArgument,
                "deployment \"d-9\" does not exist");

  const auto statuses = StatusesOf(store(), {"d-1", "d-2", "d-3"});
  ASSERT_EQ(statuses.size(), 1u) << "d-2's good status went with the refused report";
  EXPECT_EQ(statuses.at("d-1").phase, "running");
  auto pods = store().ListPodStatuses(DeploymentId("d-1"));
  ASSERT_TRUE(pods) << pods.error().ToString();
  ASSERT_EQ(pods->size(), 1u);
  EXPECT_EQ(pods->front().name, "server-0");
}

TEST_P(StoreContractTest, RetriesTheLatestFailedOrCancelledRunOfADeploymentOnce) {
  ASSERT_NO_FATAL_FAILURE(CreateDeploymentPrerequisites(store()));
  ASSERT_NO_FATAL_FAILURE(RecordPendingRun(store(), "d-1", "e-1", "r-1", kMonday));
  ExpectRefused(AsStatus(store().RetryRun(RunId("r-1"), RunId("r-2"), kClaimed)),
                ErrorCode::kFailedPrecondition,
                "run r-1 (create) is pending; only a failed or cancelled run can be retried");
  ASSERT_TRUE(Claim(store(), "lease-a"));
  ASSERT_TRUE(
      store().FinishRun(Lease("r-1", "lease-a"), RunState::kFailed, "helm said no", kClaimed + 1s));

  auto retried = store().RetryRun(RunId("r-1"), RunId("r-2"), kClaimed + 2s);
  ASSERT_TRUE(retried) << retried.error().ToString();
  EXPECT_EQ(retried->id, RunId("r-2"));
  EXPECT_EQ(retried->state, RunState::kPending);
  EXPECT_EQ(retried->kind, "create");
  EXPECT_EQ(retried->instance_id, InstanceId("i-d-1"));
  EXPECT_EQ(retried->cluster_id, ClusterId("c-1"));
  EXPECT_EQ(retried->reason, "retry of run r-1: the planner chose create");
  EXPECT_EQ(retried->attempts, 0);
  EXPECT_TRUE(retried->created_at == kClaimed + 2s);
  auto stored = store().GetRun(RunId("r-2"));
  ASSERT_TRUE(stored) << stored.error().ToString();
  ExpectSameRun(*stored, *retried);

  ExpectRefused(AsStatus(store().RetryRun(RunId("r-1"), RunId("r-3"), kClaimed + 3s)),
                ErrorCode::kFailedPrecondition,
                "run r-2 (create) is pending for the same deployment");
  ASSERT_TRUE(store().CancelRun(RunId("r-2"), kClaimed + 4s));
  ExpectRefused(AsStatus(store().RetryRun(RunId("r-1"), RunId("r-3"), kClaimed + 5s)),
                ErrorCode::kFailedPrecondition,
                "run r-1 (create) is not the latest run of its deployment (run r-2 (create) is)");
  ASSERT_TRUE(store().RetryRun(RunId("r-2"), RunId("r-3"), kClaimed + 6s)) << "cancelled";
  ExpectRefused(AsStatus(store().RetryRun(RunId("r-404"), RunId("r-5"), kClaimed)),
                ErrorCode::kNotFound, "run \"r-404\" not found");
  EXPECT_FALSE(store().GetRun(RunId("r-5")));
  EXPECT_EQ(store().ListRuns(RunPage(50))->size(), 3u);
}

}  // namespace
}  // namespace styrmin::storage
