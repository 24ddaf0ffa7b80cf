// The introspection types (`__Schema`, `__Type`, ...) every schema carries, defined in SDL and
// built with the schema by build_schema.h.
#pragma once

#include <string_view>

namespace styrmin::graphql {

// SDL of the eight introspection types, in graphql-js's type-map order.
std::string_view IntrospectionSdl();

bool IsIntrospectionTypeName(std::string_view name);

}  // namespace styrmin::graphql
