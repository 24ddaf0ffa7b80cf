// The context builder (DESIGN.md §4 Context): a pure function from what the server knows about
// a deployment to the JSON that templates and actions see. Built once when Styrmin acts on a
// deployment, then frozen in the Instance.
//
// Shape of the result (keys as drivers use them):
//
//   cluster      {id, name, config, capabilities}
//   environment  {id, name, config}
//   deployment   {id, name, config}
//   instance     {config, namespace, release_name}   config: cluster → environment →
//                                                     deployment, merged, later wins
//   app          {name, version, driver_version, chart: {location, version}}
//   components   by name: {env_vars: [{name, value}], command: [...], args: [...],
//                          replicas: int or null}
//   parameters   by name: typed values (CheckParameters); a secret parameter is
//                {secret_name, secret_key[, secret_version]}, never its value
//   services     by name: {name, port, kind, scope, service_name, host, primary_fqdn,
//                          human_readable_fqdn}
//
// Names (ADR 0006): every generated Kubernetes name is a DNS-1123 label of at most 63
// characters (a Helm release name at most 53); a name that would be longer is cut and given a
// stable 8-hex-digit hash suffix of the full name, so distinct inputs stay distinct.
#pragma once

#include <map>
#include <string>

#include "styrmin/core/json.h"
#include "styrmin/core/semver.h"
#include "styrmin/core/status.h"
#include "styrmin/driver/spec.h"

namespace styrmin::driver {

struct ContextInput {
  struct Scope {
    std::string id;
    std::string name;
    Json config = Json::object();
  };
  Scope cluster;
  Json cluster_capabilities = Json::object();  // as the cluster's agent reported them
  Scope environment;
  Scope deployment;
  const DriverSpec* driver = nullptr;  // required
  Version application_version;
  Json parameters = Json::object();  // CheckParameters(...).values
  // By secret parameter name: a digest of its value that changes when the value does (the
  // server's SecretBox::Digest). Written into the context as `secret_version`, so that a
  // changed secret changes the Instance; absent for a secret not listed.
  std::map<std::string, std::string> secret_versions;
};

// Config keys the builder reads from the merged config (all optional):
//   fqdn_suffix           external services get host names under it; "" or absent: none
//   cluster_domain        in-cluster DNS domain, default "cluster.local"
//   namespace             overrides the generated namespace; must be a DNS label
//   components.<name>     {env_vars: {NAME: value} , command: [..], args: [..], replicas: int}
// kInvalidArgument, naming the key, when one of these has the wrong type or an env var,
// command or args names a component the driver does not have, or when an env var or override
// is set that the driver does not offer (env_vars / container_overrides).
Result<Json> BuildContext(const ContextInput& input);

// `text` as a DNS-1123 label: lowercased, runs of other characters turned into one '-',
// trimmed of '-', cut to `max_length` with a hash suffix when longer. Empty input gives "x".
std::string DnsLabel(std::string_view text, std::size_t max_length = 63);

// A deep merge: objects merge key by key, recursively; anything else in `over` replaces.
Json MergeConfig(const Json& base, const Json& over);

}  // namespace styrmin::driver
