// A Clock whose time moves only when a test says so.
//
// Thread-safety: all members may be called concurrently; time is guarded by `mutex_`.
#pragma once

#include <chrono>
#include <mutex>

#include "styrmin/core/clock.h"
#include "styrmin/core/status.h"

namespace styrmin::testing {

class FakeClock final : public Clock {
 public:
  // Starts at 2026-01-01T00:00:00Z on the wall clock and at an arbitrary steady epoch.
  FakeClock() : now_(std::chrono::sys_days{std::chrono::year{2026} / 1 / 1}) {}
  explicit FakeClock(std::chrono::system_clock::time_point start) : now_(start) {}

  std::chrono::system_clock::time_point Now() const override {
    std::lock_guard lock(mutex_);
    return now_;
  }
  std::chrono::steady_clock::time_point SteadyNow() const override {
    std::lock_guard lock(mutex_);
    return steady_;
  }

  // Moves both clocks forward by `d` (which must not be negative).
  void Advance(std::chrono::nanoseconds d) {
    STYRMIN_CHECK(d.count() >= 0, "FakeClock only moves forward");
    std::lock_guard lock(mutex_);
    now_ += std::chrono::duration_cast<std::chrono::system_clock::duration>(d);
    steady_ += std::chrono::duration_cast<std::chrono::steady_clock::duration>(d);
  }

 private:
  mutable std::mutex mutex_;
  std::chrono::system_clock::time_point now_;     // guarded by mutex_
  std::chrono::steady_clock::time_point steady_;  // guarded by mutex_
};

}  // namespace styrmin::testing
