// Fuzz target: the GraphQL parser returns a document or a syntax error inside the source for
// any input, and every document it returns converts to JSON.
#include <cstddef>
#include <cstdint>
#include <string>

#include "styrmin/core/status.h"
#include "styrmin/graphql/ast_json.h"
#include "styrmin/graphql/parser.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  styrmin::graphql::Source source(std::string(reinterpret_cast<const char*>(data), size));
  auto document = styrmin::graphql::Parse(source);
  if (!document) {
    STYRMIN_CHECK(document.error().offset <= size, "error offset inside the source");
    return 0;
  }
  (void)styrmin::DumpJson(styrmin::graphql::AstToJson(*document));
  return 0;
}
