#include "support/kube_plane.h"

#include <unistd.h>

#include <atomic>
#include <cstdlib>
#include <fstream>
#include <thread>

namespace styrmin::test {
namespace {

// Reads NAME from the plane's env file (STYRMIN_PLANE_ENV, written by `plane.sh up`), else
// from the process environment.
Result<std::string> Env(const std::string& name) {
  if (const char* file = std::getenv("STYRMIN_PLANE_ENV"); file != nullptr && *file != '\0') {
    std::ifstream in(file);
    if (!in) {
      return FailedPrecondition(std::string("cannot read ") + file +
                                ": the kube_plane fixture did not start the plane");
    }
    for (std::string line; std::getline(in, line);) {
      if (line.starts_with(name + "=")) return line.substr(name.size() + 1);
    }
    return FailedPrecondition(name + " missing from " + file);
  }
  const char* value = std::getenv(name.c_str());
  if (value == nullptr || *value == '\0') {
    return FailedPrecondition(name +
                              " is not set: run through ctest, which starts the kube_plane "
                              "fixture, or source the output of tools/plane/plane.sh up");
  }
  return std::string(value);
}

}  // namespace

Result<kube::ClusterAccess> PlaneAccess() {
  STYRMIN_ASSIGN_OR_RETURN(std::string path, Env("KUBECONFIG"));
  return kube::LoadKubeconfig(path);
}

Result<std::string> PlaneDir() { return Env("STYRMIN_PLANE_DIR"); }

Result<std::string> Kubectl(const std::vector<std::string>& args, const std::string& stdin_data,
                            std::chrono::milliseconds timeout) {
  STYRMIN_ASSIGN_OR_RETURN(std::string kubectl, Env("STYRMIN_KUBECTL"));
  STYRMIN_ASSIGN_OR_RETURN(std::string kubeconfig, Env("KUBECONFIG"));
  std::vector<std::string> argv{kubectl, "--kubeconfig", kubeconfig};
  argv.insert(argv.end(), args.begin(), args.end());
  return RunCommandOk(argv, timeout, stdin_data);
}

Result<std::string> Helm(const std::vector<std::string>& args, std::chrono::milliseconds timeout) {
  STYRMIN_ASSIGN_OR_RETURN(std::string helm, Env("STYRMIN_HELM"));
  STYRMIN_ASSIGN_OR_RETURN(std::string kubeconfig, Env("KUBECONFIG"));
  std::vector<std::string> argv{helm, "--kubeconfig", kubeconfig};
  argv.insert(argv.end(), args.begin(), args.end());
  return RunCommandOk(argv, timeout);
}

Status WaitUntil(const std::string& what, std::chrono::milliseconds timeout,
                 const std::function<Result<bool>()>& condition) {
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  while (true) {
    STYRMIN_ASSIGN_OR_RETURN(bool done, condition());
    if (done) return OkStatus();
    if (std::chrono::steady_clock::now() >= deadline) {
      return DeadlineExceeded("timed out after " + std::to_string(timeout.count()) +
                              " ms waiting for " + what);
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
  }
}

std::string UniqueNamespace() {
  static std::atomic<int> counter{0};
  return "styrmin-test-" + std::to_string(getpid()) + "-" + std::to_string(++counter);
}

}  // namespace styrmin::test
