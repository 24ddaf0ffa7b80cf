// A GraphQL source text and the mapping from byte offsets to line/column locations.
//
// The engine works on UTF-8 bytes and stores byte offsets in tokens and AST nodes. Locations
// shown to users follow graphql-js (and the spec's examples): 1-based lines, where "\n",
// "\r\n" and "\r" each end a line, and 1-based columns counted in UTF-16 code units, so that
// clients see the same locations whichever engine answered.
//
// Thread-safety: immutable after construction; safe to share.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

namespace styrmin::graphql {

struct SourceLocation {
  int line = 0;
  int column = 0;
  friend bool operator==(const SourceLocation&, const SourceLocation&) = default;
};

class Source final {
 public:
  explicit Source(std::string body, std::string name = "GraphQL request");

  const std::string& body() const { return body_; }
  const std::string& name() const { return name_; }

  // The location of the byte at `offset` (offset == body().size() is the end of input).
  SourceLocation LocationOf(std::size_t offset) const;

 private:
  std::string body_;
  std::string name_;
  std::vector<std::size_t> line_starts_;  // byte offset of each line's first byte
};

}  // namespace styrmin::graphql
