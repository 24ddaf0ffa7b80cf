#include "styrmin/core/semver.h"

#include <algorithm>
#include <charconv>
#include <utility>

namespace styrmin {
namespace {

std::string_view Trim(std::string_view s) {
  const auto first = s.find_first_not_of(" \t");
  if (first == std::string_view::npos) return {};
  const auto last = s.find_last_not_of(" \t");
  return s.substr(first, last - first + 1);
}

std::vector<std::string_view> Split(std::string_view s, std::string_view sep) {
  std::vector<std::string_view> parts;
  std::size_t start = 0;
  while (true) {
    const auto pos = s.find(sep, start);
    parts.push_back(s.substr(start, pos == std::string_view::npos ? pos : pos - start));
    if (pos == std::string_view::npos) break;
    start = pos + sep.size();
  }
  return parts;
}

bool IsDigits(std::string_view s) {
  return !s.empty() && s.find_first_not_of("0123456789") == std::string_view::npos;
}

bool IsIdentifier(std::string_view s) {
  return !s.empty() && s.find_first_not_of(
                           "0123456789abcdefghijklmnopqrstuvwxyz"
                           "ABCDEFGHIJKLMNOPQRSTUVWXYZ-") == std::string_view::npos;
}

Result<std::uint64_t> ParseNumber(std::string_view part, std::string_view whole,
                                  std::string_view what) {
  if (!IsDigits(part)) {
    return InvalidArgument("invalid version \"" + std::string(whole) + "\": " + std::string(what) +
                           " \"" + std::string(part) + "\" is not a number");
  }
  if (part.size() > 1 && part.front() == '0') {
    return InvalidArgument("invalid version \"" + std::string(whole) + "\": " + std::string(what) +
                           " has a leading zero");
  }
  std::uint64_t value = 0;
  auto [ptr, ec] = std::from_chars(part.data(), part.data() + part.size(), value);
  if (ec != std::errc() || ptr != part.data() + part.size()) {
    return InvalidArgument("invalid version \"" + std::string(whole) + "\": " + std::string(what) +
                           " is too large");
  }
  return value;
}

}  // namespace

Result<Version> Version::Parse(std::string_view text) { return ParseImpl(text, false); }
Result<Version> Version::ParsePartial(std::string_view text) { return ParseImpl(text, true); }

Result<Version> Version::ParseImpl(std::string_view text, bool partial) {
  const std::string_view whole = Trim(text);
  std::string_view rest = whole;
  if (rest.starts_with('v')) rest.remove_prefix(1);
  if (rest.empty()) return InvalidArgument("invalid version \"" + std::string(whole) + "\": empty");

  Version v;
  if (const auto plus = rest.find('+'); plus != std::string_view::npos) {
    const auto build = rest.substr(plus + 1);
    for (auto id : Split(build, ".")) {
      if (!IsIdentifier(id)) {
        return InvalidArgument("invalid version \"" + std::string(whole) +
                               "\": bad build metadata \"" + std::string(build) + "\"");
      }
    }
    v.build_ = std::string(build);
    rest = rest.substr(0, plus);
  }
  if (const auto dash = rest.find('-'); dash != std::string_view::npos) {
    const auto pre = rest.substr(dash + 1);
    for (auto id : Split(pre, ".")) {
      if (!IsIdentifier(id) || (IsDigits(id) && id.size() > 1 && id.front() == '0')) {
        return InvalidArgument("invalid version \"" + std::string(whole) + "\": bad prerelease \"" +
                               std::string(pre) + "\"");
      }
      v.prerelease_.emplace_back(id);
    }
    rest = rest.substr(0, dash);
  }
  const auto core = Split(rest, ".");
  if (core.size() > 3 || (!partial && core.size() != 3)) {
    return InvalidArgument("invalid version \"" + std::string(whole) +
                           "\": expected MAJOR.MINOR.PATCH");
  }
  static constexpr std::string_view kNames[] = {"major", "minor", "patch"};
  std::uint64_t* fields[] = {&v.major_, &v.minor_, &v.patch_};
  for (std::size_t i = 0; i < core.size(); ++i) {
    STYRMIN_ASSIGN_OR_RETURN(*fields[i], ParseNumber(core[i], whole, kNames[i]));
  }
  return v;
}

std::string Version::ToString() const {
  std::string out =
      std::to_string(major_) + "." + std::to_string(minor_) + "." + std::to_string(patch_);
  for (std::size_t i = 0; i < prerelease_.size(); ++i) {
    out += i == 0 ? "-" : ".";
    out += prerelease_[i];
  }
  if (!build_.empty()) out += "+" + build_;
  return out;
}

std::weak_ordering operator<=>(const Version& a, const Version& b) {
  if (auto c = a.major_ <=> b.major_; c != 0) return c;
  if (auto c = a.minor_ <=> b.minor_; c != 0) return c;
  if (auto c = a.patch_ <=> b.patch_; c != 0) return c;
  // A version without prerelease ranks above any prerelease of the same core.
  if (a.prerelease_.empty() || b.prerelease_.empty()) {
    return a.prerelease_.empty() <=> b.prerelease_.empty();
  }
  const std::size_t n = std::min(a.prerelease_.size(), b.prerelease_.size());
  for (std::size_t i = 0; i < n; ++i) {
    const std::string& x = a.prerelease_[i];
    const std::string& y = b.prerelease_[i];
    const bool xn = IsDigits(x);
    const bool yn = IsDigits(y);
    if (xn && yn) {
      // No leading zeros, so longer means larger.
      if (auto c = x.size() <=> y.size(); c != 0) return c;
      if (auto c = x <=> y; c != 0) return c;
    } else if (xn != yn) {
      return xn ? std::weak_ordering::less : std::weak_ordering::greater;
    } else if (auto c = x <=> y; c != 0) {
      return c;
    }
  }
  return a.prerelease_.size() <=> b.prerelease_.size();
}

Result<VersionRange> VersionRange::Parse(std::string_view text) {
  VersionRange range;
  range.text_ = std::string(Trim(text));
  if (range.text_.empty()) return InvalidArgument("empty version range");
  for (auto alternative : Split(range.text_, "||")) {
    std::vector<Comparator> all;
    for (auto raw : Split(alternative, ",")) {
      std::string_view item = Trim(raw);
      if (item.empty()) {
        return InvalidArgument("invalid version range \"" + range.text_ + "\": empty comparator");
      }
      Op op = Op::kEq;
      static constexpr std::pair<std::string_view, Op> kOps[] = {
          {">=", Op::kGe}, {"<=", Op::kLe}, {"==", Op::kEq}, {"!=", Op::kNe},
          {">", Op::kGt},  {"<", Op::kLt},  {"=", Op::kEq}};
      for (const auto& [token, value] : kOps) {
        if (item.starts_with(token)) {
          op = value;
          item.remove_prefix(token.size());
          break;
        }
      }
      auto version = Version::ParsePartial(item);
      if (!version) {
        return InvalidArgument("invalid version range \"" + range.text_ +
                               "\": " + version.error().message());
      }
      all.push_back({op, std::move(version).value()});
    }
    range.alternatives_.push_back(std::move(all));
  }
  return range;
}

bool VersionRange::Matches(const Version& v) const {
  for (const auto& all : alternatives_) {
    bool ok = true;
    for (const auto& c : all) {
      const auto order = v <=> c.version;
      switch (c.op) {
        case Op::kEq:
          ok = order == 0;
          break;
        case Op::kNe:
          ok = order != 0;
          break;
        case Op::kGt:
          ok = order > 0;
          break;
        case Op::kGe:
          ok = order >= 0;
          break;
        case Op::kLt:
          ok = order < 0;
          break;
        case Op::kLe:
          ok = order <= 0;
          break;
      }
      if (!ok) break;
    }
    if (ok) return true;
  }
  return false;
}

}  // namespace styrmin
