// styrminctl: the command-line client. Today it carries the driver author's tools, which need
// no server: `styrminctl drivers lint DIR`.
#include <CLI/CLI.hpp>
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
