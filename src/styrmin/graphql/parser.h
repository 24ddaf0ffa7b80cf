// The GraphQL parser (spec section 2 and the type system language of section 3): a document's
// text in, its AST out, or the first syntax error. Messages and the positions they point at
// match graphql-js 17, which the differential tests check; limits are this engine's own and
// guard against hostile input.
#pragma once

#include <cstddef>
#include <tl/expected.hpp>

#include "styrmin/graphql/ast.h"
#include "styrmin/graphql/lexer.h"
#include "styrmin/graphql/source.h"

namespace styrmin::graphql {

struct ParseOptions {
  // Documents longer than this many bytes are refused before lexing. 0: no limit.
  std::size_t max_bytes = 0;
  // Tokens past this many abort the parse (graphql-js's `maxTokens` wording). 0: no limit.
  std::size_t max_tokens = 0;
  // Nesting of selection sets, list and object values and type references. The parser
  // recurses per level, so this bounds its stack use; it is always enforced.
  int max_depth = 256;
};

// Parses `source`. The Document refers to `source` only through byte offsets.
tl::expected<Document, SyntaxError> Parse(const Source& source, const ParseOptions& options = {});

}  // namespace styrmin::graphql
