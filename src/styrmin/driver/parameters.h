// Deployment parameters checked against a driver's declarations, and application versions
// against its supported range. Pure functions: the server calls them before it writes anything,
// so a bad value is refused with every problem named and nothing changes.
#pragma once

#include <string_view>
#include <vector>

#include "styrmin/core/json.h"
#include "styrmin/core/semver.h"
#include "styrmin/core/status.h"
#include "styrmin/driver/spec.h"

namespace styrmin::driver {

// Values longer than this are refused (and patterns are never run on them).
inline constexpr std::size_t kMaxParameterValueBytes = std::size_t{64} * 1024;

struct ParameterCheck {
  // Every declared parameter, in declaration order, typed: the given value, else the default,
  // else null (an optional parameter left unset). Meaningful only when `problems` is empty.
  Json values = Json::object();
  // Paths are `parameters.<name>`: unknown names, wrong JSON types (integer, boolean, string),
  // enum values outside `values`, integers outside min/max, strings not matching `pattern`,
  // required parameters missing, values over kMaxParameterValueBytes.
  std::vector<Problem> problems;
};

// `given` must be a JSON object (null counts as empty); anything else is one problem at path
// `parameters`.
ParameterCheck CheckParameters(const DriverSpec& spec, const Json& given);

// `text` as an application version of the driver: a semantic version inside
// `supported_versions`. kInvalidArgument naming the version and the range otherwise.
Result<Version> CheckApplicationVersion(const DriverSpec& spec, std::string_view text);

}  // namespace styrmin::driver
