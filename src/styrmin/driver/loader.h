// Loading a driver: its files read (from a directory here; from a git tree by the server),
// the spec parsed, and the checks that need the other files run — every action's file and
// function exist, the values template parses, a local chart is there with a Chart.yaml. All
// problems are reported at once. A loaded driver is immutable and named by the digest of its
// content, so loading the same content twice can be recognised and made a no-op.
#pragma once

#include <filesystem>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "styrmin/core/json.h"
#include "styrmin/core/status.h"
#include "styrmin/driver/spec.h"

namespace styrmin::driver {

inline constexpr std::string_view kSpecFile = "driver.styrmin.yml";
inline constexpr std::string_view kValuesFile = "values.j2.yml";

// Bounds on what a driver may contain; a driver past them is refused with a problem.
struct LoadLimits {
  std::size_t max_files = 2000;
  std::size_t max_file_bytes = 8 << 20;
  std::size_t max_total_bytes = 32 << 20;
};

// A driver's files by path relative to its root ('/'-separated).
using DriverFiles = std::map<std::string, std::string>;

struct LoadedDriver {
  DriverSpec spec;
  Json spec_json;      // SpecToJson(spec)
  DriverFiles files;   // every file of the driver
  std::string digest;  // "sha256:<hex>" over paths and contents: same content, same digest
};

struct DriverLoad {
  std::optional<LoadedDriver> driver;  // set exactly when `problems` is empty
  std::vector<Problem> problems;
};

// Checks a driver given its files. Problems found in the spec have `file` set to kSpecFile;
// other problems' paths name a file of the driver (`values.j2.yml:3`, `chart/Chart.yaml`), and
// an empty path the driver as a whole.
DriverLoad CheckDriver(DriverFiles files, const LoadLimits& limits = {});

// Reads the regular files under `dir` (skipping `.git`; symbolic links are refused, so nothing
// outside the driver is read) and checks them. A missing or unreadable directory is a problem
// at path "" naming it.
DriverLoad LoadDriverDirectory(const std::filesystem::path& dir, const LoadLimits& limits = {});

// The files as one JSON object for storing: path -> the text when the content is UTF-8 without
// NUL bytes (charts are mostly text), else {"base64": "..."}.
Json FilesToJson(const DriverFiles& files);
// The inverse of FilesToJson; kInvalidArgument naming the path for a malformed document.
Result<DriverFiles> FilesFromJson(const Json& json);

// Whether Python source `source` defines `function` at top level (`def` or `async def` at the
// start of a line). A lexical check: the runtime imports the file for real.
bool DefinesFunction(std::string_view source, std::string_view function);

}  // namespace styrmin::driver
