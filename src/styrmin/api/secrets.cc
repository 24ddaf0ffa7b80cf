#include "styrmin/api/secrets.h"

#include <algorithm>

namespace styrmin::api {
namespace {

constexpr char kFingerprintSetting[] = "secret_key_fingerprint";

bool IsSecret(const driver::DriverSpec& spec, const std::string& name) {
  return std::any_of(spec.parameters.begin(), spec.parameters.end(),
                     [&name](const driver::Parameter& p) {
                       return p.name == name && p.kind == driver::ParameterKind::kSecret;
                     });
}

}  // namespace

std::string ParameterPurpose(const DeploymentId& deployment, std::string_view parameter) {
  return "deployment/" + deployment.value() + "/parameter/" + std::string(parameter);
}

std::string CredentialsPurpose(const BackupStorageLocationId& location) {
  return "backup-storage-location/" + location.value() + "/credentials";
}

Json SealSecretParameters(const Json& parameters, const driver::DriverSpec& spec,
                          const DeploymentId& deployment, const secrets::SecretBox& box) {
  Json out = parameters;
  for (auto& [name, value] : out.items()) {
    if (value.is_string() && IsSecret(spec, name)) {
      value = box.Seal(value.get<std::string>(), ParameterPurpose(deployment, name));
    }
  }
  return out;
}

Result<Json> OpenSecretParameters(const Json& parameters, const driver::DriverSpec& spec,
                                  const DeploymentId& deployment, const secrets::SecretBox& box) {
  Json out = parameters;
  for (auto& [name, value] : out.items()) {
    if (!value.is_string() || !secrets::SecretBox::IsSealed(value.get<std::string>())) continue;
    if (!IsSecret(spec, name)) continue;
    auto opened = box.Open(value.get<std::string>(), ParameterPurpose(deployment, name));
    if (!opened) {
      return FailedPrecondition("the secret parameter " + name + " of deployment " +
                                deployment.value() +
                                " cannot be read: " + opened.error().message());
    }
    value = std::move(*opened);
  }
  return out;
}

std::map<std::string, std::string> SecretValues(const Json& parameters,
                                                const driver::DriverSpec& spec) {
  std::map<std::string, std::string> out;
  for (const auto& [name, value] : parameters.items()) {
    if (value.is_string() && IsSecret(spec, name)) out.emplace(name, value.get<std::string>());
  }
  return out;
}

std::map<std::string, std::string> SecretVersions(const Json& parameters,
                                                  const driver::DriverSpec& spec,
                                                  const DeploymentId& deployment,
                                                  const secrets::SecretBox& box) {
  std::map<std::string, std::string> out;
  for (const auto& [name, value] : SecretValues(parameters, spec)) {
    out.emplace(name, box.Digest(value, ParameterPurpose(deployment, name)));
  }
  return out;
}

Result<std::map<std::string, std::string>> DeploymentSecrets(const storage::Deployment& deployment,
                                                             const driver::DriverSpec& spec,
                                                             const secrets::SecretBox& box) {
  STYRMIN_ASSIGN_OR_RETURN(const Json plain,
                           OpenSecretParameters(deployment.parameters, spec, deployment.id, box));
  return SecretValues(plain, spec);
}

Json SealCredentials(const Json& credentials, const BackupStorageLocationId& location,
                     const secrets::SecretBox& box) {
  if (credentials.is_object() && credentials.empty()) return credentials;
  return box.Seal(DumpJson(credentials), CredentialsPurpose(location));
}

Result<Json> OpenCredentials(const Json& stored, const BackupStorageLocationId& location,
                             const secrets::SecretBox& box) {
  if (!stored.is_string() || !secrets::SecretBox::IsSealed(stored.get<std::string>())) {
    return stored;  // empty, or stored before sealing existed
  }
  auto opened = box.Open(stored.get<std::string>(), CredentialsPurpose(location));
  if (!opened) {
    return FailedPrecondition("the credentials of backup storage location " + location.value() +
                              " cannot be read: " + opened.error().message());
  }
  return ParseJson(*opened);
}

std::string RedactSecrets(std::string line, const std::vector<std::string>& secrets) {
  // The longest first: a secret that holds another is cut out whole.
  std::vector<const std::string*> longest_first;
  longest_first.reserve(secrets.size());
  for (const std::string& secret : secrets) longest_first.push_back(&secret);
  std::sort(longest_first.begin(), longest_first.end(),
            [](const std::string* a, const std::string* b) { return a->size() > b->size(); });
  for (const std::string* secret_ptr : longest_first) {
    const std::string& secret = *secret_ptr;
    if (secret.size() < kMinRedactedSize) continue;
    for (std::size_t at = line.find(secret); at != std::string::npos;
         at = line.find(secret, at + std::string_view("[redacted]").size())) {
      line.replace(at, secret.size(), "[redacted]");
    }
  }
  return line;
}

Status CheckSecretKey(storage::SettingsStore& settings, const secrets::SecretBox& box,
                      const Clock& clock) {
  STYRMIN_ASSIGN_OR_RETURN(
      const std::string recorded,
      settings.RecordSetting(kFingerprintSetting, box.fingerprint(), clock.Now()));
  if (recorded != box.fingerprint()) {
    return FailedPrecondition(
        "the database's secrets are sealed with key " + recorded + ", but this server's key is " +
        box.fingerprint() +
        ": start it with the key file the database was set up with (--secret-key-file)");
  }
  return OkStatus();
}

}  // namespace styrmin::api
