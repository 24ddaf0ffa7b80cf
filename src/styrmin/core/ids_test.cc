#include "styrmin/core/ids.h"

#include <gtest/gtest.h>

#include <sstream>
#include <type_traits>
#include <unordered_set>

namespace styrmin {
namespace {

static_assert(!std::is_convertible_v<DeploymentId, EnvironmentId>,
              "ids of different kinds must not convert into each other");
static_assert(!std::is_convertible_v<std::string, DeploymentId>, "ids are constructed explicitly");

TEST(StrongId, ComparesHashesAndPrintsByValue) {
  DeploymentId a("d-1");
  DeploymentId b("d-1");
  DeploymentId c("d-2");
  EXPECT_EQ(a, b);
  EXPECT_NE(a, c);
  EXPECT_LT(a, c);
  std::unordered_set<DeploymentId> set{a, b, c};
  EXPECT_EQ(set.size(), 2u);
  std::ostringstream os;
  os << c;
  EXPECT_EQ(os.str(), "d-2");
  EXPECT_TRUE(DeploymentId().empty());
}

}  // namespace
}  // namespace styrmin
