#include "styrmin/core/yaml.h"

#include <yaml.h>

#include <charconv>
#include <cstdint>
#include <limits>
#include <optional>
#include <string>
#include <unordered_map>
#include <utility>

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
  // The core schema: [-+]?(\.[0-9]+|[0-9]+(\.[0-9]*)?)([eE][-+]?[0-9]+)?, matched exactly
  // before from_chars (which is laxer) converts it.
  std::string_view v(s);
  std::size_t i = 0;
  auto digits = [&] {
    const std::size_t start = i;
    while (i < v.size() && v[i] >= '0' && v[i] <= '9') ++i;
    return i - start;
  };
  if (i < v.size() && (v[i] == '+' || v[i] == '-')) ++i;
  const std::size_t number_start = i;
  const std::size_t whole = digits();
  std::size_t fraction = 0;
  if (i < v.size() && v[i] == '.') {
    ++i;
    fraction = digits();
  }
  if (whole == 0 && fraction == 0) return false;
  if (i < v.size() && (v[i] == 'e' || v[i] == 'E')) {
    ++i;
    if (i < v.size() && (v[i] == '+' || v[i] == '-')) ++i;
    if (digits() == 0) return false;
  }
  if (i != v.size()) return false;
  // from_chars takes no leading '+'; a '-' stays part of the number.
  const std::size_t from = v[0] == '-' ? 0 : number_start;
  auto [ptr, ec] = std::from_chars(v.data() + from, v.data() + v.size(), out);
  return ec == std::errc() && ptr == v.data() + v.size();
}

// Resolves a scalar as the YAML 1.2 core schema says: only plain, untagged scalars are typed.
Json ResolveScalar(const yaml_event_t& event) {
  const auto& scalar = event.data.scalar;
  std::string text(reinterpret_cast<const char*>(scalar.value), scalar.length);
  const bool explicit_tag = scalar.tag != nullptr;
  if (explicit_tag &&
      std::string_view(reinterpret_cast<const char*>(scalar.tag)) == "tag:yaml.org,2002:str") {
    return text;
  }
  if (scalar.style != YAML_PLAIN_SCALAR_STYLE) return text;
  if (IsNull(text)) return nullptr;
  if (bool b; ParseBool(text, b)) return b;
  if (std::int64_t i; ParseInteger(text, i)) return i;
  if (double d; ParseFloat(text, d)) return d;
  return text;
}

std::string Where(const yaml_mark_t& mark) {
  return "line " + std::to_string(mark.line + 1) + ", column " + std::to_string(mark.column + 1);
}

// Builds JSON from libyaml's event stream with an explicit stack: no recursion, so nesting is
// bounded by `limits.max_depth` alone, and alias expansion by `limits.max_nodes` and
// `limits.max_expanded_bytes`: every node, key and alias copy is charged its weight.
class Builder {
 public:
  explicit Builder(const YamlLimits& limits) : limits_(limits) {}

  // Feeds one event; documents completed so far are appended to `docs`.
  Status Feed(const yaml_event_t& event, std::vector<Json>& docs) {
    switch (event.type) {
      case YAML_SCALAR_EVENT: {
        const auto& s = event.data.scalar;
        if (ExpectingKey()) {
          return TakeKey(std::string(reinterpret_cast<const char*>(s.value), s.length),
                         event.start_mark);
        }
        // An empty document reads as an empty plain scalar; it is skipped, not a null.
        if (stack_.empty() && s.length == 0 && s.style == YAML_PLAIN_SCALAR_STYLE &&
            s.tag == nullptr && s.anchor == nullptr) {
          return OkStatus();
        }
        const Weight weight{1, s.length + kNodeBytes};
        STYRMIN_RETURN_IF_ERROR(Charge(weight, event.start_mark));
        return Complete(ResolveScalar(event), weight, Anchor(s.anchor), docs);
      }
      case YAML_SEQUENCE_START_EVENT:
      case YAML_MAPPING_START_EVENT: {
        if (ExpectingKey()) {
          return InvalidArgument("YAML mapping key at " + Where(event.start_mark) +
                                 " is not a scalar");
        }
        if (static_cast<int>(stack_.size()) >= limits_.max_depth) {
          return InvalidArgument("YAML nested deeper than " + std::to_string(limits_.max_depth) +
                                 " levels (" + Where(event.start_mark) + ")");
        }
        const bool mapping = event.type == YAML_MAPPING_START_EVENT;
        Frame frame;
        frame.value = mapping ? Json::object() : Json::array();
        frame.anchor =
            Anchor(mapping ? event.data.mapping_start.anchor : event.data.sequence_start.anchor);
        stack_.push_back(std::move(frame));
        return Charge(Weight{1, kNodeBytes}, event.start_mark);
      }
      case YAML_SEQUENCE_END_EVENT:
      case YAML_MAPPING_END_EVENT: {
        Frame frame = std::move(stack_.back());
        stack_.pop_back();
        frame.weight += Weight{1, kNodeBytes};
        return Complete(std::move(frame.value), frame.weight, frame.anchor, docs);
      }
      case YAML_ALIAS_EVENT: {
        const std::string name(reinterpret_cast<const char*>(event.data.alias.anchor));
        const auto it = anchors_.find(name);
        if (it == anchors_.end()) {
          return InvalidArgument("YAML alias *" + name + " at " + Where(event.start_mark) +
                                 " names no anchor");
        }
        if (ExpectingKey()) {
          if (!it->second.value.is_string()) {
            return InvalidArgument("YAML mapping key at " + Where(event.start_mark) +
                                   " is not a scalar");
          }
          return TakeKey(it->second.value.get<std::string>(), event.start_mark);
        }
        // Copying the anchored value costs what building it cost, so alias bombs of nodes or
        // of large scalars both run into the budget before they are materialised.
        STYRMIN_RETURN_IF_ERROR(Charge(it->second.weight, event.start_mark));
        return Complete(Json(it->second.value), it->second.weight, "", docs);
      }
      case YAML_DOCUMENT_START_EVENT:
        anchors_.clear();  // anchors are scoped to their document
        return OkStatus();
      default:
        return OkStatus();
    }
  }

 private:
  // Approximate bytes a node costs beyond its text, so empty nodes are not free.
  static constexpr std::size_t kNodeBytes = 16;

  struct Weight {
    std::size_t nodes = 0;
    std::size_t bytes = 0;
    Weight& operator+=(const Weight& other) {
      nodes += other.nodes;
      bytes += other.bytes;
      return *this;
    }
  };
  struct Frame {
    Json value;
    std::string anchor;
    std::optional<std::string> key;  // mappings: the key awaiting its value
    Weight weight;                   // of everything below this node, aliases expanded
  };
  struct Anchored {
    Json value;
    Weight weight;
  };

  static std::string Anchor(const yaml_char_t* anchor) {
    return anchor == nullptr ? std::string() : std::string(reinterpret_cast<const char*>(anchor));
  }

  bool ExpectingKey() const {
    return !stack_.empty() && stack_.back().value.is_object() && !stack_.back().key;
  }

  Status TakeKey(std::string key, const yaml_mark_t& mark) {
    if (stack_.back().value.contains(key)) {
      return InvalidArgument("duplicate YAML mapping key \"" + key + "\" at " + Where(mark));
    }
    const Weight weight{1, key.size() + kNodeBytes};
    stack_.back().weight += weight;
    stack_.back().key = std::move(key);
    return Charge(weight, mark);
  }

  Status Charge(const Weight& weight, const yaml_mark_t& mark) {
    total_ += weight;
    if (total_.nodes > limits_.max_nodes) {
      return InvalidArgument("YAML document expands to more than " +
                             std::to_string(limits_.max_nodes) + " nodes (" + Where(mark) + ")");
    }
    if (total_.bytes > limits_.max_expanded_bytes) {
      return InvalidArgument("YAML document expands to more than " +
                             std::to_string(limits_.max_expanded_bytes) + " bytes (" + Where(mark) +
                             ")");
    }
    return OkStatus();
  }

  // A node of `weight` (aliases expanded) is finished: remember its anchor, then place it in
  // its parent or as a document.
  Status Complete(Json value, const Weight& weight, const std::string& anchor,
                  std::vector<Json>& docs) {
    if (!anchor.empty()) anchors_[anchor] = Anchored{value, weight};
    if (stack_.empty()) {
      docs.push_back(std::move(value));
      return OkStatus();
    }
    Frame& parent = stack_.back();
    parent.weight += weight;
    if (parent.value.is_array()) {
      parent.value.push_back(std::move(value));
    } else {
      parent.value[*parent.key] = std::move(value);
      parent.key.reset();
    }
    return OkStatus();
  }

  const YamlLimits& limits_;
  std::vector<Frame> stack_;
  std::unordered_map<std::string, Anchored> anchors_;
  Weight total_;
};

Result<std::vector<Json>> Parse(std::string_view text, const YamlLimits& limits) {
  if (text.size() > limits.max_bytes) {
    return InvalidArgument("YAML input of " + std::to_string(text.size()) +
                           " bytes exceeds the limit of " + std::to_string(limits.max_bytes));
  }
  yaml_parser_t parser;
  if (yaml_parser_initialize(&parser) == 0) return Internal("cannot initialise the YAML parser");
  yaml_parser_set_input_string(&parser, reinterpret_cast<const unsigned char*>(text.data()),
                               text.size());
  Builder builder(limits);
  std::vector<Json> docs;
  Status status = OkStatus();
  while (status) {
    yaml_event_t event;
    if (yaml_parser_parse(&parser, &event) == 0) {
      std::string message = "invalid YAML at " + Where(parser.problem_mark) + ": " +
                            (parser.problem != nullptr ? parser.problem : "syntax error");
      if (parser.context != nullptr) message += std::string(" ") + parser.context;
      status = InvalidArgument(std::move(message));
      break;
    }
    const bool done = event.type == YAML_STREAM_END_EVENT;
    status = builder.Feed(event, docs);
    yaml_event_delete(&event);
    if (done) break;
  }
  yaml_parser_delete(&parser);
  if (!status) return tl::unexpected(status.error());
  return docs;
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
