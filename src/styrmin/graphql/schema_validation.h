// The type-level rules a schema must satisfy before it serves requests (spec section 3 and
// graphql-js's validateSchema): root types, names reserved for introspection, fields and
// arguments of the right kinds, interfaces implemented correctly, union members, non-empty
// enums and input objects, @oneOf fields, input objects that admit a finite value, default
// values that fit their types and do not refer to themselves. BuildSchema checks the SDL
// rules; these are the rest, as in graphql-js where buildSchema succeeds and execution then
// refuses the schema.
#pragma once

#include <string>
#include <vector>

#include "styrmin/graphql/schema.h"

namespace styrmin::graphql {

// Every problem with `schema`, worded and ordered as graphql-js's validateSchema words and
// orders them; empty when it is valid.
std::vector<std::string> ValidateSchema(const Schema& schema);

}  // namespace styrmin::graphql
