// RFC 3339 timestamps as the storage layer writes and reads them. Writing goes through
// `FormatRfc3339` (core/clock.h): UTC, millisecond precision, "2026-11-23T21:56:01.123Z".
// Reading accepts what RFC 3339 section 5.6 allows, so rows written by other tools still load.
#pragma once

#include <chrono>
#include <string_view>

#include "styrmin/core/status.h"

namespace styrmin::storage {

// Parses "YYYY-MM-DDTHH:MM:SS[.fraction](Z|+HH:MM|-HH:MM)" into an instant. The separator may be
// 'T', 't' or a space; 'Z' may be lowercase. Fractions keep up to nanosecond precision. Leap
// seconds (":60") and instants the system clock cannot hold (about 1678 to 2262 with
// libstdc++'s nanosecond ticks) are refused. kInvalidArgument, quoting `text`, for anything else.
Result<std::chrono::system_clock::time_point> ParseRfc3339(std::string_view text);

}  // namespace styrmin::storage
