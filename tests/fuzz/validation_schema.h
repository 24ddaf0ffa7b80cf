// The schema the GraphQL fuzz targets run documents against:
// tests/graphql/corpus/validation_schema.graphql (STYRMIN_SOURCE_DIR is set by CMake).
#pragma once

#include <fstream>
#include <sstream>

#include "styrmin/core/status.h"
#include "styrmin/graphql/build_schema.h"

inline styrmin::graphql::Schema LoadValidationSchema() {
  std::ifstream in(STYRMIN_SOURCE_DIR "/tests/graphql/corpus/validation_schema.graphql");
  std::ostringstream sdl;
  sdl << in.rdbuf();
  auto schema = styrmin::graphql::BuildSchema(sdl.str());
  STYRMIN_CHECK(schema.has_value(), "the fuzzing schema builds");
  return std::move(schema).value();
}
