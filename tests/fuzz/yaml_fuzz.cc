// Fuzz target: YAML parsing never crashes or throws, whatever the input.
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "styrmin/core/yaml.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view text(reinterpret_cast<const char*>(data), size);
  (void)styrmin::ParseYamlDocuments(text);
  return 0;
}
