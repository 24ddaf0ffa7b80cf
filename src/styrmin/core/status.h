// The one error vocabulary of Styrmin.
//
// Expected failures are values: functions return `Status` (success or an `Error`) or
// `Result<T>` (a `T` or an `Error`). Callers branch on `ErrorCode`; `Error::message()` is for
// humans and names the offending input. Boundaries (HTTP status, GraphQL `extensions.code`,
// CLI exit code) convert with an exhaustive `switch` on `ErrorCode` and no `default:`, so that a
// new code fails to compile until every boundary handles it.
//
// Invariants that can only break through a bug use STYRMIN_CHECK, which aborts. Never check
// anything that came from the network, the database, a cluster or a user with it.
#pragma once

#include <string>
#include <string_view>
#include <tl/expected.hpp>
#include <utility>

namespace styrmin {

enum class ErrorCode {
  kInvalidArgument,     // the caller's input is wrong; retrying the same call fails again
  kNotFound,            // the named thing does not exist
  kAlreadyExists,       // creating something that exists
  kFailedPrecondition,  // the system is not in a state that allows this (a conflict)
  kUnavailable,         // transient: the peer is down or overloaded; retrying may succeed
  kDeadlineExceeded,    // the operation ran out of time
  kPermissionDenied,    // authenticated, but not allowed
  kUnauthenticated,     // no valid credentials
  kInternal,            // a bug or a broken invariant on our side
};

// Stable lowercase name of a code ("invalid_argument"), used in logs and JSON.
std::string_view ErrorCodeName(ErrorCode code);

class [[nodiscard]] Error final {
 public:
  Error(ErrorCode code, std::string message) : code_(code), message_(std::move(message)) {}

  ErrorCode code() const { return code_; }
  const std::string& message() const { return message_; }

  // Returns a copy whose message is "<context>: <message>", keeping the code.
  Error WithContext(std::string_view context) const;

  // "<code name>: <message>".
  std::string ToString() const;

  friend bool operator==(const Error&, const Error&) = default;

 private:
  ErrorCode code_;
  std::string message_;
};

template <typename T>
using Result = tl::expected<T, Error>;
using Status = tl::expected<void, Error>;

inline tl::unexpected<Error> MakeError(ErrorCode code, std::string message) {
  return tl::unexpected<Error>(Error(code, std::move(message)));
}
inline tl::unexpected<Error> InvalidArgument(std::string message) {
  return MakeError(ErrorCode::kInvalidArgument, std::move(message));
}
inline tl::unexpected<Error> NotFound(std::string message) {
  return MakeError(ErrorCode::kNotFound, std::move(message));
}
inline tl::unexpected<Error> AlreadyExists(std::string message) {
  return MakeError(ErrorCode::kAlreadyExists, std::move(message));
}
inline tl::unexpected<Error> FailedPrecondition(std::string message) {
  return MakeError(ErrorCode::kFailedPrecondition, std::move(message));
}
inline tl::unexpected<Error> Unavailable(std::string message) {
  return MakeError(ErrorCode::kUnavailable, std::move(message));
}
inline tl::unexpected<Error> DeadlineExceeded(std::string message) {
  return MakeError(ErrorCode::kDeadlineExceeded, std::move(message));
}
inline tl::unexpected<Error> PermissionDenied(std::string message) {
  return MakeError(ErrorCode::kPermissionDenied, std::move(message));
}
inline tl::unexpected<Error> Unauthenticated(std::string message) {
  return MakeError(ErrorCode::kUnauthenticated, std::move(message));
}
inline tl::unexpected<Error> Internal(std::string message) {
  return MakeError(ErrorCode::kInternal, std::move(message));
}

// The success value of a `Status`.
inline Status OkStatus() { return {}; }

namespace internal {
[[noreturn]] void CheckFailed(const char* file, int line, const char* condition,
                              std::string_view why);
}  // namespace internal

}  // namespace styrmin

// Aborts with file, line, condition and reason when `cond` is false. For invariants only.
#define STYRMIN_CHECK(cond, why)                                          \
  do {                                                                    \
    if (!(cond)) [[unlikely]] {                                           \
      ::styrmin::internal::CheckFailed(__FILE__, __LINE__, #cond, (why)); \
    }                                                                     \
  } while (false)

#define STYRMIN_INTERNAL_CONCAT_INNER(a, b) a##b
#define STYRMIN_INTERNAL_CONCAT(a, b) STYRMIN_INTERNAL_CONCAT_INNER(a, b)

// Evaluates `expr` (a Status or Result<T>); returns its error from the enclosing function.
#define STYRMIN_RETURN_IF_ERROR(expr)                                                \
  do {                                                                               \
    if (auto styrmin_status_ = (expr); !styrmin_status_) [[unlikely]] {              \
      return ::tl::unexpected<::styrmin::Error>(std::move(styrmin_status_).error()); \
    }                                                                                \
  } while (false)

// `STYRMIN_ASSIGN_OR_RETURN(auto x, MakeX());` declares or assigns `x` from a Result<T>'s
// value, or returns its error from the enclosing function.
#define STYRMIN_ASSIGN_OR_RETURN(lhs, expr) \
  STYRMIN_INTERNAL_ASSIGN_OR_RETURN(STYRMIN_INTERNAL_CONCAT(styrmin_result_, __LINE__), lhs, expr)

// `tmp` is an identifier and `lhs` may be a declaration ("auto x"), so neither can be
// parenthesised.
// NOLINTBEGIN(bugprone-macro-parentheses)
#define STYRMIN_INTERNAL_ASSIGN_OR_RETURN(tmp, lhs, expr)              \
  auto tmp = (expr);                                                   \
  if (!tmp) [[unlikely]] {                                             \
    return ::tl::unexpected<::styrmin::Error>(std::move(tmp).error()); \
  }                                                                    \
  lhs = std::move(tmp).value()
// NOLINTEND(bugprone-macro-parentheses)
