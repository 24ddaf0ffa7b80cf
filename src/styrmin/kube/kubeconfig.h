// Reading a kubeconfig: the server and the credentials of one context.
//
// Supports what local and managed clusters hand out: client certificates (inline `*-data` or
// file paths, relative paths resolved against the kubeconfig's directory), bearer tokens
// (`token` or `tokenFile`), a CA bundle or `insecure-skip-tls-verify`. Exec and auth-provider
// plugins are refused with a clear error. Parsing is pure: files named by the kubeconfig are
// only resolved to paths here and read by the caller.
#pragma once

#include <filesystem>
#include <optional>
#include <string>
#include <string_view>

#include "styrmin/core/status.h"

namespace styrmin::kube {

// Credential material is either inline bytes (decoded from base64) or a file path.
struct Material {
  std::optional<std::string> data;
  std::optional<std::filesystem::path> file;
  bool empty() const { return !data && !file; }
};

struct ClusterAccess {
  std::string context;  // name of the context used
  std::string server;   // e.g. https://127.0.0.1:6443
  std::string namespace_name = "default";
  Material certificate_authority;
  bool insecure_skip_tls_verify = false;
  Material client_certificate;
  Material client_key;
  Material token;  // bearer token
};

// Parses kubeconfig YAML. `context` selects a context; empty means `current-context`.
// `base_dir` resolves relative file paths. Errors name the offending key path
// ("users[admin].user.client-certificate-data: invalid base64").
Result<ClusterAccess> ParseKubeconfig(std::string_view yaml, std::string_view context,
                                      const std::filesystem::path& base_dir);

// Reads and parses the file at `path`.
Result<ClusterAccess> LoadKubeconfig(const std::filesystem::path& path,
                                     std::string_view context = {});

// Returns the bytes of `m`: its inline data, or the contents of its file.
Result<std::string> ReadMaterial(const Material& m);

}  // namespace styrmin::kube
