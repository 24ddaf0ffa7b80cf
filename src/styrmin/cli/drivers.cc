#include "styrmin/cli/drivers.h"

#include <fstream>
#include <sstream>
#include <string>

#include "styrmin/core/json.h"
#include "styrmin/core/yaml.h"
#include "styrmin/driver/loader.h"

namespace styrmin::cli {

namespace {

void PrintProblems(const std::filesystem::path& dir, const std::vector<driver::Problem>& problems,
                   std::ostream& err) {
  for (const auto& p : problems) {
    if (!p.file.empty()) {
      err << (dir / p.file).string() << ": " << (p.path.empty() ? "" : p.path + ": ") << p.message
          << "\n";
    } else if (p.path.empty()) {
      err << dir.string() << ": " << p.message << "\n";
    } else {
      err << (dir / p.path).string() << ": " << p.message << "\n";
    }
  }
}

}  // namespace

int LintDriver(const std::filesystem::path& dir, OutputFormat format, std::ostream& out,
               std::ostream& err) {
  const driver::DriverLoad load = driver::LoadDriverDirectory(dir);
  if (format == OutputFormat::kJson) {
    Json problems = Json::array();
    for (const auto& p : load.problems) {
      problems.push_back({{"file", p.file}, {"path", p.path}, {"message", p.message}});
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
    PrintProblems(dir, load.problems, err);
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

int RenderDriver(const std::filesystem::path& dir, const std::filesystem::path& context_file,
                 const runtime::RuntimeConfig& runtime, std::chrono::milliseconds timeout,
                 std::ostream& out, std::ostream& err) {
  const driver::DriverLoad load = driver::LoadDriverDirectory(dir);
  if (!load.driver) {
    PrintProblems(dir, load.problems, err);
    return kExitProblems;
  }
  std::ifstream in(context_file, std::ios::binary);
  if (!in) {
    err << context_file.string() << ": cannot be read\n";
    return kExitProblems;
  }
  std::ostringstream text;
  text << in.rdbuf();
  const auto context = ParseYaml(text.str());  // JSON is YAML too
  if (!context || !context->is_object()) {
    err << context_file.string() << ": "
        << (context ? std::string("expected a mapping (the context)") : context.error().message())
        << "\n";
    return kExitProblems;
  }
  const auto values = runtime::RenderValues(runtime, dir, *context, timeout);
  if (!values) {
    err << (values.error().code() == ErrorCode::kInvalidArgument ? (dir / "").string() : "")
        << values.error().message() << "\n";
    return kExitProblems;
  }
  if (const auto parsed = ParseYaml(*values); !parsed) {
    err << (dir / driver::kValuesFile).string()
        << ": the rendered values are not valid YAML: " << parsed.error().message() << "\n";
    out << *values;
    return kExitProblems;
  }
  out << *values;
  return kExitOk;
}

}  // namespace styrmin::cli
