// Driver sources in git: the files of a driver at the head of a branch, read with libgit2 and
// pinned to the commit they came from, so a driver version always names exactly what it was
// loaded from.
//
// Repositories are cached as bare clones under `cache_dir` (one per URL) and fetched again on
// each load. Thread-safe: loads are serialised within the process.
#pragma once

#include <chrono>
#include <filesystem>
#include <string>

#include "styrmin/core/status.h"
#include "styrmin/driver/loader.h"

namespace styrmin::driver {

struct GitDriverRequest {
  std::string url;     // anything libgit2 clones: https://..., file:///..., a local path
  std::string branch;  // a branch name, e.g. "main"
  std::string path;    // the driver's directory inside the repository; "" for its root
  std::filesystem::path cache_dir;
  std::chrono::seconds timeout{120};  // for the fetch's transfer
  LoadLimits limits;
};

struct GitDriverFiles {
  std::string commit;  // 40 hex digits
  DriverFiles files;   // relative to `path`
};

// kInvalidArgument for a malformed request (empty URL, a path escaping the repository),
// kNotFound when the branch or path does not exist, kUnavailable when the repository cannot
// be reached or read (libgit2's message included), kDeadlineExceeded when the transfer takes
// too long, kFailedPrecondition when the tree holds symbolic links or submodules or passes
// `limits`.
Result<GitDriverFiles> FetchGitDriver(const GitDriverRequest& request);

}  // namespace styrmin::driver
