#include "styrmin/graphql/build_schema.h"

#include <map>
#include <set>
#include <string>
#include <utility>

#include "styrmin/graphql/introspection.h"
#include "styrmin/graphql/parser.h"
#include "styrmin/graphql/suggest.h"

namespace styrmin::graphql {
namespace {

using Kind = TypeSystemDefinition::Kind;

const char* KindWord(Kind kind) {
  switch (kind) {
    case Kind::kScalar:
      return "scalar";
    case Kind::kObject:
      return "object";
    case Kind::kInterface:
      return "interface";
    case Kind::kUnion:
      return "union";
    case Kind::kEnum:
      return "enum";
    case Kind::kInputObject:
      return "input object";
    case Kind::kSchema:
      return "schema";
    case Kind::kDirective:
      return "directive";
  }
  return "";
}

const char* TypeLocation(Kind kind) {
  switch (kind) {
    case Kind::kSchema:
      return "SCHEMA";
    case Kind::kScalar:
      return "SCALAR";
    case Kind::kObject:
      return "OBJECT";
    case Kind::kInterface:
      return "INTERFACE";
    case Kind::kUnion:
      return "UNION";
    case Kind::kEnum:
      return "ENUM";
    case Kind::kInputObject:
      return "INPUT_OBJECT";
    case Kind::kDirective:
      return "DIRECTIVE_DEFINITION";
  }
  return "";
}

bool IsTypeKind(Kind kind) { return kind != Kind::kSchema && kind != Kind::kDirective; }

// The specified directives as the SDL rules see them: locations, repeatability and required
// arguments.
struct DirectiveInfo {
  std::set<std::string> locations;
  bool repeatable = false;
  std::vector<std::string> arguments;
  std::vector<std::pair<std::string, std::string>> required;  // name, type
};

std::map<std::string, DirectiveInfo> SpecifiedDirectiveInfo() {
  const std::set<std::string> executable = {"FIELD", "FRAGMENT_SPREAD", "INLINE_FRAGMENT"};
  return {
      {"include", {executable, false, {"if"}, {{"if", "Boolean!"}}}},
      {"skip", {executable, false, {"if"}, {{"if", "Boolean!"}}}},
      {"deprecated",
       {{"FIELD_DEFINITION", "ARGUMENT_DEFINITION", "INPUT_FIELD_DEFINITION", "ENUM_VALUE",
         "DIRECTIVE_DEFINITION"},
        false,
        {"reason"},
        {}}},
      {"specifiedBy", {{"SCALAR"}, false, {"url"}, {{"url", "String!"}}}},
      {"oneOf", {{"INPUT_OBJECT"}, false, {}, {}}},
  };
}

const std::vector<std::string>& StandardTypeNames() {
  static const std::vector<std::string> names = {
      "String",    "Int",      "Float",        "Boolean",
      "ID",        "__Schema", "__Directive",  "__DirectiveLocation",
      "__Type",    "__Field",  "__InputValue", "__EnumValue",
      "__TypeKind"};
  return names;
}

bool IsStandardTypeName(const std::string& name) {
  for (const auto& n : StandardTypeNames()) {
    if (n == name) return true;
  }
  return false;
}

// The SDL validation rules of graphql-js (specifiedSDLRules), run in one walk over the
// document in graphql-js's visiting order so that errors come out in its order.
class SdlValidator {
 public:
  explicit SdlValidator(const Document& document) : document_(document) {
    directives_ = SpecifiedDirectiveInfo();
    for (const auto& definition : document.definitions) {
      const auto* d = std::get_if<TypeSystemDefinition>(&definition);
      if (d == nullptr) continue;
      if (IsTypeKind(d->kind) && !d->extension) {
        defined_types_.emplace(d->name.value, d);
        if (std::find(defined_order_.begin(), defined_order_.end(), d->name.value) ==
            defined_order_.end()) {
          defined_order_.push_back(d->name.value);
        }
      }
      if (d->kind == Kind::kDirective && !d->extension) {
        DirectiveInfo info;
        info.repeatable = d->repeatable;
        for (const auto& l : d->locations) info.locations.insert(l.value);
        for (const auto& a : d->input_fields) {
          info.arguments.push_back(a.name.value);
          if (a.type.kind == TypeRef::Kind::kNonNull && !a.default_value) {
            info.required.emplace_back(a.name.value, TypeRefToString(a.type));
          }
        }
        directives_[d->name.value] = std::move(info);
      }
    }
  }

  std::vector<std::string> Run() {
    for (const auto& definition : document_.definitions) {
      if (const auto* d = std::get_if<TypeSystemDefinition>(&definition)) Visit(*d);
    }
    return std::move(errors_);
  }

 private:
  void Report(std::string message) { errors_.push_back(std::move(message)); }

  void Visit(const TypeSystemDefinition& d) {
    switch (d.kind) {
      case Kind::kSchema:
        VisitSchema(d);
        return;
      case Kind::kDirective:
        VisitDirectiveDefinition(d);
        return;
      default:
        VisitType(d);
        return;
    }
  }

  void VisitSchema(const TypeSystemDefinition& d) {
    if (!d.extension) {
      if (seen_schema_definition_) Report("Must provide only one schema definition.");
      seen_schema_definition_ = true;
    }
    for (const auto& op : d.operation_types) {
      const char* name = op.operation == OperationType::kQuery      ? "query"
                         : op.operation == OperationType::kMutation ? "mutation"
                                                                    : "subscription";
      if (!operation_types_.insert(name).second) {
        Report(std::string("There can be only one ") + name + " type in schema.");
      }
    }
    CheckUniquePerLocation(d.directives, schema_directives_);
    VisitEach(d.directives, "SCHEMA");
    for (const auto& op : d.operation_types) VisitNamedType(op.type);
  }

  void VisitDirectiveDefinition(const TypeSystemDefinition& d) {
    if (!d.extension) {
      // UniqueArgumentDefinitionNames, then UniqueDirectiveNames, on entering the node.
      CheckArgumentDefinitions("@" + d.name.value, d.input_fields);
      if (!directive_names_.insert(d.name.value).second) {
        Report("There can be only one directive named \"@" + d.name.value + "\".");
      }
    }
    CheckUniquePerLocation(d.directives, directive_directives_[d.name.value]);
    for (const auto& a : d.input_fields) VisitInputValue(a, "ARGUMENT_DEFINITION");
    VisitEach(d.directives, "DIRECTIVE_DEFINITION");
  }

  void VisitType(const TypeSystemDefinition& d) {
    const std::string& name = d.name.value;
    // Rules that act on entering the definition, in graphql-js's rule order.
    if (!d.extension && !type_names_.insert(name).second) {
      Report("There can be only one type named \"" + name + "\".");
    }
    if (d.kind == Kind::kEnum) {
      auto& seen = enum_values_[name];
      for (const auto& v : d.enum_values) {
        if (!seen.insert(v.name.value).second) {
          Report("Enum value \"" + name + "." + v.name.value + "\" can only be defined once.");
        }
      }
    }
    if (d.kind == Kind::kObject || d.kind == Kind::kInterface || d.kind == Kind::kInputObject) {
      auto& seen = field_names_[name];
      auto check = [&](const std::string& field) {
        if (!seen.insert(field).second) {
          Report("Field \"" + name + "." + field + "\" can only be defined once.");
        }
      };
      for (const auto& f : d.fields) check(f.name.value);
      for (const auto& f : d.input_fields) check(f.name.value);
    }
    for (const auto& f : d.fields) CheckArgumentDefinitions(name + "." + f.name.value, f.arguments);
    CheckUniquePerLocation(d.directives, type_directives_[name]);
    if (d.extension) CheckExtension(d);

    // Children, in graphql-js's key order.
    for (const auto& i : d.interfaces) VisitNamedType(i);
    VisitEach(d.directives, TypeLocation(d.kind));
    for (const auto& f : d.fields) {
      std::map<std::string, const Directive*> seen;
      CheckUniquePerLocation(f.directives, seen);
      for (const auto& a : f.arguments) VisitInputValue(a, "ARGUMENT_DEFINITION");
      VisitTypeRef(f.type);
      VisitEach(f.directives, "FIELD_DEFINITION");
    }
    for (const auto& f : d.input_fields) VisitInputValue(f, "INPUT_FIELD_DEFINITION");
    for (const auto& m : d.union_members) VisitNamedType(m);
    for (const auto& v : d.enum_values) {
      std::map<std::string, const Directive*> seen;
      CheckUniquePerLocation(v.directives, seen);
      VisitEach(v.directives, "ENUM_VALUE");
    }
  }

  void CheckExtension(const TypeSystemDefinition& d) {
    const auto it = defined_types_.find(d.name.value);
    if (it == defined_types_.end()) {
      Report("Cannot extend type \"" + d.name.value + "\" because it is not defined." +
             DidYouMean(SuggestionList(d.name.value, defined_order_)));
      return;
    }
    if (it->second->kind != d.kind) {
      Report(std::string("Cannot extend non-") + KindWord(d.kind) + " type \"" + d.name.value +
             "\".");
    }
  }

  void CheckArgumentDefinitions(const std::string& parent,
                                const std::vector<InputValueDefinition>& args) {
    std::set<std::string> seen;
    std::set<std::string> reported;
    for (const auto& a : args) {
      if (!seen.insert(a.name.value).second && reported.insert(a.name.value).second) {
        Report("Argument \"" + parent + "(" + a.name.value + ":)\" can only be defined once.");
      }
    }
  }

  void VisitInputValue(const InputValueDefinition& v, const char* location) {
    std::map<std::string, const Directive*> seen;
    CheckUniquePerLocation(v.directives, seen);
    VisitTypeRef(v.type);
    if (v.default_value) VisitValue(*v.default_value);
    VisitEach(v.directives, location);
  }

  void VisitTypeRef(const TypeRef& t) {
    if (t.kind == TypeRef::Kind::kNamed) {
      VisitNamedType(t.name);
    } else {
      VisitTypeRef(*t.of);
    }
  }

  void VisitNamedType(const Name& n) {
    if (defined_types_.contains(n.value) || IsStandardTypeName(n.value)) return;
    std::vector<std::string> options = StandardTypeNames();
    options.insert(options.end(), defined_order_.begin(), defined_order_.end());
    Report("Unknown type \"" + n.value + "\"." + DidYouMean(SuggestionList(n.value, options)));
  }

  // UniqueDirectivesPerLocation acts on entering the node that carries the directives; a type
  // and its extensions share one `seen` map, as do a schema and its extensions.
  void CheckUniquePerLocation(const std::vector<Directive>& directives,
                              std::map<std::string, const Directive*>& seen) {
    for (const auto& d : directives) {
      const auto info = directives_.find(d.name.value);
      if (info == directives_.end() || info->second.repeatable) continue;
      if (!seen.emplace(d.name.value, &d).second) {
        Report("The directive \"@" + d.name.value + "\" can only be used once at this location.");
      }
    }
  }

  void VisitEach(const std::vector<Directive>& directives, const char* location) {
    for (const auto& d : directives) VisitDirective(d, location);
  }

  void VisitDirective(const Directive& d, const char* location) {
    const auto info = directives_.find(d.name.value);
    // KnownDirectives, then KnownArgumentNamesOnDirectives and UniqueArgumentNames.
    if (info == directives_.end()) {
      Report("Unknown directive \"@" + d.name.value + "\".");
    } else if (!info->second.locations.contains(location)) {
      Report("Directive \"@" + d.name.value + "\" may not be used on " + location + ".");
    }
    if (info != directives_.end()) {
      for (const auto& a : d.arguments) {
        const auto& known = info->second.arguments;
        if (std::find(known.begin(), known.end(), a.name.value) == known.end()) {
          Report("Unknown argument \"" + a.name.value + "\" on directive \"@" + d.name.value +
                 "\"." + DidYouMean(SuggestionList(a.name.value, known)));
        }
      }
    }
    std::set<std::string> seen;
    std::set<std::string> reported;
    for (const auto& a : d.arguments) {
      if (!seen.insert(a.name.value).second && reported.insert(a.name.value).second) {
        Report("There can be only one argument named \"" + a.name.value + "\".");
      }
    }
    for (const auto& a : d.arguments) VisitValue(a.value);
    // ProvidedRequiredArgumentsOnDirectives acts on leaving the directive.
    if (info != directives_.end()) {
      for (const auto& required : info->second.required) {
        const std::string& name = required.first;
        const bool given = std::any_of(d.arguments.begin(), d.arguments.end(),
                                       [&](const Argument& a) { return a.name.value == name; });
        if (!given) {
          Report("Argument \"@" + d.name.value + "(" + name + ":)\" of type \"" + required.second +
                 "\" is required, but it was not provided.");
        }
      }
    }
  }

  void VisitValue(const Value& v) {
    if (v.kind == Value::Kind::kList) {
      for (const auto& item : v.list) VisitValue(item);
    } else if (v.kind == Value::Kind::kObject) {
      std::set<std::string> seen;
      for (const auto& f : v.fields) {
        if (!seen.insert(f.name.value).second) {
          Report("There can be only one input field named \"" + f.name.value + "\".");
        }
        VisitValue(f.value);
      }
    }
  }

  const Document& document_;
  std::vector<std::string> errors_;
  std::map<std::string, DirectiveInfo> directives_;
  std::map<std::string, const TypeSystemDefinition*> defined_types_;  // first definition
  std::vector<std::string> defined_order_;
  bool seen_schema_definition_ = false;
  std::set<std::string> operation_types_;
  std::set<std::string> type_names_;
  std::set<std::string> directive_names_;
  std::map<std::string, std::set<std::string>> enum_values_;
  std::map<std::string, std::set<std::string>> field_names_;
  std::map<std::string, const Directive*> schema_directives_;
  std::map<std::string, std::map<std::string, const Directive*>> type_directives_;
  std::map<std::string, std::map<std::string, const Directive*>> directive_directives_;
};

std::optional<std::string> DeprecationReason(const std::vector<Directive>& directives) {
  for (const auto& d : directives) {
    if (d.name.value != "deprecated") continue;
    for (const auto& a : d.arguments) {
      if (a.name.value == "reason" && a.value.kind == Value::Kind::kString) return a.value.text;
    }
    return std::string("No longer supported");
  }
  return std::nullopt;
}

std::optional<std::string> Description(const std::optional<StringValue>& s) {
  if (!s) return std::nullopt;
  return s->value;
}

}  // namespace

// Assembles a Schema from a document that passed SdlValidator.
class SchemaBuilder {
 public:
  explicit SchemaBuilder(const Document& document) : document_(document) {}

  Schema Build() {
    // Types first, so fields can point at them; extensions then add to them in order. The
    // introspection types come after the document's own, as in graphql-js's type map.
    CreateTypes(document_);
    CreateTypes(IntrospectionDocument());
    for (const auto& definition : IntrospectionDocument().definitions) {
      Fill(std::get<TypeSystemDefinition>(definition));
    }
    for (const auto& definition : document_.definitions) {
      const auto* d = std::get_if<TypeSystemDefinition>(&definition);
      if (d == nullptr) continue;
      if (IsTypeKind(d->kind)) {
        if (!IsIntrospectionTypeName(d->name.value)) Fill(*d);
      } else if (d->kind == Kind::kDirective && !d->extension) {
        DirectiveDefinition directive;
        directive.name = d->name.value;
        directive.description = Description(d->description);
        directive.repeatable = d->repeatable;
        for (const auto& l : d->locations) directive.locations.push_back(l.value);
        for (const auto& a : d->input_fields) directive.arguments.push_back(BuildInputValue(a));
        directive.deprecation_reason = DeprecationReason(d->directives);
        schema_.directives_.push_back(std::move(directive));
      } else if (d->kind == Kind::kSchema) {
        if (!d->extension) {
          schema_.description_ = Description(d->description);
          has_schema_definition_ = true;
        }
        for (const auto& op : d->operation_types) {
          const NamedType* t = Resolve(op.type.value);
          switch (op.operation) {
            case OperationType::kQuery:
              schema_.query_ = t;
              break;
            case OperationType::kMutation:
              schema_.mutation_ = t;
              break;
            case OperationType::kSubscription:
              schema_.subscription_ = t;
              break;
          }
        }
      }
    }
    // Without a schema definition, types named Query, Mutation and Subscription are the roots,
    // over whatever schema extensions said (as graphql-js's buildASTSchema does).
    if (!has_schema_definition_) {
      if (const NamedType* t = schema_.FindType("Query")) schema_.query_ = t;
      if (const NamedType* t = schema_.FindType("Mutation")) schema_.mutation_ = t;
      if (const NamedType* t = schema_.FindType("Subscription")) schema_.subscription_ = t;
    }
    AddSpecifiedDirectives();
    return std::move(schema_);
  }

 private:
  // Parsed once: the introspection SDL is part of the binary and known to be valid.
  static const Document& IntrospectionDocument() {
    static const Source source{std::string(IntrospectionSdl())};
    static const Document document = [] {
      auto parsed = Parse(source);
      STYRMIN_CHECK(parsed.has_value(), "the introspection SDL parses");
      return std::move(parsed).value();
    }();
    return document;
  }

  void CreateTypes(const Document& document) {
    for (const auto& definition : document.definitions) {
      const auto* d = std::get_if<TypeSystemDefinition>(&definition);
      if (d == nullptr || !IsTypeKind(d->kind) || d->extension) continue;
      // A document's own definition of an introspection type is ignored, as graphql-js
      // replaces standard types with its own.
      if (schema_.FindType(d->name.value) != nullptr) continue;
      NamedType* t = Create(d->name.value, ToTypeKind(d->kind));
      t->description = IsSpecifiedScalar(d->name.value) ? SpecifiedScalarDescription(d->name.value)
                                                        : Description(d->description);
    }
  }

  static TypeKind ToTypeKind(Kind kind) {
    switch (kind) {
      case Kind::kObject:
        return TypeKind::kObject;
      case Kind::kInterface:
        return TypeKind::kInterface;
      case Kind::kUnion:
        return TypeKind::kUnion;
      case Kind::kEnum:
        return TypeKind::kEnum;
      case Kind::kInputObject:
        return TypeKind::kInputObject;
      default:
        return TypeKind::kScalar;
    }
  }

  NamedType* Create(const std::string& name, TypeKind kind) {
    auto owned = std::make_unique<NamedType>();
    owned->name = name;
    owned->kind = kind;
    if (kind == TypeKind::kScalar) owned->specified_scalar = SpecifiedScalarByName(name);
    NamedType* t = owned.get();
    schema_.owned_.push_back(std::move(owned));
    schema_.by_name_[name] = t;
    schema_.type_order_.push_back(t);
    return t;
  }

  // The named type, creating a specified scalar the first time it is referenced.
  const NamedType* Resolve(const std::string& name) {
    if (const NamedType* t = schema_.FindType(name)) return t;
    // Validation guarantees it is a specified scalar.
    NamedType* t = Create(name, TypeKind::kScalar);
    t->description = SpecifiedScalarDescription(name);
    return t;
  }

  // graphql-js's descriptions of the specified scalars, which introspection shows.
  static std::optional<std::string> SpecifiedScalarDescription(const std::string& name) {
    static const std::map<std::string, std::string, std::less<>> kDescriptions = {
        {"Int",
         "The `Int` scalar type represents non-fractional signed whole numeric values. Int can "
         "represent values between -(2^31) and 2^31 - 1."},
        {"Float",
         "The `Float` scalar type represents signed double-precision fractional values as "
         "specified by [IEEE 754](https://en.wikipedia.org/wiki/IEEE_floating_point)."},
        {"String",
         "The `String` scalar type represents textual data, represented as UTF-8 character "
         "sequences. The String type is most often used by GraphQL to represent free-form "
         "human-readable text."},
        {"Boolean", "The `Boolean` scalar type represents `true` or `false`."},
        {"ID",
         "The `ID` scalar type represents a unique identifier, often used to refetch an object "
         "or as key for a cache. The ID type appears in a JSON response as a String; however, "
         "it is not intended to be human-readable. When expected as an input type, any string "
         "(such as `\"4\"`) or integer (such as `4`) input value will be accepted as an ID."},
    };
    const auto it = kDescriptions.find(name);
    if (it == kDescriptions.end()) return std::nullopt;
    return it->second;
  }

  NamedType* Mutable(const std::string& name) {
    return const_cast<NamedType*>(schema_.FindType(name));
  }

  WrappedType Wrap(const TypeRef& ref) {
    return WrappedTypeFromAst(ref, [this](const std::string& name) { return Resolve(name); });
  }

  InputValue BuildInputValue(const InputValueDefinition& a) {
    InputValue v;
    v.name = a.name.value;
    v.description = Description(a.description);
    v.type = Wrap(a.type);
    v.default_value = a.default_value;
    v.deprecation_reason = DeprecationReason(a.directives);
    return v;
  }

  void Fill(const TypeSystemDefinition& d) {
    NamedType* t = Mutable(d.name.value);
    t->definition_offsets.push_back(d.offset);
    for (const auto& i : d.interfaces) t->interfaces.push_back(Resolve(i.value));
    for (const auto& f : d.fields) {
      Field field;
      field.name = f.name.value;
      field.description = Description(f.description);
      for (const auto& a : f.arguments) field.arguments.push_back(BuildInputValue(a));
      field.type = Wrap(f.type);
      field.deprecation_reason = DeprecationReason(f.directives);
      t->fields.push_back(std::move(field));
    }
    for (const auto& f : d.input_fields) t->input_fields.push_back(BuildInputValue(f));
    for (const auto& m : d.union_members) t->members.push_back(Resolve(m.value));
    for (const auto& v : d.enum_values) {
      t->enum_values.push_back(
          EnumValue{v.name.value, Description(v.description), DeprecationReason(v.directives)});
    }
    for (const auto& directive : d.directives) {
      if (directive.name.value == "oneOf") t->one_of = true;
      if (directive.name.value == "specifiedBy") {
        for (const auto& a : directive.arguments) {
          if (a.name.value == "url" && a.value.kind == Value::Kind::kString) {
            t->specified_by_url = a.value.text;
          }
        }
      }
    }
  }

  // The specified directives the document did not redefine, after its own.
  void AddSpecifiedDirectives() {
    auto arg = [this](const char* name, const char* type_name, bool non_null,
                      const char* description, std::optional<std::string> default_string) {
      InputValue v;
      v.name = name;
      v.description = description;
      v.type.named = Resolve(type_name);
      if (non_null) v.type.wrappers.push_back(WrappedType::Wrapper::kNonNull);
      if (default_string) {
        Value d;
        d.kind = Value::Kind::kString;
        d.text = *default_string;
        v.default_value = d;
      }
      return v;
    };
    auto add = [this](DirectiveDefinition d) {
      if (schema_.FindDirective(d.name) == nullptr) schema_.directives_.push_back(std::move(d));
    };
    const std::vector<std::string> executable = {"FIELD", "FRAGMENT_SPREAD", "INLINE_FRAGMENT"};
    add({"include",
         "Directs the executor to include this field or fragment only when the `if` argument is "
         "true.",
         {arg("if", "Boolean", true, "Included when true.", std::nullopt)},
         false,
         executable,
         std::nullopt});
    add({"skip",
         "Directs the executor to skip this field or fragment when the `if` argument is true.",
         {arg("if", "Boolean", true, "Skipped when true.", std::nullopt)},
         false,
         executable,
         std::nullopt});
    add({"deprecated",
         "Marks an element of a GraphQL schema as no longer supported.",
         {arg("reason", "String", true,
              "Explains why this element was deprecated, usually also including a suggestion for "
              "how to access supported similar data. Formatted using the Markdown syntax, as "
              "specified by [CommonMark](https://commonmark.org/).",
              "No longer supported")},
         false,
         {"FIELD_DEFINITION", "ARGUMENT_DEFINITION", "INPUT_FIELD_DEFINITION", "ENUM_VALUE",
          "DIRECTIVE_DEFINITION"},
         std::nullopt});
    add({"specifiedBy",
         "Exposes a URL that specifies the behavior of this scalar.",
         {arg("url", "String", true, "The URL that specifies the behavior of this scalar.",
              std::nullopt)},
         false,
         {"SCALAR"},
         std::nullopt});
    add({"oneOf",
         "Indicates exactly one field must be supplied and this field must not be `null`.",
         {},
         false,
         {"INPUT_OBJECT"},
         std::nullopt});
  }

  const Document& document_;
  Schema schema_;
  bool has_schema_definition_ = false;
};

Result<Schema> BuildSchema(const Document& document) {
  const std::vector<std::string> errors = SdlValidator(document).Run();
  if (!errors.empty()) {
    std::string message;
    for (const auto& e : errors) {
      if (!message.empty()) message += "\n\n";
      message += e;
    }
    return InvalidArgument(std::move(message));
  }
  return SchemaBuilder(document).Build();
}

Result<Schema> BuildSchema(std::string_view sdl) {
  Source source{std::string(sdl)};
  auto document = Parse(source);
  if (!document) return InvalidArgument("Syntax Error: " + document.error().message);
  return BuildSchema(*document);
}

}  // namespace styrmin::graphql
