// styrminctl: the command-line client. Today it carries the driver author's tools, which need
// no server: `styrminctl drivers lint DIR` and `styrminctl drivers render DIR --context FILE`.
#include <CLI/CLI.hpp>
#include <chrono>
#include <exception>
#include <iostream>
#include <string>

#include "styrmin/cli/drivers.h"

namespace {

int Run(int argc, char** argv) {
  CLI::App app{"styrminctl: the Styrmin command-line client"};
  app.require_subcommand(1);
  CLI::App* drivers = app.add_subcommand("drivers", "Application drivers");
  drivers->require_subcommand(1);

  CLI::App* lint = drivers->add_subcommand(
      "lint", "Check a driver directory as the server's loader does; print every problem");
  std::string dir;
  std::string format = "text";
  lint->add_option("DIR", dir, "The driver's directory (holding driver.styrmin.yml)")->required();
  lint->add_option("--format,-o", format, "Output: text or json")
      ->check(CLI::IsMember({"text", "json"}));

  CLI::App* render = drivers->add_subcommand(
      "render", "Render a driver's values.j2.yml from a context file, as the agent would");
  std::string render_dir;
  std::string context_file;
  std::string python = STYRMIN_DEFAULT_PYTHON;
  std::string runtime_dir = STYRMIN_DEFAULT_RUNTIME_DIR;
  int timeout_seconds = 60;
  render->add_option("DIR", render_dir, "The driver's directory")->required();
  render->add_option("--context,-c", context_file, "The context (JSON or YAML)")->required();
  render->add_option("--python", python, "The driver runtime's Python interpreter")
      ->envname("STYRMIN_PYTHON");
  render->add_option("--runtime-dir", runtime_dir, "The directory holding styrmin_runtime")
      ->envname("STYRMIN_RUNTIME_DIR");
  render->add_option("--timeout", timeout_seconds, "Seconds before rendering is abandoned")
      ->check(CLI::Range(1, 3600));

  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    const int code = app.exit(e);
    return code == 0 ? styrmin::cli::kExitOk : styrmin::cli::kExitUsage;
  }
  if (lint->parsed()) {
    return styrmin::cli::LintDriver(
        dir,
        format == "json" ? styrmin::cli::OutputFormat::kJson : styrmin::cli::OutputFormat::kText,
        std::cout, std::cerr);
  }
  if (render->parsed()) {
    return styrmin::cli::RenderDriver(render_dir, context_file, {python, runtime_dir},
                                      std::chrono::seconds(timeout_seconds), std::cout, std::cerr);
  }
  return styrmin::cli::kExitUsage;
}

}  // namespace

int main(int argc, char** argv) {
  try {
    return Run(argc, argv);
  } catch (const std::exception& e) {
    std::cerr << "styrminctl: " << e.what() << "\n";
    return 1;
  }
}
