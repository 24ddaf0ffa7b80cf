// YAML helpers over libyaml that never throw, hang or recurse on hostile input (ADR 0003).
// YAML is read into `Json` so the rest of the code handles one tree type: plain scalars follow
// the YAML 1.2 core schema (null, booleans, integers, floats); quoted scalars and `!!str` stay
// strings. Mapping keys must be scalars and unique. Anchors and aliases are expanded, within
// `max_nodes` and `max_expanded_bytes`, so alias bombs of many nodes or of large scalars are
// refused before they are built.
#pragma once

#include <cstddef>
#include <string_view>
#include <vector>

#include "styrmin/core/json.h"
#include "styrmin/core/status.h"

namespace styrmin {

struct YamlLimits {
  int max_depth = 256;                        // nesting of mappings and sequences
  std::size_t max_bytes = 16 << 20;           // input size
  std::size_t max_nodes = 1000000;            // nodes after alias expansion, keys included
  std::size_t max_expanded_bytes = 64 << 20;  // text after alias expansion, keys included
};

// Parses exactly one YAML document into JSON. An empty input is `null`. Errors carry the line
// and column (1-based) and libyaml's description of the problem.
Result<Json> ParseYaml(std::string_view text, const YamlLimits& limits = {});

// Parses a multi-document stream ("---" separated), skipping empty documents.
Result<std::vector<Json>> ParseYamlDocuments(std::string_view text, const YamlLimits& limits = {});

}  // namespace styrmin
