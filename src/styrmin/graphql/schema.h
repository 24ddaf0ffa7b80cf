// A GraphQL schema: named types, their fields and arguments, directives and root types.
//
// Built from SDL (build_schema.h) or in code, then immutable. Types refer to each other by
// pointer; the Schema owns every NamedType and keeps the pointers stable. Type references
// (`TypeRef` in the AST) become `WrappedType`: a named type under zero or more list and
// non-null wrappers.
//
// Thread-safety: immutable once built; safe to share between threads.
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <tl/expected.hpp>
#include <unordered_map>
#include <vector>

#include "styrmin/core/json.h"
#include "styrmin/core/text_hash.h"
#include "styrmin/graphql/ast.h"

namespace styrmin::graphql {

struct NamedType;
class ExecutableSchema;

// How a custom scalar turns values into what responses carry (serialize) and what requests
// bring into what resolvers see (parse); either may refuse with a message. Bound by
// ExecutableSchema::BindScalar; a scalar without one takes values as given, as graphql-js's
// SDL-built scalars do.
struct ScalarCoercion {
  std::function<tl::expected<OrderedJson, std::string>(const OrderedJson&)> serialize;
  std::function<tl::expected<OrderedJson, std::string>(const OrderedJson&)> parse;
};

enum class TypeKind { kScalar, kObject, kInterface, kUnion, kEnum, kInputObject };

// A type as used by a field or argument: `wrappers` from the outside in, then `named`.
struct WrappedType {
  enum class Wrapper { kList, kNonNull };
  const NamedType* named = nullptr;
  std::vector<Wrapper> wrappers;

  bool IsNonNull() const { return !wrappers.empty() && wrappers.front() == Wrapper::kNonNull; }
  bool IsList() const { return !wrappers.empty() && wrappers.front() == Wrapper::kList; }
  // The type inside the outermost wrapper (`[Int!]!` -> `[Int!]`).
  WrappedType Unwrapped() const;
  // "[Int!]!"
  std::string ToString() const;
  friend bool operator==(const WrappedType&, const WrappedType&) = default;
};

// The schema type of an AST type reference: its wrappers from the outside in, and its named
// type as `resolve(name)` returns it (null when unknown).
template <typename Resolve>
WrappedType WrappedTypeFromAst(const TypeRef& ref, Resolve&& resolve) {
  WrappedType out;
  const TypeRef* t = &ref;
  while (t->kind != TypeRef::Kind::kNamed) {
    out.wrappers.push_back(t->kind == TypeRef::Kind::kList ? WrappedType::Wrapper::kList
                                                           : WrappedType::Wrapper::kNonNull);
    t = t->of.get();
  }
  out.named = resolve(t->name.value);
  return out;
}

struct InputValue {
  std::string name;
  std::optional<std::string> description;
  WrappedType type;
  std::optional<Value> default_value;  // as written in the SDL
  std::optional<std::string> deprecation_reason;

  // Non-null without a default: a value must be given.
  bool IsRequired() const { return type.IsNonNull() && !default_value; }
};

struct Field {
  std::string name;
  std::optional<std::string> description;
  std::vector<InputValue> arguments;
  WrappedType type;
  std::optional<std::string> deprecation_reason;

  const InputValue* Argument(std::string_view name) const;
};

struct EnumValue {
  std::string name;
  std::optional<std::string> description;
  std::optional<std::string> deprecation_reason;
};

// Which of the specification's scalars a type is; kNone for every other type.
enum class SpecifiedScalar : std::uint8_t { kNone, kInt, kFloat, kString, kBoolean, kId };
SpecifiedScalar SpecifiedScalarByName(std::string_view name);

struct NamedType {
  TypeKind kind = TypeKind::kScalar;
  std::string name;
  // Set with `name` when a scalar is created, so that execution does not compare names.
  SpecifiedScalar specified_scalar = SpecifiedScalar::kNone;
  std::optional<std::string> description;
  std::vector<Field> fields;                       // kObject, kInterface
  std::vector<const NamedType*> interfaces;        // kObject, kInterface
  std::vector<const NamedType*> members;           // kUnion
  std::vector<EnumValue> enum_values;              // kEnum
  std::vector<InputValue> input_fields;            // kInputObject
  std::optional<std::string> specified_by_url;     // kScalar
  bool one_of = false;                             // kInputObject
  std::shared_ptr<const ScalarCoercion> coercion;  // custom kScalar, when bound
  // Where the type and its extensions were defined, for error locations; empty when built
  // in code.
  std::vector<std::size_t> definition_offsets;

  const Field* FindField(std::string_view name) const;
  const InputValue* FindInputField(std::string_view name) const;
  const EnumValue* FindEnumValue(std::string_view name) const;
  bool IsInputType() const {
    return kind == TypeKind::kScalar || kind == TypeKind::kEnum || kind == TypeKind::kInputObject;
  }
  bool IsOutputType() const { return kind != TypeKind::kInputObject; }
  bool IsComposite() const {
    return kind == TypeKind::kObject || kind == TypeKind::kInterface || kind == TypeKind::kUnion;
  }
  bool IsAbstract() const { return kind == TypeKind::kInterface || kind == TypeKind::kUnion; }
};

struct DirectiveDefinition {
  std::string name;
  std::optional<std::string> description;
  std::vector<InputValue> arguments;
  bool repeatable = false;
  std::vector<std::string> locations;  // "FIELD", "QUERY", ...
  std::optional<std::string> deprecation_reason;

  const InputValue* Argument(std::string_view name) const;
};

class Schema final {
 public:
  Schema() = default;
  Schema(Schema&&) = default;
  Schema& operator=(Schema&&) = default;

  const NamedType* FindType(std::string_view name) const;
  const DirectiveDefinition* FindDirective(std::string_view name) const;
  // Types in definition order (built-in scalars where first used); introspection types excluded.
  const std::vector<const NamedType*>& types() const { return type_order_; }
  const std::vector<DirectiveDefinition>& directives() const { return directives_; }
  const NamedType* query_type() const { return query_; }
  const NamedType* mutation_type() const { return mutation_; }
  const NamedType* subscription_type() const { return subscription_; }
  const std::optional<std::string>& description() const { return description_; }

  // Object types that implement `abstract_type` (an interface) or belong to it (a union).
  std::vector<const NamedType*> PossibleTypes(const NamedType& abstract_type) const;
  bool IsSubType(const NamedType& abstract_type, const NamedType& maybe_sub) const;

 private:
  friend class SchemaBuilder;
  friend class ExecutableSchema;  // binds custom scalars' coercion

  std::vector<std::unique_ptr<NamedType>> owned_;
  std::unordered_map<std::string, const NamedType*, TextHash, std::equal_to<>> by_name_;
  std::vector<const NamedType*> type_order_;
  std::vector<DirectiveDefinition> directives_;
  const NamedType* query_ = nullptr;
  const NamedType* mutation_ = nullptr;
  const NamedType* subscription_ = nullptr;
  std::optional<std::string> description_;
};

// Whether a value of type `sub` can be used where `super` is expected (graphql-js's
// isTypeSubTypeOf): non-null fits nullable, objects fit their interfaces and unions.
bool IsTypeSubTypeOf(const Schema& schema, const WrappedType& sub, const WrappedType& super);

// Every type of `schema` in graphql-js's type map order, introspection types included: each
// type the SDL defines followed by the specified scalars it first references, then what the
// root types, the directives' arguments and the introspection types reference.
std::vector<const NamedType*> TypeMapOrder(const Schema& schema);

// True for the five scalars of the specification.
bool IsSpecifiedScalar(std::string_view name);
// True for @include, @skip, @deprecated, @specifiedBy and @oneOf.
bool IsSpecifiedDirective(std::string_view name);

}  // namespace styrmin::graphql
