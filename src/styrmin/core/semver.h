// Semantic versions (semver.org 2.0.0) and the version ranges drivers declare in
// `supported_versions` (">=1.4,<2.0").
//
// Range grammar: alternatives separated by "||"; each alternative is comparators separated by
// "," (all must hold); a comparator is one of = == != > >= < <= followed by a version, or a bare
// version meaning "=". Range bounds may omit minor and patch ("1.4" is 1.4.0). Whitespace
// around tokens is ignored. Prerelease versions compare by semver precedence (2.0.0-rc.1 is
// below 2.0.0), so "<2.0" admits 2.0.0-rc.1.
#pragma once

#include <compare>
#include <cstdint>
#include <ostream>
#include <string>
#include <string_view>
#include <vector>

#include "styrmin/core/status.h"

namespace styrmin {

class Version final {
 public:
  // Strict semver: MAJOR.MINOR.PATCH[-PRERELEASE][+BUILD], an optional leading "v", no leading
  // zeros in numeric parts.
  static Result<Version> Parse(std::string_view text);
  // As Parse, but MINOR and PATCH may be omitted ("1", "1.4"); used for range bounds.
  static Result<Version> ParsePartial(std::string_view text);

  Version() = default;
  Version(std::uint64_t major, std::uint64_t minor, std::uint64_t patch)
      : major_(major), minor_(minor), patch_(patch) {}

  std::uint64_t major() const { return major_; }
  std::uint64_t minor() const { return minor_; }
  std::uint64_t patch() const { return patch_; }
  const std::vector<std::string>& prerelease() const { return prerelease_; }
  const std::string& build() const { return build_; }

  // Canonical text without a "v" prefix.
  std::string ToString() const;

  // Semver precedence; build metadata is ignored, as the specification requires, so versions
  // that differ only in build metadata are equivalent but not identical: a weak ordering.
  friend std::weak_ordering operator<=>(const Version& a, const Version& b);
  friend bool operator==(const Version& a, const Version& b) { return (a <=> b) == 0; }
  friend std::ostream& operator<<(std::ostream& os, const Version& v) { return os << v.ToString(); }

 private:
  static Result<Version> ParseImpl(std::string_view text, bool partial);

  std::uint64_t major_ = 0;
  std::uint64_t minor_ = 0;
  std::uint64_t patch_ = 0;
  std::vector<std::string> prerelease_;
  std::string build_;
};

class VersionRange final {
 public:
  enum class Op { kEq, kNe, kGt, kGe, kLt, kLe };
  struct Comparator {
    Op op;
    Version version;
  };

  static Result<VersionRange> Parse(std::string_view text);

  bool Matches(const Version& v) const;
  // The text the range was parsed from, trimmed.
  const std::string& text() const { return text_; }

 private:
  std::vector<std::vector<Comparator>> alternatives_;  // OR of ANDs
  std::string text_;
};

}  // namespace styrmin
