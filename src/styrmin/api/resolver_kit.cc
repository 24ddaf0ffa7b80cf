#include "styrmin/api/resolver_kit.h"

#include <cctype>
#include <chrono>
#include <exception>
#include <utility>

#include "styrmin/api/change_notifier.h"
#include "styrmin/storage/store_values.h"

namespace styrmin::api::internal {

std::string Lower(std::string text) {
  for (char& c : text) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return text;
}

std::string Upper(std::string text) {
  for (char& c : text) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  return text;
}

namespace {

// Argument names whose values never reach the audit log.
// Case-insensitive, and broad on purpose: a redacted non-secret costs less than a leaked one.
bool IsSecretKey(std::string_view key) {
  std::string lower(key);
  for (char& c : lower) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  for (const std::string_view secret :
       {"credential", "password", "passwd", "secret", "token", "key", "auth", "private"}) {
    if (lower.find(secret) != std::string::npos) return true;
  }
  return false;
}

Json Redacted(const OrderedJson& value) {
  if (value.is_object()) {
    Json out = Json::object();
    for (const auto& [key, member] : value.items()) {
      if (key == "parameters" && member.is_object()) {
        // Deployment parameters: which are secret only the driver knows; keep the names only.
        Json names = Json::object();
        for (const auto& [name, v] : member.items()) {
          names[name] = v.is_null() ? Json() : Json("[redacted]");
        }
        out[key] = std::move(names);
        continue;
      }
      if ((key == "lines" || key == "statuses" || key == "pods") && member.is_array()) {
        // An agent's reports (log lines, observed status): the run's log and the status keep
        // them; the audit log only how many there were. Log lines may quote anything an action
        // printed, and statuses arrive every few seconds.
        out[key] = std::to_string(member.size()) + " " + key;
        continue;
      }
      out[key] = IsSecretKey(key) && !member.is_null() ? Json("[redacted]") : Redacted(member);
    }
    return out;
  }
  if (value.is_array()) {
    Json out = Json::array();
    for (const auto& item : value) out.push_back(Redacted(item));
    return out;
  }
  return Json(value);
}

}  // namespace

// A stored name as a GraphQL enum value: "filesystem" -> FILESYSTEM.
FieldValue EnumOf(std::string_view stored) {
  std::string name(stored);
  for (char& c : name) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  return FieldValue::Enum(std::move(name));
}

FieldValue ErrorValue(const Error& error) {
  return FieldValue::Error(error.message(),
                           OrderedJson{{"code", std::string(GraphqlErrorCode(error.code()))}});
}

const auth::Principal& Caller(const ResolveInfo& info) {
  return info.Context<RequestState>().principal;
}

Result<ClusterId> AgentCluster(const ResolveInfo& info) {
  const auth::Principal& caller = Caller(info);
  if (!caller.cluster_id) {
    return FailedPrecondition("token \"" + caller.name + "\" acts for no cluster");
  }
  return *caller.cluster_id;
}

// The error of a caller who may not do `action`, or nullopt.
std::optional<FieldValue> Deny(const ResolveInfo& info, auth::Action action) {
  const Status allowed = auth::Authorize(Caller(info), action);
  if (allowed) return std::nullopt;
  return ErrorValue(allowed.error());
}

std::optional<FieldValue> DenyEnvironment(const ResolveInfo& info,
                                          const EnvironmentId& environment) {
  const Status allowed = auth::AuthorizeEnvironment(Caller(info), environment);
  if (allowed) return std::nullopt;
  return ErrorValue(allowed.error());
}

const std::vector<EnvironmentId>& ScopeOf(const ResolveInfo& info) {
  return Caller(info).environment_ids;
}

FieldValue JsonValue(const Json& value) { return FieldValue::Json(OrderedJson(value)); }

FieldValue Time(storage::Timestamp t) { return FieldValue::String(FormatRfc3339(t)); }

storage::Timestamp NowMillis(const Clock& clock) {
  return std::chrono::time_point_cast<std::chrono::milliseconds>(clock.Now());
}

// Later wins; objects merge member by member, anything else is replaced.
Status CheckDnsLabel(std::string_view what, const std::string& name) {
  const auto bad = [&](std::string_view why) {
    return InvalidArgument(std::string(what) + " \"" + name +
                           "\" is not a DNS label: " + std::string(why));
  };
  if (name.empty()) return InvalidArgument(std::string(what) + " must not be empty");
  if (name.size() > 63) return bad("longer than 63 characters");
  for (const char c : name) {
    if (!((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-')) {
      return bad("only lowercase letters, digits and '-' are allowed");
    }
  }
  if (name.front() == '-' || name.back() == '-') return bad("it starts or ends with '-'");
  return OkStatus();
}

// An optional member of an input object: absent and null are the same.
Result<std::size_t> PageSize(const OrderedJson& args) {
  const std::int64_t first = args.contains("first") && args["first"].is_number_integer()
                                 ? args["first"].get<std::int64_t>()
                                 : 0;
  if (first < 1 || first > static_cast<std::int64_t>(storage::kMaxPageSize)) {
    return InvalidArgument("first must be from 1 to " + std::to_string(storage::kMaxPageSize) +
                           ", not " + args["first"].dump());
  }
  return static_cast<std::size_t>(first);
}

const OrderedJson* Member(const OrderedJson& input, std::string_view key) {
  const auto it = input.find(key);
  return it == input.end() || it->is_null() ? nullptr : &*it;
}

std::string OptionalString(const OrderedJson& input, std::string_view key) {
  const OrderedJson* v = Member(input, key);
  return v == nullptr ? std::string() : v->get<std::string>();
}

Result<Json> ConfigObject(const OrderedJson& input, std::string_view key) {
  const OrderedJson* v = Member(input, key);
  if (v == nullptr) return Json::object();
  if (!v->is_object()) {
    return InvalidArgument("input." + std::string(key) + " must be a JSON object, not " +
                           std::string(JsonTypeName(Json(*v))));
  }
  return Json(*v);
}

// Binds a resolver; the schema file and this code are built together, so a failure is a bug.
void BindOrDie(ExecutableSchema& schema, std::string_view type, std::string_view field,
               graphql::FieldResolver resolver) {
  const Status bound = schema.Bind(type, field, std::move(resolver));
  STYRMIN_CHECK(bound.has_value(), "schema.graphql defines every field the API binds");
}

// Binds a mutation that writes an audit event on every call, refused or not: who, what, when,
// the target, the outcome (the error code when it failed) and the arguments with secrets
// redacted. A failure to record is not hidden: it becomes the mutation's error, although the
// change itself is already stored.
void BindAuditedMutation(ExecutableSchema& s, storage::Store& store, const Clock& clock,
                         std::string_view field, MutationResolver resolve) {
  BindOrDie(s, "Mutation", field,
            [&store, &clock, action = std::string(field),
             resolve = std::move(resolve)](const ResolveInfo& info) {
              std::string target;
              FieldValue value;
              try {
                value = resolve(info, target);
              } catch (const std::exception& e) {
                // Recorded like any failure; the change may or may not have been stored.
                value = ErrorValue(Error(ErrorCode::kInternal, e.what()));
              }
              storage::AuditEvent event;
              event.at = NowMillis(clock);
              event.actor = Caller(info).name;
              event.actor_token_id = Caller(info).token_id;
              event.action = action;
              event.target = target;
              event.arguments = Redacted(info.args());
              if (value.kind() == FieldValue::Kind::kError) {
                const OrderedJson& extensions = value.extensions();
                event.outcome = extensions.is_object() && extensions.contains("code")
                                    ? extensions["code"].get<std::string>()
                                    : std::string("ERROR");
                event.message = std::string(value.text());
              } else {
                event.outcome = "ok";
              }
              if (event.outcome == "ok") ApiChanges().Notify();
              if (auto recorded = store.RecordAudit(event); !recorded) {
                return ErrorValue(recorded.error().WithContext(
                    event.outcome == "ok"
                        ? "the change was made but its audit event could not be recorded"
                        : "the call failed (" + event.outcome +
                              ") and its audit event could not be recorded"));
              }
              return value;
            });
}

graphql::BatchLoader& RequestLoader(const ResolveInfo& info, std::string_view name,
                                    graphql::BatchLoader::LoadFn load) {
  auto& request = info.Context<RequestState>();
  const std::lock_guard<std::mutex> lock(request.mu);
  auto found = request.loaders.find(name);
  if (found == request.loaders.end()) {
    found = request.loaders
                .emplace(std::string(name), std::make_unique<graphql::BatchLoader>(std::move(load)))
                .first;
  }
  return *found->second;
}

// A driver refused for its problems: one error listing them all, each also in
// extensions.problems as {file, path, message} for clients to show.
FieldValue ProblemsError(const std::string& where, const std::vector<driver::Problem>& problems) {
  OrderedJson list = OrderedJson::array();
  std::string message = where + ": " + std::to_string(problems.size()) +
                        (problems.size() == 1 ? " problem:" : " problems:");
  for (const auto& p : problems) {
    list.push_back({{"file", p.file}, {"path", p.path}, {"message", p.message}});
    message += "\n";
    if (!p.file.empty()) message += p.file + ": ";
    message += p.ToString();
  }
  return FieldValue::Error(
      message, OrderedJson{{"code", std::string(GraphqlErrorCode(ErrorCode::kInvalidArgument))},
                           {"problems", std::move(list)}});
}

}  // namespace styrmin::api::internal
