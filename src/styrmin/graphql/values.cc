#include "styrmin/graphql/values.h"

#include <charconv>
#include <cmath>
#include <cstdint>
#include <cstdlib>
#include <functional>
#include <utility>

#include "styrmin/graphql/js_format.h"
#include "styrmin/graphql/print_schema.h"
#include "styrmin/graphql/suggest.h"

namespace styrmin::graphql {
namespace {

using Wrapper = WrappedType::Wrapper;

// A type seen from wrapper `i` inwards, without copying the wrapper list.
struct TypeAt {
  const WrappedType* type;
  std::size_t i;

  bool IsNonNull() const {
    return i < type->wrappers.size() && type->wrappers[i] == Wrapper::kNonNull;
  }
  bool IsList() const { return i < type->wrappers.size() && type->wrappers[i] == Wrapper::kList; }
  TypeAt Inner() const { return {type, i + 1}; }
  const NamedType& Named() const { return *type->named; }
  std::string ToString() const {
    WrappedType t{type->named,
                  {type->wrappers.begin() + static_cast<std::ptrdiff_t>(i), type->wrappers.end()}};
    return t.ToString();
  }
};

// A path inside an input value: ".field" and "[index]" parts, as printPathArray prints them.
std::string PrintPath(const std::vector<std::string>& path) {
  if (path.empty()) return "";
  std::string out = " at ";
  for (const auto& p : path) out += p;
  return out;
}

// The field of an object literal named `name`; the last one counts, as in graphql-js's keyMap.
template <typename Node>
const Node* FindNamed(const std::vector<Node>& nodes, const std::string& name) {
  const Node* found = nullptr;
  for (const auto& n : nodes) {
    if (n.name.value == name) found = &n;
  }
  return found;
}

// An input field or argument that was not given: its default into `out`, if it has one.
// False when it is required, or its default does not fit its type.
bool UseDefault(const InputValue& definition, OrderedJson& out) {
  if (definition.IsRequired()) return false;
  if (!definition.default_value) return true;
  auto value = CoerceInputLiteral(*definition.default_value, definition.type, nullptr);
  if (!value) return false;
  out[definition.name] = std::move(*value);
  return true;
}

std::string EnumSuggestion(const NamedType& type, std::string_view input) {
  std::vector<std::string> names;
  names.reserve(type.enum_values.size());
  for (const auto& e : type.enum_values) names.push_back(e.name);
  return DidYouMean(SuggestionList(input, names), "the enum value");
}

std::optional<double> AsDouble(const OrderedJson& v) {
  if (!v.is_number()) return std::nullopt;
  return v.get<double>();
}

// A built-in scalar's or enum's coerceInputValue: the value, or the message it throws.
tl::expected<OrderedJson, std::string> CoerceLeafInput(const NamedType& type,
                                                       const OrderedJson& v) {
  if (type.kind == TypeKind::kEnum) {
    if (!v.is_string()) {
      const std::string shown = Inspect(v);
      return tl::unexpected("Enum \"" + type.name + "\" cannot represent non-string value: " +
                            shown + "." + EnumSuggestion(type, shown));
    }
    const auto& name = v.get_ref<const std::string&>();
    if (type.FindEnumValue(name) == nullptr) {
      return tl::unexpected("Value \"" + name + "\" does not exist in \"" + type.name + "\" enum." +
                            EnumSuggestion(type, name));
    }
    return v;
  }
  const std::string& name = type.name;
  if (name == "Int") {
    const auto d = AsDouble(v);
    if (!d || std::trunc(*d) != *d) {
      return tl::unexpected("Int cannot represent non-integer value: " + Inspect(v));
    }
    if (*d > 2147483647.0 || *d < -2147483648.0) {
      return tl::unexpected("Int cannot represent non 32-bit signed integer value: " + Inspect(v));
    }
    return OrderedJson(static_cast<std::int64_t>(*d));
  }
  if (name == "Float") {
    const auto d = AsDouble(v);
    if (!d || !std::isfinite(*d)) {
      return tl::unexpected("Float cannot represent non numeric value: " + Inspect(v));
    }
    return v.is_number_float() ? v : OrderedJson(*d);
  }
  if (name == "String") {
    if (!v.is_string()) {
      return tl::unexpected("String cannot represent a non string value: " + Inspect(v));
    }
    return v;
  }
  if (name == "Boolean") {
    if (!v.is_boolean()) {
      return tl::unexpected("Boolean cannot represent a non boolean value: " + Inspect(v));
    }
    return v;
  }
  if (name == "ID") {
    if (v.is_string()) return v;
    const auto d = AsDouble(v);
    if (d && std::trunc(*d) == *d) return OrderedJson(JsNumberToString(*d));
    return tl::unexpected("ID cannot represent value: " + Inspect(v));
  }
  // Custom scalars take any value, as graphql-js's default does, unless bound.
  if (type.coercion != nullptr && type.coercion->parse) return type.coercion->parse(v);
  return v;
}

std::optional<OrderedJson> CoerceValue(const OrderedJson& v, TypeAt type);

std::optional<OrderedJson> CoerceObjectValue(const OrderedJson& v, const NamedType& type) {
  if (!v.is_object()) return std::nullopt;
  for (const auto& [key, member] : v.items()) {
    if (type.FindInputField(key) == nullptr) return std::nullopt;
  }
  OrderedJson out = OrderedJson::object();
  for (const auto& field : type.input_fields) {
    const auto it = v.find(field.name);
    if (it == v.end()) {
      if (!UseDefault(field, out)) return std::nullopt;
      continue;
    }
    auto coerced = CoerceValue(*it, {&field.type, 0});
    if (!coerced) return std::nullopt;
    out[field.name] = std::move(*coerced);
  }
  if (type.one_of) {
    if (v.size() != 1 || out.size() != 1 || out.begin()->is_null()) return std::nullopt;
  }
  return out;
}

std::optional<OrderedJson> CoerceValue(const OrderedJson& v, TypeAt type) {
  if (type.IsNonNull()) {
    if (v.is_null()) return std::nullopt;
    return CoerceValue(v, type.Inner());
  }
  if (v.is_null()) return OrderedJson(nullptr);
  if (type.IsList()) {
    if (!v.is_array()) {
      auto item = CoerceValue(v, type.Inner());
      if (!item) return std::nullopt;
      return OrderedJson::array({std::move(*item)});
    }
    OrderedJson out = OrderedJson::array();
    for (const auto& item : v) {
      auto coerced = CoerceValue(item, type.Inner());
      if (!coerced) return std::nullopt;
      out.push_back(std::move(*coerced));
    }
    return out;
  }
  const NamedType& named = type.Named();
  if (named.kind == TypeKind::kInputObject) return CoerceObjectValue(v, named);
  auto leaf = CoerceLeafInput(named, v);
  if (!leaf) return std::nullopt;
  return std::move(*leaf);
}

// graphql-js's validateInputValue: every reason `v` does not fit `type`, with its path.
class ValueValidator {
 public:
  using OnError =
      std::function<void(const std::string& message, const std::vector<std::string>& path)>;
  explicit ValueValidator(OnError on_error) : on_error_(std::move(on_error)) {}

  // `v` null means undefined (not provided).
  void Check(const OrderedJson* v, TypeAt type) {
    if (type.IsNonNull()) {
      if (v == nullptr) {
        on_error_("Expected a value of non-null type \"" + type.ToString() + "\" to be provided.",
                  path_);
        return;
      }
      if (v->is_null()) {
        on_error_("Expected value of non-null type \"" + type.ToString() + "\" not to be null.",
                  path_);
        return;
      }
      Check(v, type.Inner());
      return;
    }
    if (v == nullptr || v->is_null()) return;
    if (type.IsList()) {
      if (!v->is_array()) {
        Check(v, type.Inner());
        return;
      }
      for (std::size_t i = 0; i < v->size(); ++i) {
        path_.push_back("[" + std::to_string(i) + "]");
        Check(&(*v)[i], type.Inner());
        path_.pop_back();
      }
      return;
    }
    const NamedType& named = type.Named();
    if (named.kind == TypeKind::kInputObject) {
      CheckObject(*v, named);
      return;
    }
    auto leaf = CoerceLeafInput(named, *v);
    if (!leaf) on_error_(leaf.error(), path_);
  }

 private:
  void CheckObject(const OrderedJson& v, const NamedType& type) {
    if (!v.is_object()) {
      on_error_("Expected value of type \"" + type.name +
                    "\" to be an object, found: " + Inspect(v) + ".",
                path_);
      return;
    }
    for (const auto& field : type.input_fields) {
      const auto it = v.find(field.name);
      if (it == v.end()) {
        if (field.IsRequired()) {
          on_error_("Expected value of type \"" + type.name + "\" to include required field \"" +
                        field.name + "\", found: " + Inspect(v) + ".",
                    path_);
        }
        continue;
      }
      path_.push_back("." + field.name);
      Check(&*it, {&field.type, 0});
      path_.pop_back();
    }
    std::vector<std::string> names;
    for (const auto& field : type.input_fields) names.push_back(field.name);
    std::vector<std::string> known;
    for (const auto& [key, member] : v.items()) {
      if (type.FindInputField(key) != nullptr) {
        known.push_back(key);
        continue;
      }
      const std::string suggestion = DidYouMean(SuggestionList(key, names));
      on_error_("Expected value of type \"" + type.name + "\" not to include unknown field \"" +
                    key + "\"" + (suggestion.empty() ? ", found" : "." + suggestion + " Found") +
                    ": " + Inspect(v) + ".",
                path_);
    }
    if (type.one_of) {
      const std::string message = "Within OneOf Input Object type \"" + type.name +
                                  "\", exactly one field must be specified, and the value for "
                                  "that field must be non-null.";
      if (known.size() != 1) on_error_(message, path_);
      if (!known.empty() && v.find(known.front())->is_null()) {
        path_.push_back("." + known.front());
        on_error_(message, path_);
        path_.pop_back();
      }
    }
  }

  OnError on_error_;
  std::vector<std::string> path_;
};

struct TooManyErrors {};

std::optional<OrderedJson> LiteralValue(const Value& v, TypeAt type, const OrderedJson* vars);

const OrderedJson* VariableValue(const Value& v, const OrderedJson* vars) {
  if (vars == nullptr || !vars->is_object()) return nullptr;
  const auto it = vars->find(v.text);
  return it == vars->end() ? nullptr : &*it;
}

// A custom scalar's literal as plain JSON, variables substituted (graphql-js's
// valueFromASTUntyped); nullopt when a variable inside is missing.
std::optional<OrderedJson> UntypedLiteral(const Value& v, const OrderedJson* vars) {
  switch (v.kind) {
    case Value::Kind::kVariable: {
      const OrderedJson* value = VariableValue(v, vars);
      if (value == nullptr) return std::nullopt;
      return *value;
    }
    case Value::Kind::kInt: {
      // A whole number stays one (JavaScript's parseInt), as long as it fits.
      std::int64_t n = 0;
      const auto r = std::from_chars(v.text.data(), v.text.data() + v.text.size(), n);
      if (r.ec == std::errc() && r.ptr == v.text.data() + v.text.size()) return OrderedJson(n);
      return OrderedJson(std::strtod(v.text.c_str(), nullptr));
    }
    case Value::Kind::kFloat:
      return OrderedJson(std::strtod(v.text.c_str(), nullptr));
    case Value::Kind::kString:
    case Value::Kind::kEnum:
      return OrderedJson(v.text);
    case Value::Kind::kBoolean:
      return OrderedJson(v.boolean);
    case Value::Kind::kNull:
      return OrderedJson(nullptr);
    case Value::Kind::kList: {
      OrderedJson out = OrderedJson::array();
      for (const auto& item : v.list) {
        auto value = UntypedLiteral(item, vars);
        out.push_back(value ? std::move(*value) : OrderedJson(nullptr));
      }
      return out;
    }
    case Value::Kind::kObject: {
      OrderedJson out = OrderedJson::object();
      for (const auto& f : v.fields) {
        auto value = UntypedLiteral(f.value, vars);
        if (value) out[f.name.value] = std::move(*value);
      }
      return out;
    }
  }
  return std::nullopt;
}

std::optional<OrderedJson> LeafLiteral(const Value& v, const NamedType& type,
                                       const OrderedJson* vars) {
  if (type.kind == TypeKind::kEnum) {
    if (v.kind != Value::Kind::kEnum || type.FindEnumValue(v.text) == nullptr) return std::nullopt;
    return OrderedJson(v.text);
  }
  const std::string& name = type.name;
  if (name == "Int") {
    if (v.kind != Value::Kind::kInt) return std::nullopt;
    const double d = std::strtod(v.text.c_str(), nullptr);
    if (d > 2147483647.0 || d < -2147483648.0) return std::nullopt;
    return OrderedJson(static_cast<std::int64_t>(d));
  }
  if (name == "Float") {
    if (v.kind != Value::Kind::kInt && v.kind != Value::Kind::kFloat) return std::nullopt;
    return OrderedJson(std::strtod(v.text.c_str(), nullptr));
  }
  if (name == "String") {
    if (v.kind != Value::Kind::kString) return std::nullopt;
    return OrderedJson(v.text);
  }
  if (name == "Boolean") {
    if (v.kind != Value::Kind::kBoolean) return std::nullopt;
    return OrderedJson(v.boolean);
  }
  if (name == "ID") {
    if (v.kind != Value::Kind::kString && v.kind != Value::Kind::kInt) return std::nullopt;
    return OrderedJson(v.text);
  }
  auto untyped = UntypedLiteral(v, vars);
  if (!untyped || type.coercion == nullptr || !type.coercion->parse) return untyped;
  auto parsed = type.coercion->parse(*untyped);
  if (!parsed) return std::nullopt;
  return std::move(*parsed);
}

std::optional<OrderedJson> ObjectLiteral(const Value& v, const NamedType& type,
                                         const OrderedJson* vars) {
  if (v.kind != Value::Kind::kObject) return std::nullopt;
  for (const auto& f : v.fields) {
    if (type.FindInputField(f.name.value) == nullptr) return std::nullopt;
  }
  OrderedJson out = OrderedJson::object();
  for (const auto& field : type.input_fields) {
    const ObjectField* given = FindNamed(v.fields, field.name);
    if (given == nullptr || (given->value.kind == Value::Kind::kVariable &&
                             VariableValue(given->value, vars) == nullptr)) {
      if (!UseDefault(field, out)) return std::nullopt;
      continue;
    }
    auto value = LiteralValue(given->value, {&field.type, 0}, vars);
    if (!value) return std::nullopt;
    out[field.name] = std::move(*value);
  }
  if (type.one_of) {
    if (v.fields.size() != 1 || out.size() != 1) return std::nullopt;
    if (v.fields.front().value.kind == Value::Kind::kNull || out.begin()->is_null()) {
      return std::nullopt;
    }
  }
  return out;
}

std::optional<OrderedJson> LiteralValue(const Value& v, TypeAt type, const OrderedJson* vars) {
  if (v.kind == Value::Kind::kVariable) {
    const OrderedJson* value = VariableValue(v, vars);
    if ((value == nullptr || value->is_null()) && type.IsNonNull()) return std::nullopt;
    if (value == nullptr) return std::nullopt;
    return *value;
  }
  if (type.IsNonNull()) {
    if (v.kind == Value::Kind::kNull) return std::nullopt;
    return LiteralValue(v, type.Inner(), vars);
  }
  if (v.kind == Value::Kind::kNull) return OrderedJson(nullptr);
  if (type.IsList()) {
    if (v.kind != Value::Kind::kList) {
      auto item = LiteralValue(v, type.Inner(), vars);
      if (!item) return std::nullopt;
      return OrderedJson::array({std::move(*item)});
    }
    OrderedJson out = OrderedJson::array();
    for (const auto& item : v.list) {
      auto value = LiteralValue(item, type.Inner(), vars);
      if (!value) {
        const bool null_variable =
            item.kind == Value::Kind::kVariable &&
            (VariableValue(item, vars) == nullptr || VariableValue(item, vars)->is_null());
        if (!null_variable || type.Inner().IsNonNull()) return std::nullopt;
        value = OrderedJson(nullptr);
      }
      out.push_back(std::move(*value));
    }
    return out;
  }
  const NamedType& named = type.Named();
  if (named.kind == TypeKind::kInputObject) return ObjectLiteral(v, named, vars);
  return LeafLiteral(v, named, vars);
}

// Why a literal that failed coercion failed: graphql-js's validateInputLiteral for what
// variables can break in a valid document; the rest is a generic message.
struct LiteralProblem {
  std::string message;
  std::size_t offset;
  std::vector<std::string> path;
};

std::optional<LiteralProblem> FindLiteralProblem(const Value& v, TypeAt type,
                                                 const OrderedJson* vars,
                                                 std::vector<std::string>& path) {
  if (v.kind == Value::Kind::kVariable) {
    if (!type.IsNonNull()) return std::nullopt;
    const OrderedJson* value = VariableValue(v, vars);
    if (value == nullptr) {
      return LiteralProblem{"Expected variable \"$" + v.text + "\" provided to type \"" +
                                type.ToString() + "\" to provide a runtime value.",
                            v.offset, path};
    }
    if (value->is_null()) {
      return LiteralProblem{"Expected variable \"$" + v.text + "\" provided to non-null type \"" +
                                type.ToString() + "\" not to be null.",
                            v.offset, path};
    }
    return std::nullopt;
  }
  if (type.IsNonNull()) return FindLiteralProblem(v, type.Inner(), vars, path);
  if (v.kind == Value::Kind::kNull) return std::nullopt;
  if (type.IsList()) {
    if (v.kind != Value::Kind::kList) return FindLiteralProblem(v, type.Inner(), vars, path);
    for (std::size_t i = 0; i < v.list.size(); ++i) {
      path.push_back("[" + std::to_string(i) + "]");
      auto problem = FindLiteralProblem(v.list[i], type.Inner(), vars, path);
      path.pop_back();
      if (problem) return problem;
    }
    return std::nullopt;
  }
  const NamedType& named = type.Named();
  if (named.kind == TypeKind::kScalar && named.coercion != nullptr && named.coercion->parse) {
    // A bound custom scalar refusing the literal: its own message.
    auto untyped = UntypedLiteral(v, vars);
    if (!untyped) return std::nullopt;
    auto parsed = named.coercion->parse(*untyped);
    if (!parsed) return LiteralProblem{parsed.error(), v.offset, path};
    return std::nullopt;
  }
  if (named.kind != TypeKind::kInputObject || v.kind != Value::Kind::kObject) {
    return std::nullopt;
  }
  for (const auto& field : named.input_fields) {
    const ObjectField* given = FindNamed(v.fields, field.name);
    if (given == nullptr) continue;
    if (given->value.kind == Value::Kind::kVariable) {
      const OrderedJson* value = VariableValue(given->value, vars);
      if (named.one_of) {
        if (value == nullptr || value->is_null()) {
          return LiteralProblem{
              "Expected variable \"$" + given->value.text + "\" provided to field \"" + field.name +
                  "\" for OneOf Input Object type \"" + named.name + "\" " +
                  (value == nullptr ? "to provide a runtime value." : "not to be null."),
              v.offset, path};
        }
      } else if (value == nullptr && !field.IsRequired()) {
        continue;
      }
    }
    path.push_back("." + field.name);
    auto problem = FindLiteralProblem(given->value, {&field.type, 0}, vars, path);
    path.pop_back();
    if (problem) return problem;
  }
  return std::nullopt;
}

// The value as graphql-js prints it in errors from scalar coercion, where (the check being
// static) variables read as null.
Value WithVariablesAsNull(const Value& v) {
  Value out = v;
  if (out.kind == Value::Kind::kVariable) {
    out.kind = Value::Kind::kNull;
    out.text.clear();
  }
  for (auto& item : out.list) item = WithVariablesAsNull(item);
  for (auto& f : out.fields) f.value = WithVariablesAsNull(f.value);
  return out;
}

// parseInt then a range check, as graphql-js does: digits beyond the range are out of it.
bool FitsInt32(const std::string& text) {
  const bool negative = !text.empty() && text[0] == '-';
  const std::string digits = negative ? text.substr(1) : text;
  if (digits.size() > 10) return false;
  const long long magnitude = std::stoll(digits);
  return negative ? magnitude <= 2147483648LL : magnitude <= 2147483647LL;
}

class LiteralValidator {
 public:
  explicit LiteralValidator(const LiteralErrorFn& on_error) : on_error_(on_error) {}

  void Check(const Value& v, TypeAt type) {
    if (v.kind == Value::Kind::kVariable) return;
    if (type.IsNonNull()) {
      if (v.kind == Value::Kind::kNull) {
        Report("Expected value of non-null type \"" + type.ToString() + "\" not to be null.",
               v.offset);
        return;
      }
      Check(v, type.Inner());
      return;
    }
    if (v.kind == Value::Kind::kNull) return;
    if (type.IsList()) {
      if (v.kind != Value::Kind::kList) {
        Check(v, type.Inner());
        return;
      }
      for (std::size_t i = 0; i < v.list.size(); ++i) {
        path_.push_back("[" + std::to_string(i) + "]");
        Check(v.list[i], type.Inner());
        path_.pop_back();
      }
      return;
    }
    const NamedType& named = type.Named();
    switch (named.kind) {
      case TypeKind::kInputObject:
        CheckObject(v, named);
        return;
      case TypeKind::kEnum:
        CheckEnum(v, named);
        return;
      case TypeKind::kScalar:
        CheckScalar(v, named);
        return;
      default:
        return;
    }
  }

 private:
  void Report(const std::string& message, std::size_t offset) {
    std::string path;
    for (const auto& p : path_) path += p;
    on_error_(message, offset, path.empty() ? path : " at " + path);
  }

  void CheckObject(const Value& v, const NamedType& type) {
    if (v.kind != Value::Kind::kObject) {
      Report("Expected value of type \"" + type.name +
                 "\" to be an object, found: " + PrintValue(v) + ".",
             v.offset);
      return;
    }
    for (const auto& field : type.input_fields) {
      const ObjectField* given = FindNamed(v.fields, field.name);
      if (given == nullptr) {
        if (field.IsRequired()) {
          Report("Expected value of type \"" + type.name + "\" to include required field \"" +
                     field.name + "\", found: " + PrintValue(v) + ".",
                 v.offset);
        }
      } else {
        path_.push_back("." + field.name);
        Check(given->value, {&field.type, 0});
        path_.pop_back();
      }
    }
    std::vector<const ObjectField*> known;
    std::vector<std::string> names;
    names.reserve(type.input_fields.size());
    for (const auto& field : type.input_fields) names.push_back(field.name);
    for (const auto& f : v.fields) {
      if (type.FindInputField(f.name.value) != nullptr) {
        known.push_back(&f);
        continue;
      }
      const std::string suggestion = DidYouMean(SuggestionList(f.name.value, names));
      Report("Expected value of type \"" + type.name + "\" not to include unknown field \"" +
                 f.name.value + "\"" +
                 (suggestion.empty() ? ", found" : "." + suggestion + " Found") + ": " +
                 PrintValue(v) + ".",
             f.offset);
    }
    if (!type.one_of) return;
    const std::string message = "Within OneOf Input Object type \"" + type.name +
                                "\", exactly one field must be specified, and the value for "
                                "that field must be non-null.";
    if (known.size() != 1) {
      Report(message, v.offset);
    } else if (known.front()->value.kind == Value::Kind::kNull) {
      path_.push_back("." + known.front()->name.value);
      Report(message, v.offset);
      path_.pop_back();
    }
  }

  void CheckEnum(const Value& v, const NamedType& type) {
    const std::string printed = PrintValue(WithVariablesAsNull(v));
    if (v.kind != Value::Kind::kEnum) {
      Report("Enum \"" + type.name + "\" cannot represent non-enum value: " + printed + "." +
                 EnumSuggestion(type, printed),
             v.offset);
    } else if (type.FindEnumValue(v.text) == nullptr) {
      Report("Value \"" + printed + "\" does not exist in \"" + type.name + "\" enum." +
                 EnumSuggestion(type, printed),
             v.offset);
    }
  }

  void CheckScalar(const Value& v, const NamedType& type) {
    const std::string& name = type.name;
    const auto printed = [&] { return PrintValue(WithVariablesAsNull(v)); };
    if (name == "Int") {
      if (v.kind != Value::Kind::kInt) {
        Report("Int cannot represent non-integer value: " + printed(), v.offset);
      } else if (!FitsInt32(v.text)) {
        Report("Int cannot represent non 32-bit signed integer value: " + v.text, v.offset);
      }
    } else if (name == "Float") {
      if (v.kind != Value::Kind::kFloat && v.kind != Value::Kind::kInt) {
        Report("Float cannot represent non numeric value: " + printed(), v.offset);
      }
    } else if (name == "String") {
      if (v.kind != Value::Kind::kString) {
        Report("String cannot represent a non string value: " + printed(), v.offset);
      }
    } else if (name == "Boolean") {
      if (v.kind != Value::Kind::kBoolean) {
        Report("Boolean cannot represent a non boolean value: " + printed(), v.offset);
      }
    } else if (name == "ID") {
      if (v.kind != Value::Kind::kString && v.kind != Value::Kind::kInt) {
        Report("ID cannot represent a non-string and non-integer value: " + printed(), v.offset);
      }
    } else if (type.coercion != nullptr && type.coercion->parse && !HasVariable(v)) {
      // A bound custom scalar checks literals as graphql-js's parseLiteral would.
      auto untyped = UntypedLiteral(v, nullptr);
      if (untyped) {
        auto parsed = type.coercion->parse(*untyped);
        if (!parsed) Report(parsed.error(), v.offset);
      }
    }
    // Unbound custom scalars accept any literal, as graphql-js's default does.
  }

  static bool HasVariable(const Value& v) {
    if (v.kind == Value::Kind::kVariable) return true;
    for (const auto& item : v.list) {
      if (HasVariable(item)) return true;
    }
    for (const auto& f : v.fields) {
      if (HasVariable(f.value)) return true;
    }
    return false;
  }

  const LiteralErrorFn& on_error_;
  std::vector<std::string> path_;
};

}  // namespace

void ValidateLiteral(const Value& literal, const WrappedType& type,
                     const LiteralErrorFn& on_error) {
  LiteralValidator(on_error).Check(literal, {&type, 0});
}

std::optional<OrderedJson> CoerceInputLiteral(const Value& literal, const WrappedType& type,
                                              const OrderedJson* variables) {
  return LiteralValue(literal, {&type, 0}, variables);
}

std::optional<OrderedJson> CoerceInputValue(const OrderedJson& value, const WrappedType& type) {
  return CoerceValue(value, {&type, 0});
}

tl::expected<OrderedJson, std::vector<CoercionError>> CoerceVariableValues(
    const Schema& schema, const OperationDefinition& operation, const OrderedJson& inputs,
    std::size_t max_errors) {
  std::vector<CoercionError> errors;
  const auto report = [&](CoercionError e) {
    if (errors.size() >= max_errors) throw TooManyErrors{};
    errors.push_back(std::move(e));
  };
  OrderedJson coerced = OrderedJson::object();
  try {
    for (const auto& definition : operation.variables) {
      const std::string& name = definition.variable.value;
      const WrappedType type = WrappedTypeFromAst(
          definition.type, [&](std::string_view n) { return schema.FindType(n); });
      if (type.named == nullptr || !type.named->IsInputType()) {
        report({"Variable \"$" + name + "\" expected value of type \"" +
                    TypeRefToString(definition.type) + "\" which cannot be used as an input type.",
                {definition.type.offset}});
        continue;
      }
      const OrderedJson* given = nullptr;
      if (inputs.is_object()) {
        const auto it = inputs.find(name);
        if (it != inputs.end()) given = &*it;
      }
      if (given == nullptr) {
        if (definition.default_value) {
          auto value = CoerceInputLiteral(*definition.default_value, type, nullptr);
          if (value) {
            coerced[name] = std::move(*value);
          } else {
            report({"Variable \"$" + name + "\" has invalid default value: " +
                        PrintValue(*definition.default_value) + ".",
                    {definition.offset}});
          }
          continue;
        }
        if (!type.IsNonNull()) continue;
      }
      if (given != nullptr) {
        if (auto value = CoerceInputValue(*given, type)) {
          coerced[name] = std::move(*value);
          continue;
        }
      }
      ValueValidator validator(
          [&](const std::string& message, const std::vector<std::string>& path) {
            std::string text = "Variable \"$" + name + "\" has invalid value";
            text += PrintPath(path);
            text += ": ";
            text += message;
            report({std::move(text), {definition.offset}});
          });
      validator.Check(given, {&type, 0});
    }
  } catch (const TooManyErrors&) {
    errors.push_back(
        {"Too many errors processing variables, error limit reached. Execution aborted.", {}});
  }
  if (!errors.empty()) return tl::unexpected(std::move(errors));
  return coerced;
}

tl::expected<OrderedJson, CoercionError> CoerceArgumentValues(
    const std::vector<InputValue>& definitions, const std::vector<Argument>& arguments,
    const OrderedJson& variables, std::string_view owner, std::size_t node_offset) {
  OrderedJson out = OrderedJson::object();
  for (const auto& definition : definitions) {
    const Argument* given = FindNamed(arguments, definition.name);
    const std::string label = "Argument \"" + std::string(owner) + "(" + definition.name + ":)\"";
    const bool missing_variable = given != nullptr && given->value.kind == Value::Kind::kVariable &&
                                  VariableValue(given->value, &variables) == nullptr;
    if (given == nullptr || (missing_variable && !definition.IsRequired())) {
      if (given == nullptr && definition.IsRequired()) {
        return tl::unexpected(CoercionError{
            label + " of required type \"" + definition.type.ToString() + "\" was not provided.",
            {node_offset}});
      }
      if (definition.default_value) {
        auto value = CoerceInputLiteral(*definition.default_value, definition.type, nullptr);
        if (!value) {
          return tl::unexpected(
              CoercionError{label + " has invalid default value.", {node_offset}});
        }
        out[definition.name] = std::move(*value);
      }
      continue;
    }
    auto value = CoerceInputLiteral(given->value, definition.type, &variables);
    if (!value) {
      std::vector<std::string> path;
      auto problem = FindLiteralProblem(given->value, {&definition.type, 0}, &variables, path);
      if (!problem) {
        problem = LiteralProblem{"Expected value of type \"" + definition.type.ToString() +
                                     "\", found: " + PrintValue(given->value) + ".",
                                 given->value.offset,
                                 {}};
      }
      return tl::unexpected(CoercionError{
          label + " has invalid value" + PrintPath(problem->path) + ": " + problem->message,
          {problem->offset}});
    }
    out[definition.name] = std::move(*value);
  }
  return out;
}

}  // namespace styrmin::graphql
