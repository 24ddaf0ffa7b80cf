// Wakes subscription producers when the API changed something they may be watching: every
// successful mutation notifies, and producers then read the store again. In-process only:
// producers also read again every poll interval, so that changes made through another server
// process on the same database are seen too, a little later.
//
// Thread-safety: all members may be called from any thread.
#pragma once

#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <mutex>

namespace styrmin::api {

class ChangeNotifier final {
 public:
  // Something changed: wakes every waiter.
  void Notify() {
    {
      const std::lock_guard<std::mutex> lock(mu_);
      ++version_;
    }
    changed_.notify_all();
  }

  // The number of notifications so far.
  std::uint64_t version() const {
    const std::lock_guard<std::mutex> lock(mu_);
    return version_;
  }

  // Waits until the version is past `seen`, or `timeout`; the version then.
  std::uint64_t WaitPast(std::uint64_t seen, std::chrono::milliseconds timeout) {
    std::unique_lock<std::mutex> lock(mu_);
    changed_.wait_for(lock, timeout, [&] { return version_ > seen; });
    return version_;
  }

 private:
  mutable std::mutex mu_;
  std::condition_variable changed_;
  std::uint64_t version_ = 0;  // guarded by mu_
};

// The notifier of this process's API: BindAuditedMutation notifies it after every mutation
// that succeeded.
inline ChangeNotifier& ApiChanges() {
  static ChangeNotifier notifier;
  return notifier;
}

}  // namespace styrmin::api
