// YAML helpers over yaml-cpp that never throw past their boundary. YAML is read into `Json`
// so the rest of the code handles one tree type: plain scalars follow the YAML 1.2 core schema
// (null, booleans, integers, floats), quoted scalars always stay strings.
#pragma once

#include <cstddef>
#include <string_view>
#include <vector>

#include "styrmin/core/json.h"
#include "styrmin/core/status.h"

namespace styrmin {

struct YamlLimits {
  int max_depth = 256;               // nesting of mappings and sequences
  std::size_t max_bytes = 16 << 20;  // input size
};

// Parses exactly one YAML document into JSON. An empty input is `null`. Errors carry the line
// and column yaml-cpp reports (1-based). Anchors and aliases are expanded; a document whose
// expansion would exceed `limits.max_depth` is rejected.
Result<Json> ParseYaml(std::string_view text, const YamlLimits& limits = {});

// Parses a multi-document stream ("---" separated), skipping empty documents.
Result<std::vector<Json>> ParseYamlDocuments(std::string_view text, const YamlLimits& limits = {});

}  // namespace styrmin
