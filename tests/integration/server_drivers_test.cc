// Application drivers through styrmin-server, a real process on loopback: loading the example
// drivers from a directory and from a git repository the test makes, the same content twice,
// a malformed driver refused with all its problems and nothing written, and who may load.
#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <string>

#include "styrmin/core/json.h"
#include "support/command.h"
#include "support/server_process.h"

namespace styrmin {
namespace {

namespace fs = std::filesystem;
using test::ServerProcess;

class ServerDriversTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    auto started = ServerProcess::Start(STYRMIN_SERVER_BINARY);
    ASSERT_TRUE(started.has_value()) << started.error().ToString();
    server_ = std::move(started).value().release();
  }
  static void TearDownTestSuite() {
    delete server_;
    server_ = nullptr;
  }
  void SetUp() override {
    std::string templ = (fs::temp_directory_path() / "server-drivers-XXXXXX").string();
    ASSERT_NE(mkdtemp(templ.data()), nullptr);
    dir_ = templ;
  }
  void TearDown() override { fs::remove_all(dir_); }

  static Json Graphql(const std::string& query, const Json& variables = Json::object(),
                      const std::string& token = "") {
    auto body = server_->Graphql(query, variables, token);
    EXPECT_TRUE(body.has_value()) << body.error().ToString();
    return body.value_or(Json());
  }

  static std::string ErrorCodeOf(const Json& body) {
    if (!body.contains("errors")) return "";
    return body["errors"][0]["extensions"].value("code", "");
  }

  static Json LoadLocal(const std::string& path, const std::string& token = "") {
    return Graphql(R"(mutation($p: String!) {
      loadLocalApplicationDriverVersion(path: $p) {
        created
        version { id version digest source { kind location commit } driver { name } }
      }
    })",
                   {{"p", path}}, token);
  }

  static std::size_t VersionCount(const std::string& driver) {
    const Json r = Graphql("query($n: String) { applicationDriver(name: $n) { versions { id } } }",
                           {{"n", driver}});
    const Json& d = r["data"]["applicationDriver"];
    return d.is_null() ? 0 : d["versions"].size();
  }

  void CopyDriver(const std::string& name, const fs::path& to) {
    fs::create_directories(to);
    fs::copy(fs::path(STYRMIN_SOURCE_DIR) / "drivers" / name, to, fs::copy_options::recursive);
  }

  static ServerProcess* server_;
  fs::path dir_;
};

ServerProcess* ServerDriversTest::server_ = nullptr;

TEST_F(ServerDriversTest, LoadsAnExampleDriverAndListsWhatItDeclares) {
  const std::string path = std::string(STYRMIN_SOURCE_DIR) + "/drivers/grafana";
  const Json loaded = LoadLocal(path);
  ASSERT_FALSE(loaded.contains("errors")) << loaded.dump(2);
  const Json& payload = loaded["data"]["loadLocalApplicationDriverVersion"];
  EXPECT_EQ(payload["version"]["driver"]["name"], "grafana");
  EXPECT_EQ(payload["version"]["source"]["kind"], "LOCAL");
  EXPECT_EQ(payload["version"]["source"]["location"], path);
  EXPECT_EQ(payload["version"]["digest"].get<std::string>().rfind("sha256:", 0), 0U);

  const Json listed = Graphql(R"({ applicationDrivers { name latestVersion {
      version supportedVersions defaultVersion description
      components { name labels backupKind }
      parameters { name kind required default values min max }
      services { name kind scope port component }
      actions { name hook mode location timeoutSeconds } } } })");
  ASSERT_FALSE(listed.contains("errors")) << listed.dump(2);
  const Json* grafana = nullptr;
  for (const Json& d : listed["data"]["applicationDrivers"]) {
    if (d["name"] == "grafana") grafana = &d;
  }
  ASSERT_NE(grafana, nullptr) << listed.dump(2);
  const Json& v = (*grafana)["latestVersion"];
  EXPECT_FALSE(v["supportedVersions"].get<std::string>().empty());
  ASSERT_FALSE(v["components"].empty());
  EXPECT_TRUE(v["components"][0]["labels"].is_object());
  bool secret = false;
  for (const Json& p : v["parameters"]) secret = secret || p["kind"] == "SECRET";
  EXPECT_TRUE(secret) << "grafana declares a secret admin password";
  ASSERT_FALSE(v["services"].empty());
  EXPECT_EQ(v["services"][0]["scope"], "external");
  ASSERT_FALSE(v["actions"].empty());
  EXPECT_GT(v["actions"][0]["timeoutSeconds"].get<int>(), 0);
}

TEST_F(ServerDriversTest, LoadingTheSameContentTwiceIsANoOp) {
  CopyDriver("prometheus", dir_ / "prometheus");
  const Json first = LoadLocal((dir_ / "prometheus").string());
  ASSERT_FALSE(first.contains("errors")) << first.dump(2);
  // The same files from elsewhere: still the same content.
  CopyDriver("prometheus", dir_ / "copy");
  const Json second = LoadLocal((dir_ / "copy").string());
  ASSERT_FALSE(second.contains("errors")) << second.dump(2);
  const Json& a = first["data"]["loadLocalApplicationDriverVersion"];
  const Json& b = second["data"]["loadLocalApplicationDriverVersion"];
  EXPECT_EQ(b["created"], false);
  EXPECT_EQ(b["version"]["id"], a["version"]["id"]);
  EXPECT_EQ(VersionCount("prometheus"), 1U);

  // Other content under the same driver version is refused: versions are immutable.
  std::ofstream(dir_ / "copy" / "chart" / "templates" / "extra.yaml") << "# changed\n";
  const Json third = LoadLocal((dir_ / "copy").string());
  EXPECT_EQ(ErrorCodeOf(third), "ALREADY_EXISTS") << third.dump(2);
  EXPECT_EQ(VersionCount("prometheus"), 1U);
}

TEST_F(ServerDriversTest, AMalformedDriverIsRefusedWithEveryProblemAndNothingIsWritten) {
  const std::string path =
      std::string(STYRMIN_SOURCE_DIR) + "/tests/driver/malformed/multi-spec-and-driver-files";
  const Json before = Graphql("{ applicationDrivers { id } }");
  const Json r = LoadLocal(path);
  ASSERT_EQ(ErrorCodeOf(r), "BAD_USER_INPUT") << r.dump(2);
  const Json& problems = r["errors"][0]["extensions"]["problems"];
  ASSERT_GE(problems.size(), 3U) << r.dump(2);
  std::ifstream expected(path + "/expected.txt");
  std::string line;
  std::size_t i = 0;
  while (std::getline(expected, line)) {
    if (line.empty()) continue;
    ASSERT_LT(i, problems.size()) << r.dump(2);
    EXPECT_EQ(problems[i]["path"], line.substr(0, line.find('\t'))) << r.dump(2);
    ++i;
  }
  EXPECT_EQ(i, problems.size());
  EXPECT_NE(r["errors"][0]["message"].get<std::string>().find("problems:"), std::string::npos);
  EXPECT_EQ(Graphql("{ applicationDrivers { id } }"), before);
}

TEST_F(ServerDriversTest, RefusesRelativePathsMissingDirectoriesAndNonAdmins) {
  EXPECT_EQ(ErrorCodeOf(LoadLocal("drivers/grafana")), "BAD_USER_INPUT");
  const Json missing = LoadLocal((dir_ / "nope").string());
  EXPECT_EQ(ErrorCodeOf(missing), "BAD_USER_INPUT");
  EXPECT_NE(missing["errors"][0]["message"].get<std::string>().find("not a directory"),
            std::string::npos)
      << missing.dump(2);
  const Json cluster =
      Graphql(R"(mutation { createCluster(input: {name: "drivers-agent"}) { agentToken } })");
  ASSERT_FALSE(cluster.contains("errors")) << cluster.dump(2);
  const std::string agent = cluster["data"]["createCluster"]["agentToken"];
  const Json denied = LoadLocal(std::string(STYRMIN_SOURCE_DIR) + "/drivers/grafana", agent);
  EXPECT_EQ(ErrorCodeOf(denied), "FORBIDDEN");
  EXPECT_EQ(ErrorCodeOf(Graphql(R"({ applicationDriver { id } })")), "BAD_USER_INPUT");
  EXPECT_TRUE(
      Graphql(R"({ applicationDriver(name: "unknown") { id } })")["data"]["applicationDriver"]
          .is_null());
}

TEST_F(ServerDriversTest, LoadsFromGitPinnedToTheCommit) {
  const fs::path repo = dir_ / "repo";
  CopyDriver("semaphore", repo / "drivers" / "semaphore");
  const auto git = [&repo](std::vector<std::string> args) {
    std::vector<std::string> argv = {"git",
                                     "-C",
                                     repo.string(),
                                     "-c",
                                     "user.name=Test",
                                     "-c",
                                     "user.email=test@example.invalid"};
    argv.insert(argv.end(), args.begin(), args.end());
    return test::RunCommandOk(argv);
  };
  ASSERT_TRUE(git({"init", "-q", "-b", "main"}));
  ASSERT_TRUE(git({"add", "-A"}));
  ASSERT_TRUE(git({"commit", "-q", "-m", "semaphore driver"}));
  const auto head = git({"rev-parse", "HEAD"});
  ASSERT_TRUE(head) << head.error().ToString();
  const std::string commit = head->substr(0, 40);

  const std::string query = R"(mutation($u: String!, $p: String) {
    loadGitApplicationDriverVersion(url: $u, branch: "main", path: $p) {
      created version { driver { name } source { kind location branch path commit } } } })";
  const Json r = Graphql(query, {{"u", "file://" + repo.string()}, {"p", "drivers/semaphore"}});
  ASSERT_FALSE(r.contains("errors")) << r.dump(2);
  const Json& payload = r["data"]["loadGitApplicationDriverVersion"];
  EXPECT_EQ(payload["created"], true);
  EXPECT_EQ(payload["version"]["driver"]["name"], "semaphore");
  EXPECT_EQ(payload["version"]["source"]["kind"], "GIT");
  EXPECT_EQ(payload["version"]["source"]["commit"], commit);
  EXPECT_EQ(payload["version"]["source"]["path"], "drivers/semaphore");

  const Json again = Graphql(query, {{"u", "file://" + repo.string()}, {"p", "drivers/semaphore"}});
  EXPECT_EQ(again["data"]["loadGitApplicationDriverVersion"]["created"], false) << again.dump(2);

  const Json branch = Graphql(R"(mutation($u: String!) {
    loadGitApplicationDriverVersion(url: $u, branch: "nope") { created } })",
                              {{"u", "file://" + repo.string()}});
  EXPECT_EQ(ErrorCodeOf(branch), "NOT_FOUND") << branch.dump(2);
  const Json unreachable = Graphql(R"(mutation($u: String!) {
    loadGitApplicationDriverVersion(url: $u) { created } })",
                                   {{"u", "file://" + (dir_ / "no-repo").string()}});
  EXPECT_EQ(ErrorCodeOf(unreachable), "UNAVAILABLE") << unreachable.dump(2);
}

}  // namespace
}  // namespace styrmin
