#include "styrmin/graphql/schema.h"

#include <algorithm>
#include <cstdint>
#include <cstring>
#include <unordered_set>
#include <vector>

#include "styrmin/graphql/introspection.h"

namespace styrmin::graphql {

WrappedType WrappedType::Unwrapped() const {
  WrappedType inner = *this;
  if (!inner.wrappers.empty()) inner.wrappers.erase(inner.wrappers.begin());
  return inner;
}

std::string WrappedType::ToString() const {
  std::string out = named == nullptr ? "?" : named->name;
  for (auto it = wrappers.rbegin(); it != wrappers.rend(); ++it) {
    if (*it == Wrapper::kList) {
      out.insert(0, 1, '[');
      out += ']';
    } else {
      out += '!';
    }
  }
  return out;
}

namespace {
// Whether the first and the last sizeof(Word) bytes of `a` and `b` are equal: all of them
// when sizeof(Word) <= n <= 2 * sizeof(Word), as the two loads overlap.
template <typename Word>
bool SameEnds(const char* a, const char* b, std::size_t n) {
  Word a0 = 0, a1 = 0, b0 = 0, b1 = 0;
  std::memcpy(&a0, a, sizeof(Word));
  std::memcpy(&b0, b, sizeof(Word));
  std::memcpy(&a1, a + n - sizeof(Word), sizeof(Word));
  std::memcpy(&b1, b + n - sizeof(Word), sizeof(Word));
  return ((a0 ^ b0) | (a1 ^ b1)) == 0;
}

// Whether two texts of one size are equal. Names are short: up to 16 bytes, two overlapping
// word loads per side decide, without a call to memcmp.
bool SameText(const char* a, const char* b, std::size_t n) {
  if (n >= 8 && n <= 16) return SameEnds<std::uint64_t>(a, b, n);
  if (n >= 4 && n < 8) return SameEnds<std::uint32_t>(a, b, n);
  if (n < 4) {
    for (std::size_t i = 0; i < n; ++i) {
      if (a[i] != b[i]) return false;
    }
    return true;
  }
  return std::memcmp(a, b, n) == 0;
}

// Execution looks up an enum value for every one a response carries, and validation a field
// for every selection: the size and first letter rule out most names before their text is
// compared.
template <typename T>
const T* FindByName(const std::vector<T>& items, std::string_view name) {
  for (const auto& item : items) {
    if (item.name.size() == name.size() && (name.empty() || item.name.front() == name.front()) &&
        SameText(item.name.data(), name.data(), name.size())) {
      return &item;
    }
  }
  return nullptr;
}
}  // namespace

const InputValue* Field::Argument(std::string_view n) const { return FindByName(arguments, n); }
const InputValue* DirectiveDefinition::Argument(std::string_view n) const {
  return FindByName(arguments, n);
}
const Field* NamedType::FindField(std::string_view n) const { return FindByName(fields, n); }
const InputValue* NamedType::FindInputField(std::string_view n) const {
  return FindByName(input_fields, n);
}
const EnumValue* NamedType::FindEnumValue(std::string_view n) const {
  return FindByName(enum_values, n);
}

const NamedType* Schema::FindType(std::string_view name) const {
  const auto it = by_name_.find(name);
  return it == by_name_.end() ? nullptr : it->second;
}

const DirectiveDefinition* Schema::FindDirective(std::string_view name) const {
  return FindByName(directives_, name);
}

std::vector<const NamedType*> Schema::PossibleTypes(const NamedType& abstract_type) const {
  if (abstract_type.kind == TypeKind::kUnion) return abstract_type.members;
  std::vector<const NamedType*> out;
  for (const NamedType* t : type_order_) {
    if (t->kind != TypeKind::kObject) continue;
    if (std::find(t->interfaces.begin(), t->interfaces.end(), &abstract_type) !=
        t->interfaces.end()) {
      out.push_back(t);
    }
  }
  return out;
}

bool Schema::IsSubType(const NamedType& abstract_type, const NamedType& maybe_sub) const {
  if (abstract_type.kind == TypeKind::kUnion) {
    return std::find(abstract_type.members.begin(), abstract_type.members.end(), &maybe_sub) !=
           abstract_type.members.end();
  }
  return std::find(maybe_sub.interfaces.begin(), maybe_sub.interfaces.end(), &abstract_type) !=
         maybe_sub.interfaces.end();
}

SpecifiedScalar SpecifiedScalarByName(std::string_view name) {
  if (name == "Int") return SpecifiedScalar::kInt;
  if (name == "Float") return SpecifiedScalar::kFloat;
  if (name == "String") return SpecifiedScalar::kString;
  if (name == "Boolean") return SpecifiedScalar::kBoolean;
  if (name == "ID") return SpecifiedScalar::kId;
  return SpecifiedScalar::kNone;
}

bool IsSpecifiedScalar(std::string_view name) {
  return SpecifiedScalarByName(name) != SpecifiedScalar::kNone;
}

bool IsSpecifiedDirective(std::string_view name) {
  return name == "include" || name == "skip" || name == "deprecated" || name == "specifiedBy" ||
         name == "oneOf";
}

bool IsTypeSubTypeOf(const Schema& schema, const WrappedType& sub, const WrappedType& super) {
  if (sub == super) return true;
  if (super.IsNonNull()) {
    return sub.IsNonNull() && IsTypeSubTypeOf(schema, sub.Unwrapped(), super.Unwrapped());
  }
  if (sub.IsNonNull()) return IsTypeSubTypeOf(schema, sub.Unwrapped(), super);
  if (super.IsList()) {
    return sub.IsList() && IsTypeSubTypeOf(schema, sub.Unwrapped(), super.Unwrapped());
  }
  if (sub.IsList()) return false;
  return super.named->IsAbstract() &&
         (sub.named->kind == TypeKind::kInterface || sub.named->kind == TypeKind::kObject) &&
         schema.IsSubType(*super.named, *sub.named);
}

namespace {

// graphql-js's type map order: each type the schema defines, followed by the types it
// references that are not defined in the SDL (specified scalars) as a depth-first walk finds
// them; then what the root types, the directives' arguments and the introspection types
// reference. The walk does not enter defined types, which take their own turn.
void CollectReferencedTypes(const NamedType* type, std::vector<const NamedType*>& out,
                            std::unordered_set<const NamedType*>& seen);

void CollectChildren(const NamedType* type, std::vector<const NamedType*>& out,
                     std::unordered_set<const NamedType*>& seen) {
  for (const NamedType* member : type->members) CollectReferencedTypes(member, out, seen);
  for (const NamedType* interface : type->interfaces) CollectReferencedTypes(interface, out, seen);
  for (const auto& field : type->fields) {
    CollectReferencedTypes(field.type.named, out, seen);
    for (const auto& arg : field.arguments) CollectReferencedTypes(arg.type.named, out, seen);
  }
  for (const auto& field : type->input_fields) CollectReferencedTypes(field.type.named, out, seen);
}

void CollectReferencedTypes(const NamedType* type, std::vector<const NamedType*>& out,
                            std::unordered_set<const NamedType*>& seen) {
  if (type == nullptr || !seen.insert(type).second) return;
  out.push_back(type);
  CollectChildren(type, out, seen);
}

}  // namespace

std::vector<const NamedType*> TypeMapOrder(const Schema& schema) {
  std::vector<const NamedType*> defined;
  for (const NamedType* type : schema.types()) {
    if (!IsSpecifiedScalar(type->name) && !IsIntrospectionTypeName(type->name)) {
      defined.push_back(type);
    }
  }
  std::unordered_set<const NamedType*> seen(defined.begin(), defined.end());
  std::vector<const NamedType*> out;
  for (const NamedType* type : defined) {
    out.push_back(type);
    CollectChildren(type, out, seen);
  }
  CollectReferencedTypes(schema.query_type(), out, seen);
  CollectReferencedTypes(schema.mutation_type(), out, seen);
  CollectReferencedTypes(schema.subscription_type(), out, seen);
  for (const auto& directive : schema.directives()) {
    for (const auto& arg : directive.arguments) CollectReferencedTypes(arg.type.named, out, seen);
  }
  CollectReferencedTypes(schema.FindType("__Schema"), out, seen);
  return out;
}

}  // namespace styrmin::graphql
