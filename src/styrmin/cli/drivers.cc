#include "styrmin/cli/drivers.h"

#include <string>

#include "styrmin/core/json.h"
#include "styrmin/driver/loader.h"

namespace styrmin::cli {

int LintDriver(const std::filesystem::path& dir, OutputFormat format, std::ostream& out,
               std::ostream& err) {
  const driver::DriverLoad load = driver::LoadDriverDirectory(dir);
  if (format == OutputFormat::kJson) {
    Json problems = Json::array();
    for (const auto& p : load.problems) {
      problems.push_back({{"path", p.path}, {"message", p.message}});
    }
    Json summary = nullptr;
    if (load.driver) {
      const auto& s = load.driver->spec;
      summary = {{"name", s.name},
                 {"version", s.version},
                 {"digest", load.driver->digest},
                 {"components", s.components.size()},
                 {"parameters", s.parameters.size()},
                 {"services", s.services.size()},
                 {"actions", s.actions.size()}};
    }
    out << Json{{"ok", load.driver.has_value()},
                {"driver", std::move(summary)},
                {"problems", std::move(problems)}}
               .dump(2)
        << "\n";
    return load.driver ? kExitOk : kExitProblems;
  }
  if (!load.driver) {
    for (const auto& p : load.problems) {
      if (p.path.empty()) {
        err << dir.string() << ": " << p.message << "\n";
      } else if (driver::IsSpecPath(p.path)) {
        err << (dir / driver::kSpecFile).string() << ": " << p.path << ": " << p.message << "\n";
      } else {
        err << (dir / p.path).string() << ": " << p.message << "\n";
      }
    }
    err << load.problems.size() << (load.problems.size() == 1 ? " problem" : " problems") << " in "
        << dir.string() << "\n";
    return kExitProblems;
  }
  const auto& s = load.driver->spec;
  out << s.name << " " << s.version << ": ok (" << s.components.size() << " components, "
      << s.parameters.size() << " parameters, " << s.services.size() << " services, "
      << s.actions.size() << " actions; " << load.driver->digest << ")\n";
  return kExitOk;
}

}  // namespace styrmin::cli
