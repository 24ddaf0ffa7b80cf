// The `pattern` of a string parameter: a PCRE2 regular expression (Perl syntax, which covers
// what JSON Schema authors write for ECMAScript) that must match the whole value.
//
// Patterns come from drivers and values from users, so neither is trusted: matching never
// recurses on the stack, and a match limit stops catastrophic backtracking with an error
// instead of hanging. Immutable after Compile; safe to share between threads.
#pragma once

#include <memory>
#include <string>
#include <string_view>

#include "styrmin/core/status.h"

namespace styrmin::driver {

class Pattern final {
 public:
  // kInvalidArgument with PCRE2's description and offset when `pattern` does not compile.
  static Result<Pattern> Compile(std::string_view pattern);

  // Whether `value` matches as a whole (UTF-8). kInvalidArgument when `value` is not valid
  // UTF-8 or the match needs more work than the limit allows.
  Result<bool> Matches(std::string_view value) const;

  const std::string& text() const { return text_; }

 private:
  struct Code;
  Pattern(std::string text, std::shared_ptr<const Code> code)
      : text_(std::move(text)), code_(std::move(code)) {}

  std::string text_;
  std::shared_ptr<const Code> code_;
};

}  // namespace styrmin::driver
