// Styrmin's GraphQL API (schema.graphql) bound to the store: the resolvers of every query and
// mutation, with authorization per field.
//
// Each request runs with a RequestState (who is calling) as its resolver context; every
// field checks the caller's role before it reads or changes anything. Store errors become
// GraphQL errors with an `extensions.code` clients can branch on (GraphqlErrorCode).
//
// Thread-safety: the schema is immutable once built and serves concurrent requests; the store
// must be thread-safe.
#pragma once

#include <chrono>
#include <filesystem>
#include <map>
#include <memory>
#include <mutex>
#include <string_view>
#include <utility>

#include "styrmin/auth/auth.h"
#include "styrmin/core/clock.h"
#include "styrmin/core/status.h"
#include "styrmin/graphql/resolve.h"
#include "styrmin/secrets/secret_box.h"
#include "styrmin/storage/store.h"

namespace styrmin::api {

extern const char kSchemaSdl[];

// What one request's resolvers share: who is calling, and rows read once for the request.
struct RequestState {
  explicit RequestState(auth::Principal p) : principal(std::move(p)) {}

  auth::Principal principal;

  // Environments by id, read at most once per request: a list of deployments names the same
  // few environments on every row. Resolvers of one request may run on several threads.
  std::mutex mu;
  std::map<EnvironmentId, std::shared_ptr<const storage::Environment>> environments;  // by mu
  std::map<DriverId, std::shared_ptr<const storage::ApplicationDriver>> drivers;      // by mu
  // Batch loaders by name (a page of deployments' current runs, statuses, ...), each loading
  // for all listed rows in one store call; created on first use, under mu.
  std::map<std::string, std::unique_ptr<graphql::BatchLoader>, std::less<>> loaders;
};

// The `extensions.code` of an error: "BAD_USER_INPUT", "NOT_FOUND", "FORBIDDEN", ...
std::string_view GraphqlErrorCode(ErrorCode code);

struct ApiOptions {
  // Seals and opens secret parameters and credentials (api/secrets.h); required.
  std::shared_ptr<const secrets::SecretBox> secrets;
  // Where bare clones of driver repositories are cached (loadGitApplicationDriverVersion).
  std::filesystem::path git_cache_dir;
  std::chrono::seconds git_timeout{120};
};

// Builds the executable schema over `store`; `store` and `clock` must outlive it.
Result<std::unique_ptr<graphql::ExecutableSchema>> BuildStyrminSchema(
    storage::Store& store, const Clock& clock, const ApiOptions& options = {});

}  // namespace styrmin::api
