// Fuzz target: JSON parsing never crashes, what it accepts survives a dump/parse round trip, and
// where the fast path answers it answers what nlohmann's parser does, types included.
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "styrmin/core/json.h"
#include "styrmin/core/status.h"

namespace {

// Equal values of equal types all the way down (nlohmann's == takes 1u and 1 as equal).
template <typename J>
bool Identical(const J& a, const J& b) {
  if (a.type() != b.type() || a != b) return false;
  if (a.is_structured()) {
    auto x = a.begin();
    for (auto y = b.begin(); y != b.end(); ++x, ++y) {
      if (a.is_object() && x.key() != y.key()) return false;
      if (!Identical(x.value(), y.value())) return false;
    }
  }
  return true;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view text(reinterpret_cast<const char*>(data), size);
  // An answer of the fast path means a document within the depth limit, so nlohmann's own
  // parser can take it without the nesting guard.
  if (auto fast = styrmin::ParseJsonFastPath(text)) {
    const auto reference = styrmin::Json::parse(text, nullptr, false);
    STYRMIN_CHECK(!reference.is_discarded(), "the fast path accepts only valid JSON");
    STYRMIN_CHECK(Identical(*fast, reference), "the fast path answers what nlohmann does");
  }
  if (auto fast = styrmin::ParseOrderedJsonFastPath(text)) {
    const auto reference = styrmin::OrderedJson::parse(text, nullptr, false);
    STYRMIN_CHECK(!reference.is_discarded(), "the fast path accepts only valid JSON");
    STYRMIN_CHECK(Identical(*fast, reference), "the ordered fast path answers what nlohmann does");
  }
  auto parsed = styrmin::ParseJson(text);
  if (!parsed) return 0;
  auto again = styrmin::ParseJson(styrmin::DumpJson(*parsed));
  STYRMIN_CHECK(again.has_value(), "a dumped document must parse");
  // NaN cannot appear in parsed JSON, so equality is well defined.
  STYRMIN_CHECK(*again == *parsed, "dump/parse must round-trip");
  return 0;
}
