#include "styrmin/graphql/schema.h"

#include <algorithm>

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
template <typename T>
const T* FindByName(const std::vector<T>& items, std::string_view name) {
  for (const auto& item : items) {
    if (item.name == name) return &item;
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

bool IsSpecifiedScalar(std::string_view name) {
  return name == "Int" || name == "Float" || name == "String" || name == "Boolean" || name == "ID";
}

bool IsSpecifiedDirective(std::string_view name) {
  return name == "include" || name == "skip" || name == "deprecated" || name == "specifiedBy" ||
         name == "oneOf";
}

}  // namespace styrmin::graphql
