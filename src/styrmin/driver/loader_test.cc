#include "styrmin/driver/loader.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <fstream>
#include <string>

#include "styrmin/driver/testing/sample_driver.h"

namespace styrmin::driver {
namespace {

using testing::SampleFiles;

std::string Paths(const std::vector<Problem>& problems) {
  std::string out;
  for (const auto& p : problems) out += p.path + "|";
  return out;
}

TEST(CheckDriver, LoadsTheSampleAndNamesItsContent) {
  const DriverLoad load = CheckDriver(SampleFiles());
  ASSERT_TRUE(load.driver) << JoinProblems(load.problems);
  EXPECT_EQ(load.driver->spec.name, "infrahub");
  EXPECT_EQ(load.driver->files.size(), 5U);
  EXPECT_EQ(load.driver->digest.rfind("sha256:", 0), 0U);
  EXPECT_EQ(load.driver->digest.size(), 7U + 64U);
  EXPECT_EQ(load.driver->spec_json["metadata"]["name"], "infrahub");
}

TEST(CheckDriver, TheSameContentGivesTheSameDigestAndAnyChangeAnother) {
  const std::string first = CheckDriver(SampleFiles()).driver->digest;
  EXPECT_EQ(CheckDriver(SampleFiles()).driver->digest, first);
  DriverFiles changed = SampleFiles();
  changed["chart/templates/server.yaml"] += "# changed\n";
  EXPECT_NE(CheckDriver(changed).driver->digest, first);
  DriverFiles renamed = SampleFiles();
  renamed["chart/templates/server2.yaml"] = renamed["chart/templates/server.yaml"];
  renamed.erase("chart/templates/server.yaml");
  EXPECT_NE(CheckDriver(renamed).driver->digest, first);
}

TEST(CheckDriver, ChecksActionsTemplateAndChartAgainstTheFiles) {
  DriverFiles files = SampleFiles();
  files["actions.py"] = "def migrate(context):\n    pass\n\n    def setup(nested):\n        pass\n";
  files["values.j2.yml"] = "{% if x %}\n";
  files["chart/Chart.yaml"] = "apiVersion: v2\nname: infrahub\nversion: 4.2.0\n";
  const DriverLoad load = CheckDriver(files);
  EXPECT_FALSE(load.driver);
  EXPECT_EQ(Paths(load.problems),
            "values.j2.yml:1|spec.actions[0].location|spec.actions[2].location|"
            "spec.helm.main.version|")
      << JoinProblems(load.problems);
  EXPECT_EQ(load.problems[1].message, "actions.py has no top-level function \"stop_workers\"");
}

TEST(CheckDriver, ReportsMissingFiles) {
  DriverFiles files = SampleFiles();
  files.erase("actions.py");
  files.erase("chart/Chart.yaml");
  const DriverLoad load = CheckDriver(files);
  EXPECT_EQ(Paths(load.problems),
            "spec.actions[0].location|spec.actions[1].location|spec.actions[2].location|"
            "spec.helm.main.location|")
      << JoinProblems(load.problems);
  EXPECT_EQ(load.problems[0].message, "file \"actions.py\" does not exist in the driver");
  DriverFiles no_spec = SampleFiles();
  no_spec.erase("driver.styrmin.yml");
  EXPECT_EQ(JoinProblems(CheckDriver(no_spec).problems),
            "driver.styrmin.yml: the driver has no spec file");
}

TEST(CheckDriver, RefusesDriversOverTheLimits) {
  LoadLimits limits;
  limits.max_file_bytes = 100;
  const DriverLoad load = CheckDriver(SampleFiles(), limits);
  EXPECT_FALSE(load.driver);
  EXPECT_NE(JoinProblems(load.problems).find("over the limit of 100"), std::string::npos);
}

TEST(FilesToJson, KeepsTextAsTextAndEverythingElseAsBase64) {
  DriverFiles files = SampleFiles();
  files["chart/charts/sub.tgz"] = std::string("\x1f\x8b\x08\x00\xff", 5);
  files["chart/nul.txt"] = std::string("a\0b", 3);
  files["chart/overlong.txt"] = "\xc0\xaf";
  files["chart/surrogate.txt"] = "\xed\xa0\x80";
  files["chart/truncated.txt"] = "ok \xe2\x82";
  files["chart/unicode.txt"] = "h\xc3\xa9llo \xf0\x9f\x9a\x80";
  for (int n = 0; n < 5; ++n) files["chart/len" + std::to_string(n)] = std::string(n, '\xfe');
  const Json json = FilesToJson(files);
  EXPECT_TRUE(json["values.j2.yml"].is_string());
  EXPECT_TRUE(json["chart/unicode.txt"].is_string());
  for (const char* binary : {"chart/charts/sub.tgz", "chart/nul.txt", "chart/overlong.txt",
                             "chart/surrogate.txt", "chart/truncated.txt", "chart/len1"}) {
    EXPECT_TRUE(json[binary].is_object()) << binary;
  }
  // Through text, as a store keeps it.
  auto back = FilesFromJson(Json::parse(json.dump()));
  ASSERT_TRUE(back) << back.error().ToString();
  EXPECT_EQ(*back, files);
}

TEST(FilesFromJson, RefusesMalformedDocuments) {
  EXPECT_FALSE(FilesFromJson(Json::array()));
  EXPECT_FALSE(FilesFromJson(Json{{"a", 1}}));
  EXPECT_FALSE(FilesFromJson(Json{{"a", {{"base64", "%%%%"}}}}));
  EXPECT_FALSE(FilesFromJson(Json{{"a", {{"base64", "abcde"}}}}));  // a group too short
}

TEST(DefinesFunction, FindsTopLevelDefinitionsOnly) {
  EXPECT_TRUE(DefinesFunction("def f(x):\n  pass\n", "f"));
  EXPECT_TRUE(DefinesFunction("import x\nasync def f (x):\n", "f"));
  EXPECT_TRUE(DefinesFunction("async\tdef\tf(x):\n", "f"));
  EXPECT_FALSE(DefinesFunction("def ff(x):\n", "f"));
  EXPECT_FALSE(DefinesFunction("  def f(x):\n", "f"));
  EXPECT_FALSE(DefinesFunction("# def f(x):\n", "f"));
  EXPECT_FALSE(DefinesFunction("", "f"));
}

class LoadDriverDirectoryTest : public ::testing::Test {
 protected:
  void SetUp() override {
    std::string templ = (std::filesystem::temp_directory_path() / "driver-XXXXXX").string();
    ASSERT_NE(mkdtemp(templ.data()), nullptr);
    dir_ = templ;
  }
  void TearDown() override { std::filesystem::remove_all(dir_); }
  void Write(const std::string& path, const std::string& content) {
    std::filesystem::create_directories((dir_ / path).parent_path());
    std::ofstream(dir_ / path, std::ios::binary) << content;
  }
  std::filesystem::path dir_;
};

TEST_F(LoadDriverDirectoryTest, ReadsEveryFileButGit) {
  for (const auto& [path, content] : SampleFiles()) Write(path, content);
  Write(".git/HEAD", "ref: refs/heads/main\n");
  const DriverLoad load = LoadDriverDirectory(dir_);
  ASSERT_TRUE(load.driver) << JoinProblems(load.problems);
  EXPECT_EQ(load.driver->files.size(), 5U);
  EXPECT_EQ(load.driver->digest, CheckDriver(SampleFiles()).driver->digest);
}

TEST_F(LoadDriverDirectoryTest, RefusesSymbolicLinks) {
  for (const auto& [path, content] : SampleFiles()) Write(path, content);
  std::filesystem::create_symlink("/etc/passwd", dir_ / "chart/passwd");
  const DriverLoad load = LoadDriverDirectory(dir_);
  EXPECT_FALSE(load.driver);
  EXPECT_EQ(JoinProblems(load.problems),
            "chart/passwd: symbolic links are not allowed in a driver");
}

TEST_F(LoadDriverDirectoryTest, ReportsAMissingDirectory) {
  const DriverLoad load = LoadDriverDirectory(dir_ / "nope");
  EXPECT_FALSE(load.driver);
  ASSERT_EQ(load.problems.size(), 1U);
  EXPECT_EQ(load.problems[0].ToString(), "not a directory");
}

}  // namespace
}  // namespace styrmin::driver
