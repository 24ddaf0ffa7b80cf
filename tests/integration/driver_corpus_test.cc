// The corpus of malformed drivers (tests/driver/malformed/<case>/): each case is a complete
// driver directory, valid except for its deliberate faults, and an `expected.txt` listing every
// problem the loader must report, in order, one per line as `<path><TAB><part of the message>`.
// The list is complete: a problem too many or too few fails the case. The example drivers under
// drivers/, when there are any, must load without a problem.
#include <gtest/gtest.h>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include "styrmin/driver/loader.h"

namespace styrmin::driver {
namespace {

namespace fs = std::filesystem;

const fs::path kMalformedDir = fs::path(STYRMIN_SOURCE_DIR) / "tests/driver/malformed";
const fs::path kExamplesDir = fs::path(STYRMIN_SOURCE_DIR) / "drivers";
constexpr const char* kExpectedFile = "expected.txt";

// The subdirectories of `dir`, sorted by name; none when `dir` does not exist.
std::vector<std::string> Subdirectories(const fs::path& dir) {
  std::vector<std::string> out;
  std::error_code ec;
  if (!fs::is_directory(dir, ec)) return out;
  for (const auto& entry : fs::directory_iterator(dir, ec)) {
    if (entry.is_directory()) out.push_back(entry.path().filename().string());
  }
  std::sort(out.begin(), out.end());
  return out;
}

std::string ReadFile(const fs::path& path) {
  std::ifstream in(path, std::ios::binary);
  std::ostringstream out;
  out << in.rdbuf();
  return out.str();
}

// One line of expected.txt.
struct Expected {
  std::string path;
  std::string message_part;
};

// Lines of `<path><TAB><substring of the message>`; blank lines are ignored. A line without a
// tab is kept whole as the path, with no requirement on the message.
std::vector<Expected> ReadExpected(const fs::path& file) {
  std::vector<Expected> out;
  std::istringstream lines(ReadFile(file));
  for (std::string line; std::getline(lines, line);) {
    if (!line.empty() && line.back() == '\r') line.pop_back();
    if (line.empty()) continue;
    const auto tab = line.find('\t');
    if (tab == std::string::npos) {
      out.push_back({line, ""});
    } else {
      out.push_back({line.substr(0, tab), line.substr(tab + 1)});
    }
  }
  return out;
}

std::string Describe(const std::vector<Problem>& problems) {
  std::string out;
  for (const auto& p : problems) out += "  " + p.path + "\t" + p.message + "\n";
  return out.empty() ? "  (none)\n" : out;
}

std::string Describe(const std::vector<Expected>& expected) {
  std::string out;
  for (const auto& e : expected) out += "  " + e.path + "\t..." + e.message_part + "...\n";
  return out.empty() ? "  (none)\n" : out;
}

// GoogleTest parameter names allow only letters, digits and '_'.
std::string ParamName(const ::testing::TestParamInfo<std::string>& info) {
  std::string name = info.param;
  for (char& c : name) {
    const bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9');
    if (!ok) c = '_';
  }
  return name;
}

class MalformedDriver : public ::testing::TestWithParam<std::string> {};

TEST_P(MalformedDriver, ReportsExactlyTheExpectedProblems) {
  const fs::path dir = kMalformedDir / GetParam();
  const fs::path expected_file = dir / kExpectedFile;
  ASSERT_TRUE(fs::is_regular_file(expected_file)) << dir << " has no " << kExpectedFile;
  const std::vector<Expected> expected = ReadExpected(expected_file);
  ASSERT_FALSE(expected.empty()) << expected_file << " lists no problem";

  const DriverLoad load = LoadDriverDirectory(dir);
  EXPECT_FALSE(load.driver) << "a malformed driver was loaded";

  bool same = load.problems.size() == expected.size();
  for (std::size_t i = 0; same && i < expected.size(); ++i) {
    same = load.problems[i].path == expected[i].path &&
           load.problems[i].message.find(expected[i].message_part) != std::string::npos;
  }
  EXPECT_TRUE(same) << "case " << GetParam() << "\nexpected:\n"
                    << Describe(expected) << "reported:\n"
                    << Describe(load.problems);
  for (const auto& p : load.problems) {
    EXPECT_FALSE(p.message.empty()) << "a problem without a message at " << p.path;
  }
}

INSTANTIATE_TEST_SUITE_P(Corpus, MalformedDriver,
                         ::testing::ValuesIn(Subdirectories(kMalformedDir)), ParamName);

TEST(DriverCorpus, HasAtLeast45Cases) {
  const std::vector<std::string> cases = Subdirectories(kMalformedDir);
  EXPECT_GE(cases.size(), 45U) << "in " << kMalformedDir;
  // Case names are kebab-case, so that every one maps to a distinct test name.
  for (const auto& name : cases) {
    const bool kebab = !name.empty() && std::all_of(name.begin(), name.end(), [](char c) {
      return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-';
    });
    EXPECT_TRUE(kebab) << "case directory \"" << name << "\" is not kebab-case";
  }
}

TEST(DriverCorpus, ExampleDriversLoadWithoutProblems) {
  const std::vector<std::string> examples = Subdirectories(kExamplesDir);
  if (examples.empty()) {
    GTEST_SKIP() << "no example drivers: " << kExamplesDir << " does not exist or is empty";
  }
  for (const auto& name : examples) {
    SCOPED_TRACE(name);
    const DriverLoad load = LoadDriverDirectory(kExamplesDir / name);
    EXPECT_TRUE(load.problems.empty()) << "example driver " << name << ":\n"
                                       << Describe(load.problems);
    EXPECT_TRUE(load.driver);
  }
}

}  // namespace
}  // namespace styrmin::driver
