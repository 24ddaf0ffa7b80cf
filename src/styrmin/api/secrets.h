// Where the API seals and opens secrets (DESIGN.md §8, secrets/secret_box.h): secret
// deployment parameters and backup location credentials are sealed before they are stored,
// each for its own place, and opened only to be changed, handed to the deployment's agent, or
// cut out of run logs.
#pragma once

#include <map>
#include <string>
#include <string_view>
#include <vector>

#include "styrmin/core/clock.h"
#include "styrmin/core/json.h"
#include "styrmin/core/status.h"
#include "styrmin/driver/spec.h"
#include "styrmin/secrets/secret_box.h"
#include "styrmin/storage/store.h"

namespace styrmin::api {

// The purpose a value is sealed for ("deployment/<id>/parameter/<name>",
// "backup-storage-location/<id>/credentials").
std::string ParameterPurpose(const DeploymentId& deployment, std::string_view parameter);
std::string CredentialsPurpose(const BackupStorageLocationId& location);

// `parameters` (plain values, CheckParameters(...).values) with the value of each secret
// parameter of `spec` sealed.
Json SealSecretParameters(const Json& parameters, const driver::DriverSpec& spec,
                          const DeploymentId& deployment, const secrets::SecretBox& box);
// The reverse, for stored parameters. A secret stored before sealing existed (plain text) is
// taken as it is. kFailedPrecondition naming the parameter when a sealed value does not open.
Result<Json> OpenSecretParameters(const Json& parameters, const driver::DriverSpec& spec,
                                  const DeploymentId& deployment, const secrets::SecretBox& box);
// The secret parameters of plain `parameters` that are set, with their values.
std::map<std::string, std::string> SecretValues(const Json& parameters,
                                                const driver::DriverSpec& spec);
// By secret parameter name, the digest the context carries as secret_version.
std::map<std::string, std::string> SecretVersions(const Json& parameters,
                                                  const driver::DriverSpec& spec,
                                                  const DeploymentId& deployment,
                                                  const secrets::SecretBox& box);

// The values of `deployment`'s secret parameters that are set, by name, opened; `spec` is its
// driver version's.
Result<std::map<std::string, std::string>> DeploymentSecrets(const storage::Deployment& deployment,
                                                             const driver::DriverSpec& spec,
                                                             const secrets::SecretBox& box);

// Backup location credentials: an empty object stays as it is (there is nothing to hide);
// anything else is sealed whole, as one JSON text.
Json SealCredentials(const Json& credentials, const BackupStorageLocationId& location,
                     const secrets::SecretBox& box);
Result<Json> OpenCredentials(const Json& stored, const BackupStorageLocationId& location,
                             const secrets::SecretBox& box);

// `line` with every occurrence of each of `secrets` (values of at least kMinRedactedSize
// bytes; shorter ones would cut ordinary words out of logs) replaced by "[redacted]".
inline constexpr std::size_t kMinRedactedSize = 4;
std::string RedactSecrets(std::string line, const std::vector<std::string>& secrets);

// The first server to start on a database records its key's fingerprint there; later ones
// must hold the same key. kFailedPrecondition naming both fingerprints when they differ, so a
// server never seals values its peers (or its next start) could not open.
Status CheckSecretKey(storage::SettingsStore& settings, const secrets::SecretBox& box,
                      const Clock& clock);

}  // namespace styrmin::api
