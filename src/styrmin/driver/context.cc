#include "styrmin/driver/context.h"

#include <cstdint>
#include <limits>
#include <map>
#include <optional>
#include <string>
#include <utility>
#include <vector>

namespace styrmin::driver {
namespace {

constexpr std::size_t kMaxLabelLength = 63;
constexpr std::size_t kMaxReleaseNameLength = 53;  // Helm's limit, leaving room for suffixes
constexpr std::size_t kHashSuffixLength = 9;       // '-' and 8 hex digits
constexpr std::size_t kMaxShownBytes = 64;
constexpr std::string_view kDefaultClusterDomain = "cluster.local";

bool IsLowerAlnum(char c) { return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9'); }

bool IsDnsLabel(std::string_view text) {
  if (text.empty() || text.size() > kMaxLabelLength) return false;
  for (char c : text) {
    if (!IsLowerAlnum(c) && c != '-') return false;
  }
  return text.front() != '-' && text.back() != '-';
}

std::uint32_t Fnv1a32(std::string_view text) {
  std::uint32_t hash = 2166136261u;
  for (char c : text) {
    hash ^= static_cast<unsigned char>(c);
    hash *= 16777619u;
  }
  return hash;
}

// Config values are the operator's, not secrets: show them, cut so a message stays short.
std::string Shown(const Json& value) {
  std::string text = DumpJson(value);
  if (text.size() <= kMaxShownBytes) return text;
  std::size_t cut = kMaxShownBytes;
  while (cut > 0 && (static_cast<unsigned char>(text[cut]) & 0xC0) == 0x80) --cut;
  text.resize(cut);
  return text + "...";
}

tl::unexpected<Error> ConfigError(std::string_view key, std::string_view what) {
  return InvalidArgument("config key \"" + std::string(key) + "\": " + std::string(what));
}

std::string Join(const std::vector<std::string>& items) {
  if (items.empty()) return "none";
  std::string joined;
  for (const std::string& item : items) {
    if (!joined.empty()) joined += ", ";
    joined += item;
  }
  return joined;
}

// A scope's own config; null counts as empty.
Result<Json> ScopeConfig(std::string_view scope, const Json& config) {
  if (config.is_null()) return Json::object();
  if (!config.is_object()) {
    return InvalidArgument(std::string(scope) + " config: expected an object, got " +
                           std::string(JsonTypeName(config)));
  }
  return config;
}

// A top-level string of the merged config. Null counts as absent, so a later scope can unset
// what an earlier one set.
Result<std::optional<std::string>> OptionalString(const Json& config, const std::string& key) {
  auto it = config.find(key);
  if (it == config.end() || it->is_null()) return std::optional<std::string>();
  if (!it->is_string()) return ConfigError(key, "expected a string, got " + Shown(*it));
  return std::optional<std::string>(it->get<std::string>());
}

Result<std::string> Namespace(const ContextInput& input, const Json& config) {
  STYRMIN_ASSIGN_OR_RETURN(auto chosen, OptionalString(config, "namespace"));
  if (!chosen) return DnsLabel(input.environment.name + "-" + input.deployment.name);
  // An operator's namespace is used as written, never rewritten: it may already exist.
  if (!IsDnsLabel(*chosen)) {
    return ConfigError("namespace",
                       Shown(Json(*chosen)) +
                           " is not a DNS label (lowercase letters, digits and '-', starting and "
                           "ending with a letter or digit, at most 63 characters)");
  }
  return *chosen;
}

struct ComponentSettings {
  std::map<std::string, std::string> env_vars;
  Json command = Json::array();
  Json args = Json::array();
  Json replicas = nullptr;
};

Status ApplyEnvVars(const DriverSpec& driver, const std::string& component, const Json& config,
                    const std::string& key, ComponentSettings& settings) {
  if (!config.is_object()) {
    return ConfigError(key, "expected an object of NAME: value, got " + Shown(config));
  }
  for (const auto& [name, value] : config.items()) {
    std::string var_key = key;
    var_key += '.';
    var_key += name;
    std::vector<std::string> offered;
    bool is_offered = false;
    for (const EnvVarOption& option : driver.env_vars) {
      if (option.component != component) continue;
      offered.push_back(option.name);
      is_offered = is_offered || option.name == name;
    }
    if (!is_offered) {
      std::string message = "the driver does not offer env var \"";
      message += name;
      message += "\" for component \"";
      message += component;
      message += "\" (it offers: ";
      message += Join(offered);
      message += ')';
      return ConfigError(var_key, message);
    }
    // Null unsets a value an earlier scope set, leaving the driver's default.
    if (value.is_null()) continue;
    if (!value.is_string()) return ConfigError(var_key, "expected a string, got " + Shown(value));
    settings.env_vars[name] = value.get<std::string>();
  }
  return OkStatus();
}

Result<Json> StringList(const Json& config, const std::string& key) {
  if (!config.is_array()) {
    return ConfigError(key, "expected an array of strings, got " + Shown(config));
  }
  for (std::size_t i = 0; i < config.size(); ++i) {
    if (!config[i].is_string()) {
      return ConfigError(key + "[" + std::to_string(i) + "]",
                         "expected a string, got " + Shown(config[i]));
    }
  }
  return config;
}

Status ApplyComponentConfig(const DriverSpec& driver, const std::string& component,
                            const Json& config, const std::string& key,
                            ComponentSettings& settings) {
  if (!config.is_object()) return ConfigError(key, "expected an object, got " + Shown(config));
  bool overridable = false;
  for (const ContainerOverrideOption& option : driver.container_overrides) {
    overridable = overridable || option.component == component;
  }
  for (const auto& [field, value] : config.items()) {
    std::string field_key = key;
    field_key += '.';
    field_key += field;
    if (field != "env_vars" && field != "command" && field != "args" && field != "replicas") {
      // A typo ("replica") must not be silently ignored.
      return ConfigError(field_key, "unknown key (expected env_vars, command, args or replicas)");
    }
    if (value.is_null()) continue;
    if (field == "env_vars") {
      STYRMIN_RETURN_IF_ERROR(ApplyEnvVars(driver, component, value, field_key, settings));
    } else if (field == "command" || field == "args") {
      if (!overridable) {
        std::string message = "the driver does not allow overriding the ";
        message += field;
        message += " of component \"";
        message += component;
        message += '"';
        return ConfigError(field_key, message);
      }
      STYRMIN_ASSIGN_OR_RETURN(Json list, StringList(value, field_key));
      (field == "command" ? settings.command : settings.args) = std::move(list);
    } else {
      // Kubernetes replicas are an int32.
      const bool valid = value.is_number_integer() &&
                         (value.is_number_unsigned() || value.get<std::int64_t>() >= 0) &&
                         value.get<std::uint64_t>() <=
                             static_cast<std::uint64_t>(std::numeric_limits<std::int32_t>::max());
      if (!valid) {
        return ConfigError(
            field_key, "expected a non-negative integer (at most 2147483647), got " + Shown(value));
      }
      settings.replicas = value.get<std::int64_t>();
    }
  }
  return OkStatus();
}

Result<Json> Components(const DriverSpec& driver, const Json& config) {
  std::map<std::string, ComponentSettings> settings;
  for (const auto& [name, component] : driver.components) settings[name];
  for (const EnvVarOption& option : driver.env_vars) {
    auto it = settings.find(option.component);
    if (it != settings.end() && option.default_value) {
      it->second.env_vars[option.name] = *option.default_value;
    }
  }

  auto configured = config.find("components");
  if (configured != config.end() && !configured->is_null()) {
    if (!configured->is_object()) {
      return ConfigError("components", "expected an object, got " + Shown(*configured));
    }
    for (const auto& [name, component_config] : configured->items()) {
      const std::string key = "components." + name;
      auto it = settings.find(name);
      if (it == settings.end()) {
        std::vector<std::string> names;
        for (const auto& [known, component] : driver.components) names.push_back(known);
        return ConfigError(
            key, "the driver has no component \"" + name + "\" (it has: " + Join(names) + ")");
      }
      if (component_config.is_null()) continue;
      STYRMIN_RETURN_IF_ERROR(
          ApplyComponentConfig(driver, name, component_config, key, it->second));
    }
  }

  Json components = Json::object();
  for (auto& [name, component] : settings) {
    Json env_vars = Json::array();
    for (const auto& [var, value] : component.env_vars) {
      env_vars.push_back({{"name", var}, {"value", value}});
    }
    components[name] = {{"env_vars", std::move(env_vars)},
                        {"command", std::move(component.command)},
                        {"args", std::move(component.args)},
                        {"replicas", std::move(component.replicas)}};
  }
  return components;
}

Result<Json> Parameters(const DriverSpec& driver, const Json& given,
                        const std::map<std::string, std::string>& secret_versions,
                        const std::string& release_name) {
  if (given.is_null()) return Json::object();
  if (!given.is_object()) {
    return InvalidArgument("parameters: expected an object, got " +
                           std::string(JsonTypeName(given)));
  }
  const std::string secret_name = DnsLabel(release_name + "-parameters");
  Json parameters = Json::object();
  for (const auto& [name, value] : given.items()) {
    bool secret = false;
    for (const Parameter& parameter : driver.parameters) {
      secret = secret || (parameter.name == name && parameter.kind == ParameterKind::kSecret);
    }
    if (!secret) {
      parameters[name] = value;
    } else if (value.is_null()) {
      // An optional secret left unset: there is no key to point at.
      parameters[name] = nullptr;
    } else {
      parameters[name] = {{"secret_name", secret_name}, {"secret_key", name}};
      const auto version = secret_versions.find(name);
      if (version != secret_versions.end()) parameters[name]["secret_version"] = version->second;
    }
  }
  return parameters;
}

std::string_view ScopeName(ServiceScope scope) {
  switch (scope) {
    case ServiceScope::kInternal:
      return "internal";
    case ServiceScope::kExternal:
      return "external";
  }
  return "internal";
}

Result<Json> Services(const ContextInput& input, const Json& config, const std::string& name_space,
                      const std::string& release_name) {
  STYRMIN_ASSIGN_OR_RETURN(auto cluster_domain, OptionalString(config, "cluster_domain"));
  if (cluster_domain && cluster_domain->empty()) {
    return ConfigError("cluster_domain", "expected a DNS domain, got \"\"");
  }
  STYRMIN_ASSIGN_OR_RETURN(auto fqdn_suffix, OptionalString(config, "fqdn_suffix"));
  const std::string domain = cluster_domain.value_or(std::string(kDefaultClusterDomain));

  Json services = Json::object();
  for (const Service& service : input.driver->services) {
    const std::string service_name = DnsLabel(release_name + "-" + service.name);
    std::string primary_fqdn;
    std::string human_readable_fqdn;
    if (service.scope == ServiceScope::kExternal && fqdn_suffix && !fqdn_suffix->empty()) {
      // One label under the suffix, so a single wildcard certificate covers every deployment.
      primary_fqdn =
          DnsLabel(service.name + "-" + input.deployment.name + "-" + input.environment.name) +
          "." + *fqdn_suffix;
      human_readable_fqdn = DnsLabel(service.name) + "." + DnsLabel(input.deployment.name) + "." +
                            DnsLabel(input.environment.name) + "." + *fqdn_suffix;
    }
    std::string host = service_name;
    host += '.';
    host += name_space;
    host += ".svc.";
    host += domain;
    services[service.name] = {
        {"name", service.name},         {"port", service.port},
        {"kind", service.kind},         {"scope", ScopeName(service.scope)},
        {"service_name", service_name}, {"host", std::move(host)},
        {"primary_fqdn", primary_fqdn}, {"human_readable_fqdn", human_readable_fqdn}};
  }
  return services;
}

}  // namespace

std::string DnsLabel(std::string_view text, std::size_t max_length) {
  STYRMIN_CHECK(max_length > kHashSuffixLength, "a DNS label needs room for its hash suffix");
  std::string label;
  label.reserve(text.size());
  for (char c : text) {
    const char lower = (c >= 'A' && c <= 'Z') ? static_cast<char>(c - 'A' + 'a') : c;
    if (IsLowerAlnum(lower)) {
      label += lower;
    } else if (!label.empty() && label.back() != '-') {
      label += '-';
    }
  }
  while (!label.empty() && label.back() == '-') label.pop_back();
  if (label.empty()) return "x";
  if (label.size() <= max_length) return label;

  label.resize(max_length - kHashSuffixLength);
  // The label starts with a letter or digit, so trimming never empties it.
  while (label.back() == '-') label.pop_back();
  // Hashing the original text, not the sanitised one, keeps the suffix stable if the
  // sanitising rules ever change.
  const std::uint32_t hash = Fnv1a32(text);
  constexpr std::string_view kHexDigits = "0123456789abcdef";
  label += '-';
  for (int shift = 28; shift >= 0; shift -= 4) label += kHexDigits[(hash >> shift) & 0xFu];
  return label;
}

Json MergeConfig(const Json& base, const Json& over) {
  if (!base.is_object() || !over.is_object()) return over;
  Json merged = base;
  for (const auto& [key, value] : over.items()) {
    auto it = merged.find(key);
    if (it != merged.end() && it->is_object() && value.is_object()) {
      *it = MergeConfig(*it, value);
    } else {
      merged[key] = value;
    }
  }
  return merged;
}

Result<Json> BuildContext(const ContextInput& input) {
  if (input.driver == nullptr) return InvalidArgument("building a context needs a driver");
  const DriverSpec& driver = *input.driver;

  STYRMIN_ASSIGN_OR_RETURN(Json cluster_config, ScopeConfig("cluster", input.cluster.config));
  STYRMIN_ASSIGN_OR_RETURN(Json environment_config,
                           ScopeConfig("environment", input.environment.config));
  STYRMIN_ASSIGN_OR_RETURN(Json deployment_config,
                           ScopeConfig("deployment", input.deployment.config));
  const Json config =
      MergeConfig(MergeConfig(cluster_config, environment_config), deployment_config);

  STYRMIN_ASSIGN_OR_RETURN(std::string name_space, Namespace(input, config));
  const std::string release_name = DnsLabel(input.deployment.name, kMaxReleaseNameLength);
  STYRMIN_ASSIGN_OR_RETURN(Json components, Components(driver, config));
  STYRMIN_ASSIGN_OR_RETURN(
      Json parameters, Parameters(driver, input.parameters, input.secret_versions, release_name));
  STYRMIN_ASSIGN_OR_RETURN(Json services, Services(input, config, name_space, release_name));

  Json context = Json::object();
  context["cluster"] = {{"id", input.cluster.id},
                        {"name", input.cluster.name},
                        {"config", std::move(cluster_config)},
                        {"capabilities", input.cluster_capabilities}};
  context["environment"] = {{"id", input.environment.id},
                            {"name", input.environment.name},
                            {"config", std::move(environment_config)}};
  context["deployment"] = {{"id", input.deployment.id},
                           {"name", input.deployment.name},
                           {"config", std::move(deployment_config)}};
  context["instance"] = {
      {"config", config}, {"namespace", name_space}, {"release_name", release_name}};
  context["app"] = {
      {"name", driver.name},
      {"version", input.application_version.ToString()},
      {"driver_version", driver.version},
      {"chart", {{"location", driver.chart.location}, {"version", driver.chart.version}}}};
  context["components"] = std::move(components);
  context["parameters"] = std::move(parameters);
  context["services"] = std::move(services);
  return context;
}

}  // namespace styrmin::driver
