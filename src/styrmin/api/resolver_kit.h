// Internal to the api module: what every resolver file shares (errors as field values,
// authorization, owned results, input helpers, audited mutations). Not a public interface.
#pragma once

#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "styrmin/api/styrmin_api.h"
#include "styrmin/auth/auth.h"
#include "styrmin/core/clock.h"
#include "styrmin/core/json.h"
#include "styrmin/core/status.h"
#include "styrmin/driver/spec.h"
#include "styrmin/graphql/resolve.h"
#include "styrmin/storage/store.h"

namespace styrmin::api::internal {

using graphql::ExecutableSchema;
using graphql::FieldValue;
using graphql::ResolveInfo;

// A stored name as a GraphQL enum value: "filesystem" -> FILESYSTEM.
FieldValue EnumOf(std::string_view stored);
// "FILESYSTEM" -> "filesystem".
std::string Lower(std::string text);
std::string Upper(std::string text);

FieldValue ErrorValue(const Error& error);
const auth::Principal& Caller(const ResolveInfo& info);
// The cluster an agent token acts for; kFailedPrecondition for a token that acts for none.
Result<ClusterId> AgentCluster(const ResolveInfo& info);
// The error of a caller who may not do `action`, or nullopt.
std::optional<FieldValue> Deny(const ResolveInfo& info, auth::Action action);
// The FORBIDDEN error of a caller limited to environments other than `environment`, or
// nullopt (auth::AuthorizeEnvironment). Reads and changes of one environment's things check it.
std::optional<FieldValue> DenyEnvironment(const ResolveInfo& info,
                                          const EnvironmentId& environment);
// The environments the caller is limited to; empty when it is not limited.
const std::vector<EnvironmentId>& ScopeOf(const ResolveInfo& info);
// The items of `items` (with an `environment_id`, or an `id` for environments) the caller may see.
template <typename T>
std::vector<T> InScope(const ResolveInfo& info, std::vector<T> items) {
  if (ScopeOf(info).empty()) return items;
  std::erase_if(items, [&info](const T& item) {
    if constexpr (requires { item.environment_id; }) {
      return DenyEnvironment(info, item.environment_id).has_value();
    } else {
      return DenyEnvironment(info, item.id).has_value();
    }
  });
  return items;
}

// The page size a list field's `first` argument asks for; kInvalidArgument outside
// 1..storage::kMaxPageSize.
Result<std::size_t> PageSize(const OrderedJson& args);

// Lists ask the store for one row more than the page they serve: that row, when it comes, says
// another page follows, so the last page says so itself (a null cursor) and a client never asks
// for an empty one. Drops the extra row; true when there was one.
template <typename T>
bool DropLookAhead(std::vector<T>& rows, std::size_t page_size) {
  if (rows.size() <= page_size) return false;
  rows.resize(page_size);
  return true;
}

template <typename T>
FieldValue Owned(T value) {
  return FieldValue::Object(std::make_shared<const T>(std::move(value)));
}

template <typename T>
FieldValue OwnedList(std::vector<T> values) {
  return FieldValue::ObjectList(std::make_shared<const std::vector<T>>(std::move(values)));
}

// A store read as a field: the value, or its error.
template <typename T>
FieldValue OwnedOrError(Result<T> result) {
  return result ? Owned(std::move(*result)) : ErrorValue(result.error());
}
template <typename T>
FieldValue OwnedListOrError(Result<std::vector<T>> result) {
  return result ? OwnedList(std::move(*result)) : ErrorValue(result.error());
}
// The same for a lookup by id, where an unknown id is null rather than an error.
template <typename T>
FieldValue OwnedOrNull(Result<T> result) {
  if (!result && result.error().code() == ErrorCode::kNotFound) return FieldValue::Null();
  return OwnedOrError(std::move(result));
}

FieldValue JsonValue(const Json& value);
FieldValue Time(storage::Timestamp t);
storage::Timestamp NowMillis(const Clock& clock);

Status CheckDnsLabel(std::string_view what, const std::string& name);
// An optional member of an input object: absent and null are the same.
const OrderedJson* Member(const OrderedJson& input, std::string_view key);
std::string OptionalString(const OrderedJson& input, std::string_view key);
// input.<key> as a JSON object ({} when absent); kInvalidArgument for anything else.
Result<Json> ConfigObject(const OrderedJson& input, std::string_view key);

// Binds a resolver; the schema file and this code are built together, so a failure is a bug.
void BindOrDie(ExecutableSchema& schema, std::string_view type, std::string_view field,
               graphql::FieldResolver resolver);

// A mutation's resolver: fills `target` with the id it acted on, when there is one.
using MutationResolver = std::function<FieldValue(const ResolveInfo& info, std::string& target)>;

// Binds a mutation that writes an audit event on every call, refused or not: who, what, when,
// the target, the outcome (the error code when it failed) and the arguments with secrets
// redacted (any argument named like a secret; every value under `parameters`). A failure to
// record is not hidden: it becomes the mutation's error, although the change itself is stored.
void BindAuditedMutation(ExecutableSchema& s, storage::Store& store, const Clock& clock,
                         std::string_view field, MutationResolver resolve);

// The request's batch loader named `name`, made with `load` on first use.
graphql::BatchLoader& RequestLoader(const ResolveInfo& info, std::string_view name,
                                    graphql::BatchLoader::LoadFn load);

// A batch load over a store call that takes deployment ids and returns at most one T (with a
// `deployment_id`) for each: every key resolves to its deployment's T, or null.
template <typename T, typename Find>
graphql::BatchLoader::LoadFn ByDeployment(Find find) {
  return [find](std::vector<std::string> keys, std::vector<graphql::Promise> promises) {
    std::vector<DeploymentId> ids;
    ids.reserve(keys.size());
    for (auto& key : keys) ids.emplace_back(std::move(key));
    Result<std::vector<T>> rows = find(ids);
    if (!rows) {
      for (auto& promise : promises) promise.Resolve(ErrorValue(rows.error()));
      return;
    }
    // By hash, viewing the rows' own ids: a tree of copied ids was a string copy and a few
    // comparisons per row, for a batch of 500.
    std::unordered_map<std::string_view, T*> by_deployment;
    by_deployment.reserve(rows->size());
    for (T& row : *rows) by_deployment.emplace(row.deployment_id.value(), &row);
    for (std::size_t i = 0; i < ids.size(); ++i) {
      const auto it = by_deployment.find(ids[i].value());
      promises[i].Resolve(it == by_deployment.end() ? FieldValue::Null()
                                                    : Owned(std::move(*it->second)));
    }
  };
}

// Input refused for its problems (a driver, parameters): one error listing them all, each
// also in extensions.problems as {file, path, message} for clients to show.
FieldValue ProblemsError(const std::string& what, const std::vector<driver::Problem>& problems);

}  // namespace styrmin::api::internal
