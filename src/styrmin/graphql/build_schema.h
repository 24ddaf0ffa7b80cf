// Building a Schema from SDL, as graphql-js's buildSchema/buildASTSchema do: the document is
// first checked with the SDL validation rules (unique names, known types and directives,
// possible extensions, directive arguments...), every problem reported at once in one error
// whose message joins graphql-js's messages with blank lines; then types, extensions, root
// types and the specified directives are assembled.
//
// The type-level rules (interface implementation, root type kinds...) are ValidateSchema's
// (schema_validation.h), which a server runs before serving with the schema.
#pragma once

#include <string_view>

#include "styrmin/core/status.h"
#include "styrmin/graphql/ast.h"
#include "styrmin/graphql/schema.h"
#include "styrmin/graphql/source.h"

namespace styrmin::graphql {

// Parses and builds; a syntax error is "Syntax Error: ..." as graphql-js words it.
Result<Schema> BuildSchema(std::string_view sdl);
Result<Schema> BuildSchema(const Document& document);

}  // namespace styrmin::graphql
