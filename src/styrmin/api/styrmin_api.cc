#include "styrmin/api/styrmin_api.h"

#include <charconv>
#include <chrono>
#include <functional>
#include <utility>
#include <vector>

#include "styrmin/api/deployments.h"
#include "styrmin/api/observed_status.h"
#include "styrmin/api/resolver_kit.h"
#include "styrmin/api/run_execution.h"
#include "styrmin/api/secrets.h"
#include "styrmin/api/subscriptions.h"
#include "styrmin/api/tokens.h"
#include "styrmin/driver/context.h"
#include "styrmin/driver/git_source.h"
#include "styrmin/driver/loader.h"
#include "styrmin/graphql/build_schema.h"

namespace styrmin::api {

namespace {

using graphql::ExecutableSchema;
using graphql::FieldValue;
using graphql::ResolveInfo;
using storage::BackupLocationKind;
using namespace internal;  // NOLINT(google-build-using-namespace): the resolvers' shared kit

// A page of the audit log and the cursor of the next one.
struct AuditPage {
  std::vector<storage::AuditEvent> events;
  std::optional<std::string> next_before;
};

void BindQueries(ExecutableSchema& s, storage::Store& store) {
  BindOrDie(s, "Query", "clusters", [&store](const ResolveInfo& info) {
    if (auto denied = Deny(info, auth::Action::kRead)) return *denied;
    return OwnedListOrError(store.ListClusters());
  });
  BindOrDie(s, "Query", "cluster", [&store](const ResolveInfo& info) {
    if (auto denied = Deny(info, auth::Action::kRead)) return *denied;
    return OwnedOrNull(store.GetCluster(ClusterId(info.args()["id"].get<std::string>())));
  });
  BindOrDie(s, "Query", "environments", [&store](const ResolveInfo& info) {
    if (auto denied = Deny(info, auth::Action::kRead)) return *denied;
    std::optional<ClusterId> cluster;
    if (const OrderedJson* id = Member(info.args(), "clusterId")) {
      cluster = ClusterId(id->get<std::string>());
    }
    auto environments = store.ListEnvironments(cluster);
    if (!environments) return ErrorValue(environments.error());
    return OwnedList(InScope(info, std::move(*environments)));
  });
  BindOrDie(s, "Query", "environment", [&store](const ResolveInfo& info) {
    if (auto denied = Deny(info, auth::Action::kRead)) return *denied;
    const EnvironmentId id(info.args()["id"].get<std::string>());
    if (auto denied = DenyEnvironment(info, id)) return *denied;
    return OwnedOrNull(store.GetEnvironment(id));
  });
  BindOrDie(s, "Query", "backupStorageLocations", [&store](const ResolveInfo& info) {
    if (auto denied = Deny(info, auth::Action::kRead)) return *denied;
    return OwnedListOrError(store.ListBackupLocations());
  });
  BindOrDie(s, "Query", "applicationDrivers", [&store](const ResolveInfo& info) {
    if (auto denied = Deny(info, auth::Action::kRead)) return *denied;
    return OwnedListOrError(store.ListDrivers());
  });
  BindOrDie(s, "Query", "applicationDriver", [&store](const ResolveInfo& info) {
    if (auto denied = Deny(info, auth::Action::kRead)) return *denied;
    const OrderedJson* id = Member(info.args(), "id");
    const OrderedJson* name = Member(info.args(), "name");
    if ((id == nullptr) == (name == nullptr)) {
      return ErrorValue(Error(ErrorCode::kInvalidArgument, "give exactly one of id and name"));
    }
    return OwnedOrNull(id != nullptr ? store.GetDriver(DriverId(id->get<std::string>()))
                                     : store.FindDriverByName(name->get<std::string>()));
  });
  BindOrDie(s, "Query", "applicationDriverVersion", [&store](const ResolveInfo& info) {
    if (auto denied = Deny(info, auth::Action::kRead)) return *denied;
    return OwnedOrNull(
        store.GetDriverVersion(DriverVersionId(info.args()["id"].get<std::string>())));
  });
  BindOrDie(s, "Query", "auditEvents", [&store](const ResolveInfo& info) {
    if (auto denied = Deny(info, auth::Action::kAdminister)) return *denied;
    const OrderedJson& args = info.args();
    storage::AuditQuery query;
    const auto page_size = PageSize(args);
    if (!page_size) return ErrorValue(page_size.error());
    query.limit = *page_size + 1;  // the look-ahead row
    if (const OrderedJson* before = Member(args, "before")) {
      const std::string text = before->get<std::string>();
      std::int64_t sequence = 0;
      const auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), sequence);
      if (ec != std::errc() || end != text.data() + text.size()) {
        return ErrorValue(Error(ErrorCode::kInvalidArgument,
                                "before must be an audit event's sequence, not \"" + text + "\""));
      }
      query.before = sequence;
    }
    if (const OrderedJson* action = Member(args, "action"))
      query.action = action->get<std::string>();
    auto events = store.ListAudit(query);
    if (!events) return ErrorValue(events.error());
    AuditPage page;
    if (DropLookAhead(*events, *page_size)) {
      page.next_before = std::to_string(events->back().sequence);
    }
    page.events = std::move(*events);
    return Owned(std::move(page));
  });
  BindOrDie(s, "AuditEventPage", "events", [](const ResolveInfo& info) {
    return FieldValue::ObjectList(info.Parent<AuditPage>().events);
  });
  BindOrDie(s, "AuditEventPage", "nextBefore", [](const ResolveInfo& info) {
    const auto& next = info.Parent<AuditPage>().next_before;
    return next ? FieldValue::StringRef(*next) : FieldValue::Null();
  });
  using storage::AuditEvent;
  BindOrDie(s, "AuditEvent", "sequence", [](const ResolveInfo& info) {
    return FieldValue::String(std::to_string(info.Parent<AuditEvent>().sequence));
  });
  BindOrDie(s, "AuditEvent", "at",
            [](const ResolveInfo& info) { return Time(info.Parent<AuditEvent>().at); });
  const auto text = [](std::string AuditEvent::*member, bool null_when_empty) {
    return [member, null_when_empty](const ResolveInfo& info) {
      const std::string& value = info.Parent<AuditEvent>().*member;
      return null_when_empty && value.empty() ? FieldValue::Null() : FieldValue::StringRef(value);
    };
  };
  BindOrDie(s, "AuditEvent", "actor", text(&AuditEvent::actor, false));
  BindOrDie(s, "AuditEvent", "action", text(&AuditEvent::action, false));
  BindOrDie(s, "AuditEvent", "target", text(&AuditEvent::target, true));
  BindOrDie(s, "AuditEvent", "outcome", text(&AuditEvent::outcome, false));
  BindOrDie(s, "AuditEvent", "message", text(&AuditEvent::message, true));
  BindOrDie(s, "AuditEvent", "arguments",
            [](const ResolveInfo& info) { return JsonValue(info.Parent<AuditEvent>().arguments); });
  BindOrDie(s, "Query", "viewer", [](const ResolveInfo& info) {
    return FieldValue::Object(&Caller(info));  // the principal outlives the request
  });
  BindOrDie(s, "Viewer", "name", [](const ResolveInfo& info) {
    return FieldValue::StringRef(info.Parent<auth::Principal>().name);
  });
  BindOrDie(s, "Viewer", "role", [](const ResolveInfo& info) {
    return EnumOf(storage::RoleName(info.Parent<auth::Principal>().role));
  });
}

void BindTypes(ExecutableSchema& s, storage::Store& store) {
  using storage::BackupStorageLocation;
  using storage::Cluster;
  using storage::Environment;
  BindOrDie(s, "Cluster", "id", [](const ResolveInfo& info) {
    return FieldValue::StringRef(info.Parent<Cluster>().id.value());
  });
  BindOrDie(s, "Cluster", "name", [](const ResolveInfo& info) {
    return FieldValue::StringRef(info.Parent<Cluster>().name);
  });
  BindOrDie(s, "Cluster", "config",
            [](const ResolveInfo& info) { return JsonValue(info.Parent<Cluster>().config); });
  BindOrDie(s, "Cluster", "createdAt",
            [](const ResolveInfo& info) { return Time(info.Parent<Cluster>().created_at); });
  BindOrDie(s, "Cluster", "environments", [&store](const ResolveInfo& info) {
    auto environments = store.ListEnvironments(info.Parent<Cluster>().id);
    if (!environments) return ErrorValue(environments.error());
    return OwnedList(InScope(info, std::move(*environments)));
  });

  BindOrDie(s, "Environment", "id", [](const ResolveInfo& info) {
    return FieldValue::StringRef(info.Parent<Environment>().id.value());
  });
  BindOrDie(s, "Environment", "name", [](const ResolveInfo& info) {
    return FieldValue::StringRef(info.Parent<Environment>().name);
  });
  BindOrDie(s, "Environment", "config",
            [](const ResolveInfo& info) { return JsonValue(info.Parent<Environment>().config); });
  BindOrDie(s, "Environment", "cluster", [&store](const ResolveInfo& info) {
    return OwnedOrError(store.GetCluster(info.Parent<Environment>().cluster_id));
  });
  BindOrDie(s, "Environment", "effectiveConfig", [&store](const ResolveInfo& info) {
    const Environment& environment = info.Parent<Environment>();
    auto cluster = store.GetCluster(environment.cluster_id);
    if (!cluster) return ErrorValue(cluster.error());
    return JsonValue(driver::MergeConfig(cluster->config, environment.config));
  });
  BindOrDie(s, "Environment", "backupStorageLocation", [&store](const ResolveInfo& info) {
    const auto& id = info.Parent<Environment>().backup_location_id;
    if (!id) return FieldValue::Null();
    return OwnedOrError(store.GetBackupLocation(*id));
  });
  BindOrDie(s, "Environment", "createdAt",
            [](const ResolveInfo& info) { return Time(info.Parent<Environment>().created_at); });

  BindOrDie(s, "BackupStorageLocation", "id", [](const ResolveInfo& info) {
    return FieldValue::StringRef(info.Parent<BackupStorageLocation>().id.value());
  });
  BindOrDie(s, "BackupStorageLocation", "name", [](const ResolveInfo& info) {
    return FieldValue::StringRef(info.Parent<BackupStorageLocation>().name);
  });
  BindOrDie(s, "BackupStorageLocation", "kind", [](const ResolveInfo& info) {
    return EnumOf(storage::KindName(info.Parent<BackupStorageLocation>().kind));
  });
  const auto optional_text = [](std::string BackupStorageLocation::*member) {
    return [member](const ResolveInfo& info) {
      const std::string& value = info.Parent<BackupStorageLocation>().*member;
      return value.empty() ? FieldValue::Null() : FieldValue::StringRef(value);
    };
  };
  BindOrDie(s, "BackupStorageLocation", "endpoint",
            optional_text(&BackupStorageLocation::endpoint));
  BindOrDie(s, "BackupStorageLocation", "bucket", optional_text(&BackupStorageLocation::bucket));
  BindOrDie(s, "BackupStorageLocation", "region", optional_text(&BackupStorageLocation::region));
  BindOrDie(s, "BackupStorageLocation", "path", optional_text(&BackupStorageLocation::path));
  BindOrDie(s, "BackupStorageLocation", "hasCredentials", [](const ResolveInfo& info) {
    const Json& credentials = info.Parent<BackupStorageLocation>().credentials;
    return FieldValue::Bool(!credentials.is_null() && !credentials.empty());
  });
  BindOrDie(s, "BackupStorageLocation", "createdAt", [](const ResolveInfo& info) {
    return Time(info.Parent<BackupStorageLocation>().created_at);
  });
}

// The parts of a stored spec (SpecToJson) the API lists, in the shapes of schema.graphql; the
// default resolver reads them by field name.
const Json& SpecPart(const storage::ApplicationDriverVersion& version, const char* key) {
  static const Json kEmpty = Json::array();
  const Json& spec = version.spec;
  if (!spec.is_object() || !spec.contains("spec") || !spec["spec"].contains(key)) return kEmpty;
  return spec["spec"][key];
}

void BindDriverTypes(ExecutableSchema& s, storage::Store& store) {
  using storage::ApplicationDriver;
  using storage::ApplicationDriverVersion;
  BindOrDie(s, "ApplicationDriver", "id", [](const ResolveInfo& info) {
    return FieldValue::StringRef(info.Parent<ApplicationDriver>().id.value());
  });
  BindOrDie(s, "ApplicationDriver", "name", [](const ResolveInfo& info) {
    return FieldValue::StringRef(info.Parent<ApplicationDriver>().name);
  });
  BindOrDie(s, "ApplicationDriver", "createdAt", [](const ResolveInfo& info) {
    return Time(info.Parent<ApplicationDriver>().created_at);
  });
  BindOrDie(s, "ApplicationDriver", "versions", [&store](const ResolveInfo& info) {
    return OwnedListOrError(store.ListDriverVersions(info.Parent<ApplicationDriver>().id));
  });
  BindOrDie(s, "ApplicationDriver", "latestVersion", [&store](const ResolveInfo& info) {
    auto versions = store.ListDriverVersions(info.Parent<ApplicationDriver>().id);
    if (!versions) return ErrorValue(versions.error());
    if (versions->empty()) return FieldValue::Null();
    return Owned(std::move(versions->front()));
  });

  BindOrDie(s, "ApplicationDriverVersion", "id", [](const ResolveInfo& info) {
    return FieldValue::StringRef(info.Parent<ApplicationDriverVersion>().id.value());
  });
  BindOrDie(s, "ApplicationDriverVersion", "driver", [&store](const ResolveInfo& info) {
    // Read once per request: a list of deployments names the same few drivers on every row.
    const DriverId& id = info.Parent<ApplicationDriverVersion>().driver_id;
    auto& request = info.Context<RequestState>();
    {
      const std::lock_guard<std::mutex> lock(request.mu);
      const auto it = request.drivers.find(id);
      if (it != request.drivers.end()) return FieldValue::Object(it->second);
    }
    auto driver = store.GetDriver(id);
    if (!driver) return ErrorValue(driver.error());
    auto shared = std::make_shared<const ApplicationDriver>(std::move(*driver));
    const std::lock_guard<std::mutex> lock(request.mu);
    request.drivers.emplace(id, shared);
    return FieldValue::Object(std::move(shared));
  });
  BindOrDie(s, "ApplicationDriverVersion", "version", [](const ResolveInfo& info) {
    return FieldValue::StringRef(info.Parent<ApplicationDriverVersion>().version);
  });
  BindOrDie(s, "ApplicationDriverVersion", "digest", [](const ResolveInfo& info) {
    return FieldValue::StringRef(info.Parent<ApplicationDriverVersion>().digest);
  });
  BindOrDie(s, "ApplicationDriverVersion", "source", [](const ResolveInfo& info) {
    Json source = info.Parent<ApplicationDriverVersion>().source;
    if (source.contains("kind") && source["kind"].is_string()) {
      source["kind"] = Upper(source["kind"].get<std::string>());
    }
    return JsonValue(source);
  });
  // A text field of the stored spec (description lives under spec.info); "" when absent.
  // Copies, not references into the document: GCC's -O2 -Wnull-dereference misjudges those.
  const auto spec_text = [](const char* key) {
    return [key](const ResolveInfo& info) {
      const Json& spec = info.Parent<ApplicationDriverVersion>().spec;
      const bool in_info = std::string_view(key) == "description";
      const Json section = spec.is_object() ? spec.value("spec", Json::object()) : Json::object();
      const Json holder = in_info ? section.value("info", Json::object()) : section;
      const auto it = holder.find(key);
      return FieldValue::String(it != holder.end() && it->is_string() ? it->get<std::string>()
                                                                      : std::string());
    };
  };
  BindOrDie(s, "ApplicationDriverVersion", "description", spec_text("description"));
  BindOrDie(s, "ApplicationDriverVersion", "supportedVersions", spec_text("supported_versions"));
  BindOrDie(s, "ApplicationDriverVersion", "defaultVersion", spec_text("default_version"));
  BindOrDie(s, "ApplicationDriverVersion", "components", [](const ResolveInfo& info) {
    Json out = Json::array();
    const Json& components = SpecPart(info.Parent<ApplicationDriverVersion>(), "components");
    if (!components.is_object()) return JsonValue(out);
    for (const auto& [name, c] : components.items()) {
      Json backup_kind = nullptr;
      if (c.contains("backup") && c["backup"].contains("kind")) backup_kind = c["backup"]["kind"];
      Json labels = Json::object();
      if (c.contains("identifier") && c["identifier"].contains("label")) {
        labels = c["identifier"]["label"];
      }
      out.push_back({{"name", name}, {"labels", labels}, {"backupKind", backup_kind}});
    }
    return JsonValue(out);
  });
  BindOrDie(s, "ApplicationDriverVersion", "parameters", [](const ResolveInfo& info) {
    Json out = Json::array();
    for (const Json& p : SpecPart(info.Parent<ApplicationDriverVersion>(), "parameters")) {
      Json item = p;
      item["kind"] = Upper(p.value("kind", std::string("string")));
      for (const char* optional : {"default", "values", "min", "max", "pattern"}) {
        if (!item.contains(optional)) item[optional] = nullptr;
      }
      out.push_back(std::move(item));
    }
    return JsonValue(out);
  });
  BindOrDie(s, "ApplicationDriverVersion", "services", [](const ResolveInfo& info) {
    return JsonValue(SpecPart(info.Parent<ApplicationDriverVersion>(), "services"));
  });
  BindOrDie(s, "ApplicationDriverVersion", "actions", [](const ResolveInfo& info) {
    Json out = Json::array();
    for (const Json& a : SpecPart(info.Parent<ApplicationDriverVersion>(), "actions")) {
      Json item = a;
      item["timeoutSeconds"] = a.value("timeout", 600);
      out.push_back(std::move(item));
    }
    return JsonValue(out);
  });
  BindOrDie(s, "ApplicationDriverVersion", "spec", [](const ResolveInfo& info) {
    return JsonValue(info.Parent<ApplicationDriverVersion>().spec);
  });
  BindOrDie(s, "ApplicationDriverVersion", "createdAt", [](const ResolveInfo& info) {
    return Time(info.Parent<ApplicationDriverVersion>().created_at);
  });
  BindOrDie(s, "LoadApplicationDriverVersionPayload", "version", [](const ResolveInfo& info) {
    return FieldValue::Object(&info.Parent<storage::AddedDriverVersion>().version);
  });
  BindOrDie(s, "LoadApplicationDriverVersionPayload", "created", [](const ResolveInfo& info) {
    return FieldValue::Bool(info.Parent<storage::AddedDriverVersion>().created);
  });
}

// Stores a checked driver; the payload, or the store's error.
FieldValue StoreDriverVersion(storage::Store& store, const Clock& clock,
                              const driver::LoadedDriver& loaded, Json source,
                              std::string& target) {
  storage::ApplicationDriverVersion version;
  version.id = DriverVersionId(auth::GenerateId("dv"));
  version.driver_name = loaded.spec.name;
  version.version = loaded.spec.version;
  version.digest = loaded.digest;
  version.source = std::move(source);
  version.spec = loaded.spec_json;
  version.files = driver::FilesToJson(loaded.files);
  version.created_at = NowMillis(clock);
  auto added = store.AddDriverVersion(version, DriverId(auth::GenerateId("d")));
  if (!added) return ErrorValue(added.error());
  target = added->version.id.value();
  return Owned(std::move(*added));
}

// The payload of createCluster: the cluster and the secret of its agent token.
struct CreatedCluster {
  storage::Cluster cluster;
  std::string agent_token;
};

void BindMutations(ExecutableSchema& s, storage::Store& store, const Clock& clock,
                   const ApiOptions& options) {
  BindAuditedMutation(
      s, store, clock, "loadLocalApplicationDriverVersion",
      [&store, &clock](const ResolveInfo& info, std::string& target) {
        if (auto denied = Deny(info, auth::Action::kAdminister)) return *denied;
        const std::filesystem::path path = info.args()["path"].get<std::string>();
        if (!path.is_absolute()) {
          return ErrorValue(Error(
              ErrorCode::kInvalidArgument,
              "path must be an absolute directory on the server, not \"" + path.string() + "\""));
        }
        const driver::DriverLoad load = driver::LoadDriverDirectory(path.lexically_normal());
        if (!load.driver) return ProblemsError("the driver in " + path.string(), load.problems);
        return StoreDriverVersion(
            store, clock, *load.driver,
            {{"kind", "local"}, {"location", path.lexically_normal().string()}}, target);
      });
  BindAuditedMutation(
      s, store, clock, "loadGitApplicationDriverVersion",
      [&store, &clock, options](const ResolveInfo& info, std::string& target) {
        if (auto denied = Deny(info, auth::Action::kAdminister)) return *denied;
        const OrderedJson& args = info.args();
        driver::GitDriverRequest request;
        request.url = args["url"].get<std::string>();
        request.branch = args["branch"].get<std::string>();
        request.path = OptionalString(args, "path");
        request.cache_dir = options.git_cache_dir;
        request.timeout = options.git_timeout;
        if (request.cache_dir.empty()) {
          return ErrorValue(Error(ErrorCode::kFailedPrecondition,
                                  "this server has no git cache directory configured"));
        }
        auto fetched = driver::FetchGitDriver(request);
        if (!fetched) return ErrorValue(fetched.error());
        const driver::DriverLoad load = driver::CheckDriver(std::move(fetched->files));
        const std::string where = "the driver at " + request.url + " (" + request.branch + ", " +
                                  fetched->commit.substr(0, 12) + ")";
        if (!load.driver) return ProblemsError(where, load.problems);
        return StoreDriverVersion(store, clock, *load.driver,
                                  {{"kind", "git"},
                                   {"location", request.url},
                                   {"branch", request.branch},
                                   {"path", request.path},
                                   {"commit", fetched->commit}},
                                  target);
      });

  BindAuditedMutation(s, store, clock, "createCluster",
                      [&store, &clock](const ResolveInfo& info, std::string& target) {
                        if (auto denied = Deny(info, auth::Action::kAdminister)) return *denied;
                        const OrderedJson& input = info.args()["input"];
                        storage::Cluster cluster;
                        cluster.name = input["name"].get<std::string>();
                        if (Status ok = CheckDnsLabel("input.name", cluster.name); !ok)
                          return ErrorValue(ok.error());
                        auto config = ConfigObject(input, "config");
                        if (!config) return ErrorValue(config.error());
                        cluster.config = std::move(*config);
                        cluster.id = ClusterId(auth::GenerateId("c"));
                        target = cluster.id.value();
                        cluster.created_at = NowMillis(clock);
                        CreatedCluster created{cluster, auth::GenerateSecret()};
                        const storage::ApiToken token{
                            .id = TokenId(auth::GenerateId("t")),
                            .name = "agent of cluster " + cluster.name,
                            .role = storage::Role::kAgent,
                            .cluster_id = cluster.id,
                            .secret_hash = auth::HashSecret(created.agent_token),
                            .created_at = cluster.created_at};
                        if (Status stored = store.CreateCluster(cluster, token); !stored) {
                          return ErrorValue(stored.error());
                        }
                        return Owned(std::move(created));
                      });
  BindOrDie(s, "CreateClusterPayload", "cluster", [](const ResolveInfo& info) {
    return FieldValue::Object(&info.Parent<CreatedCluster>().cluster);
  });
  BindOrDie(s, "CreateClusterPayload", "agentToken", [](const ResolveInfo& info) {
    return FieldValue::StringRef(info.Parent<CreatedCluster>().agent_token);
  });

  BindAuditedMutation(
      s, store, clock, "createEnvironment",
      [&store, &clock](const ResolveInfo& info, std::string& target) {
        if (auto denied = Deny(info, auth::Action::kAdminister)) return *denied;
        const OrderedJson& input = info.args()["input"];
        storage::Environment environment;
        environment.name = input["name"].get<std::string>();
        if (Status ok = CheckDnsLabel("input.name", environment.name); !ok) {
          return ErrorValue(ok.error());
        }
        auto config = ConfigObject(input, "config");
        if (!config) return ErrorValue(config.error());
        environment.config = std::move(*config);
        environment.cluster_id = ClusterId(input["clusterId"].get<std::string>());
        if (const OrderedJson* location = Member(input, "backupStorageLocationId")) {
          environment.backup_location_id = BackupStorageLocationId(location->get<std::string>());
        }
        environment.id = EnvironmentId(auth::GenerateId("e"));
        target = environment.id.value();
        environment.created_at = NowMillis(clock);
        if (Status stored = store.CreateEnvironment(environment); !stored) {
          return ErrorValue(stored.error());
        }
        return Owned(std::move(environment));
      });

  BindAuditedMutation(
      s, store, clock, "createBackupStorageLocation",
      [&store, &clock, box = options.secrets](const ResolveInfo& info, std::string& target) {
        if (auto denied = Deny(info, auth::Action::kAdminister)) return *denied;
        const OrderedJson& input = info.args()["input"];
        storage::BackupStorageLocation location;
        location.name = input["name"].get<std::string>();
        if (Status ok = CheckDnsLabel("input.name", location.name); !ok)
          return ErrorValue(ok.error());
        location.kind = input["kind"] == "FILESYSTEM" ? BackupLocationKind::kFilesystem
                                                      : BackupLocationKind::kS3;
        location.endpoint = OptionalString(input, "endpoint");
        location.bucket = OptionalString(input, "bucket");
        location.region = OptionalString(input, "region");
        location.path = OptionalString(input, "path");
        if (location.kind == BackupLocationKind::kS3 && location.bucket.empty()) {
          return ErrorValue(
              Error(ErrorCode::kInvalidArgument, "an S3 location needs input.bucket"));
        }
        if (location.kind == BackupLocationKind::kFilesystem &&
            (location.path.empty() || location.path.front() != '/')) {
          return ErrorValue(Error(ErrorCode::kInvalidArgument,
                                  "a FILESYSTEM location needs input.path, an absolute directory"));
        }
        auto credentials = ConfigObject(input, "credentials");
        if (!credentials) return ErrorValue(credentials.error());
        location.id = BackupStorageLocationId(auth::GenerateId("b"));
        location.credentials = SealCredentials(*credentials, location.id, *box);
        target = location.id.value();
        location.created_at = NowMillis(clock);
        if (Status stored = store.CreateBackupLocation(location); !stored) {
          return ErrorValue(stored.error());
        }
        return Owned(std::move(location));
      });
}

}  // namespace

std::string_view GraphqlErrorCode(ErrorCode code) {
  switch (code) {
    case ErrorCode::kInvalidArgument:
      return "BAD_USER_INPUT";
    case ErrorCode::kNotFound:
      return "NOT_FOUND";
    case ErrorCode::kAlreadyExists:
      return "ALREADY_EXISTS";
    case ErrorCode::kFailedPrecondition:
      return "CONFLICT";
    case ErrorCode::kUnavailable:
      return "UNAVAILABLE";
    case ErrorCode::kDeadlineExceeded:
      return "DEADLINE_EXCEEDED";
    case ErrorCode::kPermissionDenied:
      return "FORBIDDEN";
    case ErrorCode::kUnauthenticated:
      return "UNAUTHENTICATED";
    case ErrorCode::kInternal:
      return "INTERNAL_SERVER_ERROR";
  }
  return "INTERNAL_SERVER_ERROR";
}

Result<std::unique_ptr<ExecutableSchema>> BuildStyrminSchema(storage::Store& store,
                                                             const Clock& clock,
                                                             const ApiOptions& options) {
  if (options.secrets == nullptr) return Internal("ApiOptions.secrets is required");
  auto built = graphql::BuildSchema(kSchemaSdl);
  if (!built) return Internal("schema.graphql does not build: " + built.error().message());
  auto schema = std::make_unique<ExecutableSchema>(std::move(built).value());
  BindQueries(*schema, store);
  BindTypes(*schema, store);
  BindDriverTypes(*schema, store);
  BindDeployments(*schema, store, clock, *options.secrets);
  BindRunExecution(*schema, store, clock, *options.secrets);
  BindObservedStatus(*schema, store, clock);
  BindSubscriptions(*schema, store, clock);
  BindMutations(*schema, store, clock, options);
  BindTokens(*schema, store, clock);
  return schema;
}

}  // namespace styrmin::api
