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
// the @defer/@stream ones (those directives are not in the schema). Not implemented: fragment
// arguments (experimental in graphql-js). graphql-js's fragment-work budget on variable usages
// is covered differently: the limits below bound fragment expansion before any rule runs.
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
  // Defensive limits per operation, fragments expanded; 0: no limit. An operation past one
  // of them gets that error alone, before any rule runs, so hostile documents cost little.
  std::size_t max_depth = 64;      // nesting of selection sets
  std::size_t max_fields = 20000;  // field selections
  std::size_t max_aliases = 1000;  // aliased field selections
};

// All errors of `document`, in graphql-js's order (or its limit errors); empty when it is
// valid.
std::vector<GraphQLError> Validate(const Schema& schema, const Document& document,
                                   const Source& source, const ValidationOptions& options = {});

}  // namespace styrmin::graphql
