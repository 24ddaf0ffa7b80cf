// Validation of executable documents against a schema (spec section 5), rule by rule as
// graphql-js 17 validates them: same messages, same locations, same order.
//
// Rules so far: MaxIntrospectionDepth, ExecutableDefinitions, KnownOperationTypes,
// UniqueOperationNames, LoneAnonymousOperation, SingleFieldSubscriptions, KnownTypeNames,
// FragmentsOnCompositeTypes, VariablesAreInputTypes, ScalarLeafs, FieldsOnCorrectType,
// UniqueFragmentNames, KnownFragmentNames, NoUnusedFragments, PossibleFragmentSpreads,
// NoFragmentCycles, UniqueVariableNames, NoUndefinedVariables, NoUnusedVariables,
// KnownDirectives, UniqueDirectivesPerLocation, KnownArgumentNames, UniqueArgumentNames,
// ValuesOfCorrectType, ProvidedRequiredArguments, VariablesInAllowedPosition,
// OverlappingFieldsCanBeMerged, UniqueInputFieldNames: every rule graphql-js specifies, except
// the @defer/@stream ones (those directives are not in the schema). Not yet: graphql-js's
// fragment-work budget on variable usages (TODO(#3)); fragment arguments (experimental there).
#pragma once

#include <cstddef>
#include <string>
#include <vector>

#include "styrmin/graphql/ast.h"
#include "styrmin/graphql/schema.h"
#include "styrmin/graphql/source.h"

namespace styrmin::graphql {

struct GraphQLError {
  std::string message;
  std::vector<SourceLocation> locations;
};

struct ValidationOptions {
  // After this many errors validation stops with graphql-js's "Too many validation errors".
  std::size_t max_errors = 100;
};

// All errors of `document`, in graphql-js's order; empty when it is valid.
std::vector<GraphQLError> Validate(const Schema& schema, const Document& document,
                                   const Source& source, const ValidationOptions& options = {});

}  // namespace styrmin::graphql
