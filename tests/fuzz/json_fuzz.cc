// Fuzz target: JSON parsing never crashes, and what it accepts survives a dump/parse round trip.
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "styrmin/core/json.h"
#include "styrmin/core/status.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view text(reinterpret_cast<const char*>(data), size);
  auto parsed = styrmin::ParseJson(text);
  if (!parsed) return 0;
  auto again = styrmin::ParseJson(styrmin::DumpJson(*parsed));
  STYRMIN_CHECK(again.has_value(), "a dumped document must parse");
  // NaN cannot appear in parsed JSON, so equality is well defined.
  STYRMIN_CHECK(*again == *parsed, "dump/parse must round-trip");
  return 0;
}
