// Fuzz target: the driver spec parser and the values template check never crash, hang or
// throw, whatever the input. ParseSpec gives a spec exactly when it reports no problem, every
// problem has a message, and an accepted spec survives SpecToJson → dump → ParseSpec with an
// equal SpecToJson. CheckTemplate reports each problem at `values.j2.yml:<line>` with a line of
// the input.
#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <string>
#include <string_view>

#include "styrmin/driver/spec.h"
#include "styrmin/driver/template_check.h"

namespace {

// Traps, after saying why, when an invariant does not hold.
void Require(bool cond, const char* why) {
  if (!cond) [[unlikely]] {
    std::fprintf(stderr, "driver_spec_fuzz: invariant violated: %s\n", why);
    __builtin_trap();
  }
}

void CheckSpec(std::string_view text) {
  using styrmin::driver::ParseSpec;
  using styrmin::driver::SpecToJson;
  const auto parsed = ParseSpec(text);
  Require(parsed.spec.has_value() == parsed.problems.empty(),
          "ParseSpec has a spec exactly when it has no problems");
  for (const auto& p : parsed.problems) Require(!p.message.empty(), "every problem has a message");
  if (!parsed.spec) return;
  const styrmin::Json json = SpecToJson(*parsed.spec);
  const auto again = ParseSpec(json.dump());
  if (!again.spec) {
    std::fprintf(stderr, "SpecToJson:\n%s\nproblems:\n%s\n", json.dump(2).c_str(),
                 styrmin::driver::JoinProblems(again.problems).c_str());
  }
  Require(again.spec.has_value(), "the JSON of an accepted spec parses as a spec");
  // Compared as text: JSON has no NaN, and NaN is unequal to itself.
  Require(SpecToJson(*again.spec).dump() == json.dump(),
          "SpecToJson round-trips through ParseSpec");
}

void CheckValuesTemplate(std::string_view text) {
  constexpr std::string_view kPrefix = "values.j2.yml:";
  const auto problems = styrmin::driver::CheckTemplate(text, "values.j2.yml");
  const std::size_t lines =
      1 + static_cast<std::size_t>(std::count(text.begin(), text.end(), '\n'));
  for (const auto& p : problems) {
    Require(!p.message.empty(), "every template problem has a message");
    Require(p.path.starts_with(kPrefix), "a template problem is at values.j2.yml:<line>");
    const std::string_view number = std::string_view(p.path).substr(kPrefix.size());
    Require(
        !number.empty() && number.size() < 20 &&
            std::all_of(number.begin(), number.end(), [](char c) { return c >= '0' && c <= '9'; }),
        "a template problem's line is a number");
    const std::size_t line = std::stoull(std::string(number));
    Require(line >= 1 && line <= lines, "a template problem's line is a line of the input");
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view text(reinterpret_cast<const char*>(data), size);
  CheckSpec(text);
  CheckValuesTemplate(text);
  return 0;
}
