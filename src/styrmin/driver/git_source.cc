#include "styrmin/driver/git_source.h"

#include <git2.h>
#include <openssl/evp.h>

#include <array>
#include <memory>
#include <mutex>
#include <system_error>

namespace styrmin::driver {
namespace {

template <typename T, void (*Free)(T*)>
struct GitFree {
  void operator()(T* p) const { Free(p); }
};
template <typename T, void (*Free)(T*)>
using GitPtr = std::unique_ptr<T, GitFree<T, Free>>;

using Repository = GitPtr<git_repository, git_repository_free>;
using Remote = GitPtr<git_remote, git_remote_free>;
using Reference = GitPtr<git_reference, git_reference_free>;
using Commit = GitPtr<git_commit, git_commit_free>;
using Tree = GitPtr<git_tree, git_tree_free>;
using TreeEntry = GitPtr<git_tree_entry, git_tree_entry_free>;
using Blob = GitPtr<git_blob, git_blob_free>;

std::mutex& GitMutex() {
  static std::mutex mu;
  return mu;
}

void InitOnce() {
  static std::once_flag once;
  std::call_once(once, [] { git_libgit2_init(); });
}

std::string LastError(std::string_view what) {
  const git_error* e = git_error_last();
  return std::string(what) + ": " +
         (e != nullptr && e->message != nullptr ? e->message : "unknown error");
}

std::string CacheName(const std::string& url) {
  std::array<unsigned char, EVP_MAX_MD_SIZE> hash{};
  unsigned int size = 0;
  EVP_Digest(url.data(), url.size(), hash.data(), &size, EVP_sha256(), nullptr);
  static constexpr char kHex[] = "0123456789abcdef";
  std::string out;
  for (unsigned int i = 0; i < 12; ++i) {
    out += kHex[hash[i] >> 4];
    out += kHex[hash[i] & 0xF];
  }
  return out + ".git";
}

struct Transfer {
  std::chrono::steady_clock::time_point deadline;
  bool timed_out = false;
};

int OnProgress(const git_indexer_progress* /*stats*/, void* payload) {
  auto* transfer = static_cast<Transfer*>(payload);
  if (std::chrono::steady_clock::now() > transfer->deadline) {
    transfer->timed_out = true;
    return -1;  // cancels the transfer
  }
  return 0;
}

int OnSideband(const char* /*text*/, int /*len*/, void* payload) {
  return OnProgress(nullptr, payload);
}

bool IsSafePath(std::string_view path) {
  if (path.empty()) return true;
  if (path.front() == '/') return false;
  std::size_t at = 0;
  while (at <= path.size()) {
    std::size_t end = path.find('/', at);
    if (end == std::string_view::npos) end = path.size();
    const std::string_view part = path.substr(at, end - at);
    if (part.empty() || part == "." || part == "..") return false;
    at = end + 1;
  }
  return true;
}

class TreeReader {
 public:
  TreeReader(git_repository* repo, const LoadLimits& limits) : repo_(repo), limits_(limits) {}

  Status Read(const git_tree* tree, const std::string& prefix, DriverFiles& files) {
    const std::size_t n = git_tree_entrycount(tree);
    for (std::size_t i = 0; i < n; ++i) {
      const git_tree_entry* entry = git_tree_entry_byindex(tree, i);
      const std::string name = prefix + git_tree_entry_name(entry);
      switch (git_tree_entry_filemode(entry)) {
        case GIT_FILEMODE_TREE: {
          git_tree* sub_raw = nullptr;
          if (git_tree_lookup(&sub_raw, repo_, git_tree_entry_id(entry)) != 0) {
            return Unavailable(LastError("reading " + name));
          }
          const Tree sub(sub_raw);
          STYRMIN_RETURN_IF_ERROR(Read(sub.get(), name + "/", files));
          break;
        }
        case GIT_FILEMODE_BLOB:
        case GIT_FILEMODE_BLOB_EXECUTABLE: {
          git_blob* blob_raw = nullptr;
          if (git_blob_lookup(&blob_raw, repo_, git_tree_entry_id(entry)) != 0) {
            return Unavailable(LastError("reading " + name));
          }
          const Blob blob(blob_raw);
          const auto size = static_cast<std::size_t>(git_blob_rawsize(blob.get()));
          total_ += size;
          if (files.size() >= limits_.max_files || size > limits_.max_file_bytes ||
              total_ > limits_.max_total_bytes) {
            return FailedPrecondition("the driver is over its size limits at " + name + " (" +
                                      std::to_string(limits_.max_files) + " files, " +
                                      std::to_string(limits_.max_file_bytes) + " bytes per file, " +
                                      std::to_string(limits_.max_total_bytes) + " in all)");
          }
          files.emplace(
              name, std::string(static_cast<const char*>(git_blob_rawcontent(blob.get())), size));
          break;
        }
        case GIT_FILEMODE_LINK:
          return FailedPrecondition(name + ": symbolic links are not allowed in a driver");
        case GIT_FILEMODE_COMMIT:
          return FailedPrecondition(name + ": submodules are not allowed in a driver");
        default:
          return FailedPrecondition(name + ": unsupported entry in the driver's tree");
      }
    }
    return OkStatus();
  }

 private:
  git_repository* repo_;
  const LoadLimits& limits_;
  std::size_t total_ = 0;
};

}  // namespace

Result<GitDriverFiles> FetchGitDriver(const GitDriverRequest& request) {
  if (request.url.empty()) return InvalidArgument("a git URL is required");
  if (request.branch.empty()) return InvalidArgument("a branch is required");
  if (git_reference_is_valid_name(("refs/heads/" + request.branch).c_str()) == 0) {
    return InvalidArgument("\"" + request.branch + "\" is not a valid branch name");
  }
  std::string path = request.path;
  while (!path.empty() && path.back() == '/') path.pop_back();
  while (path.rfind("./", 0) == 0) path.erase(0, 2);
  if (!IsSafePath(path)) {
    return InvalidArgument("\"" + request.path + "\" is not a directory inside the repository");
  }
  InitOnce();
  const std::lock_guard<std::mutex> lock(GitMutex());
  std::error_code ec;
  std::filesystem::create_directories(request.cache_dir, ec);
  if (ec) return Unavailable("cannot create " + request.cache_dir.string() + ": " + ec.message());
  const std::string local = (request.cache_dir / CacheName(request.url)).string();

  git_repository* repo_raw = nullptr;
  if (git_repository_open_bare(&repo_raw, local.c_str()) != 0) {
    std::filesystem::remove_all(local, ec);
    if (git_repository_init(&repo_raw, local.c_str(), /*is_bare=*/1) != 0) {
      return Unavailable(LastError("creating the cache " + local));
    }
  }
  const Repository repo(repo_raw);
  git_remote* remote_raw = nullptr;
  // Exactly the URL given: no url.<base>.insteadOf rewriting from any git configuration.
  // The *_init functions rather than the INIT macros, whose partial initialisers clang
  // rejects under -Wmissing-field-initializers.
  git_remote_create_options remote_options;
  git_remote_create_options_init(&remote_options, GIT_REMOTE_CREATE_OPTIONS_VERSION);
  remote_options.repository = repo.get();
  remote_options.flags = GIT_REMOTE_CREATE_SKIP_INSTEADOF;
  if (git_remote_create_with_opts(&remote_raw, request.url.c_str(), &remote_options) != 0) {
    return InvalidArgument(LastError("\"" + request.url + "\" is not a usable git URL"));
  }
  const Remote remote(remote_raw);

  const std::string tracking = "refs/styrmin/" + request.branch;
  const std::string refspec = "+refs/heads/" + request.branch + ":" + tracking;
  char* specs[] = {const_cast<char*>(refspec.c_str())};
  const git_strarray refspecs{specs, 1};
  Transfer transfer{std::chrono::steady_clock::now() + request.timeout};
  git_fetch_options options;
  git_fetch_options_init(&options, GIT_FETCH_OPTIONS_VERSION);
  options.callbacks.transfer_progress = OnProgress;
  options.callbacks.sideband_progress = OnSideband;
  options.callbacks.payload = &transfer;
  options.prune = GIT_FETCH_NO_PRUNE;
  options.download_tags = GIT_REMOTE_DOWNLOAD_TAGS_NONE;
  // A branch that vanished must not be served from an old fetch.
  git_reference* stale = nullptr;
  if (git_reference_lookup(&stale, repo.get(), tracking.c_str()) == 0) {
    git_reference_delete(stale);
    git_reference_free(stale);
  }
  if (git_remote_fetch(remote.get(), &refspecs, &options, nullptr) != 0) {
    if (transfer.timed_out) {
      return DeadlineExceeded("fetching " + request.url + " took longer than " +
                              std::to_string(request.timeout.count()) + " s");
    }
    return Unavailable(LastError("cannot fetch " + request.url));
  }
  git_reference* ref_raw = nullptr;
  if (git_reference_lookup(&ref_raw, repo.get(), tracking.c_str()) != 0) {
    return NotFound("branch \"" + request.branch + "\" does not exist in " + request.url);
  }
  const Reference ref(ref_raw);
  git_commit* commit_raw = nullptr;
  if (git_commit_lookup(&commit_raw, repo.get(), git_reference_target(ref.get())) != 0) {
    return Unavailable(LastError("reading the head of " + request.branch));
  }
  const Commit commit(commit_raw);
  git_tree* root_raw = nullptr;
  if (git_commit_tree(&root_raw, commit.get()) != 0) {
    return Unavailable(LastError("reading the tree of " + request.branch));
  }
  Tree tree(root_raw);
  if (!path.empty()) {
    git_tree_entry* entry_raw = nullptr;
    if (git_tree_entry_bypath(&entry_raw, tree.get(), path.c_str()) != 0) {
      return NotFound("\"" + path + "\" does not exist on branch " + request.branch + " of " +
                      request.url);
    }
    const TreeEntry entry(entry_raw);
    if (git_tree_entry_type(entry.get()) != GIT_OBJECT_TREE) {
      return NotFound("\"" + path + "\" is not a directory on branch " + request.branch);
    }
    git_tree* sub_raw = nullptr;
    if (git_tree_lookup(&sub_raw, repo.get(), git_tree_entry_id(entry.get())) != 0) {
      return Unavailable(LastError("reading " + path));
    }
    tree.reset(sub_raw);
  }
  GitDriverFiles out;
  std::array<char, GIT_OID_HEXSZ + 1> hex{};
  git_oid_tostr(hex.data(), hex.size(), git_commit_id(commit.get()));
  out.commit = hex.data();
  TreeReader reader(repo.get(), request.limits);
  STYRMIN_RETURN_IF_ERROR(reader.Read(tree.get(), "", out.files));
  return out;
}

}  // namespace styrmin::driver
