// Fuzz target: building a schema from any SDL returns a schema or an error, and a schema's
// printed SDL (when not empty) builds again into a schema that prints the same.
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "styrmin/core/status.h"
#include "styrmin/graphql/build_schema.h"
#include "styrmin/graphql/print_schema.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view sdl(reinterpret_cast<const char*>(data), size);
  auto schema = styrmin::graphql::BuildSchema(sdl);
  if (!schema) return 0;
  const std::string printed = styrmin::graphql::PrintSchema(*schema);
  // A schema with no definitions of its own (SDL of only executable definitions) prints as
  // nothing, and an empty document is a syntax error, as in graphql-js.
  if (printed.empty()) return 0;
  auto again = styrmin::graphql::BuildSchema(printed);
  STYRMIN_CHECK(again.has_value(), "printed SDL must build again");
  STYRMIN_CHECK(styrmin::graphql::PrintSchema(*again) == printed, "printing must be stable");
  return 0;
}
