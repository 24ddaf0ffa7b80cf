// The AST as JSON in graphql-js's shape (node `kind` names and member names of its
// `parse(source, {noLocation: true})`, absent members omitted), for differential tests and
// for debugging.
#pragma once

#include "styrmin/core/json.h"
#include "styrmin/graphql/ast.h"

namespace styrmin::graphql {

Json AstToJson(const Document& document);

}  // namespace styrmin::graphql
