// API tokens in the API (DESIGN.md §8): admins create operator, viewer and admin tokens
// (the secret is returned once; only its hash is kept), list them, and revoke them. Operator
// and viewer tokens may be limited to some environments (auth::AuthorizeEnvironment).
#pragma once

#include "styrmin/core/clock.h"
#include "styrmin/graphql/resolve.h"
#include "styrmin/storage/store.h"

namespace styrmin::api {

// Binds ApiToken, Query.apiTokens and the createApiToken / revokeApiToken mutations; `store`
// and `clock` must outlive `schema`.
void BindTokens(graphql::ExecutableSchema& schema, storage::Store& store, const Clock& clock);

}  // namespace styrmin::api
