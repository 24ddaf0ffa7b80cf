#include "styrmin/core/clock.h"

#include <gtest/gtest.h>

#include "styrmin/core/testing/fake_clock.h"

namespace styrmin {
namespace {

using namespace std::chrono_literals;

TEST(FakeClock, MovesOnlyWhenAdvanced) {
  testing::FakeClock clock;
  const auto wall = clock.Now();
  const auto steady = clock.SteadyNow();
  EXPECT_EQ(clock.Now(), wall);
  clock.Advance(90s);
  EXPECT_EQ(clock.Now() - wall, 90s);
  EXPECT_EQ(clock.SteadyNow() - steady, 90s);
}

TEST(Clock, FormatsRfc3339InUtcWithMilliseconds) {
  const auto t =
      std::chrono::sys_days{std::chrono::year{2026} / 11 / 23} + 21h + 56min + 1s + 123ms;
  EXPECT_EQ(FormatRfc3339(t), "2026-11-23T21:56:01.123Z");
  testing::FakeClock clock;
  EXPECT_EQ(FormatRfc3339(clock.Now()), "2026-01-01T00:00:00.000Z");
}

TEST(Clock, FormatsTimesBeforeTheEpoch) {
  const auto t =
      std::chrono::sys_days{std::chrono::year{1969} / 12 / 31} + 23h + 59min + 59s + 250ms;
  EXPECT_EQ(FormatRfc3339(t), "1969-12-31T23:59:59.250Z");
}

TEST(Clock, FormatsEveryFieldAtItsBounds) {
  EXPECT_EQ(FormatRfc3339(std::chrono::sys_days{std::chrono::year{2024} / 2 / 29} + 23h + 59min +
                          59s + 999ms),
            "2024-02-29T23:59:59.999Z");
  // The system clock counts nanoseconds in 64 bits: 1678 to 2262.
  EXPECT_EQ(FormatRfc3339(std::chrono::sys_days{std::chrono::year{1700} / 1 / 1} + 7ms),
            "1700-01-01T00:00:00.007Z");
  EXPECT_EQ(FormatRfc3339(std::chrono::sys_days{std::chrono::year{2200} / 12 / 31} + 10h + 5min),
            "2200-12-31T10:05:00.000Z");
  EXPECT_EQ(FormatRfc3339(std::chrono::system_clock::time_point{}), "1970-01-01T00:00:00.000Z");
}

TEST(FakeClockDeathTest, RefusesToGoBackwards) {
  testing::FakeClock clock;
  EXPECT_DEATH(clock.Advance(-1s), "only moves forward");
}

}  // namespace
}  // namespace styrmin
