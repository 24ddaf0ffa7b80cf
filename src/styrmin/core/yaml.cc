#include "styrmin/core/yaml.h"

#include <yaml-cpp/yaml.h>

#include <charconv>
#include <exception>
#include <limits>
#include <string>

namespace styrmin {
namespace {

bool IsNull(const std::string& s) {
  return s.empty() || s == "~" || s == "null" || s == "Null" || s == "NULL";
}

bool ParseBool(const std::string& s, bool& out) {
  if (s == "true" || s == "True" || s == "TRUE") {
    out = true;
    return true;
  }
  if (s == "false" || s == "False" || s == "FALSE") {
    out = false;
    return true;
  }
  return false;
}

bool ParseInteger(const std::string& s, std::int64_t& out) {
  std::string_view v(s);
  int base = 10;
  bool negative = false;
  if (!v.empty() && (v.front() == '+' || v.front() == '-')) {
    negative = v.front() == '-';
    v.remove_prefix(1);
  }
  if (v.starts_with("0x")) {
    base = 16;
    v.remove_prefix(2);
  } else if (v.starts_with("0o")) {
    base = 8;
    v.remove_prefix(2);
  }
  if (v.empty()) return false;
  std::uint64_t magnitude = 0;
  auto [ptr, ec] = std::from_chars(v.data(), v.data() + v.size(), magnitude, base);
  if (ec != std::errc() || ptr != v.data() + v.size()) return false;
  const auto max = static_cast<std::uint64_t>(std::numeric_limits<std::int64_t>::max());
  if (negative) {
    if (magnitude > max + 1) return false;
    out = magnitude == max + 1 ? std::numeric_limits<std::int64_t>::min()
                               : -static_cast<std::int64_t>(magnitude);
  } else {
    if (magnitude > max) return false;
    out = static_cast<std::int64_t>(magnitude);
  }
  return true;
}

bool ParseFloat(const std::string& s, double& out) {
  if (s == ".inf" || s == ".Inf" || s == ".INF" || s == "+.inf") {
    out = std::numeric_limits<double>::infinity();
    return true;
  }
  if (s == "-.inf" || s == "-.Inf" || s == "-.INF") {
    out = -std::numeric_limits<double>::infinity();
    return true;
  }
  if (s == ".nan" || s == ".NaN" || s == ".NAN") {
    out = std::numeric_limits<double>::quiet_NaN();
    return true;
  }
  // The core schema: [-+]?(\.[0-9]+|[0-9]+(\.[0-9]*)?)([eE][-+]?[0-9]+)?
  std::string_view v(s);
  if (!v.empty() && v.front() == '+') v.remove_prefix(1);
  if (v.empty() || v.find_first_not_of("0123456789.eE+-") != std::string_view::npos) return false;
  if (v.find_first_of("0123456789") == std::string_view::npos) return false;
  auto [ptr, ec] = std::from_chars(v.data(), v.data() + v.size(), out);
  return ec == std::errc() && ptr == v.data() + v.size();
}

Json ScalarToJson(const YAML::Node& node) {
  const std::string& s = node.Scalar();
  // yaml-cpp tags plain scalars "?" and quoted ones "!": only plain scalars are resolved.
  if (node.Tag() != "?") return s;
  if (IsNull(s)) return nullptr;
  if (bool b; ParseBool(s, b)) return b;
  if (std::int64_t i; ParseInteger(s, i)) return i;
  if (double d; ParseFloat(s, d)) return d;
  return s;
}

Result<Json> NodeToJson(const YAML::Node& node, int depth, const YamlLimits& limits) {
  if (depth > limits.max_depth) {
    return InvalidArgument("YAML nested deeper than " + std::to_string(limits.max_depth) +
                           " levels (line " + std::to_string(node.Mark().line + 1) + ")");
  }
  switch (node.Type()) {
    case YAML::NodeType::Undefined:
    case YAML::NodeType::Null:
      return Json(nullptr);
    case YAML::NodeType::Scalar:
      return ScalarToJson(node);
    case YAML::NodeType::Sequence: {
      Json out = Json::array();
      for (const auto& item : node) {
        STYRMIN_ASSIGN_OR_RETURN(Json value, NodeToJson(item, depth + 1, limits));
        out.push_back(std::move(value));
      }
      return out;
    }
    case YAML::NodeType::Map: {
      Json out = Json::object();
      for (const auto& entry : node) {
        if (!entry.first.IsScalar()) {
          return InvalidArgument("YAML mapping key at line " +
                                 std::to_string(entry.first.Mark().line + 1) + " is not a scalar");
        }
        STYRMIN_ASSIGN_OR_RETURN(Json value, NodeToJson(entry.second, depth + 1, limits));
        out[entry.first.Scalar()] = std::move(value);
      }
      return out;
    }
  }
  return Internal("unknown YAML node type");
}

Error YamlError(const YAML::Exception& e) {
  if (e.mark.is_null()) return Error(ErrorCode::kInvalidArgument, "invalid YAML: " + e.msg);
  return Error(ErrorCode::kInvalidArgument, "invalid YAML at line " +
                                                std::to_string(e.mark.line + 1) + ", column " +
                                                std::to_string(e.mark.column + 1) + ": " + e.msg);
}

// yaml-cpp's parser recurses per nesting level; bound it before handing the text over.
bool FlowNestingWithin(std::string_view text, int max_depth) {
  int depth = 0;
  for (char c : text) {
    if (c == '[' || c == '{') {
      if (++depth > max_depth) return false;
    } else if ((c == ']' || c == '}') && depth > 0) {
      --depth;
    }
  }
  return true;
}

Result<std::vector<Json>> Parse(std::string_view text, const YamlLimits& limits) {
  if (text.size() > limits.max_bytes) {
    return InvalidArgument("YAML input of " + std::to_string(text.size()) +
                           " bytes exceeds the limit of " + std::to_string(limits.max_bytes));
  }
  if (!FlowNestingWithin(text, limits.max_depth)) {
    return InvalidArgument("YAML nested deeper than " + std::to_string(limits.max_depth) +
                           " levels");
  }
  try {
    std::vector<Json> out;
    for (const auto& doc : YAML::LoadAll(std::string(text))) {
      if (doc.IsNull()) continue;
      STYRMIN_ASSIGN_OR_RETURN(Json value, NodeToJson(doc, 0, limits));
      out.push_back(std::move(value));
    }
    return out;
  } catch (const YAML::Exception& e) {
    return tl::unexpected(YamlError(e));
  } catch (const std::exception& e) {
    return InvalidArgument(std::string("invalid YAML: ") + e.what());
  }
}

}  // namespace

Result<Json> ParseYaml(std::string_view text, const YamlLimits& limits) {
  STYRMIN_ASSIGN_OR_RETURN(auto docs, Parse(text, limits));
  if (docs.size() > 1) {
    return InvalidArgument("expected one YAML document, got " + std::to_string(docs.size()));
  }
  if (docs.empty()) return Json(nullptr);
  return std::move(docs.front());
}

Result<std::vector<Json>> ParseYamlDocuments(std::string_view text, const YamlLimits& limits) {
  return Parse(text, limits);
}

}  // namespace styrmin
