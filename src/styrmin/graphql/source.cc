#include "styrmin/graphql/source.h"

#include <algorithm>
#include <utility>

namespace styrmin::graphql {

Source::Source(std::string body, std::string name)
    : body_(std::move(body)), name_(std::move(name)) {
  line_starts_.push_back(0);
  for (std::size_t i = 0; i < body_.size(); ++i) {
    if (body_[i] == '\r') {
      if (i + 1 < body_.size() && body_[i + 1] == '\n') ++i;
      line_starts_.push_back(i + 1);
    } else if (body_[i] == '\n') {
      line_starts_.push_back(i + 1);
    }
  }
}

SourceLocation Source::LocationOf(std::size_t offset) const {
  offset = std::min(offset, body_.size());
  const auto it = std::upper_bound(line_starts_.begin(), line_starts_.end(), offset);
  const std::size_t line_index = static_cast<std::size_t>(it - line_starts_.begin()) - 1;
  // Columns count UTF-16 code units: one per code point, two for those beyond the BMP
  // (4-byte UTF-8 sequences). Continuation bytes count nothing.
  int column = 1;
  for (std::size_t i = line_starts_[line_index]; i < offset; ++i) {
    const auto byte = static_cast<unsigned char>(body_[i]);
    if ((byte & 0xC0) == 0x80) continue;
    column += byte >= 0xF0 ? 2 : 1;
  }
  return SourceLocation{static_cast<int>(line_index) + 1, column};
}

}  // namespace styrmin::graphql
