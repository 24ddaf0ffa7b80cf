#include "styrmin/kube/kubeconfig.h"

#include <array>
#include <fstream>
#include <sstream>

#include "styrmin/core/base64.h"
#include "styrmin/core/json.h"
#include "styrmin/core/yaml.h"

namespace styrmin::kube {
namespace {

// Finds the entry named `name` in a kubeconfig list (`clusters`, `users`, `contexts`).
Result<Json> FindNamed(const Json& root, std::string_view list, std::string_view name,
                       std::string_view inner) {
  const auto it = root.find(list);
  if (it == root.end() || !it->is_array()) {
    return InvalidArgument("kubeconfig has no \"" + std::string(list) + "\" list");
  }
  for (const auto& entry : *it) {
    if (!entry.is_object()) continue;
    // Not `value("name", "")`: that throws when a hostile file makes `name` a non-string.
    const auto entry_name = entry.find("name");
    if (entry_name != entry.end() && entry_name->is_string() && *entry_name == name) {
      const auto body = entry.find(inner);
      if (body == entry.end() || !body->is_object()) {
        return InvalidArgument(std::string(list) + "[" + std::string(name) + "]." +
                               std::string(inner) + ": missing or not a mapping");
      }
      return *body;
    }
  }
  return InvalidArgument("kubeconfig: " + std::string(list) + " has no entry named \"" +
                         std::string(name) + "\"");
}

Result<std::string> OptionalString(const Json& object, std::string_view key,
                                   const std::string& where) {
  const auto it = object.find(key);
  if (it == object.end() || it->is_null()) return std::string();
  if (!it->is_string()) {
    return InvalidArgument(where + "." + std::string(key) + ": expected a string, got " +
                           std::string(JsonTypeName(*it)));
  }
  return it->get<std::string>();
}

// Reads `<key>-data` (base64) or `<key>` (a path) into a Material.
Result<Material> ReadMaterialKeys(const Json& object, std::string_view data_key,
                                  std::string_view file_key, const std::string& where,
                                  const std::filesystem::path& base_dir) {
  Material m;
  STYRMIN_ASSIGN_OR_RETURN(std::string data, OptionalString(object, data_key, where));
  STYRMIN_ASSIGN_OR_RETURN(std::string file, OptionalString(object, file_key, where));
  if (!data.empty()) {
    auto decoded = DecodeBase64(data);
    if (!decoded) {
      return InvalidArgument(where + "." + std::string(data_key) + ": " +
                             decoded.error().message());
    }
    m.data = std::move(decoded).value();
  } else if (!file.empty()) {
    std::filesystem::path p(file);
    m.file = p.is_absolute() ? p : base_dir / p;
  }
  return m;
}

}  // namespace

Result<ClusterAccess> ParseKubeconfig(std::string_view yaml, std::string_view context,
                                      const std::filesystem::path& base_dir) {
  STYRMIN_ASSIGN_OR_RETURN(Json root, ParseYaml(yaml));
  if (!root.is_object()) return InvalidArgument("kubeconfig is not a mapping");

  ClusterAccess access;
  if (context.empty()) {
    STYRMIN_ASSIGN_OR_RETURN(access.context, OptionalString(root, "current-context", "kubeconfig"));
    if (access.context.empty()) {
      return InvalidArgument("kubeconfig has no current-context and none was given");
    }
  } else {
    access.context = std::string(context);
  }

  STYRMIN_ASSIGN_OR_RETURN(Json ctx, FindNamed(root, "contexts", access.context, "context"));
  const std::string ctx_where = "contexts[" + access.context + "].context";
  STYRMIN_ASSIGN_OR_RETURN(std::string cluster_name, OptionalString(ctx, "cluster", ctx_where));
  STYRMIN_ASSIGN_OR_RETURN(std::string user_name, OptionalString(ctx, "user", ctx_where));
  STYRMIN_ASSIGN_OR_RETURN(std::string ns, OptionalString(ctx, "namespace", ctx_where));
  if (!ns.empty()) access.namespace_name = ns;
  if (cluster_name.empty()) return InvalidArgument(ctx_where + ".cluster: missing");

  STYRMIN_ASSIGN_OR_RETURN(Json cluster, FindNamed(root, "clusters", cluster_name, "cluster"));
  const std::string cluster_where = "clusters[" + cluster_name + "].cluster";
  STYRMIN_ASSIGN_OR_RETURN(access.server, OptionalString(cluster, "server", cluster_where));
  const auto scheme_end = access.server.find("://");
  const std::string scheme = access.server.substr(0, scheme_end);
  while (access.server.ends_with('/')) access.server.pop_back();
  std::string_view host;
  if (scheme_end != std::string::npos && scheme_end + 3 <= access.server.size()) {
    std::string_view authority = std::string_view(access.server).substr(scheme_end + 3);
    authority = authority.substr(0, authority.find_first_of("/?#"));
    const auto at = authority.rfind('@');
    host = at == std::string_view::npos ? authority : authority.substr(at + 1);
  }
  if (scheme_end == std::string::npos || (scheme != "https" && scheme != "http") || host.empty() ||
      host.front() == ':') {
    return InvalidArgument(cluster_where + ".server: expected an http(s) URL with a host, got \"" +
                           access.server + "\"");
  }
  STYRMIN_ASSIGN_OR_RETURN(access.certificate_authority,
                           ReadMaterialKeys(cluster, "certificate-authority-data",
                                            "certificate-authority", cluster_where, base_dir));
  if (const auto it = cluster.find("insecure-skip-tls-verify"); it != cluster.end()) {
    if (!it->is_boolean()) {
      return InvalidArgument(cluster_where + ".insecure-skip-tls-verify: expected a boolean");
    }
    access.insecure_skip_tls_verify = it->get<bool>();
  }

  if (user_name.empty()) return access;  // anonymous
  STYRMIN_ASSIGN_OR_RETURN(Json user, FindNamed(root, "users", user_name, "user"));
  const std::string user_where = "users[" + user_name + "].user";
  for (const char* plugin : {"exec", "auth-provider"}) {
    if (user.contains(plugin)) {
      return InvalidArgument(user_where + "." + plugin +
                             ": credential plugins are not supported; use a client certificate "
                             "or a token");
    }
  }
  STYRMIN_ASSIGN_OR_RETURN(access.client_certificate,
                           ReadMaterialKeys(user, "client-certificate-data", "client-certificate",
                                            user_where, base_dir));
  STYRMIN_ASSIGN_OR_RETURN(access.client_key, ReadMaterialKeys(user, "client-key-data",
                                                               "client-key", user_where, base_dir));
  if (access.client_certificate.empty() != access.client_key.empty()) {
    return InvalidArgument(user_where +
                           ": a client certificate needs a client key, and a key "
                           "needs a certificate");
  }
  STYRMIN_ASSIGN_OR_RETURN(std::string token, OptionalString(user, "token", user_where));
  if (!token.empty()) {
    access.token.data = token;
  } else {
    STYRMIN_ASSIGN_OR_RETURN(std::string token_file, OptionalString(user, "tokenFile", user_where));
    if (!token_file.empty()) {
      std::filesystem::path p(token_file);
      access.token.file = p.is_absolute() ? p : base_dir / p;
    }
  }
  return access;
}

Result<std::string> ReadMaterial(const Material& m) {
  if (m.data) return *m.data;
  if (!m.file) return std::string();
  std::ifstream in(*m.file, std::ios::binary);
  if (!in) return NotFound("cannot read " + m.file->string());
  std::ostringstream buffer;
  buffer << in.rdbuf();
  return buffer.str();
}

Result<ClusterAccess> LoadKubeconfig(const std::filesystem::path& path, std::string_view context) {
  auto text = ReadMaterial(Material{std::nullopt, path});
  if (!text) return tl::unexpected(text.error().WithContext("kubeconfig"));
  auto access = ParseKubeconfig(*text, context, path.parent_path());
  if (!access) return tl::unexpected(access.error().WithContext(path.string()));
  return access;
}

}  // namespace styrmin::kube
