#include "styrmin/driver/parameters.h"

#include <cstdint>
#include <limits>
#include <optional>
#include <string>

#include "styrmin/driver/pattern.h"

namespace styrmin::driver {
namespace {

// Long enough to recognise a value, short enough to keep a message on one line.
constexpr std::size_t kMaxShownBytes = 64;

// The value as the user sent it, cut when long. A secret is shown only by its type: problems
// reach API responses and logs, where a secret must never appear.
std::string Shown(const Json& value, ParameterKind kind) {
  if (kind == ParameterKind::kSecret) {
    return "a value of type " + std::string(JsonTypeName(value));
  }
  std::string text = DumpJson(value);
  if (text.size() <= kMaxShownBytes) return text;
  std::size_t cut = kMaxShownBytes;
  // Never split a UTF-8 sequence: back up over continuation bytes.
  while (cut > 0 && (static_cast<unsigned char>(text[cut]) & 0xC0) == 0x80) --cut;
  text.resize(cut);
  return text + "...";
}

std::string Join(const std::vector<std::string>& items) {
  std::string joined;
  for (const std::string& item : items) {
    if (!joined.empty()) joined += ", ";
    joined += item;
  }
  return joined;
}

// Matches `text` against the whole of `pattern`, or says why it could not.
std::optional<std::string> CheckPattern(const std::string& pattern, const std::string& text) {
  const auto compiled = Pattern::Compile(pattern);
  if (!compiled) {
    return "the driver's pattern " + pattern + " is not a usable regular expression (" +
           compiled.error().message() + ")";
  }
  const auto matches = compiled->Matches(text);
  if (!matches) return matches.error().message();
  if (!*matches) return "does not match the pattern " + pattern;
  return std::nullopt;
}

std::optional<std::string> CheckString(const Parameter& parameter, const std::string& text) {
  if (text.size() > kMaxParameterValueBytes) {
    return "value is " + std::to_string(text.size()) + " bytes, above the limit of " +
           std::to_string(kMaxParameterValueBytes);
  }
  if (parameter.pattern) return CheckPattern(*parameter.pattern, text);
  return std::nullopt;
}

std::optional<std::string> CheckInteger(const Parameter& parameter, const Json& value) {
  if (!value.is_number_integer()) {
    return "expected an integer, got " + Shown(value, parameter.kind);
  }
  if (value.is_number_unsigned() &&
      value.get<std::uint64_t>() >
          static_cast<std::uint64_t>(std::numeric_limits<std::int64_t>::max())) {
    return Shown(value, parameter.kind) + " is outside the 64-bit integer range";
  }
  const auto number = value.get<std::int64_t>();
  if (parameter.min && number < *parameter.min) {
    return std::to_string(number) + " is below the minimum " + std::to_string(*parameter.min);
  }
  if (parameter.max && number > *parameter.max) {
    return std::to_string(number) + " is above the maximum " + std::to_string(*parameter.max);
  }
  return std::nullopt;
}

std::optional<std::string> CheckValue(const Parameter& parameter, const Json& value) {
  switch (parameter.kind) {
    case ParameterKind::kString:
    case ParameterKind::kSecret:
      if (!value.is_string()) return "expected a string, got " + Shown(value, parameter.kind);
      return CheckString(parameter, value.get_ref<const std::string&>());
    case ParameterKind::kInteger:
      return CheckInteger(parameter, value);
    case ParameterKind::kBoolean:
      if (!value.is_boolean()) return "expected a boolean, got " + Shown(value, parameter.kind);
      return std::nullopt;
    case ParameterKind::kEnum: {
      if (!value.is_string()) {
        return "expected one of " + Join(parameter.values) + ", got " +
               Shown(value, parameter.kind);
      }
      const auto& text = value.get_ref<const std::string&>();
      if (text.size() > kMaxParameterValueBytes) return CheckString(parameter, text);
      for (const std::string& allowed : parameter.values) {
        if (text == allowed) return std::nullopt;
      }
      return Shown(value, parameter.kind) + " is not one of " + Join(parameter.values);
    }
  }
  return std::nullopt;
}

}  // namespace

ParameterCheck CheckParameters(const DriverSpec& spec, const Json& given) {
  ParameterCheck check;
  if (!given.is_null() && !given.is_object()) {
    check.problems.push_back({"parameters", "expected an object of parameter values, got " +
                                                std::string(JsonTypeName(given))});
    return check;
  }
  const Json no_values = Json::object();
  const Json& values = given.is_null() ? no_values : given;

  for (const Parameter& parameter : spec.parameters) {
    const std::string path = "parameters." + parameter.name;
    auto it = values.find(parameter.name);
    // An explicit null means "not set", as GraphQL clients send it for an omitted input.
    if (it != values.end() && !it->is_null()) {
      if (auto message = CheckValue(parameter, *it)) {
        check.problems.push_back({path, std::move(*message)});
      }
      check.values[parameter.name] = *it;
    } else if (parameter.default_value) {
      check.values[parameter.name] = *parameter.default_value;
    } else {
      if (parameter.required) check.problems.push_back({path, "required parameter is missing"});
      check.values[parameter.name] = nullptr;
    }
  }

  std::vector<std::string> declared;
  declared.reserve(spec.parameters.size());
  for (const Parameter& parameter : spec.parameters) declared.push_back(parameter.name);
  const std::string known = declared.empty() ? "the driver declares no parameters"
                                             : "the driver declares: " + Join(declared);
  // Json objects iterate in key order, so unknown names come out sorted.
  for (const auto& [name, value] : values.items()) {
    bool is_declared = false;
    for (const std::string& candidate : declared) is_declared = is_declared || candidate == name;
    if (!is_declared) {
      check.problems.push_back({"parameters." + name, "unknown parameter (" + known + ")"});
    }
  }
  return check;
}

Result<Version> CheckApplicationVersion(const DriverSpec& spec, std::string_view text) {
  auto version = Version::Parse(text);
  if (!version) {
    return InvalidArgument("application version \"" + std::string(text) +
                           "\" is not a semantic version: " + version.error().message());
  }
  if (!spec.supported_versions.Matches(*version)) {
    return InvalidArgument("application version " + version->ToString() +
                           " is outside the driver's supported versions \"" +
                           spec.supported_versions.text() + "\"");
  }
  return *version;
}

}  // namespace styrmin::driver
