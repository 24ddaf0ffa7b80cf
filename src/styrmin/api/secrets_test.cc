#include "styrmin/api/secrets.h"

#include <gtest/gtest.h>

#include "styrmin/core/testing/fake_clock.h"
#include "styrmin/storage/sqlite_store.h"

namespace styrmin::api {
namespace {

driver::DriverSpec SpecWithSecrets() {
  driver::DriverSpec spec;
  driver::Parameter password;
  password.name = "password";
  password.kind = driver::ParameterKind::kSecret;
  driver::Parameter license;
  license.name = "license";
  license.kind = driver::ParameterKind::kSecret;
  license.required = false;
  driver::Parameter replicas;
  replicas.name = "replicas";
  replicas.kind = driver::ParameterKind::kInteger;
  driver::Parameter title;
  title.name = "title";
  spec.parameters = {password, license, replicas, title};
  return spec;
}

TEST(SecretParameters, OnlySecretValuesAreSealedEachForItsDeploymentAndName) {
  const secrets::SecretBox box = secrets::SecretBox::Generate();
  const driver::DriverSpec spec = SpecWithSecrets();
  const Json plain = {
      {"password", "pw-1234"}, {"license", nullptr}, {"replicas", 2}, {"title", "pw-1234"}};
  const Json sealed = SealSecretParameters(plain, spec, DeploymentId("d-1"), box);
  EXPECT_TRUE(secrets::SecretBox::IsSealed(sealed["password"].get<std::string>()));
  EXPECT_TRUE(sealed["license"].is_null());  // an unset secret stays unset
  EXPECT_EQ(sealed["replicas"], 2);
  EXPECT_EQ(sealed["title"], "pw-1234");  // not a secret parameter
  EXPECT_EQ(OpenSecretParameters(sealed, spec, DeploymentId("d-1"), box).value(), plain);
  // Another deployment's sealed value does not open here.
  const auto moved = OpenSecretParameters(sealed, spec, DeploymentId("d-2"), box);
  ASSERT_FALSE(moved);
  EXPECT_EQ(moved.error().code(), ErrorCode::kFailedPrecondition);
  EXPECT_NE(moved.error().message().find("password"), std::string::npos);
  EXPECT_EQ(moved.error().message().find("pw-1234"), std::string::npos);
  // A value stored before sealing existed reads as it is.
  EXPECT_EQ(OpenSecretParameters(plain, spec, DeploymentId("d-1"), box).value(), plain);
  EXPECT_EQ(SecretValues(plain, spec),
            (std::map<std::string, std::string>{{"password", "pw-1234"}}));
  const auto versions = SecretVersions(plain, spec, DeploymentId("d-1"), box);
  ASSERT_EQ(versions.size(), 1U);
  EXPECT_EQ(versions.at("password"),
            box.Digest("pw-1234", ParameterPurpose(DeploymentId("d-1"), "password")));
}

TEST(SecretCredentials, AreSealedWholeUnlessEmpty) {
  const secrets::SecretBox box = secrets::SecretBox::Generate();
  const BackupStorageLocationId id("b-1");
  EXPECT_EQ(SealCredentials(Json::object(), id, box), Json::object());
  // The secret holds '.' and '!', which no base64 text does: "SK" turned up in the sealed
  // text by chance in about 5% of runs.
  const Json credentials = {{"access_key", "AK"}, {"secret_key", "s.k!"}};
  const Json sealed = SealCredentials(credentials, id, box);
  ASSERT_TRUE(sealed.is_string());
  EXPECT_EQ(DumpJson(sealed).find("s.k!"), std::string::npos);
  EXPECT_EQ(OpenCredentials(sealed, id, box).value(), credentials);
  EXPECT_EQ(OpenCredentials(sealed, BackupStorageLocationId("b-2"), box).error().code(),
            ErrorCode::kFailedPrecondition);
  EXPECT_EQ(OpenCredentials(Json::object(), id, box).value(), Json::object());
}

TEST(RedactSecrets, CutsEveryOccurrenceLongestFirstAndLeavesShortValues) {
  EXPECT_EQ(RedactSecrets("a hunter2 b hunter2", {"hunter2"}), "a [redacted] b [redacted]");
  // "hunter2-long" holds "hunter2": cut whole, not as "[redacted]-long".
  EXPECT_EQ(RedactSecrets("x hunter2-long y", {"hunter2", "hunter2-long"}), "x [redacted] y");
  EXPECT_EQ(RedactSecrets("abc abc", {"abc"}), "abc abc");  // under kMinRedactedSize
  EXPECT_EQ(RedactSecrets("nothing here", {}), "nothing here");
  // A secret that looks like the marker's own text does not loop.
  EXPECT_EQ(RedactSecrets("[redacted]", {"redacted"}), "[[redacted]]");
}

TEST(CheckSecretKey, TheFirstKeyIsRecordedAndAnotherIsRefused) {
  auto store = storage::SqliteStore::Open(":memory:");
  ASSERT_TRUE(store) << store.error().ToString();
  const testing::FakeClock clock;
  const secrets::SecretBox first = secrets::SecretBox::Generate();
  const secrets::SecretBox second = secrets::SecretBox::Generate();
  EXPECT_TRUE(CheckSecretKey(**store, first, clock));
  EXPECT_TRUE(CheckSecretKey(**store, first, clock));  // a restart with the same key
  const Status refused = CheckSecretKey(**store, second, clock);
  ASSERT_FALSE(refused);
  EXPECT_EQ(refused.error().code(), ErrorCode::kFailedPrecondition);
  EXPECT_NE(refused.error().message().find(first.fingerprint()), std::string::npos);
  EXPECT_NE(refused.error().message().find(second.fingerprint()), std::string::npos);
  EXPECT_TRUE(CheckSecretKey(**store, first, clock));  // the refusal changed nothing
}

}  // namespace
}  // namespace styrmin::api
