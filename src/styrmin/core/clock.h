// Time as a seam. Code that needs the current time takes a `Clock&`, so tests can inject a
// `FakeClock` (core/testing/fake_clock.h) and never sleep or read the wall clock.
//
// Thread-safety: implementations are safe to call from any thread.
#pragma once

#include <chrono>
#include <string>

namespace styrmin {

class Clock {
 public:
  virtual ~Clock() = default;

  // Wall-clock time, for timestamps that leave the process (records, logs, API).
  virtual std::chrono::system_clock::time_point Now() const = 0;
  // Monotonic time, for deadlines and durations.
  virtual std::chrono::steady_clock::time_point SteadyNow() const = 0;
};

// The real clocks of the machine.
class SystemClock final : public Clock {
 public:
  std::chrono::system_clock::time_point Now() const override;
  std::chrono::steady_clock::time_point SteadyNow() const override;

  // A process-wide instance, for composition roots.
  static SystemClock& Instance();
};

// RFC 3339 in UTC with millisecond precision: "2026-11-23T21:56:01.123Z".
std::string FormatRfc3339(std::chrono::system_clock::time_point t);

}  // namespace styrmin
