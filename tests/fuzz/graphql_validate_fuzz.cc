// Fuzz target: parse + validate any document against a fixed schema
// (tests/graphql/corpus/validation_schema.graphql); validation never crashes, and every error
// it reports carries a message and locations inside the source.
#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>

#include "styrmin/core/status.h"
#include "styrmin/graphql/parser.h"
#include "styrmin/graphql/validate.h"
#include "validation_schema.h"

namespace {
std::optional<styrmin::graphql::Schema> g_schema;
}  // namespace

extern "C" int LLVMFuzzerInitialize(int*, char***) {
  g_schema = LoadValidationSchema();
  return 0;
}

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  styrmin::graphql::Source source(std::string(reinterpret_cast<const char*>(data), size));
  auto document = styrmin::graphql::Parse(source);
  if (!document) return 0;
  for (const auto& e : styrmin::graphql::Validate(*g_schema, *document, source)) {
    STYRMIN_CHECK(!e.message.empty(), "errors have messages");
    for (const auto& l : e.locations) STYRMIN_CHECK(l.line >= 1 && l.column >= 1, "locations");
  }
  return 0;
}
