// The GraphQL abstract syntax tree, for executable documents and the type system language.
//
// Nodes own their children by value; every node keeps the byte offset where it starts in its
// Source (`Source::LocationOf` turns it into a line and column). Lists that the grammar makes
// optional (arguments, directives, variable definitions, interfaces, fields...) are empty when
// absent: the grammar never allows them present but empty. Selection sets, list values and
// object values may be empty.
#pragma once

#include <cstddef>
#include <memory>
#include <optional>
#include <string>
#include <variant>
#include <vector>

namespace styrmin::graphql {

struct Name {
  std::string value;
  std::size_t offset = 0;
};

struct ObjectField;

struct Value {
  enum class Kind { kVariable, kInt, kFloat, kString, kBoolean, kNull, kEnum, kList, kObject };
  Kind kind = Kind::kNull;
  std::size_t offset = 0;
  // kVariable: the name without "$"; kInt/kFloat: as written; kString: decoded; kEnum: name.
  std::string text;
  bool boolean = false;             // kBoolean
  bool block = false;               // kString written as a block string
  std::vector<Value> list;          // kList
  std::vector<ObjectField> fields;  // kObject
};

struct ObjectField {
  Name name;
  Value value;
  std::size_t offset = 0;
};

struct Argument {
  Name name;
  Value value;
  std::size_t offset = 0;
};

struct Directive {
  Name name;
  std::vector<Argument> arguments;
  std::size_t offset = 0;
};

struct TypeRef {
  enum class Kind { kNamed, kList, kNonNull };
  Kind kind = Kind::kNamed;
  Name name;                    // kNamed
  std::unique_ptr<TypeRef> of;  // kList, kNonNull
  std::size_t offset = 0;
};

struct Selection {
  enum class Kind { kField, kFragmentSpread, kInlineFragment };
  Kind kind = Kind::kField;
  std::optional<Name> alias;           // kField
  Name name;                           // kField, kFragmentSpread
  std::vector<Argument> arguments;     // kField
  std::optional<Name> type_condition;  // kInlineFragment
  std::vector<Directive> directives;
  bool has_selection_set = false;  // kField may omit it; kInlineFragment never does
  std::vector<Selection> selections;
  std::size_t selection_set_offset = 0;
  std::size_t offset = 0;
};

enum class OperationType { kQuery, kMutation, kSubscription };

struct StringValue {
  std::string value;
  bool block = false;
  std::size_t offset = 0;
};

struct VariableDefinition {
  std::optional<StringValue> description;
  Name variable;  // without "$"; offset is the "$"
  TypeRef type;
  std::optional<Value> default_value;
  std::vector<Directive> directives;
  std::size_t offset = 0;
};

struct OperationDefinition {
  OperationType operation = OperationType::kQuery;
  bool shorthand = false;  // `{ ... }` with no keyword
  std::optional<StringValue> description;
  std::optional<Name> name;
  std::vector<VariableDefinition> variables;
  std::vector<Directive> directives;
  std::vector<Selection> selections;
  std::size_t selection_set_offset = 0;
  std::size_t offset = 0;
};

struct FragmentDefinition {
  std::optional<StringValue> description;
  Name name;
  Name type_condition;
  std::vector<Directive> directives;
  std::vector<Selection> selections;
  std::size_t selection_set_offset = 0;
  std::size_t offset = 0;
};

struct InputValueDefinition {
  std::optional<StringValue> description;
  Name name;
  TypeRef type;
  std::optional<Value> default_value;
  std::vector<Directive> directives;
  std::size_t offset = 0;
};

struct FieldDefinition {
  std::optional<StringValue> description;
  Name name;
  std::vector<InputValueDefinition> arguments;
  TypeRef type;
  std::vector<Directive> directives;
  std::size_t offset = 0;
};

struct EnumValueDefinition {
  std::optional<StringValue> description;
  Name name;
  std::vector<Directive> directives;
  std::size_t offset = 0;
};

struct OperationTypeDefinition {
  OperationType operation = OperationType::kQuery;
  Name type;
  std::size_t offset = 0;
};

// Every type system definition and extension: `kind` says which, and which members apply.
struct TypeSystemDefinition {
  enum class Kind {
    kSchema,
    kScalar,
    kObject,
    kInterface,
    kUnion,
    kEnum,
    kInputObject,
    kDirective,
  };
  Kind kind = Kind::kScalar;
  bool extension = false;
  std::optional<StringValue> description;  // definitions only
  Name name;                               // all but kSchema
  std::vector<Name> interfaces;            // kObject, kInterface
  std::vector<Directive> directives;
  std::vector<FieldDefinition> fields;                   // kObject, kInterface
  std::vector<InputValueDefinition> input_fields;        // kInputObject; arguments of kDirective
  std::vector<Name> union_members;                       // kUnion
  std::vector<EnumValueDefinition> enum_values;          // kEnum
  std::vector<OperationTypeDefinition> operation_types;  // kSchema
  bool repeatable = false;                               // kDirective
  std::vector<Name> locations;                           // kDirective definitions
  std::size_t offset = 0;
};

using Definition = std::variant<OperationDefinition, FragmentDefinition, TypeSystemDefinition>;

struct Document {
  std::vector<Definition> definitions;
};

// "query", "mutation" or "subscription".
const char* OperationTypeName(OperationType type);
// A type reference as written: "[Int!]!".
std::string TypeRefToString(const TypeRef& type);

}  // namespace styrmin::graphql
