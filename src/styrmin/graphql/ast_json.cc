#include "styrmin/graphql/ast_json.h"

#include <string>
#include <utility>

namespace styrmin::graphql {
namespace {

Json NameJson(const Name& n) { return {{"kind", "Name"}, {"value", n.value}}; }
Json NamedTypeJson(const Name& n) { return {{"kind", "NamedType"}, {"name", NameJson(n)}}; }

Json StringJson(const StringValue& s) {
  return {{"kind", "StringValue"}, {"value", s.value}, {"block", s.block}};
}

Json ValueJson(const Value& v) {
  switch (v.kind) {
    case Value::Kind::kVariable:
      return {{"kind", "Variable"}, {"name", {{"kind", "Name"}, {"value", v.text}}}};
    case Value::Kind::kInt:
      return {{"kind", "IntValue"}, {"value", v.text}};
    case Value::Kind::kFloat:
      return {{"kind", "FloatValue"}, {"value", v.text}};
    case Value::Kind::kString:
      return {{"kind", "StringValue"}, {"value", v.text}, {"block", v.block}};
    case Value::Kind::kBoolean:
      return {{"kind", "BooleanValue"}, {"value", v.boolean}};
    case Value::Kind::kNull:
      return {{"kind", "NullValue"}};
    case Value::Kind::kEnum:
      return {{"kind", "EnumValue"}, {"value", v.text}};
    case Value::Kind::kList: {
      Json values = Json::array();
      for (const auto& item : v.list) values.push_back(ValueJson(item));
      return {{"kind", "ListValue"}, {"values", std::move(values)}};
    }
    case Value::Kind::kObject: {
      Json fields = Json::array();
      for (const auto& f : v.fields) {
        fields.push_back(
            {{"kind", "ObjectField"}, {"name", NameJson(f.name)}, {"value", ValueJson(f.value)}});
      }
      return {{"kind", "ObjectValue"}, {"fields", std::move(fields)}};
    }
  }
  return nullptr;
}

Json TypeJson(const TypeRef& t) {
  switch (t.kind) {
    case TypeRef::Kind::kNamed:
      return NamedTypeJson(t.name);
    case TypeRef::Kind::kList:
      return {{"kind", "ListType"}, {"type", TypeJson(*t.of)}};
    case TypeRef::Kind::kNonNull:
      return {{"kind", "NonNullType"}, {"type", TypeJson(*t.of)}};
  }
  return nullptr;
}

// Sets `key` to the JSON of each item, unless there are none (graphql-js leaves it undefined).
template <typename T, typename F>
void SetList(Json& node, const char* key, const std::vector<T>& items, F to_json) {
  if (items.empty()) return;
  Json out = Json::array();
  for (const auto& item : items) out.push_back(to_json(item));
  node[key] = std::move(out);
}

Json ArgumentJson(const Argument& a) {
  return {{"kind", "Argument"}, {"name", NameJson(a.name)}, {"value", ValueJson(a.value)}};
}

Json DirectiveJson(const Directive& d) {
  Json node = {{"kind", "Directive"}, {"name", NameJson(d.name)}};
  SetList(node, "arguments", d.arguments, ArgumentJson);
  return node;
}

void SetDescription(Json& node, const std::optional<StringValue>& description) {
  if (description) node["description"] = StringJson(*description);
}

Json SelectionSetJson(const std::vector<Selection>& selections);

Json SelectionJson(const Selection& s) {
  Json node;
  switch (s.kind) {
    case Selection::Kind::kField:
      node = {{"kind", "Field"}, {"name", NameJson(s.name)}};
      if (s.alias) node["alias"] = NameJson(*s.alias);
      SetList(node, "arguments", s.arguments, ArgumentJson);
      break;
    case Selection::Kind::kFragmentSpread:
      node = {{"kind", "FragmentSpread"}, {"name", NameJson(s.name)}};
      break;
    case Selection::Kind::kInlineFragment:
      node = {{"kind", "InlineFragment"}};
      if (s.type_condition) node["typeCondition"] = NamedTypeJson(*s.type_condition);
      break;
  }
  SetList(node, "directives", s.directives, DirectiveJson);
  if (s.has_selection_set) node["selectionSet"] = SelectionSetJson(s.selections);
  return node;
}

Json SelectionSetJson(const std::vector<Selection>& selections) {
  Json list = Json::array();
  for (const auto& s : selections) list.push_back(SelectionJson(s));
  return {{"kind", "SelectionSet"}, {"selections", std::move(list)}};
}

Json InputValueJson(const InputValueDefinition& v) {
  Json node = {
      {"kind", "InputValueDefinition"}, {"name", NameJson(v.name)}, {"type", TypeJson(v.type)}};
  SetDescription(node, v.description);
  if (v.default_value) node["defaultValue"] = ValueJson(*v.default_value);
  SetList(node, "directives", v.directives, DirectiveJson);
  return node;
}

Json FieldDefinitionJson(const FieldDefinition& f) {
  Json node = {{"kind", "FieldDefinition"}, {"name", NameJson(f.name)}, {"type", TypeJson(f.type)}};
  SetDescription(node, f.description);
  SetList(node, "arguments", f.arguments, InputValueJson);
  SetList(node, "directives", f.directives, DirectiveJson);
  return node;
}

Json EnumValueJson(const EnumValueDefinition& v) {
  Json node = {{"kind", "EnumValueDefinition"}, {"name", NameJson(v.name)}};
  SetDescription(node, v.description);
  SetList(node, "directives", v.directives, DirectiveJson);
  return node;
}

Json OperationTypeJson(const OperationTypeDefinition& d) {
  return {{"kind", "OperationTypeDefinition"},
          {"operation", OperationTypeName(d.operation)},
          {"type", NamedTypeJson(d.type)}};
}

std::string TypeSystemKind(const TypeSystemDefinition& d) {
  using Kind = TypeSystemDefinition::Kind;
  std::string base;
  switch (d.kind) {
    case Kind::kSchema:
      base = "Schema";
      break;
    case Kind::kScalar:
      base = "ScalarType";
      break;
    case Kind::kObject:
      base = "ObjectType";
      break;
    case Kind::kInterface:
      base = "InterfaceType";
      break;
    case Kind::kUnion:
      base = "UnionType";
      break;
    case Kind::kEnum:
      base = "EnumType";
      break;
    case Kind::kInputObject:
      base = "InputObjectType";
      break;
    case Kind::kDirective:
      base = "Directive";
      break;
  }
  return base + (d.extension ? "Extension" : "Definition");
}

Json TypeSystemJson(const TypeSystemDefinition& d) {
  using Kind = TypeSystemDefinition::Kind;
  Json node = {{"kind", TypeSystemKind(d)}};
  SetDescription(node, d.description);
  if (d.kind != Kind::kSchema) node["name"] = NameJson(d.name);
  SetList(node, "interfaces", d.interfaces, NamedTypeJson);
  SetList(node, "directives", d.directives, DirectiveJson);
  SetList(node, "fields", d.fields, FieldDefinitionJson);
  SetList(node, d.kind == Kind::kDirective ? "arguments" : "fields", d.input_fields,
          InputValueJson);
  SetList(node, "types", d.union_members, NamedTypeJson);
  SetList(node, "values", d.enum_values, EnumValueJson);
  SetList(node, "operationTypes", d.operation_types, OperationTypeJson);
  if (d.kind == Kind::kDirective && !d.extension) {
    node["repeatable"] = d.repeatable;
    Json locations = Json::array();
    for (const auto& l : d.locations) locations.push_back(NameJson(l));
    node["locations"] = std::move(locations);
  }
  return node;
}

struct DefinitionJson {
  Json operator()(const OperationDefinition& op) const {
    Json node = {{"kind", "OperationDefinition"},
                 {"operation", OperationTypeName(op.operation)},
                 {"selectionSet", SelectionSetJson(op.selections)}};
    SetDescription(node, op.description);
    if (op.name) node["name"] = NameJson(*op.name);
    SetList(node, "variableDefinitions", op.variables, [](const VariableDefinition& v) {
      Json def = {
          {"kind", "VariableDefinition"},
          {"variable",
           {{"kind", "Variable"}, {"name", {{"kind", "Name"}, {"value", v.variable.value}}}}},
          {"type", TypeJson(v.type)}};
      SetDescription(def, v.description);
      if (v.default_value) def["defaultValue"] = ValueJson(*v.default_value);
      SetList(def, "directives", v.directives, DirectiveJson);
      return def;
    });
    SetList(node, "directives", op.directives, DirectiveJson);
    return node;
  }
  Json operator()(const FragmentDefinition& f) const {
    Json node = {{"kind", "FragmentDefinition"},
                 {"name", NameJson(f.name)},
                 {"typeCondition", NamedTypeJson(f.type_condition)},
                 {"selectionSet", SelectionSetJson(f.selections)}};
    SetDescription(node, f.description);
    SetList(node, "directives", f.directives, DirectiveJson);
    return node;
  }
  Json operator()(const TypeSystemDefinition& d) const { return TypeSystemJson(d); }
};

}  // namespace

Json AstToJson(const Document& document) {
  Json definitions = Json::array();
  for (const auto& d : document.definitions) definitions.push_back(std::visit(DefinitionJson{}, d));
  return {{"kind", "Document"}, {"definitions", std::move(definitions)}};
}

}  // namespace styrmin::graphql
