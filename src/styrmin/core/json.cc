#include "styrmin/core/json.h"

#include <exception>
#include <string>

namespace styrmin {
namespace {

// Rejects documents nested deeper than `max_depth` before nlohmann recurses into them.
bool NestingWithin(std::string_view text, int max_depth) {
  int depth = 0;
  bool in_string = false;
  bool escaped = false;
  for (char c : text) {
    if (in_string) {
      if (escaped) {
        escaped = false;
      } else if (c == '\\') {
        escaped = true;
      } else if (c == '"') {
        in_string = false;
      }
      continue;
    }
    if (c == '"') {
      in_string = true;
    } else if (c == '[' || c == '{') {
      if (++depth > max_depth) return false;
    } else if (c == ']' || c == '}') {
      --depth;
    }
  }
  return true;
}

template <typename T, typename Check>
Result<T> GetTyped(const Json& object, std::string_view key, std::string_view expected,
                   Check check) {
  if (!object.is_object()) {
    return InvalidArgument("expected an object to read field \"" + std::string(key) + "\", got " +
                           std::string(JsonTypeName(object)));
  }
  auto it = object.find(key);
  if (it == object.end()) {
    return InvalidArgument("missing field \"" + std::string(key) + "\"");
  }
  if (!check(*it)) {
    return InvalidArgument("field \"" + std::string(key) + "\": expected " + std::string(expected) +
                           ", got " + std::string(JsonTypeName(*it)));
  }
  return it->template get<T>();
}

template <typename J>
Result<J> ParseWithLimit(std::string_view text, int max_depth) {
  if (!NestingWithin(text, max_depth)) {
    return InvalidArgument("JSON nested deeper than " + std::to_string(max_depth) + " levels");
  }
  try {
    return J::parse(text);
  } catch (const typename J::parse_error& e) {
    return InvalidArgument("invalid JSON at byte " + std::to_string(e.byte) + ": " +
                           std::string(e.what()));
  } catch (const std::exception& e) {
    return InvalidArgument(std::string("invalid JSON: ") + e.what());
  }
}

}  // namespace

Result<Json> ParseJson(std::string_view text, int max_depth) {
  return ParseWithLimit<Json>(text, max_depth);
}

Result<OrderedJson> ParseOrderedJson(std::string_view text, int max_depth) {
  return ParseWithLimit<OrderedJson>(text, max_depth);
}

std::string DumpJson(const Json& value) {
  return value.dump(-1, ' ', false, Json::error_handler_t::replace);
}

std::string_view JsonTypeName(const Json& value) {
  switch (value.type()) {
    case Json::value_t::object:
      return "object";
    case Json::value_t::array:
      return "array";
    case Json::value_t::string:
      return "string";
    case Json::value_t::number_integer:
    case Json::value_t::number_unsigned:
      return "integer";
    case Json::value_t::number_float:
      return "number";
    case Json::value_t::boolean:
      return "boolean";
    case Json::value_t::null:
      return "null";
    case Json::value_t::binary:
      return "binary";
    case Json::value_t::discarded:
      return "discarded";
  }
  return "unknown";
}

Result<std::string> GetString(const Json& object, std::string_view key) {
  return GetTyped<std::string>(object, key, "string", [](const Json& v) { return v.is_string(); });
}

Result<std::int64_t> GetInt(const Json& object, std::string_view key) {
  return GetTyped<std::int64_t>(object, key, "integer", [](const Json& v) {
    return v.is_number_integer() &&
           !(v.is_number_unsigned() &&
             v.get<std::uint64_t>() > static_cast<std::uint64_t>(INT64_MAX));
  });
}

Result<bool> GetBool(const Json& object, std::string_view key) {
  return GetTyped<bool>(object, key, "boolean", [](const Json& v) { return v.is_boolean(); });
}

Result<Json> GetObject(const Json& object, std::string_view key) {
  return GetTyped<Json>(object, key, "object", [](const Json& v) { return v.is_object(); });
}

Result<Json> GetArray(const Json& object, std::string_view key) {
  return GetTyped<Json>(object, key, "array", [](const Json& v) { return v.is_array(); });
}

}  // namespace styrmin
