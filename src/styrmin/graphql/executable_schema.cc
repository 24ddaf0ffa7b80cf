// ExecutableSchema: resolver bindings, the default resolver and the introspection resolvers
// (spec section 4.2) that every schema answers with.
#include <algorithm>
#include <unordered_set>

#include "styrmin/graphql/introspection.h"
#include "styrmin/graphql/print_schema.h"
#include "styrmin/graphql/resolve.h"

namespace styrmin::graphql {
namespace {

// A __Type: a named type, or one of the list/non-null wrappers of a field's type.
struct IntrospectedType {
  const NamedType* named = nullptr;
  const WrappedType* wrapped = nullptr;  // null for a named type
  std::size_t wrapper = 0;
};

FieldValue TypeValue(const NamedType* named) {
  if (named == nullptr) return FieldValue::Null();
  return FieldValue::Object(std::make_shared<const IntrospectedType>(IntrospectedType{named}));
}

FieldValue TypeValue(const WrappedType& type, std::size_t wrapper) {
  if (wrapper >= type.wrappers.size()) return TypeValue(type.named);
  return FieldValue::Object(
      std::make_shared<const IntrospectedType>(IntrospectedType{type.named, &type, wrapper}));
}

bool IsWrapper(const IntrospectedType& t) { return t.wrapped != nullptr; }

FieldValue OptionalString(const std::optional<std::string>& s) {
  return s ? FieldValue::String(*s) : FieldValue::Null();
}

bool IncludeDeprecated(const ResolveInfo& info) {
  const auto it = info.args().find("includeDeprecated");
  return it != info.args().end() && it->is_boolean() && it->get<bool>();
}

const char* KindName(TypeKind kind) {
  switch (kind) {
    case TypeKind::kScalar:
      return "SCALAR";
    case TypeKind::kObject:
      return "OBJECT";
    case TypeKind::kInterface:
      return "INTERFACE";
    case TypeKind::kUnion:
      return "UNION";
    case TypeKind::kEnum:
      return "ENUM";
    case TypeKind::kInputObject:
      return "INPUT_OBJECT";
  }
  return "SCALAR";
}

template <typename T>
FieldValue ListOf(const std::vector<T>& items, bool include_deprecated) {
  std::vector<FieldValue> out;
  out.reserve(items.size());
  for (const auto& item : items) {
    if (!include_deprecated && item.deprecation_reason) continue;
    out.push_back(FieldValue::Object(&item));
  }
  return FieldValue::List(std::move(out));
}

FieldValue TypeList(const std::vector<const NamedType*>& types) {
  std::vector<FieldValue> out;
  out.reserve(types.size());
  for (const NamedType* t : types) out.push_back(TypeValue(t));
  return FieldValue::List(std::move(out));
}

}  // namespace

ExecutableSchema::ExecutableSchema(Schema schema)
    : schema_(std::move(schema)), default_resolver_(&ExecutableSchema::ResolveFromJson) {
  const auto non_null = [](const NamedType* t) {
    return WrappedType{t, {WrappedType::Wrapper::kNonNull}};
  };
  typename_field_.name = "__typename";
  typename_field_.type = non_null(schema_.FindType("String"));
  schema_field_.name = "__schema";
  schema_field_.type = non_null(schema_.FindType("__Schema"));
  type_field_.name = "__type";
  type_field_.type = WrappedType{schema_.FindType("__Type"), {}};
  InputValue name_arg;
  name_arg.name = "name";
  name_arg.type = non_null(schema_.FindType("String"));
  type_field_.arguments.push_back(std::move(name_arg));
  BindIntrospection();
}

Status ExecutableSchema::Bind(std::string_view type, std::string_view field,
                              FieldResolver resolver) {
  const NamedType* t = schema_.FindType(type);
  if (t == nullptr) return InvalidArgument("no type \"" + std::string(type) + "\" in the schema");
  const Field* f = t->FindField(field);
  if (f == nullptr) {
    return InvalidArgument("type \"" + std::string(type) + "\" has no field \"" +
                           std::string(field) + "\"");
  }
  resolvers_[f] = std::move(resolver);
  return {};
}

Status ExecutableSchema::BindWriter(std::string_view type, std::string_view field,
                                    FieldWriter writer, const std::type_info& object_type) {
  const NamedType* t = schema_.FindType(type);
  const Field* f = t == nullptr ? nullptr : t->FindField(field);
  if (f == nullptr) {
    return InvalidArgument("type \"" + std::string(type) + "\" has no field \"" +
                           std::string(field) + "\"");
  }
  const bool list = std::find(f->type.wrappers.begin(), f->type.wrappers.end(),
                              WrappedType::Wrapper::kList) != f->type.wrappers.end();
  if (list ||
      (f->type.named->kind != TypeKind::kScalar && f->type.named->kind != TypeKind::kEnum)) {
    return InvalidArgument("field \"" + std::string(type) + "." + std::string(field) +
                           "\" of type \"" + f->type.ToString() +
                           "\" is not a scalar or enum; bind a resolver");
  }
  writers_[f] = Writer{writer, &object_type};
  return {};
}

const ExecutableSchema::Writer* ExecutableSchema::WriterFor(const Field* field) const {
  const auto it = writers_.find(field);
  return it == writers_.end() ? nullptr : &it->second;
}

Status ExecutableSchema::BindSubscription(std::string_view field, SubscribeResolver resolver) {
  const NamedType* t = schema_.subscription_type();
  const Field* f = t == nullptr ? nullptr : t->FindField(field);
  if (f == nullptr) {
    return InvalidArgument("the subscription type has no field \"" + std::string(field) + "\"");
  }
  subscribe_resolvers_[f] = std::move(resolver);
  return {};
}

const SubscribeResolver* ExecutableSchema::SubscribeResolverFor(const Field* field) const {
  const auto it = subscribe_resolvers_.find(field);
  return it == subscribe_resolvers_.end() ? nullptr : &it->second;
}

Status ExecutableSchema::BindScalar(std::string_view scalar, ScalarCoercion coercion) {
  const auto it = schema_.by_name_.find(scalar);
  if (it == schema_.by_name_.end() || it->second->kind != TypeKind::kScalar ||
      IsSpecifiedScalar(scalar)) {
    return InvalidArgument("\"" + std::string(scalar) + "\" is not a custom scalar of the schema");
  }
  // The schema owns its types; binding happens before the schema is shared.
  const_cast<NamedType*>(it->second)->coercion =
      std::make_shared<const ScalarCoercion>(std::move(coercion));
  return {};
}

Status ExecutableSchema::BindTypeResolver(std::string_view type, TypeResolver resolver) {
  const NamedType* t = schema_.FindType(type);
  if (t == nullptr || !t->IsAbstract()) {
    return InvalidArgument("\"" + std::string(type) + "\" is not an interface or union type");
  }
  type_resolvers_[t] = std::move(resolver);
  return {};
}

const FieldResolver& ExecutableSchema::ResolverFor(const Field* field) const {
  const auto it = resolvers_.find(field);
  return it == resolvers_.end() ? default_resolver_ : it->second;
}

const TypeResolver* ExecutableSchema::TypeResolverFor(const NamedType* type) const {
  const auto it = type_resolvers_.find(type);
  return it == type_resolvers_.end() ? nullptr : &it->second;
}

FieldValue ExecutableSchema::ResolveFromJson(const ResolveInfo& info) {
  const FieldValue& parent = info.parent();
  if (parent.kind() != FieldValue::Kind::kJson || !parent.json().is_object()) {
    return FieldValue::Null();
  }
  const auto it = parent.json().find(info.field().name);
  if (it == parent.json().end()) return FieldValue::Null();
  return parent.JsonMember(*it);
}

void ExecutableSchema::BindIntrospection() {
  const auto bind = [this](std::string_view type, std::string_view field, FieldResolver r) {
    const Status status = Bind(type, field, std::move(r));
    STYRMIN_CHECK(status.has_value(), "introspection types are built into every schema");
  };
  using Info = const ResolveInfo&;
  // __type(name:) on the query type.
  resolvers_[&type_field_] = [](Info info) {
    return TypeValue(info.schema().FindType(info.args()["name"].get<std::string>()));
  };

  bind("__Schema", "description",
       [](Info info) { return OptionalString(info.Parent<Schema>().description()); });
  bind("__Schema", "types",
       [](Info info) { return TypeList(TypeMapOrder(info.Parent<Schema>())); });
  bind("__Schema", "queryType",
       [](Info info) { return TypeValue(info.Parent<Schema>().query_type()); });
  bind("__Schema", "mutationType",
       [](Info info) { return TypeValue(info.Parent<Schema>().mutation_type()); });
  bind("__Schema", "subscriptionType",
       [](Info info) { return TypeValue(info.Parent<Schema>().subscription_type()); });
  bind("__Schema", "directives", [](Info info) {
    return ListOf(info.Parent<Schema>().directives(), IncludeDeprecated(info));
  });

  bind("__Type", "kind", [](Info info) {
    const auto& t = info.Parent<IntrospectedType>();
    if (IsWrapper(t)) {
      return FieldValue::Enum(
          t.wrapped->wrappers[t.wrapper] == WrappedType::Wrapper::kList ? "LIST" : "NON_NULL");
    }
    return FieldValue::Enum(KindName(t.named->kind));
  });
  bind("__Type", "name", [](Info info) {
    const auto& t = info.Parent<IntrospectedType>();
    return IsWrapper(t) ? FieldValue::Null() : FieldValue::String(t.named->name);
  });
  bind("__Type", "description", [](Info info) {
    const auto& t = info.Parent<IntrospectedType>();
    return IsWrapper(t) ? FieldValue::Null() : OptionalString(t.named->description);
  });
  bind("__Type", "specifiedByURL", [](Info info) {
    const auto& t = info.Parent<IntrospectedType>();
    return IsWrapper(t) ? FieldValue::Null() : OptionalString(t.named->specified_by_url);
  });
  bind("__Type", "fields", [](Info info) {
    const auto& t = info.Parent<IntrospectedType>();
    if (IsWrapper(t) ||
        (t.named->kind != TypeKind::kObject && t.named->kind != TypeKind::kInterface)) {
      return FieldValue::Null();
    }
    return ListOf(t.named->fields, IncludeDeprecated(info));
  });
  bind("__Type", "interfaces", [](Info info) {
    const auto& t = info.Parent<IntrospectedType>();
    if (IsWrapper(t) ||
        (t.named->kind != TypeKind::kObject && t.named->kind != TypeKind::kInterface)) {
      return FieldValue::Null();
    }
    return TypeList(t.named->interfaces);
  });
  bind("__Type", "possibleTypes", [](Info info) {
    const auto& t = info.Parent<IntrospectedType>();
    if (IsWrapper(t) || !t.named->IsAbstract()) return FieldValue::Null();
    return TypeList(info.schema().PossibleTypes(*t.named));
  });
  bind("__Type", "enumValues", [](Info info) {
    const auto& t = info.Parent<IntrospectedType>();
    if (IsWrapper(t) || t.named->kind != TypeKind::kEnum) return FieldValue::Null();
    return ListOf(t.named->enum_values, IncludeDeprecated(info));
  });
  bind("__Type", "inputFields", [](Info info) {
    const auto& t = info.Parent<IntrospectedType>();
    if (IsWrapper(t) || t.named->kind != TypeKind::kInputObject) return FieldValue::Null();
    return ListOf(t.named->input_fields, IncludeDeprecated(info));
  });
  bind("__Type", "ofType", [](Info info) {
    const auto& t = info.Parent<IntrospectedType>();
    return IsWrapper(t) ? TypeValue(*t.wrapped, t.wrapper + 1) : FieldValue::Null();
  });
  bind("__Type", "isOneOf", [](Info info) {
    const auto& t = info.Parent<IntrospectedType>();
    if (IsWrapper(t) || t.named->kind != TypeKind::kInputObject) return FieldValue::Null();
    return FieldValue::Bool(t.named->one_of);
  });

  bind("__Field", "name", [](Info info) { return FieldValue::String(info.Parent<Field>().name); });
  bind("__Field", "description",
       [](Info info) { return OptionalString(info.Parent<Field>().description); });
  bind("__Field", "args",
       [](Info info) { return ListOf(info.Parent<Field>().arguments, IncludeDeprecated(info)); });
  bind("__Field", "type", [](Info info) { return TypeValue(info.Parent<Field>().type, 0); });
  bind("__Field", "isDeprecated", [](Info info) {
    return FieldValue::Bool(info.Parent<Field>().deprecation_reason.has_value());
  });
  bind("__Field", "deprecationReason",
       [](Info info) { return OptionalString(info.Parent<Field>().deprecation_reason); });

  bind("__InputValue", "name",
       [](Info info) { return FieldValue::String(info.Parent<InputValue>().name); });
  bind("__InputValue", "description",
       [](Info info) { return OptionalString(info.Parent<InputValue>().description); });
  bind("__InputValue", "type",
       [](Info info) { return TypeValue(info.Parent<InputValue>().type, 0); });
  bind("__InputValue", "defaultValue", [](Info info) {
    const auto& v = info.Parent<InputValue>();
    return v.default_value ? FieldValue::String(PrintValue(*v.default_value)) : FieldValue::Null();
  });
  bind("__InputValue", "isDeprecated", [](Info info) {
    return FieldValue::Bool(info.Parent<InputValue>().deprecation_reason.has_value());
  });
  bind("__InputValue", "deprecationReason",
       [](Info info) { return OptionalString(info.Parent<InputValue>().deprecation_reason); });

  bind("__EnumValue", "name",
       [](Info info) { return FieldValue::String(info.Parent<EnumValue>().name); });
  bind("__EnumValue", "description",
       [](Info info) { return OptionalString(info.Parent<EnumValue>().description); });
  bind("__EnumValue", "isDeprecated", [](Info info) {
    return FieldValue::Bool(info.Parent<EnumValue>().deprecation_reason.has_value());
  });
  bind("__EnumValue", "deprecationReason",
       [](Info info) { return OptionalString(info.Parent<EnumValue>().deprecation_reason); });

  bind("__Directive", "name",
       [](Info info) { return FieldValue::String(info.Parent<DirectiveDefinition>().name); });
  bind("__Directive", "description",
       [](Info info) { return OptionalString(info.Parent<DirectiveDefinition>().description); });
  bind("__Directive", "isRepeatable",
       [](Info info) { return FieldValue::Bool(info.Parent<DirectiveDefinition>().repeatable); });
  bind("__Directive", "locations", [](Info info) {
    std::vector<FieldValue> out;
    for (const auto& l : info.Parent<DirectiveDefinition>().locations) {
      out.push_back(FieldValue::Enum(l));
    }
    return FieldValue::List(std::move(out));
  });
  bind("__Directive", "args", [](Info info) {
    return ListOf(info.Parent<DirectiveDefinition>().arguments, IncludeDeprecated(info));
  });
  bind("__Directive", "isDeprecated", [](Info info) {
    return FieldValue::Bool(info.Parent<DirectiveDefinition>().deprecation_reason.has_value());
  });
  bind("__Directive", "deprecationReason", [](Info info) {
    return OptionalString(info.Parent<DirectiveDefinition>().deprecation_reason);
  });
}

}  // namespace styrmin::graphql
