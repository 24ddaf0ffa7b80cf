// Fuzz target: kubeconfig parsing never crashes; what it accepts names a server URL.
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "styrmin/core/status.h"
#include "styrmin/kube/kubeconfig.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view text(reinterpret_cast<const char*>(data), size);
  auto access = styrmin::kube::ParseKubeconfig(text, "", "/base");
  if (access) {
    STYRMIN_CHECK(access->server.starts_with("http://") || access->server.starts_with("https://"),
                  "an accepted kubeconfig has an http(s) server");
  }
  return 0;
}
