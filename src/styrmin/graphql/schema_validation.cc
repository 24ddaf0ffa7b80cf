#include "styrmin/graphql/schema_validation.h"

#include <algorithm>
#include <functional>
#include <map>
#include <optional>
#include <set>
#include <utility>

#include "styrmin/graphql/introspection.h"
#include "styrmin/graphql/values.h"

namespace styrmin::graphql {
namespace {

bool IsInputType(const WrappedType& t) { return t.named != nullptr && t.named->IsInputType(); }
bool IsOutputType(const WrappedType& t) { return t.named != nullptr && t.named->IsOutputType(); }

// "a", "a and b", "a, b, and c".
std::string AndList(const std::vector<std::string>& items) {
  if (items.size() == 1) return items[0];
  if (items.size() == 2) return items[0] + " and " + items[1];
  std::string out;
  for (std::size_t i = 0; i + 1 < items.size(); ++i) out += items[i] + ", ";
  return out + "and " + items.back();
}

class SchemaValidator {
 public:
  explicit SchemaValidator(const Schema& schema) : schema_(schema) {}

  std::vector<std::string> Run() {
    RootTypes();
    Directives();
    Types();
    return std::move(errors_);
  }

 private:
  void Report(std::string message) { errors_.push_back(std::move(message)); }
  // Joins the parts of a message in one allocation.
  template <typename... Parts>
  void Report(const Parts&... parts) {
    std::string message;
    (message.append(parts), ...);
    errors_.push_back(std::move(message));
  }

  void Name(const std::string& name) {
    if (name.rfind("__", 0) == 0) {
      Report("Name \"" + name +
             "\" must not begin with \"__\", which is reserved by GraphQL introspection.");
    }
  }

  void RootTypes() {
    if (schema_.query_type() == nullptr) Report("Query root type must be provided.");
    const std::pair<const char*, const NamedType*> roots[] = {
        {"query", schema_.query_type()},
        {"mutation", schema_.mutation_type()},
        {"subscription", schema_.subscription_type()}};
    std::vector<std::pair<const NamedType*, std::vector<std::string>>> by_type;
    for (const auto& root : roots) {
      const char* operation = root.first;
      const NamedType* type = root.second;
      if (type == nullptr) continue;
      if (type->kind != TypeKind::kObject) {
        std::string capitalized = operation;
        capitalized[0] = static_cast<char>(capitalized[0] - 'a' + 'A');
        Report(capitalized + " root type must be Object type" +
               (std::string(operation) == "query" ? "" : " if provided") + ", it cannot be " +
               type->name + ".");
        continue;
      }
      auto it = std::find_if(by_type.begin(), by_type.end(),
                             [&](const auto& entry) { return entry.first == type; });
      if (it == by_type.end()) {
        by_type.push_back({type, {operation}});
      } else {
        it->second.push_back(operation);
      }
    }
    for (const auto& [type, operations] : by_type) {
      if (operations.size() > 1) {
        Report("All root types must be different, \"" + type->name + "\" type is used as " +
               AndList(operations) + " root types.");
      }
    }
  }

  // `owner` names the argument or field in messages: "Type.field(arg:)", "@dir(arg:)".
  void DefaultValue(const InputValue& value, const std::string& owner) {
    if (!value.default_value) return;
    ValidateLiteral(*value.default_value, value.type,
                    [&](const std::string& message, std::size_t, const std::string& path) {
                      Report(owner + " has invalid default value" + path + ": " + message);
                    });
  }

  // The rules arguments and input fields share; `kind` words it: "argument", "input field".
  void InputValueRules(const InputValue& value, const std::string& owner, const char* kind) {
    Name(value.name);
    if (!IsInputType(value.type)) {
      Report("The type of " + owner + " must be Input Type but got: " + value.type.ToString() +
             ".");
    }
    if (value.IsRequired() && value.deprecation_reason) {
      Report("Required ", kind, " ", owner, " cannot be deprecated.");
    }
    DefaultValue(value, owner);
  }

  void Argument(const InputValue& arg, const std::string& owner) {
    InputValueRules(arg, owner, "argument");
  }

  void Directives() {
    for (const auto& directive : schema_.directives()) {
      Name(directive.name);
      if (directive.locations.empty()) {
        Report("Directive @" + directive.name + " must include 1 or more locations.");
      }
      for (const auto& arg : directive.arguments) {
        Argument(arg, "@" + directive.name + "(" + arg.name + ":)");
      }
    }
  }

  void Types() {
    std::vector<const NamedType*> input_objects;
    for (const NamedType* type : TypeMapOrder(schema_)) {
      if (!IsIntrospectionTypeName(type->name)) Name(type->name);
      switch (type->kind) {
        case TypeKind::kObject:
        case TypeKind::kInterface:
          Fields(*type);
          Interfaces(*type);
          break;
        case TypeKind::kUnion:
          UnionMembers(*type);
          break;
        case TypeKind::kEnum:
          if (type->enum_values.empty()) {
            Report("Enum type " + type->name + " must define one or more values.");
          }
          for (const auto& value : type->enum_values) Name(value.name);
          break;
        case TypeKind::kInputObject:
          InputFields(*type);
          input_objects.push_back(type);
          DefaultValueCycles(*type);
          break;
        case TypeKind::kScalar:
          break;
      }
    }
    NonFiniteInputObjects(input_objects);
  }

  void Fields(const NamedType& type) {
    if (type.fields.empty()) Report("Type " + type.name + " must define one or more fields.");
    for (const auto& field : type.fields) {
      Name(field.name);
      const std::string owner = type.name + "." + field.name;
      if (!IsOutputType(field.type)) {
        Report("The type of " + owner + " must be Output Type but got: " + field.type.ToString() +
               ".");
      }
      for (const auto& arg : field.arguments) Argument(arg, owner + "(" + arg.name + ":)");
    }
  }

  void Interfaces(const NamedType& type) {
    std::set<std::string> seen;
    for (const NamedType* iface : type.interfaces) {
      if (iface->kind != TypeKind::kInterface) {
        Report("Type " + type.name + " must only implement Interface types, it cannot implement " +
               iface->name + ".");
        continue;
      }
      if (iface == &type) {
        Report("Type " + type.name +
               " cannot implement itself because it would create a circular reference.");
        continue;
      }
      if (!seen.insert(iface->name).second) {
        Report("Type " + type.name + " can only implement " + iface->name + " once.");
        continue;
      }
      ImplementsAncestors(type, *iface);
      ImplementsInterface(type, *iface);
    }
  }

  void ImplementsAncestors(const NamedType& type, const NamedType& iface) {
    for (const NamedType* transitive : iface.interfaces) {
      if (std::find(type.interfaces.begin(), type.interfaces.end(), transitive) !=
          type.interfaces.end()) {
        continue;
      }
      Report(transitive == &type ? "Type " + type.name + " cannot implement " + iface.name +
                                       " because it would create a circular reference."
                                 : "Type " + type.name + " must implement " + transitive->name +
                                       " because it is implemented by " + iface.name + ".");
    }
  }

  void ImplementsInterface(const NamedType& type, const NamedType& iface) {
    for (const auto& iface_field : iface.fields) {
      const std::string iface_owner = iface.name + "." + iface_field.name;
      const Field* field = type.FindField(iface_field.name);
      if (field == nullptr) {
        Report("Interface field ", iface_owner, " expected but ", type.name,
               " does not provide it.");
        continue;
      }
      const std::string owner = type.name + "." + field->name;
      if (!IsTypeSubTypeOf(schema_, field->type, iface_field.type)) {
        Report("Interface field ", iface_owner, " expects type ", iface_field.type.ToString(),
               " but ", owner, " is type ", field->type.ToString(), ".");
      }
      for (const auto& iface_arg : iface_field.arguments) {
        const InputValue* arg = field->Argument(iface_arg.name);
        if (arg == nullptr) {
          Report("Interface field argument ", iface_owner, "(", iface_arg.name, ":) expected but ",
                 owner, " does not provide it.");
          continue;
        }
        if (!(arg->type == iface_arg.type)) {
          Report("Interface field argument ", iface_owner, "(", iface_arg.name, ":) expects type ",
                 iface_arg.type.ToString(), " but ", owner, "(", arg->name, ":) is type ",
                 arg->type.ToString(), ".");
        }
      }
      for (const auto& arg : field->arguments) {
        if (arg.IsRequired() && iface_field.Argument(arg.name) == nullptr) {
          Report("Argument \"", owner, "(", arg.name, ":)\" must not be required type \"",
                 arg.type.ToString(), "\" if not provided by the Interface field \"", iface_owner,
                 "\".");
        }
      }
      if (field->deprecation_reason && !iface_field.deprecation_reason) {
        Report("Interface field ", iface_owner, " is not deprecated, so implementation field ",
               owner, " must not be deprecated.");
      }
    }
  }

  void UnionMembers(const NamedType& type) {
    if (type.members.empty()) {
      Report("Union type " + type.name + " must define one or more member types.");
    }
    std::set<std::string> seen;
    for (const NamedType* member : type.members) {
      if (!seen.insert(member->name).second) {
        Report("Union type " + type.name + " can only include type " + member->name + " once.");
        continue;
      }
      if (member->kind != TypeKind::kObject) {
        Report("Union type " + type.name + " can only include Object types, it cannot include " +
               member->name + ".");
      }
    }
  }

  void InputFields(const NamedType& type) {
    if (type.input_fields.empty()) {
      Report("Input Object type " + type.name + " must define one or more fields.");
    }
    for (const auto& field : type.input_fields) {
      const std::string owner = type.name + "." + field.name;
      InputValueRules(field, owner, "input field");
      if (type.one_of) {
        if (field.type.IsNonNull()) Report("OneOf input field " + owner + " must be nullable.");
        if (field.default_value) {
          Report("OneOf input field " + owner + " cannot have a default value.");
        }
      }
    }
  }

  // graphql-js's detectInputObjectNonFiniteValues: an input object whose every value would
  // need itself (through non-null fields, or through every field of a @oneOf) can never be
  // given; each cycle is reported once, with the fields it goes through.
  struct FiniteState {
    const NamedType* type = nullptr;
    std::vector<std::pair<const InputValue*, const NamedType*>> targets;
    std::vector<FiniteState*> dependents;
    std::size_t unresolved = 0;
    bool finite = false;
  };

  static const NamedType* FiniteTarget(const NamedType& type, const WrappedType& field_type) {
    if (type.one_of) {
      return field_type.wrappers.empty() && field_type.named->kind == TypeKind::kInputObject
                 ? field_type.named
                 : nullptr;
    }
    if (field_type.wrappers.size() == 1 && field_type.IsNonNull() &&
        field_type.named->kind == TypeKind::kInputObject) {
      return field_type.named;
    }
    return nullptr;
  }

  void NonFiniteInputObjects(const std::vector<const NamedType*>& input_objects) {
    std::map<const NamedType*, FiniteState> states;
    std::vector<FiniteState*> order;
    for (const NamedType* type : input_objects) {
      FiniteState& state = states[type];
      state.type = type;
      order.push_back(&state);
    }
    std::vector<FiniteState*> finite;
    const auto mark = [&](FiniteState& state) {
      if (!state.finite) {
        state.finite = true;
        finite.push_back(&state);
      }
    };
    for (FiniteState* state : order) {
      for (const auto& field : state->type->input_fields) {
        const NamedType* target = FiniteTarget(*state->type, field.type);
        if (target == nullptr) continue;
        state->targets.emplace_back(&field, target);
        auto it = states.find(target);
        if (it != states.end()) it->second.dependents.push_back(state);
      }
      if (state->type->one_of) {
        if (state->type->input_fields.empty() ||
            state->targets.size() < state->type->input_fields.size()) {
          mark(*state);
        }
      } else {
        state->unresolved = state->targets.size();
        if (state->targets.empty()) mark(*state);
      }
    }
    while (!finite.empty()) {
      FiniteState* next = finite.back();
      finite.pop_back();
      for (FiniteState* dependent : next->dependents) {
        if (dependent->finite) continue;
        if (dependent->type->one_of || --dependent->unresolved == 0) mark(*dependent);
      }
    }
    std::set<const NamedType*> visited;
    std::vector<std::string> path;
    std::map<const NamedType*, std::size_t> path_index;
    std::function<void(FiniteState&)> report_cycles = [&](FiniteState& state) {
      if (!visited.insert(state.type).second) return;
      path_index[state.type] = path.size();
      for (const auto& [field, target] : state.targets) {
        auto target_state = states.find(target);
        if (target_state == states.end() || target_state->second.finite) continue;
        path.push_back(state.type->name + "." + field->name);
        const auto cycle = path_index.find(target);
        if (cycle == path_index.end()) {
          report_cycles(target_state->second);
        } else {
          std::string fields;
          for (std::size_t i = cycle->second; i < path.size(); ++i) {
            if (!fields.empty()) fields += ", ";
            fields += path[i];
          }
          Report("Input Object " + target->name +
                 " cannot be provided a finite value because it references itself through "
                 "fields: " +
                 fields + ".");
        }
        path.pop_back();
      }
      path_index.erase(state.type);
    };
    for (FiniteState* state : order) {
      if (!state->finite) report_cycles(*state);
    }
  }

  // graphql-js's default value circular reference check, for SDL literals.
  void DefaultValueCycles(const NamedType& type) { LiteralDefaultCycle(type, nullptr); }

  void LiteralDefaultCycle(const NamedType& type, const Value* value) {
    if (value != nullptr && value->kind == Value::Kind::kList) {
      for (const auto& item : value->list) LiteralDefaultCycle(type, &item);
      return;
    }
    if (value != nullptr && value->kind != Value::Kind::kObject) return;
    for (const auto& field : type.input_fields) {
      const NamedType* named = field.type.named;
      if (named == nullptr || named->kind != TypeKind::kInputObject) continue;
      const ObjectField* given = nullptr;
      if (value != nullptr) {
        for (const auto& f : value->fields) {
          if (f.name.value == field.name) given = &f;
        }
      }
      if (given != nullptr) {
        LiteralDefaultCycle(*named, &given->value);
      } else {
        FieldDefaultCycle(field, *named, type.name + "." + field.name);
      }
    }
  }

  void FieldDefaultCycle(const InputValue& field, const NamedType& field_type,
                         const std::string& name) {
    if (!field.default_value) return;
    const auto cycle = default_path_index_.find(name);
    if (cycle != default_path_index_.end()) {
      std::string via;
      for (std::size_t i = cycle->second; i < default_path_.size(); ++i) {
        if (!via.empty()) via += ", ";
        via += default_path_[i];
      }
      Report("Invalid circular reference. The default value of Input Object field " + name +
             " references itself" + (via.empty() ? "" : " via the default values of: " + via) +
             ".");
      return;
    }
    if (!visited_defaults_.insert(name).second) return;
    default_path_.push_back(name);
    default_path_index_[name] = default_path_.size();
    LiteralDefaultCycle(field_type, &*field.default_value);
    default_path_.pop_back();
    default_path_index_.erase(name);
  }

  const Schema& schema_;
  std::vector<std::string> errors_;
  std::set<std::string> visited_defaults_;
  std::vector<std::string> default_path_;
  std::map<std::string, std::size_t> default_path_index_;
};

}  // namespace

std::vector<std::string> ValidateSchema(const Schema& schema) {
  return SchemaValidator(schema).Run();
}

}  // namespace styrmin::graphql
