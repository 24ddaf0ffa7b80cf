#include "styrmin/core/clock.h"

#include <cstdio>
#include <ctime>

namespace styrmin {

std::chrono::system_clock::time_point SystemClock::Now() const {
  return std::chrono::system_clock::now();
}

std::chrono::steady_clock::time_point SystemClock::SteadyNow() const {
  return std::chrono::steady_clock::now();
}

SystemClock& SystemClock::Instance() {
  static SystemClock clock;
  return clock;
}

std::string FormatRfc3339(std::chrono::system_clock::time_point t) {
  // floor, not truncation, so instants before the epoch keep a positive millisecond part.
  const auto whole = std::chrono::floor<std::chrono::seconds>(t);
  const std::time_t seconds = std::chrono::system_clock::to_time_t(whole);
  std::tm utc{};
  gmtime_r(&seconds, &utc);
  const auto ms = std::chrono::floor<std::chrono::milliseconds>(t - whole).count();
  char buffer[64];
  std::snprintf(buffer, sizeof buffer, "%04d-%02d-%02dT%02d:%02d:%02d.%03dZ", utc.tm_year + 1900,
                utc.tm_mon + 1, utc.tm_mday, utc.tm_hour, utc.tm_min, utc.tm_sec,
                static_cast<int>(ms));
  return buffer;
}

}  // namespace styrmin
