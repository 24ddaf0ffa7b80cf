// The driver runtime end to end: the real Python runtime (its virtual environment from
// tools/setup.sh) driven by the C++ client, with this test playing the agent's primitives.
#include "styrmin/runtime/driver_runtime.h"

#include <gtest/gtest.h>
#include <signal.h>
#include <unistd.h>

#include <chrono>
#include <fstream>
#include <map>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include "styrmin/core/yaml.h"
#include "styrmin/driver/context.h"
#include "styrmin/driver/loader.h"
#include "styrmin/driver/parameters.h"
#include "styrmin/driver/testing/sample_driver.h"

namespace styrmin::runtime {
namespace {

using std::chrono::milliseconds;

RuntimeConfig Config() { return {STYRMIN_PYTHON, STYRMIN_SOURCE_DIR "/python"}; }

class RecordingLog final : public RunLog {
 public:
  void Line(std::string_view source, std::string_view level, std::string_view text) override {
    lines.push_back(std::string(source) + " " + std::string(level) + " " + std::string(text));
  }
  void Progress(double fraction, std::string_view message) override {
    progress.emplace_back(fraction, message);
  }
  bool Contains(const std::string& part) const {
    for (const auto& l : lines) {
      if (l.find(part) != std::string::npos) return true;
    }
    return false;
  }
  std::string All() const {
    std::string out;
    for (const auto& l : lines) out += l + "\n";
    return out;
  }
  std::vector<std::string> lines;
  std::vector<std::pair<double, std::string>> progress;
};

// The primitive server of the test: records each call and answers from a table.
class FakePrimitives final : public PrimitiveHandler {
 public:
  Result<Json> Call(std::string_view primitive, const Json& args,
                    std::chrono::steady_clock::time_point /*deadline*/) override {
    calls.push_back(Json{{"primitive", primitive}, {"args", args}});
    const auto it = answers.find(std::string(primitive));
    if (it == answers.end()) return Json();
    if (it->second.is_string() && it->second.get<std::string>().rfind("error:", 0) == 0) {
      return Unavailable(it->second.get<std::string>().substr(6));
    }
    return it->second;
  }
  std::vector<Json> calls;
  std::map<std::string, Json> answers;
};

class DriverRuntimeTest : public ::testing::Test {
 protected:
  void SetUp() override {
    std::string templ = (std::filesystem::temp_directory_path() / "runtime-XXXXXX").string();
    ASSERT_NE(mkdtemp(templ.data()), nullptr);
    dir_ = templ;
    for (const auto& [path, content] : driver::testing::SampleFiles()) Write(path, content);
  }
  void TearDown() override { std::filesystem::remove_all(dir_); }
  void Write(const std::string& path, const std::string& content) {
    std::filesystem::create_directories((dir_ / path).parent_path());
    std::ofstream(dir_ / path, std::ios::binary) << content;
  }
  driver::Action ActionFor(const std::string& function, int timeout_seconds = 60) {
    driver::Action a;
    a.name = function;
    a.file = "actions.py";
    a.function = function;
    a.timeout_seconds = timeout_seconds;
    return a;
  }
  Json SampleContext() {
    // From the sample's files, not dir_: tests replace actions.py with their own.
    const auto load = driver::CheckDriver(driver::testing::SampleFiles());
    EXPECT_TRUE(load.driver) << driver::JoinProblems(load.problems);
    spec_ = load.driver->spec;
    const auto params = driver::CheckParameters(
        spec_, {{"admin_password", "correct horse battery"}, {"telemetry", true}});
    EXPECT_TRUE(params.problems.empty()) << driver::JoinProblems(params.problems);
    driver::ContextInput input;
    input.cluster = {"c1", "local", {{"fqdn_suffix", "example.com"}}};
    input.environment = {"e1", "prod", Json::object()};
    input.deployment = {"d1", "infrahub", {{"components", {{"server", {{"replicas", 2}}}}}}};
    input.driver = &spec_;
    input.application_version = Version(1, 5, 2);
    input.parameters = params.values;
    auto context = driver::BuildContext(input);
    EXPECT_TRUE(context) << context.error().ToString();
    return context ? *context : Json();
  }
  std::filesystem::path dir_;
  driver::DriverSpec spec_;
};

TEST_F(DriverRuntimeTest, RendersTheSampleValuesFromABuiltContext) {
  const Json context = SampleContext();
  auto values = RenderValues(Config(), dir_, context, milliseconds(30000));
  ASSERT_TRUE(values) << values.error().ToString();
  auto parsed = ParseYaml(*values);
  ASSERT_TRUE(parsed) << parsed.error().ToString() << "\n" << *values;
  EXPECT_EQ((*parsed)["server"]["replicas"], 2);
  EXPECT_EQ((*parsed)["telemetry"], true);
  EXPECT_NE(values->find("# infrahub on 8000"), std::string::npos) << *values;
  EXPECT_EQ(values->find("correct horse"), std::string::npos) << "a secret reached the values";
}

TEST_F(DriverRuntimeTest, AnUnsetReplicaCountRendersTheTemplatesDefault) {
  Json context = SampleContext();
  ASSERT_TRUE(context["components"]["server"]["replicas"].is_number());
  context["components"]["server"]["replicas"] = nullptr;  // as the builder leaves it unset
  auto values = RenderValues(Config(), dir_, context, milliseconds(30000));
  ASSERT_TRUE(values) << values.error().ToString();
  EXPECT_EQ(ParseYaml(*values).value()["server"]["replicas"], 1) << *values;
}

TEST_F(DriverRuntimeTest, ReportsTemplateErrorsWithTheirLine) {
  Write("values.j2.yml", "a: 1\nb: {{ parameters.nope }}\n");
  auto values = RenderValues(Config(), dir_, SampleContext(), milliseconds(30000));
  ASSERT_FALSE(values);
  EXPECT_EQ(values.error().code(), ErrorCode::kInvalidArgument);
  EXPECT_EQ(values.error().message(),
            "values.j2.yml:2: 'dict object' has no attribute 'nope' (UndefinedError)");
}

TEST_F(DriverRuntimeTest, RunsAnActionThatCallsPrimitivesAndLogs) {
  Write("actions.py", R"(from prefect import flow, get_run_logger
from styrmin_backend.actions import (execute_commands, report_progress, start_components,
                                     stop_components, wait_for_components_ready)


@flow
async def migrate(context):
    log = get_run_logger()
    await stop_components(["task-worker"])
    report_progress(0.25, "workers stopped")
    out = await execute_commands("server", ["infrahub", "db", "migrate"])
    log.info("migration said %s", out[0]["stdout"])
    await start_components(["task-worker"])
    await wait_for_components_ready(["server", "task-worker"])
    print("plain print goes to the log")
    return {"version": context["app"]["version"]}
)");
  FakePrimitives primitives;
  primitives.answers["execute_commands"] =
      Json::array({{{"exit_code", 0}, {"stdout", "42 migrations"}, {"stderr", ""}}});
  RecordingLog log;
  auto result = RunAction(Config(), dir_, ActionFor("migrate"), SampleContext(), primitives, log);
  ASSERT_TRUE(result) << result.error().ToString() << "\n" << log.All();
  EXPECT_EQ(*result, (Json{{"version", "1.5.2"}}));
  std::vector<std::string> names;
  for (const auto& c : primitives.calls) names.push_back(c["primitive"]);
  EXPECT_EQ(names, (std::vector<std::string>{"stop_components", "execute_commands",
                                             "start_components", "wait_for_components_ready"}));
  EXPECT_EQ(primitives.calls[1]["args"],
            (Json{{"component", "server"}, {"commands", {{"infrahub", "db", "migrate"}}}}));
  EXPECT_TRUE(log.Contains("action INFO migration said 42 migrations")) << log.All();
  EXPECT_TRUE(log.Contains("stderr INFO plain print goes to the log")) << log.All();
  ASSERT_EQ(log.progress.size(), 1U);
  EXPECT_EQ(log.progress[0].second, "workers stopped");
}

TEST_F(DriverRuntimeTest, AnActionThatRaisesFailsWithItsTracebackInTheLog) {
  Write("actions.py", "def setup(context):\n    raise RuntimeError('database unreachable')\n");
  FakePrimitives primitives;
  RecordingLog log;
  auto result = RunAction(Config(), dir_, ActionFor("setup"), SampleContext(), primitives, log);
  ASSERT_FALSE(result);
  EXPECT_EQ(result.error().code(), ErrorCode::kFailedPrecondition);
  EXPECT_EQ(result.error().message(), "action setup failed: RuntimeError: database unreachable");
  EXPECT_TRUE(log.Contains("Traceback (most recent call last)")) << log.All();
  EXPECT_TRUE(log.Contains("actions.py\", line 2, in setup")) << log.All();
}

TEST_F(DriverRuntimeTest, APrimitiveErrorReachesTheActionAsAnException) {
  Write("actions.py", R"(from styrmin_backend.actions import PrimitiveError, scale_component
async def scale(context):
    try:
        await scale_component("server", 3)
    except PrimitiveError as error:
        return "caught: " + str(error)
)");
  FakePrimitives primitives;
  primitives.answers["scale_component"] = "error:the cluster is down";
  RecordingLog log;
  auto result = RunAction(Config(), dir_, ActionFor("scale"), SampleContext(), primitives, log);
  ASSERT_TRUE(result) << result.error().ToString();
  EXPECT_EQ(*result, "caught: scale_component: the cluster is down");
}

bool Gone(pid_t pid) {
  // A zombie (killed, not yet reaped by init) counts as gone.
  std::ifstream stat("/proc/" + std::to_string(pid) + "/stat");
  std::string content;
  std::getline(stat, content);
  return content.empty() || content.find(") Z") != std::string::npos;
}

TEST_F(DriverRuntimeTest, AHungActionIsKilledAtItsDeadlineWithItsChildren) {
  const std::filesystem::path pid_file = dir_ / "child.pid";
  Write("actions.py", R"(import subprocess, time
def hang(context):
    child = subprocess.Popen(["sleep", "300"])
    with open("child.pid", "w") as f:
        f.write(str(child.pid))
    time.sleep(300)
)");
  FakePrimitives primitives;
  RecordingLog log;
  const auto start = std::chrono::steady_clock::now();
  auto result = RunAction(Config(), dir_, ActionFor("hang", 2), SampleContext(), primitives, log);
  const auto took = std::chrono::steady_clock::now() - start;
  ASSERT_FALSE(result);
  EXPECT_EQ(result.error().code(), ErrorCode::kDeadlineExceeded);
  EXPECT_EQ(result.error().message(),
            "action hang did not finish within 2 s; its processes were killed");
  EXPECT_LT(took, std::chrono::seconds(30));
  std::ifstream in(pid_file);
  pid_t child = 0;
  in >> child;
  ASSERT_GT(child, 0) << "the action never started its child";
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(10);
  while (!Gone(child) && std::chrono::steady_clock::now() < deadline) {
    std::this_thread::sleep_for(milliseconds(20));
  }
  EXPECT_TRUE(Gone(child)) << "the action's child survived";
  EXPECT_TRUE(log.Contains("did not finish within 2 s")) << log.All();
}

TEST_F(DriverRuntimeTest, AProtocolErrorNamesTheOffendingLine) {
  // A stand-in for the interpreter that answers garbage.
  const std::filesystem::path fake = dir_ / "fake-python";
  Write("fake-python", "#!/bin/sh\nread line\necho 'Traceback? not JSON'\nsleep 300\n");
  std::filesystem::permissions(fake, std::filesystem::perms::owner_all);
  RuntimeConfig config = Config();
  config.python = fake;
  FakePrimitives primitives;
  RecordingLog log;
  auto result = RunAction(config, dir_, ActionFor("migrate"), Json::object(), primitives, log);
  ASSERT_FALSE(result);
  EXPECT_EQ(result.error().code(), ErrorCode::kInternal);
  EXPECT_EQ(result.error().message(),
            "protocol error: unexpected line from the driver runtime: \"Traceback? not JSON\"");
}

TEST_F(DriverRuntimeTest, ARuntimeThatDiesSaysSoWithItsLastWords) {
  const std::filesystem::path fake = dir_ / "fake-python";
  Write("fake-python", "#!/bin/sh\necho 'ImportError: no jinja2' >&2\nexit 3\n");
  std::filesystem::permissions(fake, std::filesystem::perms::owner_all);
  RuntimeConfig config = Config();
  config.python = fake;
  auto values = RenderValues(config, dir_, Json::object(), milliseconds(30000));
  ASSERT_FALSE(values);
  EXPECT_EQ(values.error().message(),
            "the driver runtime exited with status 3 before answering; its last output:\n"
            "  ImportError: no jinja2");
  config.python = dir_ / "no-such-python";
  values = RenderValues(config, dir_, Json::object(), milliseconds(30000));
  ASSERT_FALSE(values);
  EXPECT_EQ(values.error().code(), ErrorCode::kUnavailable);
}

}  // namespace
}  // namespace styrmin::runtime
