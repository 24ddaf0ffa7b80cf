// Access to the local Kubernetes plane that CTest starts once per test run (the `kube_plane`
// fixture, tools/plane/plane.sh). CTest points STYRMIN_PLANE_ENV at the plane's env file, which
// names KUBECONFIG (admin kubeconfig) and STYRMIN_KUBECTL (the kubectl built with the plane);
// without it, those two are read from the process environment.
#pragma once

#include <chrono>
#include <functional>
#include <string>
#include <utility>
#include <vector>

#include "styrmin/core/status.h"
#include "styrmin/kube/kubeconfig.h"
#include "support/command.h"

namespace styrmin::test {

// The admin access of the running plane; fails when the fixture did not start one.
Result<kube::ClusterAccess> PlaneAccess();

// The plane's directory (certificates, logs, pids/NAME.pid).
Result<std::string> PlaneDir();

// Runs the plane's kubectl with `args` against the plane; stdout on success.
Result<std::string> Kubectl(const std::vector<std::string>& args,
                            const std::string& stdin_data = {},
                            std::chrono::milliseconds timeout = std::chrono::seconds(60));

// Runs the plane's helm with `args` against the plane; stdout on success.
Result<std::string> Helm(const std::vector<std::string>& args,
                         std::chrono::milliseconds timeout = std::chrono::seconds(120));

// Polls `condition` until it returns true or `timeout` passes (then kDeadlineExceeded naming
// `what`). An error from `condition` stops the wait at once.
Status WaitUntil(const std::string& what, std::chrono::milliseconds timeout,
                 const std::function<Result<bool>()>& condition);

// A namespace name unique to this process and call ("styrmin-test-<pid>-<n>").
std::string UniqueNamespace();

// A namespace of the plane, deleted (without waiting) when the object goes, however the test
// ends.
class PlaneNamespace {
 public:
  explicit PlaneNamespace(std::string name) : name_(std::move(name)) {}
  ~PlaneNamespace() {
    if (created_) (void)Kubectl({"delete", "namespace", name_, "--wait=false"});
  }
  PlaneNamespace(const PlaneNamespace&) = delete;
  PlaneNamespace& operator=(const PlaneNamespace&) = delete;
  Status Create() {
    STYRMIN_ASSIGN_OR_RETURN(auto out, Kubectl({"create", "namespace", name_}));
    (void)out;
    created_ = true;
    return OkStatus();
  }
  const std::string& name() const { return name_; }

 private:
  std::string name_;
  bool created_ = false;
};

}  // namespace styrmin::test
