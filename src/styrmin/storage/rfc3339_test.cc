#include "styrmin/storage/rfc3339.h"

#include <gtest/gtest.h>

#include <chrono>
#include <string>

#include "styrmin/core/clock.h"

namespace styrmin::storage {
namespace {

using namespace std::chrono_literals;
using TimePoint = std::chrono::system_clock::time_point;

TimePoint At(std::chrono::sys_days day, std::chrono::nanoseconds time_of_day) {
  return std::chrono::time_point_cast<std::chrono::system_clock::duration>(TimePoint{day} +
                                                                           time_of_day);
}

TEST(ParseRfc3339, ReadsBackWhatFormatRfc3339Writes) {
  for (const TimePoint t : {
           TimePoint{},
           TimePoint{} - 1ms,
           TimePoint{} - 86400s - 250ms,
           At(std::chrono::year{2026} / 11 / 23, 21h + 56min + 1s + 123ms),
           At(std::chrono::year{2024} / 2 / 29, 23h + 59min + 59s + 999ms),
           At(std::chrono::year{2200} / 12 / 31, 0s),
       }) {
    auto parsed = ParseRfc3339(FormatRfc3339(t));
    ASSERT_TRUE(parsed) << parsed.error().ToString();
    EXPECT_TRUE(*parsed == t) << FormatRfc3339(t) << " came back as " << FormatRfc3339(*parsed);
  }
}

TEST(ParseRfc3339, AppliesOffsetsToReachUtc) {
  const TimePoint expected = At(std::chrono::year{2026} / 1 / 1, 10h + 30min);
  for (const char* text :
       {"2026-01-01T10:30:00Z", "2026-01-01T12:30:00+02:00", "2026-01-01T05:00:00-05:30",
        "2026-01-01t10:30:00z", "2026-01-01 10:30:00+00:00", "2025-12-31T23:30:00-11:00"}) {
    auto parsed = ParseRfc3339(text);
    ASSERT_TRUE(parsed) << parsed.error().ToString();
    EXPECT_TRUE(*parsed == expected) << text << " read as " << FormatRfc3339(*parsed);
  }
}

TEST(ParseRfc3339, KeepsFractionsDownToTheNanosecond) {
  const TimePoint day = At(std::chrono::year{2026} / 1 / 1, 0s);
  EXPECT_TRUE(*ParseRfc3339("2026-01-01T00:00:00.5Z") == day + 500ms);
  EXPECT_TRUE(*ParseRfc3339("2026-01-01T00:00:00.000001Z") == day + 1us);
  EXPECT_TRUE(*ParseRfc3339("2026-01-01T00:00:00.123456789Z") == day + 123456789ns);
  // Digits past the nanosecond are dropped, not rounded.
  EXPECT_TRUE(*ParseRfc3339("2026-01-01T00:00:00.0000000019Z") == day + 1ns);
}

TEST(ParseRfc3339, RefusesTextThatIsNotATimestampQuotingIt) {
  for (const std::string text : {
           "",
           "2026-01-01",
           "2026-01-01T10:30:00",
           "2026-1-01T10:30:00Z",
           "2026-02-30T10:30:00Z",
           "2026-13-01T10:30:00Z",
           "2026-01-01T24:00:00Z",
           "2026-01-01T10:60:00Z",
           "2026-01-01T10:30:60Z",
           "2026-01-01T10:30:00.Z",
           "2026-01-01T10:30:00+0200",
           "2026-01-01T10:30:00+24:00",
           "2026-01-01T10:30:00Z ",
           "2026-01-01X10:30:00Z",
           "two thousand",
           "9999-12-31T23:59:59Z",
           "0001-01-01T00:00:00Z",
       }) {
    auto parsed = ParseRfc3339(text);
    ASSERT_FALSE(parsed) << text << " was accepted";
    EXPECT_EQ(parsed.error().code(), ErrorCode::kInvalidArgument);
    EXPECT_NE(parsed.error().message().find("\"" + text + "\""), std::string::npos)
        << parsed.error().message();
  }
}

}  // namespace
}  // namespace styrmin::storage
