// Strong identifier types: a `DeploymentId` cannot be passed where an `EnvironmentId` is
// expected, although both hold an opaque string. Construction is explicit; the value is
// reachable through `value()` at boundaries (storage, GraphQL, logs).
#pragma once

#include <compare>
#include <cstddef>
#include <functional>
#include <ostream>
#include <string>
#include <string_view>
#include <utility>

namespace styrmin {

template <typename Tag>
class StrongId final {
 public:
  StrongId() = default;
  explicit StrongId(std::string value) : value_(std::move(value)) {}
  explicit StrongId(std::string_view value) : value_(value) {}
  explicit StrongId(const char* value) : value_(value) {}

  const std::string& value() const { return value_; }
  bool empty() const { return value_.empty(); }

  friend auto operator<=>(const StrongId&, const StrongId&) = default;
  friend bool operator==(const StrongId&, const StrongId&) = default;
  friend std::ostream& operator<<(std::ostream& os, const StrongId& id) { return os << id.value_; }

 private:
  std::string value_;
};

using ClusterId = StrongId<struct ClusterIdTag>;
using EnvironmentId = StrongId<struct EnvironmentIdTag>;
using BackupStorageLocationId = StrongId<struct BackupStorageLocationIdTag>;
using DriverId = StrongId<struct DriverIdTag>;
using DriverVersionId = StrongId<struct DriverVersionIdTag>;
using DeploymentId = StrongId<struct DeploymentIdTag>;
using InstanceId = StrongId<struct InstanceIdTag>;
using RunId = StrongId<struct RunIdTag>;
using BackupId = StrongId<struct BackupIdTag>;
using UserId = StrongId<struct UserIdTag>;
using TokenId = StrongId<struct TokenIdTag>;

}  // namespace styrmin

template <typename Tag>
struct std::hash<styrmin::StrongId<Tag>> {
  std::size_t operator()(const styrmin::StrongId<Tag>& id) const noexcept {
    return std::hash<std::string>{}(id.value());
  }
};
