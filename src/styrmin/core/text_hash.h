// A hash for unordered maps and sets keyed by text that are searched with a string_view (or a
// string, or a C string) without building a std::string key: pair it with std::equal_to<>.
#pragma once

#include <cstddef>
#include <functional>
#include <string_view>

namespace styrmin {

struct TextHash {
  using is_transparent = void;
  std::size_t operator()(std::string_view text) const {
    return std::hash<std::string_view>()(text);
  }
};

}  // namespace styrmin
