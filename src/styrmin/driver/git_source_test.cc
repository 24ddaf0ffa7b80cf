#include "styrmin/driver/git_source.h"

#include <git2.h>
#include <gtest/gtest.h>
#include <unistd.h>

#include <fstream>
#include <string>

#include "styrmin/driver/testing/sample_driver.h"

namespace styrmin::driver {
namespace {

namespace fs = std::filesystem;

// A repository the test writes and commits to with libgit2 itself: no git binary needed.
class SourceRepo {
 public:
  explicit SourceRepo(const fs::path& dir) : dir_(dir) {
    git_libgit2_init();
    git_repository_init_options options;
    git_repository_init_options_init(&options, GIT_REPOSITORY_INIT_OPTIONS_VERSION);
    options.initial_head = "main";
    options.flags = GIT_REPOSITORY_INIT_MKPATH;
    EXPECT_EQ(git_repository_init_ext(&repo_, dir.c_str(), &options), 0);
  }
  ~SourceRepo() {
    git_repository_free(repo_);
    // No git_libgit2_shutdown(): FetchGitDriver initialises libgit2 once for the process.
  }
  SourceRepo(const SourceRepo&) = delete;
  SourceRepo& operator=(const SourceRepo&) = delete;

  void Write(const std::string& path, const std::string& content) {
    fs::create_directories((dir_ / path).parent_path());
    std::ofstream(dir_ / path, std::ios::binary) << content;
  }

  // Commits everything in the work tree on the current branch; the new commit's id.
  std::string Commit(const std::string& message) {
    git_index* index = nullptr;
    EXPECT_EQ(git_repository_index(&index, repo_), 0);
    EXPECT_EQ(git_index_add_all(index, nullptr, 0, nullptr, nullptr), 0);
    EXPECT_EQ(git_index_write(index), 0);
    git_oid tree_id;
    EXPECT_EQ(git_index_write_tree(&tree_id, index), 0);
    git_index_free(index);
    git_tree* tree = nullptr;
    EXPECT_EQ(git_tree_lookup(&tree, repo_, &tree_id), 0);
    git_signature* who = nullptr;
    EXPECT_EQ(git_signature_now(&who, "Test", "test@example.invalid"), 0);
    git_commit* parent = nullptr;
    git_oid head;
    const bool has_parent = git_reference_name_to_id(&head, repo_, "HEAD") == 0 &&
                            git_commit_lookup(&parent, repo_, &head) == 0;
    const git_commit* parents[] = {parent};
    git_oid id;
    EXPECT_EQ(git_commit_create(&id, repo_, "HEAD", who, who, nullptr, message.c_str(), tree,
                                has_parent ? 1 : 0, has_parent ? parents : nullptr),
              0);
    git_commit_free(parent);
    git_signature_free(who);
    git_tree_free(tree);
    char hex[GIT_OID_HEXSZ + 1];
    git_oid_tostr(hex, sizeof hex, &id);
    return hex;
  }

 private:
  fs::path dir_;
  git_repository* repo_ = nullptr;
};

class FetchGitDriverTest : public ::testing::Test {
 protected:
  void SetUp() override {
    std::string templ = (fs::temp_directory_path() / "git-XXXXXX").string();
    ASSERT_NE(mkdtemp(templ.data()), nullptr);
    root_ = templ;
    repo_ = std::make_unique<SourceRepo>(root_ / "source");
  }
  void TearDown() override {
    repo_.reset();
    fs::remove_all(root_);
  }
  GitDriverRequest Request(const std::string& path = "") {
    GitDriverRequest r;
    r.url = (root_ / "source").string();
    r.branch = "main";
    r.path = path;
    r.cache_dir = root_ / "cache";
    return r;
  }
  void WriteSample(const std::string& prefix = "") {
    for (const auto& [path, content] : testing::SampleFiles()) repo_->Write(prefix + path, content);
  }
  fs::path root_;
  std::unique_ptr<SourceRepo> repo_;
};

TEST_F(FetchGitDriverTest, ReadsTheBranchHeadAndPinsItsCommit) {
  WriteSample();
  const std::string first = repo_->Commit("first");
  auto got = FetchGitDriver(Request());
  ASSERT_TRUE(got) << got.error().ToString();
  EXPECT_EQ(got->commit, first);
  EXPECT_EQ(got->files, testing::SampleFiles());
  EXPECT_EQ(CheckDriver(got->files).driver->digest,
            CheckDriver(testing::SampleFiles()).driver->digest);

  repo_->Write("chart/templates/extra.yaml", "kind: ConfigMap\n");
  const std::string second = repo_->Commit("second");
  got = FetchGitDriver(Request());  // from the cache, fetched again
  ASSERT_TRUE(got) << got.error().ToString();
  EXPECT_EQ(got->commit, second);
  EXPECT_EQ(got->files.count("chart/templates/extra.yaml"), 1U);
}

TEST_F(FetchGitDriverTest, ReadsADriverInASubdirectory) {
  WriteSample("drivers/infrahub/");
  repo_->Write("README.md", "not part of the driver\n");
  repo_->Commit("nested");
  auto got = FetchGitDriver(Request("drivers/infrahub/"));
  ASSERT_TRUE(got) << got.error().ToString();
  EXPECT_EQ(got->files, testing::SampleFiles());
  auto missing = FetchGitDriver(Request("drivers/grafana"));
  ASSERT_FALSE(missing);
  EXPECT_EQ(missing.error().code(), ErrorCode::kNotFound);
  auto file = FetchGitDriver(Request("README.md"));
  ASSERT_FALSE(file);
  EXPECT_EQ(file.error().code(), ErrorCode::kNotFound);
}

TEST_F(FetchGitDriverTest, RefusesBadRequestsWithClearErrors) {
  WriteSample();
  repo_->Commit("first");
  GitDriverRequest r = Request("../etc");
  auto escaping = FetchGitDriver(r);
  ASSERT_FALSE(escaping);
  EXPECT_EQ(escaping.error().code(), ErrorCode::kInvalidArgument);
  r = Request();
  r.branch = "no such..branch";
  EXPECT_EQ(FetchGitDriver(r).error().code(), ErrorCode::kInvalidArgument);
  r = Request();
  r.branch = "release";
  auto unknown = FetchGitDriver(r);
  ASSERT_FALSE(unknown);
  EXPECT_EQ(unknown.error().code(), ErrorCode::kNotFound);
  EXPECT_NE(unknown.error().message().find("branch \"release\" does not exist"), std::string::npos);
  r = Request();
  r.url = (root_ / "nowhere").string();
  auto unreachable = FetchGitDriver(r);
  ASSERT_FALSE(unreachable);
  EXPECT_EQ(unreachable.error().code(), ErrorCode::kUnavailable);
}

TEST_F(FetchGitDriverTest, RefusesSymbolicLinksAndOversizedTrees) {
  WriteSample();
  fs::create_symlink("/etc/passwd", root_ / "source" / "chart" / "passwd");
  repo_->Commit("with a link");
  auto linked = FetchGitDriver(Request());
  ASSERT_FALSE(linked);
  EXPECT_EQ(linked.error().code(), ErrorCode::kFailedPrecondition);
  EXPECT_EQ(linked.error().message(), "chart/passwd: symbolic links are not allowed in a driver");

  fs::remove(root_ / "source" / "chart" / "passwd");
  repo_->Commit("without");
  GitDriverRequest r = Request();
  r.limits.max_file_bytes = 64;
  auto big = FetchGitDriver(r);
  ASSERT_FALSE(big);
  EXPECT_EQ(big.error().code(), ErrorCode::kFailedPrecondition);
}

}  // namespace
}  // namespace styrmin::driver
