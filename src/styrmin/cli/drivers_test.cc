#include "styrmin/cli/drivers.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <fstream>
#include <sstream>
#include <string>

#include "styrmin/core/json.h"
#include "styrmin/driver/testing/sample_driver.h"

namespace styrmin::cli {
namespace {

class LintDriverTest : public ::testing::Test {
 protected:
  void SetUp() override {
    std::string templ = (std::filesystem::temp_directory_path() / "lint-XXXXXX").string();
    ASSERT_NE(mkdtemp(templ.data()), nullptr);
    dir_ = templ;
    for (const auto& [path, content] : driver::testing::SampleFiles()) Write(path, content);
  }
  void TearDown() override { std::filesystem::remove_all(dir_); }
  void Write(const std::string& path, const std::string& content) {
    std::filesystem::create_directories((dir_ / path).parent_path());
    std::ofstream(dir_ / path, std::ios::binary) << content;
  }
  std::filesystem::path dir_;
  std::ostringstream out_, err_;
};

TEST_F(LintDriverTest, SaysAGoodDriverIsOk) {
  EXPECT_EQ(LintDriver(dir_, OutputFormat::kText, out_, err_), kExitOk);
  EXPECT_EQ(err_.str(), "");
  EXPECT_EQ(out_.str().rfind("infrahub 3: ok (4 components, 5 parameters, 2 services, 3 actions; "
                             "sha256:",
                             0),
            0U)
      << out_.str();
}

TEST_F(LintDriverTest, ListsEveryProblemWithTheFileItIsIn) {
  std::string spec = driver::testing::kSampleSpec;
  spec.replace(spec.find("kind: enum"), 10, "kind: float");
  Write("driver.styrmin.yml", spec);
  Write("values.j2.yml", "{{ oops\n");
  EXPECT_EQ(LintDriver(dir_, OutputFormat::kText, out_, err_), kExitProblems);
  EXPECT_EQ(out_.str(), "");
  const std::string d = dir_.string();
  EXPECT_EQ(err_.str(),
            d +
                "/driver.styrmin.yml: spec.parameters[1].kind: unknown kind \"float\" (expected "
                "one of: string, integer, boolean, enum, secret)\n" +
                d +
                "/values.j2.yml:1: {{ is never closed (expected }}, or a string in it is "
                "unterminated)\n2 problems in " +
                d + "\n");
}

TEST_F(LintDriverTest, WritesJsonWhenAsked) {
  EXPECT_EQ(LintDriver(dir_, OutputFormat::kJson, out_, err_), kExitOk);
  const Json ok = Json::parse(out_.str());
  EXPECT_EQ(ok["ok"], true);
  EXPECT_EQ(ok["driver"]["name"], "infrahub");
  EXPECT_EQ(ok["problems"], Json::array());
  std::ostringstream out;
  EXPECT_EQ(LintDriver(dir_ / "missing", OutputFormat::kJson, out, err_), kExitProblems);
  const Json bad = Json::parse(out.str());
  EXPECT_EQ(bad["ok"], false);
  EXPECT_TRUE(bad["driver"].is_null());
  ASSERT_EQ(bad["problems"].size(), 1U);
}

TEST_F(LintDriverTest, RendersValuesFromAContextFile) {
  Write("context.yaml",
        "components: {server: {replicas: 3, env_vars: [], command: [], args: []}}\n"
        "parameters: {telemetry: false}\nservices: {web: {port: 80}}\n");
  const runtime::RuntimeConfig config{STYRMIN_PYTHON, STYRMIN_SOURCE_DIR "/python"};
  EXPECT_EQ(RenderDriver(dir_, dir_ / "context.yaml", config, std::chrono::seconds(60), out_, err_),
            kExitOk)
      << err_.str();
  EXPECT_NE(out_.str().find("replicas: 3"), std::string::npos) << out_.str();
  EXPECT_NE(out_.str().find("# web on 80"), std::string::npos) << out_.str();
}

TEST_F(LintDriverTest, RenderNamesTheTemplateLineOfAnError) {
  Write("context.yaml", "components: {}\n");
  const runtime::RuntimeConfig config{STYRMIN_PYTHON, STYRMIN_SOURCE_DIR "/python"};
  EXPECT_EQ(RenderDriver(dir_, dir_ / "context.yaml", config, std::chrono::seconds(60), out_, err_),
            kExitProblems);
  EXPECT_EQ(err_.str(), dir_.string() +
                            "/values.j2.yml:2: 'dict object' has no attribute "
                            "'server' (UndefinedError)\n");
}

TEST_F(LintDriverTest, RenderRefusesAContextThatIsNotAMapping) {
  Write("context.yaml", "- a list\n");
  const runtime::RuntimeConfig config{STYRMIN_PYTHON, STYRMIN_SOURCE_DIR "/python"};
  EXPECT_EQ(RenderDriver(dir_, dir_ / "context.yaml", config, std::chrono::seconds(60), out_, err_),
            kExitProblems);
  EXPECT_EQ(err_.str(), (dir_ / "context.yaml").string() + ": expected a mapping (the context)\n");
}

TEST_F(LintDriverTest, RenderRefusesValuesThatAreNotYaml) {
  Write("values.j2.yml", "a: [unclosed\n");
  Write("context.yaml", "{}\n");
  const runtime::RuntimeConfig config{STYRMIN_PYTHON, STYRMIN_SOURCE_DIR "/python"};
  EXPECT_EQ(RenderDriver(dir_, dir_ / "context.yaml", config, std::chrono::seconds(60), out_, err_),
            kExitProblems);
  EXPECT_NE(err_.str().find("the rendered values are not valid YAML"), std::string::npos)
      << err_.str();
}

}  // namespace
}  // namespace styrmin::cli
