#include "styrmin/core/clock.h"

#include <cstdio>

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

namespace {

// `value` as `width` decimal digits, zero-padded, at `at`.
void PutDigits(char* at, int value, int width) {
  for (int k = width - 1; k >= 0; --k) {
    at[k] = static_cast<char>('0' + value % 10);
    value /= 10;
  }
}

}  // namespace

std::string FormatRfc3339(std::chrono::system_clock::time_point t) {
  using namespace std::chrono;
  // floor, not truncation, so instants before the epoch keep a positive millisecond part.
  const auto day = floor<days>(t);
  const year_month_day date(day);
  const hh_mm_ss<milliseconds> time(floor<milliseconds>(t - day));
  const int y = static_cast<int>(date.year());
  const int ms = static_cast<int>(time.subseconds().count());
  if (y < 0 || y > 9999) {  // beyond a 64-bit nanosecond clock's range; kept exact anyway
    char buffer[64];
    std::snprintf(buffer, sizeof buffer, "%04d-%02u-%02uT%02d:%02d:%02d.%03dZ", y,
                  static_cast<unsigned>(date.month()), static_cast<unsigned>(date.day()),
                  static_cast<int>(time.hours().count()), static_cast<int>(time.minutes().count()),
                  static_cast<int>(time.seconds().count()), ms);
    return buffer;
  }
  // Written digit by digit: this runs for every timestamp of every listed row.
  std::string out = "0000-00-00T00:00:00.000Z";
  PutDigits(&out[0], y, 4);
  PutDigits(&out[5], static_cast<int>(static_cast<unsigned>(date.month())), 2);
  PutDigits(&out[8], static_cast<int>(static_cast<unsigned>(date.day())), 2);
  PutDigits(&out[11], static_cast<int>(time.hours().count()), 2);
  PutDigits(&out[14], static_cast<int>(time.minutes().count()), 2);
  PutDigits(&out[17], static_cast<int>(time.seconds().count()), 2);
  PutDigits(&out[20], ms, 3);
  return out;
}

}  // namespace styrmin
