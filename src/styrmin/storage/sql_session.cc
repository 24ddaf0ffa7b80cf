#include "styrmin/storage/sql_session.h"

#include <algorithm>
#include <array>
#include <charconv>

#include "styrmin/storage/store_values.h"

namespace styrmin::storage {
namespace {

// What a duplicate in each unique constraint means, for the backstop message when a concurrent
// writer slipped between a store's own check and its insert. Named as PostgreSQL names the
// constraints in migrations.cc by default; SQLite reports no names, and keeps its own message.
// A constraint that guards a state rather than a name is a conflict, not a duplicate.
struct UniqueConstraint {
  std::string_view name;
  std::string_view duplicate;
  ErrorCode code = ErrorCode::kAlreadyExists;
};
constexpr std::array<UniqueConstraint, 20> kUniqueConstraints = {{
    {"clusters_pkey", "a cluster with the same id"},
    {"clusters_name_key", "a cluster with the same name"},
    {"backup_storage_locations_pkey", "a backup storage location with the same id"},
    {"backup_storage_locations_name_key", "a backup storage location with the same name"},
    {"environments_pkey", "an environment with the same id"},
    {"environments_cluster_id_name_key", "an environment with the same name in that cluster"},
    {"api_tokens_pkey", "an API token with the same id"},
    {"api_tokens_secret_hash_key", "an API token with the same secret"},
    {"schema_migrations_pkey", "a record of the same schema migration"},
    {"audit_events_pkey", "an audit event with the same sequence"},
    {"application_drivers_pkey", "a driver with the same id"},
    {"application_drivers_name_key", "a driver with the same name"},
    {"application_driver_versions_pkey", "a driver version with the same id"},
    {"application_driver_versions_driver_id_version_key",
     "a version of that driver with the same version"},
    {"application_driver_versions_driver_id_digest_key",
     "a version of that driver with the same digest"},
    {"deployments_pkey", "a deployment with the same id"},
    {"deployments_environment_id_name_key", "a deployment with the same name in that environment"},
    {"instances_pkey", "an instance with the same id"},
    {"runs_pkey", "a run with the same id"},
    {"runs_one_unfinished_per_deployment", "a pending or running run of that deployment",
     ErrorCode::kFailedPrecondition},
}};

ErrorCode CodeFor(SqlFailureKind kind) {
  switch (kind) {
    case SqlFailureKind::kUniqueViolation:
      return ErrorCode::kAlreadyExists;
    case SqlFailureKind::kForeignKeyViolation:
    case SqlFailureKind::kInvalidValue:
      return ErrorCode::kInvalidArgument;
    case SqlFailureKind::kUnavailable:
      return ErrorCode::kUnavailable;
    case SqlFailureKind::kNotADatabase:
      return ErrorCode::kFailedPrecondition;
    case SqlFailureKind::kOther:
      return ErrorCode::kInternal;
  }
  STYRMIN_CHECK(false, "a SqlFailureKind outside its enumerators");
}

}  // namespace

const SqlRows::Cell& SqlRows::CellAt(std::size_t row, std::size_t column) const {
  STYRMIN_CHECK(row < rows_, "a row the result does not have");
  STYRMIN_CHECK(column < columns_, "a column the statement does not select");
  return cells_[row * columns_ + column];
}

std::string_view SqlRow::Text(std::size_t column) const {
  return OptionalText(column).value_or(std::string_view());
}

std::optional<std::string_view> SqlRow::OptionalText(std::size_t column) const {
  const SqlRows::Cell& cell = rows_->CellAt(row_, column);
  if (cell.offset == SqlRows::kNull) return std::nullopt;
  return std::string_view(rows_->text_).substr(cell.offset, cell.size);
}

std::optional<std::int64_t> SqlRow::Int(std::size_t column) const {
  const std::optional<std::string_view> text = OptionalText(column);
  if (!text) return std::nullopt;
  std::int64_t value = 0;
  const char* end = text->data() + text->size();
  const auto [stop, error] = std::from_chars(text->data(), end, value);
  if (error != std::errc() || stop != end) return std::nullopt;
  return value;
}

Error ToError(const SqlFailure& failure, std::string_view what) {
  std::string message = std::string(what) + ": ";
  // The store checks names and ids itself first, for a message that names the thing; a unique
  // violation is the backstop for a concurrent writer, and says what the duplicate means.
  const auto* unique =
      std::find_if(kUniqueConstraints.begin(), kUniqueConstraints.end(),
                   [&](const UniqueConstraint& known) { return known.name == failure.constraint; });
  if (failure.kind == SqlFailureKind::kUniqueViolation && unique != kUniqueConstraints.end()) {
    message += std::string(unique->duplicate) + " already exists";
    return Error(unique->code, std::move(message));
  }
  message += failure.message;
  return Error(CodeFor(failure.kind), std::move(message));
}

Result<SqlRows> SqlSession::Query(std::string_view sql, std::initializer_list<SqlValue> params,
                                  std::string_view what) {
  return Query(sql, std::span<const SqlValue>(params.begin(), params.size()), what);
}

Result<SqlRows> SqlSession::Query(std::string_view sql, std::span<const SqlValue> params,
                                  std::string_view what) {
  STYRMIN_CHECK(!one_statement_ || ++statements_ == 1,
                "a second statement in a transaction declared Access::kReadOne");
  auto rows = Run(sql, params);
  if (!rows) return tl::unexpected(ToError(rows.error(), what));
  return std::move(rows).value();
}

Status SqlSession::Exec(std::string_view sql, std::initializer_list<SqlValue> params,
                        std::string_view what) {
  STYRMIN_RETURN_IF_ERROR(Query(sql, params, what));
  return OkStatus();
}

Result<bool> SqlSession::Exists(std::string_view sql, std::initializer_list<SqlValue> params) {
  STYRMIN_ASSIGN_OR_RETURN(const SqlRows rows, Query(sql, params));
  return !rows.empty();
}

Result<std::int64_t> SqlSession::QueryInt(std::string_view sql,
                                          std::initializer_list<SqlValue> params) {
  STYRMIN_ASSIGN_OR_RETURN(const SqlRows rows, Query(sql, params));
  if (rows.empty()) return Internal("query returned no row: " + std::string(sql));
  const std::optional<std::int64_t> value = rows.front().Int(0);
  if (!value) {
    return Internal("query returned " + Quoted(rows.front().Text(0)) +
                    ", not an integer: " + std::string(sql));
  }
  return *value;
}

Status SqlSession::ExecScript(std::string_view sql, std::string_view what) {
  if (auto done = RunScript(sql); !done) return tl::unexpected(ToError(done.error(), what));
  return OkStatus();
}

}  // namespace styrmin::storage
