// What resolvers see and return, and a schema with its resolvers bound: the contract between
// the execution engine (execute.h) and the code that serves data.
//
// A resolver is a function of one field: it reads its parent value, arguments and context from
// a ResolveInfo and returns a FieldValue. The value may be a scalar, a JSON value, an opaque
// C++ object that child resolvers read back with `info.Parent<T>()`, a list, a field error,
// or a pending value that a Promise completes later, from any thread. Pending values are how
// sibling fields resolve concurrently; BatchLoader turns many per-parent loads into one call.
//
// Thread-safety: an ExecutableSchema is immutable once bound and may serve concurrent
// executions. Resolvers run on the thread that called Execute; Promise::Resolve may be called
// from any thread.
#pragma once

#include <algorithm>
#include <atomic>
#include <cstdint>
#include <functional>
#include <initializer_list>
#include <map>
#include <memory>
#include <mutex>
#include <span>
#include <string>
#include <string_view>
#include <type_traits>
#include <typeinfo>
#include <unordered_map>
#include <utility>
#include <vector>

#include "styrmin/core/json.h"
#include "styrmin/core/status.h"
#include "styrmin/graphql/ast.h"
#include "styrmin/graphql/response_text.h"
#include "styrmin/graphql/schema.h"

namespace styrmin::graphql {

namespace internal {
struct PendingState;
class Execution;
}  // namespace internal

// The value of one field as a resolver produced it. Cheap to move; copies share objects.
class FieldValue final {
 public:
  enum class Kind : std::uint8_t {
    kNull,
    kBool,
    kInt,
    kFloat,
    kString,
    kEnum,
    kJson,
    kObject,
    kList,
    kError,
    kPending,
  };

  FieldValue() = default;
  static FieldValue Null() { return {}; }
  static FieldValue Bool(bool value);
  static FieldValue Int(std::int64_t value);
  static FieldValue Float(double value);
  static FieldValue String(std::string value);
  // A string that outlives the execution, not copied.
  static FieldValue StringRef(std::string_view value);
  // An enum value by name.
  static FieldValue Enum(std::string name);
  // A JSON value that outlives the execution; objects are read by the default resolver.
  static FieldValue JsonRef(const OrderedJson& value);
  // A JSON value this FieldValue keeps alive.
  static FieldValue Json(OrderedJson value);
  // `member`, a value inside this kJson value, kept alive as long as this one is.
  FieldValue JsonMember(const OrderedJson& member) const;
  // A C++ object that outlives the execution.
  template <typename T>
  static FieldValue Object(const T* object) {
    FieldValue v(Kind::kObject);
    v.pointer_ = object;
    v.type_ = &typeid(T);
    return v;
  }
  // A C++ object this FieldValue keeps alive.
  template <typename T>
  static FieldValue Object(std::shared_ptr<const T> object) {
    FieldValue v(Kind::kObject);
    v.pointer_ = object.get();
    v.type_ = &typeid(T);
    v.owner_ = std::move(object);
    return v;
  }
  static FieldValue List(std::vector<FieldValue> items);
  // A list of the C++ objects in `items`, which outlive the execution. No FieldValue is made
  // per item until the item is completed, and nothing is allocated: the fast way to return a
  // container of structs.
  template <typename T>
  static FieldValue ObjectList(std::span<const T> items) {
    FieldValue v(Kind::kList);
    v.view_ = View::kObjects;
    v.pointer_ = items.data();
    v.borrowed_size_ = items.size();
    v.scalar_.integer = sizeof(T);
    v.type_ = &typeid(T);
    return v;
  }
  template <typename T>
  static FieldValue ObjectList(const std::vector<T>& items) {
    return ObjectList(std::span<const T>(items));
  }
  // The same over a vector this FieldValue keeps alive: one allocation for the whole list.
  template <typename T>
  static FieldValue ObjectList(std::shared_ptr<const std::vector<T>> items) {
    FieldValue v = ObjectList(std::span<const T>(*items));
    v.owner_ = std::move(items);
    return v;
  }
  // A list of strings that outlive the execution.
  static FieldValue StringList(std::span<const std::string> items);
  // A field error: the field becomes null (or its parent, when it is non-null) and the
  // response carries `message` with the field's path and locations, and `extensions`
  // (an object, or null for none).
  static FieldValue Error(std::string message, OrderedJson extensions = nullptr);

  // For fields of interface and union type: the object type this value is.
  FieldValue WithTypename(std::string type_name) &&;

  Kind kind() const { return kind_; }
  bool IsNull() const;
  bool AsBool() const { return scalar_.boolean; }
  std::int64_t AsInt() const { return scalar_.integer; }
  double AsFloat() const { return scalar_.number; }
  // kString and kEnum: the text; kError: the message.
  std::string_view text() const {
    return borrowed_ != nullptr ? std::string_view(borrowed_, borrowed_size_) : text_;
  }
  const OrderedJson& json() const { return *static_cast<const OrderedJson*>(pointer_); }
  // kList: how many items, and item k. Items of lists made by List() are returned as they
  // are; items of ObjectList and StringList are made on the fly.
  std::size_t ListSize() const;
  FieldValue ListItem(std::size_t k) const;
  // kList made by List(): the items themselves, null for the other lists.
  const std::vector<FieldValue>* stored_items() const {
    return view_ == View::kNone ? static_cast<const std::vector<FieldValue>*>(pointer_) : nullptr;
  }
  // kObject and kJson: the type name given by WithTypename, or empty.
  std::string_view type_name() const {
    return kind_ == Kind::kObject || kind_ == Kind::kJson ? std::string_view(text_)
                                                          : std::string_view();
  }
  // kError: the extensions (null when none).
  const OrderedJson& extensions() const;
  // kObject: the object, which must have been made from a T.
  template <typename T>
  const T& As() const {
    STYRMIN_CHECK(kind_ == Kind::kObject && *type_ == typeid(T), "FieldValue holds another type");
    return *static_cast<const T*>(pointer_);
  }
  // The value as JSON, for messages; objects read as {}.
  OrderedJson ToJson() const;

 private:
  friend class Promise;
  friend class BatchLoader;
  friend class internal::Execution;
  friend std::pair<FieldValue, class Promise> MakePending();
  explicit FieldValue(Kind kind) : kind_(kind) {}
  internal::PendingState* pending() const {
    return static_cast<internal::PendingState*>(const_cast<void*>(pointer_));
  }

  // How a kList holds its items: a vector of FieldValue, or a view of a caller's container.
  enum class View : std::uint8_t { kNone, kObjects, kStrings };

  Kind kind_ = Kind::kNull;
  View view_ = View::kNone;
  union {
    bool boolean;
    std::int64_t integer;
    double number;
  } scalar_{};
  const char* borrowed_ = nullptr;  // StringRef's text
  std::size_t borrowed_size_ = 0;
  std::string text_;  // owned text; kObject and kJson: the type name
  // kObject: the object; kJson: the OrderedJson; kList: the items; kPending: the state.
  const void* pointer_ = nullptr;
  const std::type_info* type_ = nullptr;
  std::shared_ptr<const void> owner_;  // keeps pointer_ alive; kError: extensions
};

// Completes one pending FieldValue, once. Move-only. Resolve may be called from any thread; a
// Promise destroyed without resolving resolves its value with an error, so executions never
// wait on a forgotten promise.
class Promise final {
 public:
  Promise() = default;
  Promise(Promise&&) noexcept = default;
  Promise& operator=(Promise&&) noexcept;
  Promise(const Promise&) = delete;
  Promise& operator=(const Promise&) = delete;
  ~Promise();

  // `value` must not itself be pending. Later calls are ignored.
  void Resolve(FieldValue value);

 private:
  friend std::pair<FieldValue, Promise> MakePending();
  friend class BatchLoader;
  std::shared_ptr<internal::PendingState> state_;
};

// A pending value and the promise that completes it.
std::pair<FieldValue, Promise> MakePending();

struct PathSegment {
  std::string key;          // a response key, or empty for a list index
  std::int64_t index = -1;  // a list index, or -1
  friend bool operator==(const PathSegment&, const PathSegment&) = default;
};

class BatchLoader;

// Everything a resolver knows about the field it resolves. Valid during the resolver call.
class ResolveInfo final {
 public:
  const FieldValue& parent() const { return *parent_; }
  template <typename T>
  const T& Parent() const {
    return parent_->As<T>();
  }
  // Coerced arguments: an object with members in definition order.
  const OrderedJson& args() const { return *args_; }
  const Field& field() const { return *field_; }
  const NamedType& parent_type() const { return *parent_type_; }
  const Schema& schema() const { return *schema_; }
  // Coerced variables of the operation.
  const OrderedJson& variables() const { return *variables_; }
  // The field's occurrences in the document (more than one when merged).
  std::span<const Selection* const> nodes() const { return nodes_; }
  std::vector<PathSegment> Path() const;
  // Whether the document may select, under this field, the fields named by `path` one inside
  // the other: {"items", "parameters"} is `items { parameters }`, through fragments too. For
  // resolvers that can skip work nothing asked for. Errs towards true: @skip, @include and type
  // conditions are not evaluated, so a false answer is certain.
  bool MaySelect(std::initializer_list<std::string_view> path) const;
  // The context given to Execute, which must be a T.
  template <typename T>
  T& Context() const {
    STYRMIN_CHECK(context_ != nullptr && *context_type_ == typeid(T), "context of another type");
    return *static_cast<T*>(context_);
  }

 private:
  friend class internal::Execution;
  friend class BatchLoader;
  const FieldValue* parent_ = nullptr;
  const OrderedJson* args_ = nullptr;
  const Field* field_ = nullptr;
  const NamedType* parent_type_ = nullptr;
  const Schema* schema_ = nullptr;
  const OrderedJson* variables_ = nullptr;
  std::span<const Selection* const> nodes_;
  const void* path_ = nullptr;  // internal path node
  void* context_ = nullptr;
  const std::type_info* context_type_ = nullptr;
  internal::Execution* execution_ = nullptr;
};

using FieldResolver = std::function<FieldValue(const ResolveInfo&)>;

class EventStream;  // subscribe.h
// A subscription field's source: its event stream, or an error (see subscribe.h).
using SubscribeResolver = std::function<Result<std::shared_ptr<EventStream>>(const ResolveInfo&)>;

// What a member writer did with its field: kError leaves the reason in the writer's `error`.
// A plain enum, returned in a register: writers run for most fields of a response.
enum class WriteOutcome { kWritten, kNull, kError };

// Writes a leaf field of a C++ object straight into the response: no resolver call and no
// FieldValue. ExecutableSchema::BindMember makes them; `type` is the field's named type.
using FieldWriter = WriteOutcome (*)(const void* object, const NamedType& type, ResponseText& out,
                                     std::string& error);

namespace internal {
// Serialises a member's value as a leaf of `type`; kError when it does not fit.
WriteOutcome WriteLeafSlow(std::string_view value, const NamedType& type, ResponseText& out,
                           std::string& error);
// Strings of String and ID fields and enum values, the most common leaves, are written inline.
inline WriteOutcome WriteLeaf(std::string_view value, const NamedType& type, ResponseText& out,
                              std::string& error) {
  if (type.specified_scalar == SpecifiedScalar::kString ||
      type.specified_scalar == SpecifiedScalar::kId) {
    out.AppendJsonString(value);
    return WriteOutcome::kWritten;
  }
  if (type.kind == TypeKind::kEnum && type.FindEnumValue(value) != nullptr) {
    out.AppendQuotedName(value);  // an enum value's name never needs escaping
    return WriteOutcome::kWritten;
  }
  return WriteLeafSlow(value, type, out, error);
}
WriteOutcome WriteLeaf(std::int64_t value, const NamedType& type, ResponseText& out,
                       std::string& error);
WriteOutcome WriteLeaf(double value, const NamedType& type, ResponseText& out, std::string& error);
WriteOutcome WriteLeaf(bool value, const NamedType& type, ResponseText& out, std::string& error);
template <typename M>
WriteOutcome WriteMemberValue(const M& value, const NamedType& type, ResponseText& out,
                              std::string& error) {
  if constexpr (std::is_same_v<M, bool>) {
    return WriteLeaf(value, type, out, error);
  } else if constexpr (std::is_integral_v<M>) {
    return WriteLeaf(static_cast<std::int64_t>(value), type, out, error);
  } else if constexpr (std::is_floating_point_v<M>) {
    return WriteLeaf(static_cast<double>(value), type, out, error);
  } else if constexpr (std::is_convertible_v<const M&, std::string_view>) {
    return WriteLeaf(std::string_view(value), type, out, error);
  } else {
    if (!value) return WriteOutcome::kNull;
    return WriteMemberValue(*value, type, out, error);  // std::optional
  }
}
template <typename>
struct MemberOf;
template <typename T, typename M>
struct MemberOf<M T::*> {
  using Object = T;
  using Value = M;
};
}  // namespace internal
// The object type name of a value of an interface or union type; empty when unknown.
using TypeResolver = std::function<std::string(const FieldValue&, const NamedType& abstract_type)>;

// DataLoader-style batching, one loader per execution (keep it in the context). Load() queues a
// key and returns a pending value; when the execution runs out of ready work it calls `load`
// once with every key queued since (first-come order, duplicates merged) and one promise per
// key, which it resolves now or later from any thread. Loaded keys are cached for the
// loader's life.
class BatchLoader final {
 public:
  using LoadFn = std::function<void(std::vector<std::string> keys, std::vector<Promise> promises)>;
  explicit BatchLoader(LoadFn load);
  BatchLoader(const BatchLoader&) = delete;
  BatchLoader& operator=(const BatchLoader&) = delete;

  FieldValue Load(const ResolveInfo& info, std::string key);
  // How many times `load` was called.
  std::size_t batches() const;

 private:
  friend class internal::Execution;
  struct State;
  // Calls `load` for the queued keys; false when none were queued.
  bool Dispatch();

  LoadFn load_;
  std::shared_ptr<State> state_;
};

// A schema with resolvers bound to its fields. Fields without a resolver use the default one,
// which reads a JSON parent's member of the field's name (graphql-js's defaultFieldResolver).
// Introspection (__schema, __type, __typename) is built in.
class ExecutableSchema final {
 public:
  explicit ExecutableSchema(Schema schema);
  ExecutableSchema(const ExecutableSchema&) = delete;
  ExecutableSchema& operator=(const ExecutableSchema&) = delete;

  // kInvalidArgument when `type` has no field `field`.
  Status Bind(std::string_view type, std::string_view field, FieldResolver resolver);
  // Binds a leaf field (scalar or enum, not a list) to a data member of the C++ objects that
  // FieldValue::Object holds for `type`, written without a resolver call: the fast path for
  // plain data. Members may be strings, integers, floating point, bool, or std::optional of
  // those (empty reads as null). kInvalidArgument when the field does not exist or is not a
  // leaf. A parent of another C++ type makes the field an error.
  template <auto Member>
  Status BindMember(std::string_view type, std::string_view field) {
    using Traits = internal::MemberOf<decltype(Member)>;
    const FieldWriter writer = [](const void* object, const NamedType& named, ResponseText& out,
                                  std::string& error) {
      return internal::WriteMemberValue(
          static_cast<const typename Traits::Object*>(object)->*Member, named, out, error);
    };
    return BindWriter(type, field, writer, typeid(typename Traits::Object));
  }

  // Binds the source event stream of a field of the subscription type (subscribe.h); the
  // field's own resolver then maps each event to the field's value (by default, the event's
  // member of the field's name). kInvalidArgument when the field does not exist there.
  Status BindSubscription(std::string_view field, SubscribeResolver resolver);
  const SubscribeResolver* SubscribeResolverFor(const Field* field) const;

  // Binds a custom scalar's coercion (schema.h); kInvalidArgument when `scalar` is not a
  // custom scalar of the schema. Bind before executing: the schema is shared afterwards.
  Status BindScalar(std::string_view scalar, ScalarCoercion coercion);

  // kInvalidArgument when `type` is not an interface or union.
  Status BindTypeResolver(std::string_view type, TypeResolver resolver);
  // Replaces the default resolver for fields without one.
  void SetDefaultResolver(FieldResolver resolver) { default_resolver_ = std::move(resolver); }

  const Schema& schema() const { return schema_; }
  const FieldResolver& ResolverFor(const Field* field) const;
  struct Writer {
    FieldWriter write = nullptr;
    const std::type_info* object_type = nullptr;
  };
  // The member writer bound to `field`, or null.
  const Writer* WriterFor(const Field* field) const;
  const TypeResolver* TypeResolverFor(const NamedType* type) const;
  // The meta fields every object type has: __typename, and on the query type __schema and
  // __type.
  const Field& typename_field() const { return typename_field_; }
  const Field& schema_field() const { return schema_field_; }
  const Field& type_field() const { return type_field_; }

  // The default resolver: a JSON object's member named as the field; null otherwise.
  static FieldValue ResolveFromJson(const ResolveInfo& info);

  // How much response buffer an execution starts with: the size of a recent response, so
  // that a large response is not copied while it grows.
  std::size_t response_size_hint() const {
    return response_size_hint_.load(std::memory_order_relaxed);
  }
  void NoteResponseSize(std::size_t bytes) const {
    response_size_hint_.store(std::clamp<std::size_t>(bytes + bytes / 8, 1024, 1 << 22),
                              std::memory_order_relaxed);
  }

 private:
  void BindIntrospection();
  Status BindWriter(std::string_view type, std::string_view field, FieldWriter writer,
                    const std::type_info& object_type);

  Schema schema_;
  std::unordered_map<const Field*, FieldResolver> resolvers_;
  std::unordered_map<const NamedType*, TypeResolver> type_resolvers_;
  std::unordered_map<const Field*, Writer> writers_;
  std::unordered_map<const Field*, SubscribeResolver> subscribe_resolvers_;
  FieldResolver default_resolver_;
  Field typename_field_;
  Field schema_field_;
  Field type_field_;
  mutable std::atomic<std::size_t> response_size_hint_{8192};
};

}  // namespace styrmin::graphql
