#include "styrmin/driver/spec.h"

#include <algorithm>
#include <array>
#include <initializer_list>
#include <set>
#include <utility>

#include "styrmin/core/yaml.h"
#include "styrmin/driver/pattern.h"

namespace styrmin::driver {

std::string Problem::ToString() const { return path.empty() ? message : path + ": " + message; }

std::string JoinProblems(const std::vector<Problem>& problems) {
  std::string out;
  for (const auto& p : problems) {
    if (!out.empty()) out += '\n';
    out += p.ToString();
  }
  return out;
}

namespace {

constexpr std::array kBackupKinds = {
    std::pair{BackupKind::kDisk, std::string_view("disk")},
    std::pair{BackupKind::kPostgres, std::string_view("postgres")},
    std::pair{BackupKind::kMariadb, std::string_view("mariadb")},
    std::pair{BackupKind::kMongodb, std::string_view("mongodb")},
    std::pair{BackupKind::kNeo4j, std::string_view("neo4j")},
    std::pair{BackupKind::kAction, std::string_view("action")},
};
constexpr std::array kParameterKinds = {
    std::pair{ParameterKind::kString, std::string_view("string")},
    std::pair{ParameterKind::kInteger, std::string_view("integer")},
    std::pair{ParameterKind::kBoolean, std::string_view("boolean")},
    std::pair{ParameterKind::kEnum, std::string_view("enum")},
    std::pair{ParameterKind::kSecret, std::string_view("secret")},
};
constexpr std::array kScopes = {
    std::pair{ServiceScope::kInternal, std::string_view("internal")},
    std::pair{ServiceScope::kExternal, std::string_view("external")},
};
constexpr std::array kHooks = {
    std::pair{Hook::kSetup, std::string_view("setup")},
    std::pair{Hook::kUpgrade, std::string_view("upgrade")},
    std::pair{Hook::kBackup, std::string_view("backup")},
    std::pair{Hook::kRestore, std::string_view("restore")},
    std::pair{Hook::kDelete, std::string_view("delete")},
};
constexpr std::array kModes = {
    std::pair{Mode::kPre, std::string_view("pre")},
    std::pair{Mode::kCore, std::string_view("core")},
    std::pair{Mode::kPost, std::string_view("post")},
};
constexpr std::array<std::string_view, 5> kServiceKinds = {"http", "https", "grpc", "tcp", "udp"};

template <typename E, std::size_t N>
std::string_view NameOf(const std::array<std::pair<E, std::string_view>, N>& table, E value) {
  for (const auto& [e, name] : table) {
    if (e == value) return name;
  }
  return "?";
}

template <typename E, std::size_t N>
std::optional<E> ValueOf(const std::array<std::pair<E, std::string_view>, N>& table,
                         std::string_view name) {
  for (const auto& [e, n] : table) {
    if (n == name) return e;
  }
  return std::nullopt;
}

template <typename Names>
std::string ListNames(const Names& names) {
  std::string out;
  for (const auto& n : names) {
    if (!out.empty()) out += ", ";
    if constexpr (requires { n.second; }) {
      out += n.second;
    } else {
      out += n;
    }
  }
  return out;
}

// How a JSON node from YAML is described in messages.
std::string Describe(const Json& node) {
  switch (node.type()) {
    case Json::value_t::object:
      return "a mapping";
    case Json::value_t::array:
      return "a list";
    case Json::value_t::string: {
      std::string text = node.get<std::string>();
      if (text.size() > 40) text = text.substr(0, 40) + "...";
      return "\"" + text + "\"";
    }
    case Json::value_t::boolean:
      return node.get<bool>() ? "true" : "false";
    case Json::value_t::null:
      return "nothing (null)";
    case Json::value_t::number_integer:
    case Json::value_t::number_unsigned:
    case Json::value_t::number_float:
      return node.dump();
    default:
      return "an unsupported value";
  }
}

bool IsLower(char c) { return c >= 'a' && c <= 'z'; }
bool IsDigit(char c) { return c >= '0' && c <= '9'; }
bool IsAlpha(char c) { return IsLower(c) || (c >= 'A' && c <= 'Z'); }

// Lowercase letters, digits and '-', starting and ending alphanumeric, at most 63 characters.
bool IsDnsLabel(std::string_view s) {
  if (s.empty() || s.size() > 63 || s.front() == '-' || s.back() == '-') return false;
  return std::all_of(s.begin(), s.end(),
                     [](char c) { return IsLower(c) || IsDigit(c) || c == '-'; });
}

// A Python, Jinja2 and environment variable name.
bool IsIdentifier(std::string_view s) {
  if (s.empty() || s.size() > 128 || IsDigit(s.front())) return false;
  return std::all_of(s.begin(), s.end(),
                     [](char c) { return IsAlpha(c) || IsDigit(c) || c == '_'; });
}

// Kubernetes label keys: an optional DNS subdomain prefix and '/', then a name of at most 63
// characters of letters, digits, '-', '_' and '.', starting and ending alphanumeric; values are
// such names or empty.
bool IsLabelName(std::string_view s) {
  const auto alnum = [](char c) { return IsAlpha(c) || IsDigit(c); };
  if (s.empty() || s.size() > 63 || !alnum(s.front()) || !alnum(s.back())) return false;
  return std::all_of(s.begin(), s.end(),
                     [&alnum](char c) { return alnum(c) || c == '-' || c == '_' || c == '.'; });
}

bool IsLabelKey(std::string_view s) {
  const auto slash = s.find('/');
  if (slash == std::string_view::npos) return IsLabelName(s);
  std::string_view prefix = s.substr(0, slash);
  if (prefix.empty() || prefix.size() > 253) return false;
  while (!prefix.empty()) {
    const auto dot = prefix.find('.');
    if (!IsDnsLabel(prefix.substr(0, dot))) return false;
    if (dot == std::string_view::npos) break;
    prefix.remove_prefix(dot + 1);
    if (prefix.empty()) return false;
  }
  return IsLabelName(s.substr(slash + 1));
}

bool IsActionName(std::string_view s) {
  if (s.empty() || s.size() > 63) return false;
  return std::all_of(s.begin(), s.end(),
                     [](char c) { return IsAlpha(c) || IsDigit(c) || c == '-' || c == '_'; });
}

bool IsVersionText(std::string_view s) {
  if (s.empty() || s.size() > 64 || !(IsAlpha(s.front()) || IsDigit(s.front()))) return false;
  return std::all_of(s.begin(), s.end(), [](char c) {
    return IsAlpha(c) || IsDigit(c) || c == '.' || c == '_' || c == '+' || c == '-';
  });
}

// Walks the YAML tree, building the spec and collecting every problem.
class Reader {
 public:
  std::vector<Problem>& problems() { return problems_; }

  void Report(std::string path, std::string message) {
    problems_.push_back({std::move(path), std::move(message)});
  }

  // `node` must be a mapping whose keys are among `allowed`; reports each unknown key.
  bool Mapping(const Json& node, const std::string& path,
               std::initializer_list<std::string_view> allowed) {
    if (!node.is_object()) {
      Report(path, "expected a mapping, got " + Describe(node));
      return false;
    }
    for (const auto& [key, value] : node.items()) {
      if (std::find(allowed.begin(), allowed.end(), key) == allowed.end()) {
        Report(Join(path, key), "unknown field (expected one of: " + ListNames(allowed) + ")");
      }
    }
    return true;
  }

  // A list; items are visited by the caller.
  bool List(const Json& node, const std::string& path) {
    if (node.is_array()) return true;
    Report(path, "expected a list, got " + Describe(node));
    return false;
  }

  // The string at `key` of mapping `node`; reports a missing required one or a wrong type.
  std::optional<std::string> String(const Json& node, const std::string& path, std::string_view key,
                                    bool required) {
    const auto it = node.find(key);
    if (it == node.end() || it->is_null()) {
      if (required) Report(Join(path, key), "required field is missing");
      return std::nullopt;
    }
    if (!it->is_string()) {
      Report(Join(path, key), "expected a string, got " + Describe(*it) +
                                  (it->is_number() ? " (quote it so YAML keeps it as text)" : ""));
      return std::nullopt;
    }
    return it->get<std::string>();
  }

  std::optional<std::int64_t> Integer(const Json& node, const std::string& path,
                                      std::string_view key, bool required) {
    const auto it = node.find(key);
    if (it == node.end() || it->is_null()) {
      if (required) Report(Join(path, key), "required field is missing");
      return std::nullopt;
    }
    if (!it->is_number_integer()) {
      Report(Join(path, key), "expected an integer, got " + Describe(*it));
      return std::nullopt;
    }
    if (it->is_number_unsigned() && it->get<std::uint64_t>() > INT64_MAX) {
      Report(Join(path, key), "integer out of range: " + it->dump());
      return std::nullopt;
    }
    return it->get<std::int64_t>();
  }

  std::vector<std::string> Strings(const Json& node, const std::string& path,
                                   std::string_view key) {
    std::vector<std::string> out;
    const auto it = node.find(key);
    if (it == node.end() || it->is_null()) return out;
    const std::string list_path = Join(path, key);
    if (!List(*it, list_path)) return out;
    for (std::size_t i = 0; i < it->size(); ++i) {
      const Json& item = (*it)[i];
      if (item.is_string()) {
        out.push_back(item.get<std::string>());
      } else {
        Report(Index(list_path, i), "expected a string, got " + Describe(item));
      }
    }
    return out;
  }

  template <typename E, std::size_t N>
  std::optional<E> Enum(const Json& node, const std::string& path, std::string_view key,
                        const std::array<std::pair<E, std::string_view>, N>& table,
                        std::string_view what, bool required) {
    const auto text = String(node, path, key, required);
    if (!text) return std::nullopt;
    const auto value = ValueOf(table, *text);
    if (!value) {
      Report(Join(path, key), "unknown " + std::string(what) + " \"" + *text +
                                  "\" (expected one of: " + ListNames(table) + ")");
    }
    return value;
  }

  static std::string Join(const std::string& path, std::string_view key) {
    return path.empty() ? std::string(key) : path + "." + std::string(key);
  }
  static std::string Index(const std::string& path, std::size_t i) {
    return path + "[" + std::to_string(i) + "]";
  }

 private:
  std::vector<Problem> problems_;
};

// --- the sections ------------------------------------------------------------------------

void ReadMetadata(Reader& r, const Json& root, DriverSpec& spec) {
  const auto it = root.find("metadata");
  if (it == root.end()) {
    r.Report("metadata", "required field is missing");
    return;
  }
  if (!r.Mapping(*it, "metadata", {"name", "labels", "annotations"})) return;
  if (auto name = r.String(*it, "metadata", "name", true)) {
    if (IsDnsLabel(*name)) {
      spec.name = *name;
    } else {
      r.Report("metadata.name", "\"" + *name +
                                    "\" is not a valid driver name (lowercase letters, digits "
                                    "and '-', at most 63 characters, starting and ending with a "
                                    "letter or digit)");
    }
  }
  for (const char* key : {"labels", "annotations"}) {
    const auto m = it->find(key);
    if (m == it->end() || m->is_null()) continue;
    const std::string path = std::string("metadata.") + key;
    if (!m->is_object()) {
      r.Report(path, "expected a mapping, got " + Describe(*m));
      continue;
    }
    for (const auto& [k, v] : m->items()) {
      if (!v.is_string()) r.Report(Reader::Join(path, k), "expected a string, got " + Describe(v));
    }
  }
}

void ReadVersions(Reader& r, const Json& s, DriverSpec& spec) {
  const auto version = s.find("version");
  if (version == s.end() || version->is_null()) {
    r.Report("spec.version", "required field is missing");
  } else if (version->is_number_integer() && version->get<std::int64_t>() >= 0) {
    spec.version = version->dump();  // `version: 3` as the public format's drivers write it
  } else if (version->is_string()) {
    spec.version = version->get<std::string>();
    if (!IsVersionText(spec.version)) {
      r.Report("spec.version", Describe(*version) +
                                   " is not a valid driver version (at most 64 letters, digits, "
                                   "'.', '_', '+' and '-')");
    }
  } else {
    r.Report("spec.version", "expected a driver version (text or a non-negative integer), got " +
                                 Describe(*version));
  }

  std::optional<VersionRange> range;
  if (auto text = r.String(s, "spec", "supported_versions", true)) {
    auto parsed = VersionRange::Parse(*text);
    if (parsed) {
      range = *parsed;
      spec.supported_versions = std::move(*parsed);
    } else {
      r.Report("spec.supported_versions", parsed.error().message());
    }
  }
  if (auto text = r.String(s, "spec", "default_version", true)) {
    auto parsed = Version::Parse(*text);
    if (!parsed) {
      r.Report("spec.default_version", parsed.error().message());
    } else if (range && !range->Matches(*parsed)) {
      r.Report("spec.default_version",
               parsed->ToString() + " is outside supported_versions \"" + range->text() + "\"");
    } else {
      spec.default_version = *parsed;
    }
  }
}

void ReadInfo(Reader& r, const Json& s, DriverSpec& spec) {
  const auto it = s.find("info");
  if (it == s.end() || it->is_null()) return;
  if (!r.Mapping(*it, "spec.info", {"description", "authors", "license", "links"})) return;
  spec.info.description = r.String(*it, "spec.info", "description", false).value_or("");
  spec.info.license = r.String(*it, "spec.info", "license", false).value_or("");
  spec.info.authors = r.Strings(*it, "spec.info", "authors");
  const auto links = it->find("links");
  if (links == it->end() || links->is_null() || !r.List(*links, "spec.info.links")) return;
  for (std::size_t i = 0; i < links->size(); ++i) {
    const std::string path = Reader::Index("spec.info.links", i);
    const Json& l = (*links)[i];
    if (!r.Mapping(l, path, {"link", "url"})) continue;
    auto text = r.String(l, path, "link", true);
    auto url = r.String(l, path, "url", true);
    if (url && url->rfind("https://", 0) != 0 && url->rfind("http://", 0) != 0) {
      r.Report(path + ".url", "\"" + *url + "\" is not an http(s) URL");
    }
    if (text && url) spec.info.links.push_back({*text, *url});
  }
}

void ReadHelm(Reader& r, const Json& s, DriverSpec& spec) {
  const auto helm = s.find("helm");
  if (helm == s.end()) {
    r.Report("spec.helm", "required field is missing");
    return;
  }
  if (!r.Mapping(*helm, "spec.helm", {"main"})) return;
  const auto main = helm->find("main");
  if (main == helm->end()) {
    r.Report("spec.helm.main", "required field is missing");
    return;
  }
  const std::string path = "spec.helm.main";
  if (!r.Mapping(*main, path, {"location", "version"})) return;
  const auto version = r.String(*main, path, "version", false);
  if (version) spec.chart.version = *version;
  const auto location = r.String(*main, path, "location", true);
  if (!location) return;
  const std::string& l = *location;
  if (l.rfind("oci://", 0) == 0) {
    spec.chart.kind = ChartSource::Kind::kOci;
  } else if (l.rfind("https://", 0) == 0 || l.rfind("http://", 0) == 0) {
    spec.chart.kind = ChartSource::Kind::kRepository;
  } else if (l.find("://") != std::string::npos) {
    r.Report(path + ".location", "unsupported chart location \"" + l +
                                     "\" (expected oci://, https://, http:// or a directory of "
                                     "the driver such as ./chart)");
    return;
  } else {
    spec.chart.kind = ChartSource::Kind::kLocal;
    std::string dir = l;
    while (dir.rfind("./", 0) == 0) dir.erase(0, 2);
    while (!dir.empty() && dir.back() == '/') dir.pop_back();
    const bool escapes = dir == ".." || dir.rfind("../", 0) == 0 ||
                         dir.find("/../") != std::string::npos ||
                         (dir.size() >= 3 && dir.compare(dir.size() - 3, 3, "/..") == 0);
    if (dir.empty() || dir == "." || l.front() == '/' || dir.front() == '/' || escapes) {
      r.Report(path + ".location",
               "a local chart must be a directory inside the driver, such "
               "as ./chart; got \"" +
                   l + "\"");
      return;
    }
    spec.chart.location = dir;
    return;
  }
  spec.chart.location = l;
  if (!version || version->empty()) {
    r.Report(path + ".version", "required for a chart from a repository");
  }
}

void ReadBackup(Reader& r, const Json& node, const std::string& path, Component& component) {
  if (!r.Mapping(node, path, {"kind", "volume", "volumes", "options"})) return;
  const auto kind = r.Enum(node, path, "kind", kBackupKinds, "backup kind", true);
  BackupStrategy backup;
  if (kind) backup.kind = *kind;
  const bool has_volume = node.contains("volume");
  const bool has_volumes = node.contains("volumes");
  if (kind && *kind != BackupKind::kDisk && (has_volume || has_volumes)) {
    r.Report(path + (has_volume ? ".volume" : ".volumes"),
             "only a backup of kind disk names volumes");
  }
  if (has_volume && has_volumes) {
    r.Report(path, "give either volume or volumes, not both");
  }
  std::vector<std::pair<std::string, std::string>> named;  // volume, where it was written
  if (auto v = r.String(node, path, "volume", false)) named.emplace_back(*v, path + ".volume");
  const auto volumes = r.Strings(node, path, "volumes");
  for (std::size_t i = 0; i < volumes.size(); ++i) {
    named.emplace_back(volumes[i], Reader::Index(path + ".volumes", i));
  }
  for (auto& [volume, where] : named) {
    if (!IsDnsLabel(volume)) {
      r.Report(where, "\"" + volume + "\" is not a valid volume name");
    }
    backup.volumes.push_back(std::move(volume));
  }
  // Null or empty names nothing; a value of the wrong type was reported above.
  const auto names_something = [&node](const char* key) {
    const auto it = node.find(key);
    return it != node.end() && !it->is_null() && !(it->is_array() && it->empty());
  };
  if (kind == BackupKind::kDisk && !names_something("volume") && !names_something("volumes")) {
    r.Report(path, "a disk backup names its volume (volume: or volumes:)");
  }
  const auto options = node.find("options");
  if (options != node.end() && !options->is_null()) {
    if (options->is_object()) {
      backup.options = *options;
    } else {
      r.Report(path + ".options", "expected a mapping, got " + Describe(*options));
    }
  }
  if (kind) component.backup = std::move(backup);
}

void ReadComponents(Reader& r, const Json& s, DriverSpec& spec) {
  const auto it = s.find("components");
  if (it == s.end() || it->is_null()) {
    r.Report("spec.components", "required field is missing");
    return;
  }
  if (!it->is_object()) {
    r.Report("spec.components", "expected a mapping of component names, got " + Describe(*it));
    return;
  }
  if (it->empty()) r.Report("spec.components", "a driver has at least one component");
  for (const auto& [name, node] : it->items()) {
    const std::string path = "spec.components." + name;
    if (!IsDnsLabel(name)) {
      r.Report(path, "\"" + name +
                         "\" is not a valid component name (lowercase letters, "
                         "digits and '-', at most 63 characters)");
    }
    Component component;
    component.name = name;
    if (!r.Mapping(node, path, {"identifier", "backup"})) {
      // Still declared: references to it are not problems of their own.
      spec.components.emplace(name, std::move(component));
      continue;
    }
    const auto identifier = node.find("identifier");
    if (identifier == node.end()) {
      r.Report(path + ".identifier", "required field is missing");
    } else if (r.Mapping(*identifier, path + ".identifier", {"label"})) {
      const std::string label_path = path + ".identifier.label";
      const auto label = identifier->find("label");
      if (label == identifier->end()) {
        r.Report(label_path, "required field is missing");
      } else if (!label->is_object() || label->empty()) {
        r.Report(label_path, "expected a non-empty mapping of pod labels, got " + Describe(*label));
      } else {
        for (const auto& [key, value] : label->items()) {
          if (!IsLabelKey(key)) {
            r.Report(Reader::Join(label_path, key), "\"" + key + "\" is not a valid label key");
          }
          if (!value.is_string()) {
            r.Report(Reader::Join(label_path, key),
                     "expected a label value (text), got " + Describe(value) +
                         (value.is_primitive() ? " (quote it)" : ""));
          } else if (const auto v = value.get<std::string>(); !v.empty() && !IsLabelName(v)) {
            r.Report(Reader::Join(label_path, key), "\"" + v + "\" is not a valid label value");
          } else {
            component.labels[key] = value.get<std::string>();
          }
        }
      }
    }
    const auto backup = node.find("backup");
    if (backup != node.end() && !backup->is_null()) {
      ReadBackup(r, *backup, path + ".backup", component);
    }
    spec.components.emplace(name, std::move(component));
  }
}

// The default of parameter `p` checked against its kind and constraints.
void CheckDefault(Reader& r, const Json& value, const std::string& path, const Parameter& p,
                  const std::optional<Pattern>& pattern) {
  switch (p.kind) {
    case ParameterKind::kString:
    case ParameterKind::kEnum:
      if (!value.is_string()) {
        r.Report(path, "expected a string default for a " + std::string(ParameterKindName(p.kind)) +
                           " parameter, got " + Describe(value));
        return;
      }
      if (p.kind == ParameterKind::kEnum && !p.values.empty() &&
          std::find(p.values.begin(), p.values.end(), value.get<std::string>()) == p.values.end()) {
        r.Report(path, Describe(value) + " is not one of the values (" + ListNames(p.values) + ")");
      }
      if (pattern) {
        const auto matches = pattern->Matches(value.get<std::string>());
        if (!matches) {
          r.Report(path, matches.error().message());
        } else if (!*matches) {
          r.Report(path, Describe(value) + " does not match the pattern " + *p.pattern);
        }
      }
      return;
    case ParameterKind::kInteger:
      if (!value.is_number_integer()) {
        r.Report(path, "expected an integer default, got " + Describe(value));
        return;
      }
      if (p.min && value.get<std::int64_t>() < *p.min) {
        r.Report(path, value.dump() + " is below the minimum " + std::to_string(*p.min));
      }
      if (p.max && value.get<std::int64_t>() > *p.max) {
        r.Report(path, value.dump() + " is above the maximum " + std::to_string(*p.max));
      }
      return;
    case ParameterKind::kBoolean:
      if (!value.is_boolean()) r.Report(path, "expected true or false, got " + Describe(value));
      return;
    case ParameterKind::kSecret:
      r.Report(path,
               "a secret parameter has no default: it would be stored in the driver, in "
               "clear");
      return;
  }
}

void ReadParameter(Reader& r, const Json& node, const std::string& path,
                   std::map<std::string, std::string>& seen, DriverSpec& spec) {
  if (!r.Mapping(node, path,
                 {"name", "label", "description", "kind", "default", "values", "required", "min",
                  "max", "pattern"})) {
    return;
  }
  Parameter p;
  const auto name = r.String(node, path, "name", true);
  if (name) {
    if (!IsIdentifier(*name)) {
      r.Report(path + ".name", "\"" + *name +
                                   "\" is not a valid parameter name (letters, digits and '_', "
                                   "not starting with a digit)");
    } else if (const auto [it, inserted] = seen.emplace(*name, path); !inserted) {
      r.Report(path + ".name",
               "duplicate parameter \"" + *name + "\" (first at " + it->second + ")");
    }
    p.name = *name;
  }
  p.label = r.String(node, path, "label", false).value_or(p.name);
  p.description = r.String(node, path, "description", false).value_or("");
  const auto kind = r.Enum(node, path, "kind", kParameterKinds, "kind", true);
  if (kind) p.kind = *kind;

  const bool has_values = node.contains("values") && !node["values"].is_null();
  if (kind == ParameterKind::kEnum) {
    if (!has_values) {
      r.Report(path + ".values", "an enum parameter lists its values");
    } else {
      p.values = r.Strings(node, path, "values");
      std::set<std::string> unique;
      for (const auto& v : p.values) {
        if (!unique.insert(v).second) r.Report(path + ".values", "duplicate value \"" + v + "\"");
      }
      if (node["values"].is_array() && node["values"].empty()) {
        r.Report(path + ".values", "an enum parameter has at least one value");
      }
    }
  } else if (has_values && kind) {
    r.Report(path + ".values", "only an enum parameter has values");
  }

  const bool integer = kind == ParameterKind::kInteger;
  for (const char* bound : {"min", "max"}) {
    if (!node.contains(bound)) continue;
    if (kind && !integer) {
      r.Report(path + "." + bound, "only an integer parameter has a " + std::string(bound));
      continue;
    }
    (std::string_view(bound) == "min" ? p.min : p.max) = r.Integer(node, path, bound, false);
  }
  if (p.min && p.max && *p.min > *p.max) {
    r.Report(path, "min " + std::to_string(*p.min) + " is above max " + std::to_string(*p.max));
  }

  std::optional<Pattern> pattern;
  if (node.contains("pattern")) {
    if (kind && *kind != ParameterKind::kString && *kind != ParameterKind::kSecret) {
      r.Report(path + ".pattern", "only a string or secret parameter has a pattern");
    } else if (auto text = r.String(node, path, "pattern", false)) {
      p.pattern = *text;
      auto compiled = Pattern::Compile(*text);
      if (compiled) {
        pattern = std::move(*compiled);
      } else {
        r.Report(path + ".pattern", compiled.error().message());
      }
    }
  }

  const auto required = node.find("required");
  std::optional<bool> declared_required;
  if (required != node.end() && !required->is_null()) {
    if (required->is_boolean()) {
      declared_required = required->get<bool>();
    } else {
      r.Report(path + ".required", "expected true or false, got " + Describe(*required));
    }
  }
  const auto def = node.find("default");
  if (def != node.end() && !def->is_null()) {
    p.default_value = *def;
    if (kind) CheckDefault(r, *def, path + ".default", p, pattern);
    if (declared_required.value_or(false)) {
      r.Report(path + ".required", "a parameter with a default is not required");
    }
  }
  p.required = declared_required.value_or(!p.default_value.has_value());
  spec.parameters.push_back(std::move(p));
}

void ReadParameters(Reader& r, const Json& s, DriverSpec& spec) {
  const auto it = s.find("parameters");
  if (it == s.end() || it->is_null() || !r.List(*it, "spec.parameters")) return;
  std::map<std::string, std::string> seen;
  for (std::size_t i = 0; i < it->size(); ++i) {
    ReadParameter(r, (*it)[i], Reader::Index("spec.parameters", i), seen, spec);
  }
}

// `component` must name one of the spec's components.
void CheckComponentRef(Reader& r, const DriverSpec& spec, const std::string& path,
                       const std::string& component) {
  if (spec.components.count(component) == 0) {
    std::vector<std::string> known;
    known.reserve(spec.components.size());
    for (const auto& [name, c] : spec.components) known.push_back(name);
    r.Report(path,
             "unknown component \"" + component + "\" (the driver has: " + ListNames(known) + ")");
  }
}

void ReadServices(Reader& r, const Json& s, DriverSpec& spec) {
  const auto it = s.find("services");
  if (it == s.end() || it->is_null() || !r.List(*it, "spec.services")) return;
  std::map<std::string, std::string> seen;
  for (std::size_t i = 0; i < it->size(); ++i) {
    const std::string path = Reader::Index("spec.services", i);
    const Json& node = (*it)[i];
    if (!r.Mapping(node, path, {"name", "kind", "scope", "port", "component"})) continue;
    Service service;
    bool ok = true;
    if (auto name = r.String(node, path, "name", true)) {
      if (!IsDnsLabel(*name)) {
        r.Report(path + ".name", "\"" + *name +
                                     "\" is not a valid service name (lowercase "
                                     "letters, digits and '-')");
      } else if (const auto [at, inserted] = seen.emplace(*name, path); !inserted) {
        r.Report(path + ".name",
                 "duplicate service \"" + *name + "\" (first at " + at->second + ")");
      }
      service.name = *name;
    } else {
      ok = false;
    }
    if (auto kind = r.String(node, path, "kind", true)) {
      if (std::find(kServiceKinds.begin(), kServiceKinds.end(), *kind) == kServiceKinds.end()) {
        r.Report(path + ".kind", "unknown service kind \"" + *kind +
                                     "\" (expected one of: " + ListNames(kServiceKinds) + ")");
      }
      service.kind = *kind;
    }
    if (node.contains("scope")) {
      if (auto scope = r.Enum(node, path, "scope", kScopes, "scope", false)) service.scope = *scope;
    }
    if (auto port = r.Integer(node, path, "port", true)) {
      if (*port < 1 || *port > 65535) {
        r.Report(path + ".port", std::to_string(*port) + " is not a port (1 to 65535)");
      }
      service.port = static_cast<int>(std::clamp<std::int64_t>(*port, 0, 65535));
    }
    if (auto component = r.String(node, path, "component", true)) {
      CheckComponentRef(r, spec, path + ".component", *component);
      service.component = *component;
    }
    if (ok) spec.services.push_back(std::move(service));
  }
}

void ReadEnvVars(Reader& r, const Json& s, DriverSpec& spec) {
  const auto it = s.find("env_vars");
  if (it == s.end() || it->is_null() || !r.List(*it, "spec.env_vars")) return;
  std::set<std::pair<std::string, std::string>> seen;
  for (std::size_t i = 0; i < it->size(); ++i) {
    const std::string path = Reader::Index("spec.env_vars", i);
    const Json& node = (*it)[i];
    if (!r.Mapping(node, path, {"name", "component", "description", "default"})) continue;
    EnvVarOption option;
    const auto name = r.String(node, path, "name", true);
    const auto component = r.String(node, path, "component", true);
    if (name) {
      if (!IsIdentifier(*name)) {
        r.Report(path + ".name", "\"" + *name + "\" is not a valid environment variable name");
      }
      option.name = *name;
    }
    if (component) {
      CheckComponentRef(r, spec, path + ".component", *component);
      option.component = *component;
    }
    if (name && component && !seen.emplace(*name, *component).second) {
      r.Report(path, "duplicate environment variable \"" + *name + "\" for component \"" +
                         *component + "\"");
    }
    option.description = r.String(node, path, "description", false).value_or("");
    if (auto def = r.String(node, path, "default", false)) option.default_value = *def;
    spec.env_vars.push_back(std::move(option));
  }
}

void ReadContainerOverrides(Reader& r, const Json& s, DriverSpec& spec) {
  const auto it = s.find("container_overrides");
  if (it == s.end() || it->is_null() || !r.List(*it, "spec.container_overrides")) return;
  std::set<std::string> seen;
  for (std::size_t i = 0; i < it->size(); ++i) {
    const std::string path = Reader::Index("spec.container_overrides", i);
    const Json& node = (*it)[i];
    if (!r.Mapping(node, path, {"component", "description"})) continue;
    ContainerOverrideOption option;
    if (auto component = r.String(node, path, "component", true)) {
      CheckComponentRef(r, spec, path + ".component", *component);
      if (!seen.insert(*component).second) {
        r.Report(path + ".component", "component \"" + *component + "\" is listed twice");
      }
      option.component = *component;
    }
    option.description = r.String(node, path, "description", false).value_or("");
    spec.container_overrides.push_back(std::move(option));
  }
}

// "actions.py::migrate": a Python file inside the driver and a function in it.
bool SplitLocation(Reader& r, const std::string& path, const std::string& location,
                   Action& action) {
  const auto sep = location.find("::");
  if (sep == std::string::npos) {
    r.Report(path, "expected FILE::FUNCTION such as actions.py::migrate, got \"" + location + "\"");
    return false;
  }
  std::string file = location.substr(0, sep);
  const std::string function = location.substr(sep + 2);
  while (file.rfind("./", 0) == 0) file.erase(0, 2);
  bool ok = true;
  const bool escapes = file.rfind("../", 0) == 0 || file.find("/../") != std::string::npos;
  if (file.empty() || file.front() == '/' || escapes || file.size() < 4 ||
      file.compare(file.size() - 3, 3, ".py") != 0) {
    r.Report(path, "\"" + file + "\" is not a Python file inside the driver");
    ok = false;
  }
  if (!IsIdentifier(function)) {
    r.Report(path, "\"" + function + "\" is not a Python function name");
    ok = false;
  }
  action.file = file;
  action.function = function;
  return ok;
}

void ReadActions(Reader& r, const Json& s, DriverSpec& spec) {
  const auto it = s.find("actions");
  if (it == s.end() || it->is_null() || !r.List(*it, "spec.actions")) return;
  std::map<std::string, std::string> seen;
  std::map<Hook, std::string> core;
  for (std::size_t i = 0; i < it->size(); ++i) {
    const std::string path = Reader::Index("spec.actions", i);
    const Json& node = (*it)[i];
    if (!r.Mapping(node, path, {"name", "hook", "mode", "location", "timeout"})) continue;
    Action action;
    if (auto name = r.String(node, path, "name", true)) {
      if (!IsActionName(*name)) {
        r.Report(path + ".name", "\"" + *name +
                                     "\" is not a valid action name (letters, digits, '-' and "
                                     "'_', at most 63 characters)");
      } else if (const auto [at, inserted] = seen.emplace(*name, path); !inserted) {
        r.Report(path + ".name",
                 "duplicate action \"" + *name + "\" (first at " + at->second + ")");
      }
      action.name = *name;
    }
    const auto hook = r.Enum(node, path, "hook", kHooks, "hook", true);
    if (hook) action.hook = *hook;
    if (node.contains("mode")) {
      if (auto mode = r.Enum(node, path, "mode", kModes, "mode", false)) action.mode = *mode;
    }
    if (hook && action.mode == Mode::kCore) {
      if (const auto [at, inserted] = core.emplace(*hook, path); !inserted) {
        r.Report(path + ".mode", "hook " + std::string(HookName(*hook)) +
                                     " already has a core action (" + at->second +
                                     "); a core action replaces the built-in step, so there "
                                     "is at most one");
      }
    }
    if (auto location = r.String(node, path, "location", true)) {
      if (!SplitLocation(r, path + ".location", *location, action)) {
        action.file.clear();  // nothing for the loader to look up
        action.function.clear();
      }
    }
    if (auto timeout = r.Integer(node, path, "timeout", false)) {
      if (*timeout < 1 || *timeout > 86400) {
        r.Report(path + ".timeout",
                 std::to_string(*timeout) + " is not a timeout in seconds (1 to 86400)");
      } else {
        action.timeout_seconds = static_cast<int>(*timeout);
      }
    }
    // Kept whatever else is wrong with it: its hook still counts for the cross-checks.
    if (hook) spec.actions.push_back(std::move(action));
  }
}

// Components backed up by their own actions need a backup and a restore action.
void CheckActionBackups(Reader& r, const DriverSpec& spec) {
  for (const auto& [name, component] : spec.components) {
    if (!component.backup || component.backup->kind != BackupKind::kAction) continue;
    for (const Hook hook : {Hook::kBackup, Hook::kRestore}) {
      const bool found = std::any_of(spec.actions.begin(), spec.actions.end(),
                                     [hook](const Action& a) { return a.hook == hook; });
      if (!found) {
        r.Report(
            "spec.components." + name + ".backup.kind",
            "a backup of kind action needs an action with hook " + std::string(HookName(hook)));
      }
    }
  }
}

}  // namespace

std::string_view BackupKindName(BackupKind kind) { return NameOf(kBackupKinds, kind); }
std::string_view ParameterKindName(ParameterKind kind) { return NameOf(kParameterKinds, kind); }
std::string_view ServiceScopeName(ServiceScope scope) { return NameOf(kScopes, scope); }
std::string_view HookName(Hook hook) { return NameOf(kHooks, hook); }
std::string_view ModeName(Mode mode) { return NameOf(kModes, mode); }

const Parameter* DriverSpec::FindParameter(std::string_view n) const {
  for (const auto& p : parameters) {
    if (p.name == n) return &p;
  }
  return nullptr;
}

const Service* DriverSpec::FindService(std::string_view n) const {
  for (const auto& s : services) {
    if (s.name == n) return &s;
  }
  return nullptr;
}

SpecParse ParseSpec(std::string_view yaml) {
  SpecParse out;
  YamlLimits limits;
  limits.max_bytes = 1 << 20;  // a spec is a few kilobytes; refuse anything absurd early
  limits.max_nodes = 100000;
  limits.max_expanded_bytes = 4 << 20;
  limits.max_depth = 64;
  auto root = ParseYaml(yaml, limits);
  if (!root) {
    out.problems.push_back({"driver.styrmin.yml", root.error().message()});
    return out;
  }
  Reader r;
  DriverSpec spec;
  if (r.Mapping(*root, "", {"apiVersion", "kind", "metadata", "spec"})) {
    if (auto api = r.String(*root, "", "apiVersion", true); api && *api != "styrmin.io/v1") {
      r.Report("apiVersion", "unsupported apiVersion \"" + *api + "\" (expected styrmin.io/v1)");
    }
    if (auto kind = r.String(*root, "", "kind", true); kind && *kind != "ApplicationDriver") {
      r.Report("kind", "unsupported kind \"" + *kind + "\" (expected ApplicationDriver)");
    }
    ReadMetadata(r, *root, spec);
    const auto s = root->find("spec");
    if (s == root->end()) {
      r.Report("spec", "required field is missing");
    } else if (r.Mapping(*s, "spec",
                         {"version", "supported_versions", "default_version", "info", "helm",
                          "components", "parameters", "services", "env_vars", "container_overrides",
                          "actions"})) {
      ReadVersions(r, *s, spec);
      ReadInfo(r, *s, spec);
      ReadHelm(r, *s, spec);
      ReadComponents(r, *s, spec);
      ReadParameters(r, *s, spec);
      ReadServices(r, *s, spec);
      ReadEnvVars(r, *s, spec);
      ReadContainerOverrides(r, *s, spec);
      ReadActions(r, *s, spec);
      CheckActionBackups(r, spec);
    }
  }
  out.problems = std::move(r.problems());
  if (out.problems.empty()) {
    out.spec = spec;
  }
  out.partial = std::move(spec);
  return out;
}

Json SpecToJson(const DriverSpec& spec) {
  Json components = Json::object();
  for (const auto& [name, c] : spec.components) {
    Json component = {{"identifier", {{"label", c.labels}}}};
    if (c.backup) {
      Json backup = {{"kind", BackupKindName(c.backup->kind)}, {"options", c.backup->options}};
      if (c.backup->kind == BackupKind::kDisk) backup["volumes"] = c.backup->volumes;
      component["backup"] = std::move(backup);
    }
    components[name] = std::move(component);
  }
  Json parameters = Json::array();
  for (const auto& p : spec.parameters) {
    Json j = {{"name", p.name},
              {"label", p.label},
              {"description", p.description},
              {"kind", ParameterKindName(p.kind)},
              {"required", p.required}};
    if (p.default_value) j["default"] = *p.default_value;
    if (p.kind == ParameterKind::kEnum) j["values"] = p.values;
    if (p.min) j["min"] = *p.min;
    if (p.max) j["max"] = *p.max;
    if (p.pattern) j["pattern"] = *p.pattern;
    parameters.push_back(std::move(j));
  }
  Json services = Json::array();
  for (const auto& s : spec.services) {
    services.push_back({{"name", s.name},
                        {"kind", s.kind},
                        {"scope", ServiceScopeName(s.scope)},
                        {"port", s.port},
                        {"component", s.component}});
  }
  Json env_vars = Json::array();
  for (const auto& e : spec.env_vars) {
    Json j = {{"name", e.name}, {"component", e.component}, {"description", e.description}};
    if (e.default_value) j["default"] = *e.default_value;
    env_vars.push_back(std::move(j));
  }
  Json overrides = Json::array();
  for (const auto& o : spec.container_overrides) {
    overrides.push_back({{"component", o.component}, {"description", o.description}});
  }
  Json actions = Json::array();
  for (const auto& a : spec.actions) {
    actions.push_back({{"name", a.name},
                       {"hook", HookName(a.hook)},
                       {"mode", ModeName(a.mode)},
                       {"location", a.file + "::" + a.function},
                       {"timeout", a.timeout_seconds}});
  }
  Json links = Json::array();
  for (const auto& l : spec.info.links) links.push_back({{"link", l.link}, {"url", l.url}});
  return {
      {"apiVersion", "styrmin.io/v1"},
      {"kind", "ApplicationDriver"},
      {"metadata", {{"name", spec.name}}},
      {"spec",
       {{"version", spec.version},
        {"supported_versions", spec.supported_versions.text()},
        {"default_version", spec.default_version.ToString()},
        {"info",
         {{"description", spec.info.description},
          {"authors", spec.info.authors},
          {"license", spec.info.license},
          {"links", std::move(links)}}},
        {"helm",
         {{"main",
           {{"location", spec.chart.kind == ChartSource::Kind::kLocal ? "./" + spec.chart.location
                                                                      : spec.chart.location},
            {"version", spec.chart.version}}}}},
        {"components", std::move(components)},
        {"parameters", std::move(parameters)},
        {"services", std::move(services)},
        {"env_vars", std::move(env_vars)},
        {"container_overrides", std::move(overrides)},
        {"actions", std::move(actions)}}}};
}

}  // namespace styrmin::driver
