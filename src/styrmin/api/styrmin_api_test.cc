#include "styrmin/api/styrmin_api.h"

#include <gtest/gtest.h>

#include "styrmin/core/testing/fake_clock.h"
#include "styrmin/storage/sqlite_store.h"

namespace styrmin::api {
namespace {

namespace testing = ::styrmin::testing;

// schema.graphql is compiled in and only parsed at start: a mistake in it must fail here, not
// when the server starts.
TEST(BuildStyrminSchema, BuildsFromTheCompiledSchemaAndBindsEveryField) {
  auto store = storage::SqliteStore::Open(":memory:");
  ASSERT_TRUE(store) << store.error().ToString();
  const testing::FakeClock clock;
  ApiOptions options;
  options.secrets = std::make_shared<const secrets::SecretBox>(secrets::SecretBox::Generate());
  auto schema = BuildStyrminSchema(**store, clock, options);
  ASSERT_TRUE(schema) << schema.error().ToString();
}

TEST(BuildStyrminSchema, RefusesToBuildWithoutASecretBox) {
  auto store = storage::SqliteStore::Open(":memory:");
  ASSERT_TRUE(store) << store.error().ToString();
  const testing::FakeClock clock;
  auto schema = BuildStyrminSchema(**store, clock);
  ASSERT_FALSE(schema);
  EXPECT_EQ(schema.error().code(), ErrorCode::kInternal);
}

}  // namespace
}  // namespace styrmin::api
