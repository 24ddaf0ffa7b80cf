// Fuzz target: versions and ranges parse without crashing; a parsed version prints to text
// that parses back to an equal version.
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "styrmin/core/semver.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view text(reinterpret_cast<const char*>(data), size);
  auto version = styrmin::Version::Parse(text);
  if (version) {
    auto again = styrmin::Version::Parse(version->ToString());
    STYRMIN_CHECK(again.has_value() && *again == *version, "ToString must round-trip");
  }
  auto range = styrmin::VersionRange::Parse(text);
  if (range && version) (void)range->Matches(*version);
  if (range) (void)range->Matches(styrmin::Version(1, 5, 2));
  return 0;
}
