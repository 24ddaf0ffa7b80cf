// Fuzz target: the GraphQL lexer ends on any input, within one token per byte, and every
// token and error lies inside the source.
#include <cstddef>
#include <cstdint>
#include <string>

#include "styrmin/core/status.h"
#include "styrmin/graphql/lexer.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  styrmin::graphql::Source source(std::string(reinterpret_cast<const char*>(data), size));
  styrmin::graphql::Lexer lexer(source);
  for (std::size_t i = 0; i <= size + 1; ++i) {
    auto token = lexer.Next();
    if (!token) {
      STYRMIN_CHECK(token.error().offset <= size, "error offset inside the source");
      (void)source.LocationOf(token.error().offset);
      return 0;
    }
    STYRMIN_CHECK(token->start <= token->end && token->end <= size, "token inside the source");
    if (token->kind == styrmin::graphql::TokenKind::kEof) return 0;
  }
  STYRMIN_CHECK(false, "the lexer must reach EOF within one token per byte");
  return 0;
}
