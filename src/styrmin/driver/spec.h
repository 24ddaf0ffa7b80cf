// The driver spec: `driver.styrmin.yml` parsed and checked (DESIGN.md §4, ADR 0006).
//
// ParseSpec reads the YAML text into a DriverSpec, checking every field on the way, and reports
// every problem it finds, each with its path in the file (`spec.parameters[2].kind: unknown kind
// "float"`), never just the first. It has no I/O: checks that need the driver's other files
// (actions, values template, local chart) are the loader's (loader.h).
//
// The public Styrmin driver format is kept: drivers written for it parse unchanged. Unknown
// fields are problems, so a typo (`defualt`) is never silently ignored.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "styrmin/core/json.h"
#include "styrmin/core/semver.h"

namespace styrmin::driver {

// One problem in a driver: where (`spec.parameters[2].kind`, or a file of the driver such as
// `values.j2.yml:12`) and what, worded for the driver's author. `file` names the file the path
// is inside when the path alone does not (the spec's paths: "driver.styrmin.yml"), and is
// empty otherwise.
struct Problem {
  Problem() = default;
  Problem(std::string p, std::string m, std::string f = {})
      : path(std::move(p)), message(std::move(m)), file(std::move(f)) {}

  std::string path;
  std::string message;
  std::string file;

  // "path: message".
  std::string ToString() const;
  friend bool operator==(const Problem&, const Problem&) = default;
};

// All problems, one per line, for error messages that must name every one.
std::string JoinProblems(const std::vector<Problem>& problems);

struct Link {
  std::string link;  // the text shown
  std::string url;
};

struct Info {
  std::string description;
  std::vector<std::string> authors;
  std::string license;
  std::vector<Link> links;
};

// Where the main chart comes from: an OCI or HTTP(S) repository as Helm resolves it, or a
// directory inside the driver (`./chart`).
struct ChartSource {
  enum class Kind { kOci, kRepository, kLocal };
  Kind kind = Kind::kLocal;
  std::string location;  // as written; for kLocal normalised to "chart" (no leading "./")
  std::string version;   // the chart version; may be empty for a local chart
};

enum class BackupKind { kDisk, kPostgres, kMariadb, kMongodb, kNeo4j, kAction };
std::string_view BackupKindName(BackupKind kind);

struct BackupStrategy {
  BackupKind kind = BackupKind::kDisk;
  std::vector<std::string> volumes;  // kDisk: the volumes to copy (`volume:` or `volumes:`)
  Json options = Json::object();     // further settings for the kind's implementation
};

// A logical part of the application, found by its pods' labels.
struct Component {
  std::string name;
  std::map<std::string, std::string> labels;  // the identifier's label selector, non-empty
  std::optional<BackupStrategy> backup;
};

enum class ParameterKind { kString, kInteger, kBoolean, kEnum, kSecret };
std::string_view ParameterKindName(ParameterKind kind);

struct Parameter {
  std::string name;
  std::string label;  // defaults to the name
  std::string description;
  ParameterKind kind = ParameterKind::kString;
  // Typed as the kind says (string, integer, boolean). Without one the parameter is required,
  // unless the spec says `required: false`.
  std::optional<Json> default_value;
  bool required = true;
  std::vector<std::string> values;       // kEnum: the allowed values
  std::optional<std::int64_t> min, max;  // kInteger: inclusive bounds
  std::optional<std::string> pattern;    // kString, kSecret: ECMAScript regex, whole value
};

enum class ServiceScope { kInternal, kExternal };
std::string_view ServiceScopeName(ServiceScope scope);

// An endpoint of the application, materialised as a Kubernetes Service (and, for external
// scope, given host names).
struct Service {
  std::string name;
  std::string kind;  // http | https | grpc | tcp | udp
  ServiceScope scope = ServiceScope::kInternal;
  int port = 0;
  std::string component;  // a key of DriverSpec::components
};

// An environment variable a deployment may set on a component.
struct EnvVarOption {
  std::string name;
  std::string component;
  std::string description;
  std::optional<std::string> default_value;
};

// A component whose command and args a deployment may override.
struct ContainerOverrideOption {
  std::string component;
  std::string description;
};

enum class Hook { kSetup, kUpgrade, kBackup, kRestore, kDelete };
enum class Mode { kPre, kCore, kPost };
std::string_view HookName(Hook hook);
std::string_view ModeName(Mode mode);

struct Action {
  std::string name;
  Hook hook = Hook::kSetup;
  Mode mode = Mode::kPost;
  std::string file;      // relative to the driver's root, e.g. "actions.py"
  std::string function;  // a top-level function of that file
  int timeout_seconds = 600;
};

struct DriverSpec {
  std::string name;     // metadata.name: a DNS label
  std::string version;  // the driver's own version, as text ("3")
  VersionRange supported_versions;
  Version default_version;
  Info info;
  ChartSource chart;  // helm.main
  std::map<std::string, Component> components;
  std::vector<Parameter> parameters;
  std::vector<Service> services;
  std::vector<EnvVarOption> env_vars;
  std::vector<ContainerOverrideOption> container_overrides;
  std::vector<Action> actions;

  const Parameter* FindParameter(std::string_view name) const;
  const Service* FindService(std::string_view name) const;
};

// A spec, or every problem found in it.
struct SpecParse {
  std::optional<DriverSpec> spec;  // set exactly when `problems` is empty
  // What could be read even when there are problems (what failed is left at its default), so
  // that checks against the driver's other files can report their problems in the same pass.
  DriverSpec partial;
  std::vector<Problem> problems;
};

// Parses and checks `driver.styrmin.yml` text. Never throws; any input gives a spec or problems.
SpecParse ParseSpec(std::string_view yaml);

// The spec as JSON, for the API and for storing alongside the driver version: the same shape
// as the YAML, with defaults filled in.
Json SpecToJson(const DriverSpec& spec);

}  // namespace styrmin::driver
