#include "styrmin/graphql/validate.h"

#include <algorithm>
#include <array>
#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <set>
#include <string>
#include <type_traits>
#include <unordered_map>
#include <unordered_set>
#include <utility>

#include "styrmin/core/json.h"
#include "styrmin/graphql/introspection.h"
#include "styrmin/graphql/print_schema.h"
#include "styrmin/graphql/suggest.h"
#include "styrmin/graphql/values.h"

namespace styrmin::graphql {
namespace {

// Thrown past the walk once the error limit is reached; never leaves this file.
struct AbortValidation {};

bool IsLeaf(const NamedType* t) {
  return t != nullptr && (t->kind == TypeKind::kScalar || t->kind == TypeKind::kEnum);
}

// A variable as used somewhere in an operation or fragment, with what TypeInfo knows there:
// the input type expected, the enclosing input type, and whether the position has a default.
struct VariableUsage {
  std::string name;
  std::size_t offset;
  std::optional<WrappedType> type;
  std::optional<WrappedType> parent_type;
  bool location_has_default = false;
};

std::optional<WrappedType> Nullable(std::optional<WrappedType> t) {
  if (t && t->IsNonNull()) return t->Unwrapped();
  return t;
}

// What the walk knows at each point (graphql-js's TypeInfo) plus the document's fragments.
class Context {
 public:
  Context(const Schema& schema, const Document& document, const Source& source,
          const ValidationOptions& options)
      : schema_(schema), document_(document), source_(source), options_(options) {
    for (const auto& d : document.definitions) {
      if (const auto* f = std::get_if<FragmentDefinition>(&d)) {
        fragments_.emplace(f->name.value, f);  // the first of a name wins, as in graphql-js
      }
    }
    // The meta fields every selection can ask for.
    typename_field_.name = "__typename";
    typename_field_.type = NonNull(schema.FindType("String"));
    schema_field_.name = "__schema";
    schema_field_.type = NonNull(schema.FindType("__Schema"));
    type_field_.name = "__type";
    type_field_.type.named = schema.FindType("__Type");
    InputValue name_arg;
    name_arg.name = "name";
    name_arg.type = NonNull(schema.FindType("String"));
    type_field_.arguments.push_back(std::move(name_arg));
  }

  const Schema& schema() const { return schema_; }
  const Document& document() const { return document_; }
  std::vector<GraphQLError>& errors() { return errors_; }

  // Stops validation with `message` as the last error (graphql-js's validationAbortedError).
  [[noreturn]] void Abort(std::string message) {
    errors_.push_back({std::move(message), {}});
    throw AbortValidation{};
  }

  void Report(std::string message, const std::vector<std::size_t>& offsets) {
    if (errors_.size() >= options_.max_errors) {
      errors_.push_back(
          {"Too many validation errors, error limit reached. Validation aborted.", {}});
      throw AbortValidation{};
    }
    GraphQLError e{std::move(message), {}};
    for (std::size_t o : offsets) e.locations.push_back(source_.LocationOf(o));
    errors_.push_back(std::move(e));
  }

  const FragmentDefinition* Fragment(std::string_view name) const {
    const auto it = fragments_.find(name);
    return it == fragments_.end() ? nullptr : it->second;
  }

  // graphql-js's getFragmentSpreads: direct spreads, nested selection sets visited last-in
  // first-out.
  std::vector<const Selection*> FragmentSpreads(const std::vector<Selection>& selections) const {
    std::vector<const Selection*> spreads;
    std::vector<const std::vector<Selection>*> to_visit{&selections};
    while (!to_visit.empty()) {
      const auto* set = to_visit.back();
      to_visit.pop_back();
      for (const auto& s : *set) {
        if (s.kind == Selection::Kind::kFragmentSpread) {
          spreads.push_back(&s);
        } else if (s.has_selection_set) {
          to_visit.push_back(&s.selections);
        }
      }
    }
    return spreads;
  }

  std::vector<const FragmentDefinition*> RecursivelyReferencedFragments(
      const std::vector<const std::vector<Selection>*>& roots) const {
    std::vector<std::string_view> names;
    std::unordered_set<std::string_view> collected;
    auto add = [&](std::string_view name) {
      if (collected.insert(name).second) names.push_back(name);
    };
    for (const auto* root : roots) {
      for (const auto* s : FragmentSpreads(*root)) add(s->name.value);
    }
    std::vector<const FragmentDefinition*> out;
    for (std::size_t i = 0; i < names.size(); ++i) {
      const FragmentDefinition* f = Fragment(names[i]);
      if (f == nullptr) continue;
      out.push_back(f);
      for (const auto* s : FragmentSpreads(f->selections)) add(s->name.value);
    }
    return out;
  }

  // Variables used in values, directives and selections in document order (variable
  // definitions excluded), typed as graphql-js's TypeInfo types them.
  void CollectVariables(const Value& v, const std::optional<WrappedType>& type,
                        const std::optional<WrappedType>& parent, bool has_default,
                        std::vector<VariableUsage>& out) const {
    switch (v.kind) {
      case Value::Kind::kVariable:
        out.push_back({v.text, v.offset, type, parent, has_default});
        return;
      case Value::Kind::kList: {
        // Items of a non-list position are checked against the position's own type.
        std::optional<WrappedType> item = Nullable(type);
        if (item && item->IsList()) item = item->Unwrapped();
        if (item && !item->named->IsInputType()) item.reset();
        for (const auto& i : v.list) CollectVariables(i, item, type, false, out);
        return;
      }
      case Value::Kind::kObject: {
        const NamedType* object = type ? type->named : nullptr;
        for (const auto& f : v.fields) {
          const InputValue* field = object != nullptr && object->kind == TypeKind::kInputObject
                                        ? object->FindInputField(f.name.value)
                                        : nullptr;
          std::optional<WrappedType> field_type;
          if (field != nullptr) field_type = field->type;
          CollectVariables(f.value, field_type, type,
                           field != nullptr && field->default_value.has_value(), out);
        }
        return;
      }
      default:
        return;
    }
  }
  void CollectArguments(const std::vector<Argument>& arguments,
                        const std::vector<InputValue>* definitions,
                        std::vector<VariableUsage>& out) const {
    for (const auto& a : arguments) {
      const InputValue* def = nullptr;
      if (definitions != nullptr) {
        for (const auto& d : *definitions) {
          if (d.name == a.name.value) def = &d;
        }
      }
      std::optional<WrappedType> type;
      if (def != nullptr) type = def->type;
      CollectVariables(a.value, type, std::nullopt,
                       def != nullptr && def->default_value.has_value(), out);
    }
  }
  void CollectVariables(const std::vector<Directive>& directives,
                        std::vector<VariableUsage>& out) const {
    for (const auto& d : directives) {
      const DirectiveDefinition* def = schema_.FindDirective(d.name.value);
      CollectArguments(d.arguments, def == nullptr ? nullptr : &def->arguments, out);
    }
  }
  void CollectVariables(const std::vector<Selection>& selections, const NamedType* parent,
                        std::vector<VariableUsage>& out) const {
    for (const auto& s : selections) {
      switch (s.kind) {
        case Selection::Kind::kField: {
          if (s.arguments.empty() && !s.has_selection_set) {  // most fields: no type lookup
            CollectVariables(s.directives, out);
            break;
          }
          const Field* def = LookupField(parent, s.name.value);
          CollectArguments(s.arguments, def == nullptr ? nullptr : &def->arguments, out);
          CollectVariables(s.directives, out);
          if (s.has_selection_set) {
            const NamedType* next =
                def != nullptr && def->type.named->IsComposite() ? def->type.named : nullptr;
            CollectVariables(s.selections, next, out);
          }
          break;
        }
        case Selection::Kind::kFragmentSpread:
          CollectVariables(s.directives, out);
          break;
        case Selection::Kind::kInlineFragment: {
          const NamedType* next =
              s.type_condition ? schema_.FindType(s.type_condition->value) : parent;
          CollectVariables(s.directives, out);
          CollectVariables(s.selections, next != nullptr && next->IsComposite() ? next : nullptr,
                           out);
          break;
        }
      }
    }
  }

  const NamedType* RootType(OperationType t) const {
    switch (t) {
      case OperationType::kQuery:
        return schema_.query_type();
      case OperationType::kMutation:
        return schema_.mutation_type();
      case OperationType::kSubscription:
        return schema_.subscription_type();
    }
    return nullptr;
  }

  // Computed once per operation: three rules ask for them, as graphql-js caches them too.
  const std::vector<VariableUsage>& RecursiveVariableUsages(const OperationDefinition& op) {
    auto [it, inserted] = usages_by_operation_.try_emplace(&op);
    if (inserted) it->second = ComputeRecursiveVariableUsages(op);
    return it->second;
  }

  std::vector<VariableUsage> ComputeRecursiveVariableUsages(const OperationDefinition& op) const {
    std::vector<VariableUsage> usages;
    CollectVariables(op.directives, usages);
    CollectVariables(op.selections, RootType(op.operation), usages);
    for (const auto* f : RecursivelyReferencedFragments({&op.selections})) {
      const NamedType* on = schema_.FindType(f->type_condition.value);
      CollectVariables(f->directives, usages);
      CollectVariables(f->selections, on != nullptr && on->IsComposite() ? on : nullptr, usages);
    }
    return usages;
  }

  // --- type information ------------------------------------------------------------------

  const NamedType* ParentType() const {
    return parent_types_.empty() ? nullptr : parent_types_.back();
  }
  // The type at the walk's position; null when unknown.
  const WrappedType* Type() const {
    const TypeSlot& slot = types_.back();
    if (slot.type != nullptr) return slot.type;
    return slot.bare.named != nullptr ? &slot.bare : nullptr;
  }
  const Field* FieldDef() const { return field_defs_.empty() ? nullptr : field_defs_.back(); }
  const DirectiveDefinition* CurrentDirective() const { return directive_; }
  const InputValue* CurrentArgument() const { return argument_; }

  const Field* LookupField(const NamedType* parent, const std::string& name) const {
    if (parent == nullptr) return nullptr;
    if (name == "__typename" && parent->IsComposite()) return &typename_field_;
    if (parent == schema_.query_type()) {
      if (name == "__schema") return &schema_field_;
      if (name == "__type") return &type_field_;
    }
    if (parent->kind != TypeKind::kObject && parent->kind != TypeKind::kInterface) return nullptr;
    return parent->FindField(name);
  }

  // The schema type for an AST type reference; `named` is null when the name is unknown.
  std::optional<WrappedType> TypeFromAst(const TypeRef& ref) const {
    WrappedType out =
        WrappedTypeFromAst(ref, [this](const std::string& name) { return schema_.FindType(name); });
    if (out.named == nullptr) return std::nullopt;
    return out;
  }

  void PushParent(const NamedType* t) { parent_types_.push_back(t); }
  void PopParent() { parent_types_.pop_back(); }
  // A field's type, kept by the schema (null when unknown): no copy per field.
  void PushType(const WrappedType* t) { types_.push_back({t, {}}); }
  // A named type without wrappers, as fragments and operations have (null when unknown).
  void PushNamedType(const NamedType* t) { types_.push_back({nullptr, WrappedType{t, {}}}); }
  void PopType() { types_.pop_back(); }
  void PushField(const Field* f) { field_defs_.push_back(f); }
  void PopField() { field_defs_.pop_back(); }
  void SetDirective(const DirectiveDefinition* d) { directive_ = d; }
  void SetArgument(const InputValue* a) { argument_ = a; }

 private:
  static WrappedType NonNull(const NamedType* t) {
    WrappedType w;
    w.named = t;
    w.wrappers.push_back(WrappedType::Wrapper::kNonNull);
    return w;
  }

  const Schema& schema_;
  const Document& document_;
  const Source& source_;
  const ValidationOptions& options_;
  std::vector<GraphQLError> errors_;
  std::unordered_map<std::string_view, const FragmentDefinition*> fragments_;  // the document's
  std::map<const OperationDefinition*, std::vector<VariableUsage>> usages_by_operation_;
  Field typename_field_;
  Field schema_field_;
  Field type_field_;
  std::vector<const NamedType*> parent_types_;
  struct TypeSlot {
    const WrappedType* type;  // a field's, or null
    WrappedType bare;         // else this, when its named type is known
  };
  std::vector<TypeSlot> types_{TypeSlot{nullptr, {}}};
  std::vector<const Field*> field_defs_;
  const DirectiveDefinition* directive_ = nullptr;
  const InputValue* argument_ = nullptr;
};

// Reports each name that `items` give more than once, in order of first appearance, at every
// offset (+ `shift`) it has. Lists of names are short and rarely repeat one: they are checked
// pairwise first, and grouped only when a name repeats.
template <typename Item, typename NameOf, typename MessageFor>
void ReportRepeatedNames(Context& c, const std::vector<Item>& items, NameOf name_of,
                         MessageFor message_for, std::size_t shift = 0) {
  if (items.size() < 2) return;
  bool repeated = false;
  if (items.size() <= 16) {
    for (std::size_t i = 0; i < items.size() && !repeated; ++i) {
      for (std::size_t j = i + 1; j < items.size(); ++j) {
        if (name_of(items[i]).value == name_of(items[j]).value) {
          repeated = true;
          break;
        }
      }
    }
    if (!repeated) return;
  }
  std::vector<std::string_view> order;
  std::unordered_map<std::string_view, std::vector<std::size_t>> groups;
  for (const auto& item : items) {
    const Name& name = name_of(item);
    auto& group = groups[name.value];
    if (group.empty()) order.push_back(name.value);
    group.push_back(name.offset + shift);
  }
  for (const std::string_view name : order) {
    const auto& group = groups[name];
    if (group.size() > 1) c.Report(message_for(std::string(name)), group);
  }
}

// One validation rule: hooks called as the walk enters and leaves nodes, after the type
// information for the node has been set.
class Rule {
 public:
  explicit Rule(Context& context) : c_(context) {}
  virtual ~Rule() = default;
  virtual void EnterDocument() {}
  virtual void LeaveDocument() {}
  virtual void EnterOperation(const OperationDefinition&) {}
  virtual void LeaveOperation(const OperationDefinition&) {}
  virtual void EnterVariableDefinition(const VariableDefinition&) {}
  virtual void EnterFragment(const FragmentDefinition&) {}
  virtual void EnterField(const Selection&) {}
  virtual void LeaveField(const Selection&) {}
  virtual void EnterFragmentSpread(const Selection&) {}
  virtual void EnterInlineFragment(const Selection&) {}
  virtual void EnterDirective(const Directive&, const char* /*location*/) {}
  virtual void LeaveDirective(const Directive&) {}
  virtual void EnterArgument(const Argument&, bool /*of_directive*/) {}
  // A whole value at an argument or variable default, with the type expected there.
  virtual void EnterValue(const Value&, const std::optional<WrappedType>& /*expected*/) {}
  // After the selection set's parent type is set; `parent_is_inline_fragment` as graphql-js's
  // visitor tells it.
  virtual void EnterSelectionSet(const std::vector<Selection>&,
                                 bool /*parent_is_inline_fragment*/) {}
  virtual void EnterObjectValue() {}
  virtual void LeaveObjectValue() {}
  virtual void EnterObjectField(const ObjectField&) {}
  // `sdl`: the reference sits in a type system definition, where standard names are known.
  virtual void EnterNamedType(const Name&, bool /*sdl*/) {}
  // Directives carried by a node, as a group (UniqueDirectivesPerLocation).
  virtual void EnterDirectives(const std::vector<Directive>&) {}

 protected:
  Context& c_;
};

// The hooks of Rule, for dispatching each only to the rules that override it: most rules
// look at a few kinds of node, and a virtual call per rule per node was a tenth of validation.
enum class Hook : std::size_t {
  kEnterDocument,
  kLeaveDocument,
  kEnterOperation,
  kLeaveOperation,
  kEnterVariableDefinition,
  kEnterFragment,
  kEnterField,
  kLeaveField,
  kEnterFragmentSpread,
  kEnterInlineFragment,
  kEnterDirective,
  kLeaveDirective,
  kEnterArgument,
  kEnterValue,
  kEnterSelectionSet,
  kEnterObjectValue,
  kLeaveObjectValue,
  kEnterObjectField,
  kEnterNamedType,
  kEnterDirectives,
  kCount,
};
using HookSet = std::array<bool, static_cast<std::size_t>(Hook::kCount)>;

// Which hooks rule R overrides: &R::Hook names Rule's own member unless R declares one.
template <typename R>
HookSet HooksOf() {
  HookSet hooks{};
  hooks[static_cast<std::size_t>(Hook::kEnterDocument)] =
      !std::is_same_v<decltype(&R::EnterDocument), decltype(&Rule::EnterDocument)>;
  hooks[static_cast<std::size_t>(Hook::kLeaveDocument)] =
      !std::is_same_v<decltype(&R::LeaveDocument), decltype(&Rule::LeaveDocument)>;
  hooks[static_cast<std::size_t>(Hook::kEnterOperation)] =
      !std::is_same_v<decltype(&R::EnterOperation), decltype(&Rule::EnterOperation)>;
  hooks[static_cast<std::size_t>(Hook::kLeaveOperation)] =
      !std::is_same_v<decltype(&R::LeaveOperation), decltype(&Rule::LeaveOperation)>;
  hooks[static_cast<std::size_t>(Hook::kEnterVariableDefinition)] =
      !std::is_same_v<decltype(&R::EnterVariableDefinition),
                      decltype(&Rule::EnterVariableDefinition)>;
  hooks[static_cast<std::size_t>(Hook::kEnterFragment)] =
      !std::is_same_v<decltype(&R::EnterFragment), decltype(&Rule::EnterFragment)>;
  hooks[static_cast<std::size_t>(Hook::kEnterField)] =
      !std::is_same_v<decltype(&R::EnterField), decltype(&Rule::EnterField)>;
  hooks[static_cast<std::size_t>(Hook::kLeaveField)] =
      !std::is_same_v<decltype(&R::LeaveField), decltype(&Rule::LeaveField)>;
  hooks[static_cast<std::size_t>(Hook::kEnterFragmentSpread)] =
      !std::is_same_v<decltype(&R::EnterFragmentSpread), decltype(&Rule::EnterFragmentSpread)>;
  hooks[static_cast<std::size_t>(Hook::kEnterInlineFragment)] =
      !std::is_same_v<decltype(&R::EnterInlineFragment), decltype(&Rule::EnterInlineFragment)>;
  hooks[static_cast<std::size_t>(Hook::kEnterDirective)] =
      !std::is_same_v<decltype(&R::EnterDirective), decltype(&Rule::EnterDirective)>;
  hooks[static_cast<std::size_t>(Hook::kLeaveDirective)] =
      !std::is_same_v<decltype(&R::LeaveDirective), decltype(&Rule::LeaveDirective)>;
  hooks[static_cast<std::size_t>(Hook::kEnterArgument)] =
      !std::is_same_v<decltype(&R::EnterArgument), decltype(&Rule::EnterArgument)>;
  hooks[static_cast<std::size_t>(Hook::kEnterValue)] =
      !std::is_same_v<decltype(&R::EnterValue), decltype(&Rule::EnterValue)>;
  hooks[static_cast<std::size_t>(Hook::kEnterSelectionSet)] =
      !std::is_same_v<decltype(&R::EnterSelectionSet), decltype(&Rule::EnterSelectionSet)>;
  hooks[static_cast<std::size_t>(Hook::kEnterObjectValue)] =
      !std::is_same_v<decltype(&R::EnterObjectValue), decltype(&Rule::EnterObjectValue)>;
  hooks[static_cast<std::size_t>(Hook::kLeaveObjectValue)] =
      !std::is_same_v<decltype(&R::LeaveObjectValue), decltype(&Rule::LeaveObjectValue)>;
  hooks[static_cast<std::size_t>(Hook::kEnterObjectField)] =
      !std::is_same_v<decltype(&R::EnterObjectField), decltype(&Rule::EnterObjectField)>;
  hooks[static_cast<std::size_t>(Hook::kEnterNamedType)] =
      !std::is_same_v<decltype(&R::EnterNamedType), decltype(&Rule::EnterNamedType)>;
  hooks[static_cast<std::size_t>(Hook::kEnterDirectives)] =
      !std::is_same_v<decltype(&R::EnterDirectives), decltype(&Rule::EnterDirectives)>;
  return hooks;
}

struct RuleEntry {
  std::unique_ptr<Rule> rule;
  HookSet hooks;
};

// --- the rules, in graphql-js's order ------------------------------------------------------

// Introspection queries nesting fields/interfaces/possibleTypes/inputFields three deep are
// refused, as graphql-js refuses them (they grow exponentially with the schema).
class MaxIntrospectionDepth final : public Rule {
 public:
  using Rule::Rule;
  void EnterField(const Selection& f) override {
    if (skip_depth_ > 0) {
      ++skip_depth_;
      return;
    }
    if (f.name.value != "__schema" && f.name.value != "__type") return;
    std::map<std::string, int> visited;
    if (Exceeds(f, visited, 0)) {
      c_.Report("Maximum introspection depth exceeded", {f.offset});
      skip_depth_ = 1;  // graphql-js skips the field's subtree for this rule
    }
  }
  void LeaveField(const Selection&) override {
    if (skip_depth_ > 0) --skip_depth_;
  }

 private:
  static constexpr int kMaxListsDepth = 3;

  bool Exceeds(const Selection& node, std::map<std::string, int>& visited, int depth) {
    if (node.kind == Selection::Kind::kFragmentSpread) {
      const std::string& name = node.name.value;
      if (const auto e = exceeded_.find(name); e != exceeded_.end() && e->second <= depth) {
        return true;
      }
      const auto v = visited.find(name);
      const auto c = checked_.find(name);
      if ((v != visited.end() && v->second >= depth) ||
          (c != checked_.end() && c->second >= depth)) {
        return false;
      }
      const FragmentDefinition* fragment = c_.Fragment(name);
      if (fragment == nullptr) return false;
      visited[name] = depth;
      for (const auto& child : fragment->selections) {
        if (Exceeds(child, visited, depth)) {
          exceeded_[name] = depth;
          return true;
        }
      }
      checked_[name] = depth;
      return false;
    }
    if (node.kind == Selection::Kind::kField) {
      const std::string& n = node.name.value;
      if (n == "fields" || n == "interfaces" || n == "possibleTypes" || n == "inputFields") {
        if (++depth >= kMaxListsDepth) return true;
      }
    }
    for (const auto& child : node.selections) {
      if (Exceeds(child, visited, depth)) return true;
    }
    return false;
  }

  int skip_depth_ = 0;
  std::map<std::string, int> checked_;
  std::map<std::string, int> exceeded_;
};

class ExecutableDefinitions final : public Rule {
 public:
  using Rule::Rule;
  void EnterDocument() override {
    for (const auto& d : c_.document().definitions) {
      const auto* t = std::get_if<TypeSystemDefinition>(&d);
      if (t == nullptr) continue;
      const std::string name =
          t->kind == TypeSystemDefinition::Kind::kSchema ? "schema" : "\"" + t->name.value + "\"";
      c_.Report("The " + name + " definition is not executable.", {t->offset});
    }
  }
};

class KnownOperationTypes final : public Rule {
 public:
  using Rule::Rule;
  void EnterOperation(const OperationDefinition& op) override {
    const Schema& s = c_.schema();
    const NamedType* root = op.operation == OperationType::kQuery      ? s.query_type()
                            : op.operation == OperationType::kMutation ? s.mutation_type()
                                                                       : s.subscription_type();
    if (root == nullptr) {
      c_.Report(std::string("The ") + OperationTypeName(op.operation) +
                    " operation is not supported by the schema.",
                {op.offset});
    }
  }
};

class UniqueOperationNames final : public Rule {
 public:
  using Rule::Rule;
  void EnterOperation(const OperationDefinition& op) override {
    if (!op.name) return;
    const auto [it, inserted] = known_.emplace(op.name->value, op.name->offset);
    if (!inserted) {
      c_.Report("There can be only one operation named \"" + op.name->value + "\".",
                {it->second, op.name->offset});
    }
  }

 private:
  std::map<std::string, std::size_t> known_;
};

class LoneAnonymousOperation final : public Rule {
 public:
  using Rule::Rule;
  void EnterDocument() override {
    for (const auto& d : c_.document().definitions) {
      operations_ += std::holds_alternative<OperationDefinition>(d) ? 1 : 0;
    }
  }
  void EnterOperation(const OperationDefinition& op) override {
    if (!op.name && operations_ > 1) {
      c_.Report("This anonymous operation must be the only defined operation.", {op.offset});
    }
  }

 private:
  int operations_ = 0;
};

// Subscriptions deliver one root field: the top-level selection (through fragments) must
// collect to exactly one non-introspection field, with no @skip or @include deciding which.
class SingleFieldSubscriptions final : public Rule {
 public:
  using Rule::Rule;
  void EnterOperation(const OperationDefinition& op) override {
    if (op.operation != OperationType::kSubscription) return;
    const NamedType* root = c_.schema().subscription_type();
    if (root == nullptr) return;
    Collected collected;
    std::set<std::string> visited;
    Collect(*root, op.selections, collected, visited);
    const std::string subject =
        op.name ? "Subscription \"" + op.name->value + "\"" : std::string("Anonymous Subscription");
    if (!collected.forbidden.empty()) {
      c_.Report(subject +
                    " must not use `@skip` or `@include` directives in the top level "
                    "selection.",
                collected.forbidden);
      return;
    }
    if (collected.order.empty()) {
      c_.Report(subject + " must select one top level field.", {op.selection_set_offset});
    } else if (collected.order.size() > 1) {
      std::vector<std::size_t> extra;
      for (std::size_t i = 1; i < collected.order.size(); ++i) {
        const auto& nodes = collected.fields[collected.order[i]];
        extra.insert(extra.end(), nodes.begin(), nodes.end());
      }
      c_.Report(subject + " must select only one top level field.", extra);
    }
    for (const auto& response_name : collected.order) {
      if (collected.names[response_name].starts_with("__")) {
        c_.Report(subject + " must not select an introspection top level field.",
                  collected.fields[response_name]);
      }
    }
  }

 private:
  struct Collected {
    std::vector<std::string> order;                          // response names, first seen
    std::map<std::string, std::vector<std::size_t>> fields;  // response name -> field offsets
    std::map<std::string, std::string> names;                // response name -> first field name
    std::vector<std::size_t> forbidden;                      // @skip/@include offsets
  };

  // graphql-js's shouldIncludeNode with forbidSkipAndInclude: either directive excludes the
  // node and is recorded.
  static bool Included(const Selection& s, Collected& out) {
    for (const char* name : {"skip", "include"}) {
      for (const auto& d : s.directives) {
        if (d.name.value == name) {
          out.forbidden.push_back(d.offset);
          return false;
        }
      }
    }
    return true;
  }

  bool ConditionMatches(const std::optional<Name>& condition, const NamedType& type) const {
    if (!condition) return true;
    const NamedType* t = c_.schema().FindType(condition->value);
    if (t == nullptr) return false;
    if (t == &type) return true;
    return t->IsAbstract() && c_.schema().IsSubType(*t, type);
  }

  void Collect(const NamedType& type, const std::vector<Selection>& selections, Collected& out,
               std::set<std::string>& visited) const {
    for (const auto& s : selections) {
      switch (s.kind) {
        case Selection::Kind::kField: {
          if (!Included(s, out)) continue;
          const std::string key = s.alias ? s.alias->value : s.name.value;
          auto& nodes = out.fields[key];
          if (nodes.empty()) {
            out.order.push_back(key);
            out.names[key] = s.name.value;
          }
          nodes.push_back(s.offset);
          break;
        }
        case Selection::Kind::kInlineFragment:
          if (!Included(s, out) || !ConditionMatches(s.type_condition, type)) continue;
          Collect(type, s.selections, out, visited);
          break;
        case Selection::Kind::kFragmentSpread: {
          if (!Included(s, out)) continue;
          const FragmentDefinition* f = c_.Fragment(s.name.value);
          if (f == nullptr || !ConditionMatches(f->type_condition, type)) continue;
          if (!visited.insert(s.name.value).second) continue;
          Collect(type, f->selections, out, visited);
          break;
        }
      }
    }
  }
};

class KnownTypeNames final : public Rule {
 public:
  using Rule::Rule;
  void EnterNamedType(const Name& n, bool sdl) override {
    if (c_.schema().FindType(n.value) != nullptr || DefinedHere(n.value)) return;
    static const std::vector<std::string> kStandard = {
        "String",    "Int",      "Float",        "Boolean",
        "ID",        "__Schema", "__Directive",  "__DirectiveLocation",
        "__Type",    "__Field",  "__InputValue", "__EnumValue",
        "__TypeKind"};
    if (sdl && std::find(kStandard.begin(), kStandard.end(), n.value) != kStandard.end()) return;
    if (names_.empty()) {
      for (const NamedType* t : c_.schema().types()) names_.push_back(t->name);
      for (const auto& d : c_.document().definitions) {
        const auto* t = std::get_if<TypeSystemDefinition>(&d);
        if (t != nullptr && !t->extension && t->kind != TypeSystemDefinition::Kind::kSchema &&
            t->kind != TypeSystemDefinition::Kind::kDirective) {
          names_.push_back(t->name.value);
        }
      }
    }
    std::vector<std::string> options = names_;
    if (sdl) options.insert(options.begin(), kStandard.begin(), kStandard.end());
    c_.Report("Unknown type \"" + n.value + "\"." + DidYouMean(SuggestionList(n.value, options)),
              {n.offset});
  }

 private:
  bool DefinedHere(const std::string& name) const {
    for (const auto& d : c_.document().definitions) {
      const auto* t = std::get_if<TypeSystemDefinition>(&d);
      if (t != nullptr && !t->extension && t->kind != TypeSystemDefinition::Kind::kSchema &&
          t->kind != TypeSystemDefinition::Kind::kDirective && t->name.value == name) {
        return true;
      }
    }
    return false;
  }

  std::vector<std::string> names_;
};

class FragmentsOnCompositeTypes final : public Rule {
 public:
  using Rule::Rule;
  void EnterInlineFragment(const Selection& s) override {
    if (!s.type_condition) return;
    const NamedType* t = c_.schema().FindType(s.type_condition->value);
    if (t != nullptr && !t->IsComposite()) {
      c_.Report("Fragment cannot condition on non composite type \"" + t->name + "\".",
                {s.type_condition->offset});
    }
  }
  void EnterFragment(const FragmentDefinition& f) override {
    const NamedType* t = c_.schema().FindType(f.type_condition.value);
    if (t != nullptr && !t->IsComposite()) {
      c_.Report("Fragment \"" + f.name.value + "\" cannot condition on non composite type \"" +
                    t->name + "\".",
                {f.type_condition.offset});
    }
  }
};

class VariablesAreInputTypes final : public Rule {
 public:
  using Rule::Rule;
  void EnterVariableDefinition(const VariableDefinition& v) override {
    const auto type = c_.TypeFromAst(v.type);
    if (type && !type->named->IsInputType()) {
      c_.Report("Variable \"$" + v.variable.value + "\" cannot be non-input type \"" +
                    TypeRefToString(v.type) + "\".",
                {v.type.offset});
    }
  }
};

class ScalarLeafs final : public Rule {
 public:
  using Rule::Rule;
  void EnterField(const Selection& f) override {
    const WrappedType* type = c_.Type();
    if (!type) return;
    const std::string& name = f.name.value;
    if (IsLeaf(type->named)) {
      if (f.has_selection_set) {
        c_.Report("Field \"" + name + "\" must not have a selection since type \"" +
                      type->ToString() + "\" has no subfields.",
                  {f.selection_set_offset});
      }
    } else if (!f.has_selection_set) {
      c_.Report("Field \"" + name + "\" of type \"" + type->ToString() +
                    "\" must have a selection of subfields. Did you mean \"" + name + " { ... }\"?",
                {f.offset});
    }
  }
};

class FieldsOnCorrectType final : public Rule {
 public:
  using Rule::Rule;
  void EnterField(const Selection& f) override {
    const NamedType* parent = c_.ParentType();
    if (parent == nullptr || c_.FieldDef() != nullptr) return;
    const std::string& name = f.name.value;
    std::string suggestion =
        DidYouMean(SuggestedTypes(*parent, name), "to use an inline fragment on");
    if (suggestion.empty()) suggestion = DidYouMean(SuggestedFields(*parent, name));
    c_.Report("Cannot query field \"" + name + "\" on type \"" + parent->name + "\"." + suggestion,
              {f.offset});
  }

 private:
  std::vector<std::string> SuggestedTypes(const NamedType& type, const std::string& field) {
    if (!type.IsAbstract()) return {};
    const Schema& schema = c_.schema();
    std::vector<const NamedType*> suggested;
    std::map<const NamedType*, int> usage;
    for (const NamedType* possible : schema.PossibleTypes(type)) {
      if (possible->FindField(field) == nullptr) continue;
      if (!usage.contains(possible)) suggested.push_back(possible);
      usage[possible] = 1;
      for (const NamedType* i : possible->interfaces) {
        if (i->FindField(field) == nullptr) continue;
        if (!usage.contains(i)) suggested.push_back(i);
        usage[i] += 1;
      }
    }
    std::stable_sort(suggested.begin(), suggested.end(),
                     [&](const NamedType* a, const NamedType* b) {
                       if (usage[a] != usage[b]) return usage[a] > usage[b];
                       if (a->kind == TypeKind::kInterface && schema.IsSubType(*a, *b)) return true;
                       if (b->kind == TypeKind::kInterface && schema.IsSubType(*b, *a))
                         return false;
                       return NaturalCompare(a->name, b->name) < 0;
                     });
    std::vector<std::string> names;
    names.reserve(suggested.size());
    for (const auto* t : suggested) names.push_back(t->name);
    return names;
  }

  static std::vector<std::string> SuggestedFields(const NamedType& type, const std::string& field) {
    if (type.kind != TypeKind::kObject && type.kind != TypeKind::kInterface) return {};
    std::vector<std::string> names;
    for (const auto& f : type.fields) names.push_back(f.name);
    return SuggestionList(field, names);
  }
};

class UniqueFragmentNames final : public Rule {
 public:
  using Rule::Rule;
  void EnterFragment(const FragmentDefinition& f) override {
    const auto [it, inserted] = known_.emplace(f.name.value, f.name.offset);
    if (!inserted) {
      c_.Report("There can be only one fragment named \"" + f.name.value + "\".",
                {it->second, f.name.offset});
    }
  }

 private:
  std::map<std::string, std::size_t> known_;
};

class KnownFragmentNames final : public Rule {
 public:
  using Rule::Rule;
  void EnterFragmentSpread(const Selection& s) override {
    if (c_.Fragment(s.name.value) == nullptr) {
      c_.Report("Unknown fragment \"" + s.name.value + "\".", {s.name.offset});
    }
  }
};

class NoUnusedFragments final : public Rule {
 public:
  using Rule::Rule;
  void LeaveDocument() override {
    std::vector<const std::vector<Selection>*> roots;
    for (const auto& d : c_.document().definitions) {
      if (const auto* op = std::get_if<OperationDefinition>(&d)) roots.push_back(&op->selections);
    }
    std::unordered_set<std::string_view> used;
    for (const auto* f : c_.RecursivelyReferencedFragments(roots)) used.insert(f->name.value);
    for (const auto& d : c_.document().definitions) {
      const auto* f = std::get_if<FragmentDefinition>(&d);
      if (f != nullptr && !used.contains(f->name.value)) {
        c_.Report("Fragment \"" + f->name.value + "\" is never used.", {f->offset});
      }
    }
  }
};

bool DoTypesOverlap(const Schema& schema, const NamedType& a, const NamedType& b) {
  if (&a == &b) return true;
  if (a.IsAbstract()) {
    if (b.IsAbstract()) {
      for (const NamedType* t : schema.PossibleTypes(a)) {
        if (schema.IsSubType(b, *t)) return true;
      }
      return false;
    }
    return schema.IsSubType(a, b);
  }
  if (b.IsAbstract()) return schema.IsSubType(b, a);
  return false;
}

class PossibleFragmentSpreads final : public Rule {
 public:
  using Rule::Rule;
  void EnterInlineFragment(const Selection& s) override {
    const WrappedType* type = c_.Type();
    const NamedType* parent = c_.ParentType();
    if (!type || !type->named->IsComposite() || parent == nullptr || !parent->IsComposite()) {
      return;
    }
    if (!DoTypesOverlap(c_.schema(), *type->named, *parent)) {
      c_.Report("Fragment cannot be spread here as objects of type \"" + parent->name +
                    "\" can never be of type \"" + type->named->name + "\".",
                {s.offset});
    }
  }
  void EnterFragmentSpread(const Selection& s) override {
    const FragmentDefinition* f = c_.Fragment(s.name.value);
    const NamedType* parent = c_.ParentType();
    if (f == nullptr || parent == nullptr) return;
    const NamedType* type = c_.schema().FindType(f->type_condition.value);
    if (type == nullptr || !type->IsComposite()) return;
    if (!DoTypesOverlap(c_.schema(), *type, *parent)) {
      c_.Report("Fragment \"" + s.name.value + "\" cannot be spread here as objects of type \"" +
                    parent->name + "\" can never be of type \"" + type->name + "\".",
                {s.offset});
    }
  }
};

class NoFragmentCycles final : public Rule {
 public:
  using Rule::Rule;
  void EnterFragment(const FragmentDefinition& f) override { Detect(f); }

 private:
  void Detect(const FragmentDefinition& fragment) {
    const std::string& name = fragment.name.value;
    if (!visited_.insert(name).second) return;
    const auto spreads = c_.FragmentSpreads(fragment.selections);
    if (spreads.empty()) return;
    index_by_name_[name] = path_.size();
    for (const Selection* spread : spreads) {
      const std::string& spread_name = spread->name.value;
      const auto cycle = index_by_name_.find(spread_name);
      path_.push_back(spread);
      if (cycle == index_by_name_.end()) {
        if (const FragmentDefinition* next = c_.Fragment(spread_name)) Detect(*next);
      } else {
        std::vector<std::size_t> offsets;
        std::string via;
        for (std::size_t i = cycle->second; i < path_.size(); ++i) {
          offsets.push_back(path_[i]->offset);
          if (i + 1 < path_.size()) {
            if (!via.empty()) via += ", ";
            via += "\"" + path_[i]->name.value + "\"";
          }
        }
        c_.Report("Cannot spread fragment \"" + spread_name + "\" within itself" +
                      (via.empty() ? "." : " via " + via + "."),
                  offsets);
      }
      path_.pop_back();
    }
    index_by_name_.erase(name);
  }

  std::set<std::string> visited_;
  std::vector<const Selection*> path_;
  std::map<std::string, std::size_t> index_by_name_;
};

class UniqueVariableNames final : public Rule {
 public:
  using Rule::Rule;
  void EnterOperation(const OperationDefinition& op) override {
    ReportRepeatedNames(
        c_, op.variables, [](const VariableDefinition& v) -> const Name& { return v.variable; },
        [](const std::string& name) {
          return "There can be only one variable named \"$" + name + "\".";
        },
        1);  // the Name after "$"
  }
};

class NoUndefinedVariables final : public Rule {
 public:
  using Rule::Rule;
  void EnterOperation(const OperationDefinition& op) override {
    std::unordered_set<std::string_view> defined;
    for (const auto& v : op.variables) defined.insert(v.variable.value);
    for (const auto& usage : c_.RecursiveVariableUsages(op)) {
      if (defined.contains(usage.name)) continue;
      c_.Report(op.name ? "Variable \"$" + usage.name + "\" is not defined by operation \"" +
                              op.name->value + "\"."
                        : "Variable \"$" + usage.name + "\" is not defined.",
                {usage.offset, op.offset});
    }
  }
};

class NoUnusedVariables final : public Rule {
 public:
  using Rule::Rule;
  void EnterOperation(const OperationDefinition& op) override {
    std::unordered_set<std::string_view> used;
    for (const auto& usage : c_.RecursiveVariableUsages(op)) used.insert(usage.name);
    for (const auto& v : op.variables) {
      if (used.contains(v.variable.value)) continue;
      c_.Report(op.name ? "Variable \"$" + v.variable.value + "\" is never used in operation \"" +
                              op.name->value + "\"."
                        : "Variable \"$" + v.variable.value + "\" is never used.",
                {v.offset});
    }
  }
};

class KnownDirectives final : public Rule {
 public:
  using Rule::Rule;
  void EnterDirective(const Directive& d, const char* location) override {
    const DirectiveDefinition* def = c_.schema().FindDirective(d.name.value);
    if (def == nullptr) {
      c_.Report("Unknown directive \"@" + d.name.value + "\".", {d.offset});
      return;
    }
    if (std::find(def->locations.begin(), def->locations.end(), location) == def->locations.end()) {
      c_.Report("Directive \"@" + d.name.value + "\" may not be used on " + location + ".",
                {d.offset});
    }
  }
};

class UniqueDirectivesPerLocation final : public Rule {
 public:
  using Rule::Rule;
  void EnterDirectives(const std::vector<Directive>& directives) override {
    std::map<std::string, std::size_t> seen;
    for (const auto& d : directives) {
      const DirectiveDefinition* def = c_.schema().FindDirective(d.name.value);
      if (def == nullptr || def->repeatable) continue;
      const auto [it, inserted] = seen.emplace(d.name.value, d.offset);
      if (!inserted) {
        c_.Report("The directive \"@" + d.name.value + "\" can only be used once at this location.",
                  {it->second, d.offset});
      }
    }
  }
};

class KnownArgumentNames final : public Rule {
 public:
  using Rule::Rule;
  void EnterDirective(const Directive& d, const char*) override {
    const DirectiveDefinition* def = c_.schema().FindDirective(d.name.value);
    if (def == nullptr) return;
    std::vector<std::string> known;
    for (const auto& a : def->arguments) known.push_back(a.name);
    for (const auto& a : d.arguments) {
      if (def->Argument(a.name.value) != nullptr) continue;
      c_.Report("Unknown argument \"" + a.name.value + "\" on directive \"@" + d.name.value +
                    "\"." + DidYouMean(SuggestionList(a.name.value, known)),
                {a.offset});
    }
  }
  void EnterArgument(const Argument& a, bool of_directive) override {
    const Field* field = c_.FieldDef();
    if (of_directive || c_.CurrentArgument() != nullptr || field == nullptr) return;
    std::vector<std::string> known;
    for (const auto& arg : field->arguments) known.push_back(arg.name);
    c_.Report("Unknown argument \"" + a.name.value + "\" on field \"" + c_.ParentType()->name +
                  "." + field->name + "\"." + DidYouMean(SuggestionList(a.name.value, known)),
              {a.offset});
  }
};

void CheckArgumentUniqueness(Context& c, const std::vector<Argument>& arguments) {
  ReportRepeatedNames(
      c, arguments, [](const Argument& a) -> const Name& { return a.name; },
      [](const std::string& name) {
        return "There can be only one argument named \"" + name + "\".";
      });
}

class UniqueArgumentNames final : public Rule {
 public:
  using Rule::Rule;
  void EnterField(const Selection& f) override { CheckArgumentUniqueness(c_, f.arguments); }
  void EnterDirective(const Directive& d, const char*) override {
    CheckArgumentUniqueness(c_, d.arguments);
  }
};

// graphql-js's validateInputLiteral in static mode: literals checked against input types.
class ValuesOfCorrectType final : public Rule {
 public:
  using Rule::Rule;
  void EnterValue(const Value& v, const std::optional<WrappedType>& expected) override {
    if (!expected) return;
    ValidateLiteral(v, *expected,
                    [this](const std::string& message, std::size_t offset,
                           const std::string& /*path*/) { c_.Report(message, {offset}); });
  }
};

class ProvidedRequiredArguments final : public Rule {
 public:
  using Rule::Rule;
  void LeaveField(const Selection& f) override {
    const Field* def = c_.FieldDef();
    if (def == nullptr) return;
    for (const auto& a : def->arguments) {
      if (!a.IsRequired() || Provided(f.arguments, a.name)) continue;
      c_.Report("Argument \"" + c_.ParentType()->name + "." + def->name + "(" + a.name +
                    ":)\" of type \"" + a.type.ToString() +
                    "\" is required, but it was not provided.",
                {f.offset});
    }
  }
  void LeaveDirective(const Directive& d) override {
    const DirectiveDefinition* def = c_.schema().FindDirective(d.name.value);
    if (def == nullptr) return;
    for (const auto& a : def->arguments) {
      if (!a.IsRequired() || Provided(d.arguments, a.name)) continue;
      c_.Report("Argument \"@" + d.name.value + "(" + a.name + ":)\" of type \"" +
                    a.type.ToString() + "\" is required, but it was not provided.",
                {d.offset});
    }
  }

 private:
  static bool Provided(const std::vector<Argument>& given, const std::string& name) {
    return std::any_of(given.begin(), given.end(),
                       [&](const Argument& a) { return a.name.value == name; });
  }
};

// graphql-js's isTypeSubTypeOf, for the input types a variable can flow into.
class VariablesInAllowedPosition final : public Rule {
 public:
  using Rule::Rule;
  void LeaveOperation(const OperationDefinition& op) override {
    std::map<std::string, const VariableDefinition*> definitions;
    for (const auto& v : op.variables) definitions.emplace(v.variable.value, &v);
    for (const auto& usage : c_.RecursiveVariableUsages(op)) {
      const auto def = definitions.find(usage.name);
      if (def == definitions.end() || !usage.type) continue;
      const auto var_type = c_.TypeFromAst(def->second->type);
      if (!var_type) continue;
      if (!Allowed(*var_type, def->second->default_value, *usage.type,
                   usage.location_has_default)) {
        c_.Report("Variable \"$" + usage.name + "\" of type \"" + var_type->ToString() +
                      "\" used in position expecting type \"" + usage.type->ToString() + "\".",
                  {def->second->offset, usage.offset});
      }
      const auto& parent = usage.parent_type;
      if (parent && parent->wrappers.empty() && parent->named->kind == TypeKind::kInputObject &&
          parent->named->one_of && !var_type->IsNonNull()) {
        c_.Report("Variable \"$" + usage.name + "\" is of type \"" + var_type->ToString() +
                      "\" but must be non-nullable to be used for OneOf Input Object \"" +
                      parent->named->name + "\".",
                  {def->second->offset, usage.offset});
      }
    }
  }

 private:
  bool Allowed(const WrappedType& var_type, const std::optional<Value>& var_default,
               const WrappedType& location, bool location_has_default) const {
    if (location.IsNonNull() && !var_type.IsNonNull()) {
      const bool non_null_default = var_default && var_default->kind != Value::Kind::kNull;
      if (!non_null_default && !location_has_default) return false;
      return IsTypeSubTypeOf(c_.schema(), var_type, location.Unwrapped());
    }
    return IsTypeSubTypeOf(c_.schema(), var_type, location);
  }
};

// Two fields with one response name must be mergeable: same field and arguments, unless their
// parents are different object types, and types that do not conflict; sub-selections are
// compared recursively, fragments included. Follows graphql-js 17's algorithm and its memos, with
// its complexity budget (exceeding it aborts validation). Fragment arguments are not supported
// (graphql-js enables them only experimentally), so every fragment shares one variable scope.
class OverlappingFieldsCanBeMerged final : public Rule {
 public:
  using Rule::Rule;
  void EnterSelectionSet(const std::vector<Selection>& selections,
                         bool parent_is_inline_fragment) override {
    if (parent_is_inline_fragment) return;
    if (selections.size() <= 1 &&
        (selections.empty() || selections[0].kind != Selection::Kind::kInlineFragment)) {
      return;
    }
    std::vector<Conflict> conflicts;
    const CollectResult& collected = Collect(c_.ParentType(), selections);
    CollectWithin(conflicts, collected);
    if (!collected.spreads.empty() && (!collected.order.empty() || collected.spreads.size() > 1)) {
      const auto spreads = Spreads(collected);
      for (std::size_t i = 0; i < spreads.size(); ++i) {
        BetweenFieldsAndFragment(conflicts, false, collected, spreads[i]);
        for (std::size_t j = i + 1; j < spreads.size(); ++j) {
          BetweenFragments(conflicts, false, spreads[i], spreads[j]);
        }
      }
    }
    for (const auto& conflict : conflicts) {
      std::vector<std::size_t> nodes = conflict.fields1;
      nodes.insert(nodes.end(), conflict.fields2.begin(), conflict.fields2.end());
      c_.Report("Fields \"" + Abbreviate(conflict.response_name) + "\" conflict because " +
                    conflict.reason +
                    ". Use different aliases on the fields to fetch both if this was "
                    "intentional.",
                nodes);
    }
  }

 private:
  static constexpr std::size_t kMaxConflictDetailLength = 1000;
  static constexpr std::size_t kMaxConflictNodes = 20;
  static constexpr long kMaxComplexityBudget = 500000;

  struct FieldDetails {
    std::string_view response_name;  // the document's text
    const NamedType* parent;
    const Selection* node;
    const Field* definition;
    bool simple_leaf;
    const Directive* stream;
  };
  // The fields of one response name: a run of CollectResult::by_name.
  struct Group {
    std::string_view name;
    std::uint32_t begin;
    std::uint32_t end;
  };
  // A selection set's fields grouped by response name, in flat vectors: a set is collected
  // for every selection set and fragment, and a map of lists cost two allocations per name.
  struct CollectResult {
    std::vector<FieldDetails> fields;    // in document order
    std::vector<std::uint32_t> by_name;  // indices into fields, by name then document order
    std::vector<Group> groups;           // by name, for Find
    std::vector<std::uint32_t> order;    // indices into groups, by first appearance
    std::vector<const Selection*> spreads;

    const Group* Find(std::string_view name) const {
      const auto it =
          std::lower_bound(groups.begin(), groups.end(), name,
                           [](const Group& g, std::string_view n) { return g.name < n; });
      return it == groups.end() || it->name != name ? nullptr : &*it;
    }
    const FieldDetails& At(std::uint32_t k) const { return fields[by_name[k]]; }
  };
  struct Conflict {
    std::string response_name;
    std::string reason;
    std::vector<std::size_t> fields1;
    std::vector<std::size_t> fields2;
  };
  // A spread after de-duplication by fragment: the fragment (null when unknown) and the node.
  struct Spread {
    const FragmentDefinition* definition;
    const Selection* node;
  };

  void Spend(long cost) {
    budget_ -= cost;
    if (budget_ < 0) c_.Abort("Validation aborted.");
  }

  static std::string Abbreviate(const std::string& text) {
    return text.size() > kMaxConflictDetailLength ? text.substr(0, kMaxConflictDetailLength) + "..."
                                                  : text;
  }

  const CollectResult& Collect(const NamedType* parent, const std::vector<Selection>& selections) {
    const auto [it, inserted] = collected_.try_emplace({parent, &selections});
    CollectResult& out = it->second;
    if (!inserted) return out;
    CollectImpl(parent, selections, out);
    out.by_name.resize(out.fields.size());
    for (std::uint32_t k = 0; k < out.by_name.size(); ++k) out.by_name[k] = k;
    // By name, then by position (no stable_sort: it allocates a buffer).
    std::sort(out.by_name.begin(), out.by_name.end(), [&](std::uint32_t a, std::uint32_t b) {
      const int order = out.fields[a].response_name.compare(out.fields[b].response_name);
      return order < 0 || (order == 0 && a < b);
    });
    for (std::uint32_t k = 0; k < out.by_name.size(); ++k) {
      const std::string_view name = out.At(k).response_name;
      if (out.groups.empty() || out.groups.back().name != name) out.groups.push_back({name, k, k});
      out.groups.back().end = k + 1;
    }
    // A group's first field is its first in the document: order groups by it.
    out.order.resize(out.groups.size());
    for (std::uint32_t g = 0; g < out.order.size(); ++g) out.order[g] = g;
    std::sort(out.order.begin(), out.order.end(), [&](std::uint32_t a, std::uint32_t b) {
      return out.by_name[out.groups[a].begin] < out.by_name[out.groups[b].begin];
    });
    return out;
  }

  void CollectImpl(const NamedType* parent, const std::vector<Selection>& selections,
                   CollectResult& out) {
    for (const auto& s : selections) {
      switch (s.kind) {
        case Selection::Kind::kField: {
          const Field* def = nullptr;
          if (parent != nullptr &&
              (parent->kind == TypeKind::kObject || parent->kind == TypeKind::kInterface)) {
            def = parent->FindField(s.name.value);
          }
          const std::string_view key = s.alias ? s.alias->value : s.name.value;
          const Directive* stream = nullptr;
          for (const auto& d : s.directives) {
            if (d.name.value == "stream" && stream == nullptr) stream = &d;
          }
          out.fields.push_back({key, parent, &s, def,
                                s.arguments.empty() && !s.has_selection_set && stream == nullptr,
                                stream});
          break;
        }
        case Selection::Kind::kFragmentSpread:
          out.spreads.push_back(&s);
          break;
        case Selection::Kind::kInlineFragment: {
          const NamedType* type =
              s.type_condition ? c_.schema().FindType(s.type_condition->value) : parent;
          CollectImpl(type, s.selections, out);
          break;
        }
      }
    }
  }

  const CollectResult& FragmentFields(const FragmentDefinition& f) {
    return Collect(c_.schema().FindType(f.type_condition.value), f.selections);
  }

  // Spreads of a collect result, one per fragment (the last node of each kept).
  std::vector<Spread> Spreads(const CollectResult& collected) {
    std::vector<Spread> out;
    for (const Selection* node : collected.spreads) {
      Spend(1);
      const FragmentDefinition* def = c_.Fragment(node->name.value);
      bool seen = false;
      for (auto& s : out) {
        if (s.definition == def) {
          s.node = node;
          seen = true;
        }
      }
      if (!seen) out.push_back({def, node});
    }
    return out;
  }

  void CollectWithin(std::vector<Conflict>& conflicts, const CollectResult& collected) {
    for (const std::uint32_t g : collected.order) {
      const Group& group = collected.groups[g];
      for (std::uint32_t i = group.begin; i < group.end; ++i) {
        for (std::uint32_t j = i + 1; j < group.end; ++j) {
          if (auto conflict = FindConflict(false, group.name, collected.At(i), collected.At(j))) {
            conflicts.push_back(std::move(*conflict));
          }
        }
      }
    }
  }

  void Between(std::vector<Conflict>& conflicts, bool exclusive, const CollectResult& a,
               const CollectResult& b) {
    if (a.order.empty() || b.order.empty()) return;
    for (const std::uint32_t g : a.order) {
      Spend(1);
      const Group& group = a.groups[g];
      const Group* other = b.Find(group.name);
      if (other == nullptr) continue;
      for (std::uint32_t i = group.begin; i < group.end; ++i) {
        for (std::uint32_t j = other->begin; j < other->end; ++j) {
          if (auto conflict = FindConflict(exclusive, group.name, a.At(i), b.At(j))) {
            conflicts.push_back(std::move(*conflict));
          }
        }
      }
    }
  }

  // graphql-js's OrderedPairSet: a pair recorded as exclusive answers only exclusive queries.
  static bool Has(const std::map<std::pair<const void*, const void*>, bool>& set, const void* a,
                  const void* b, bool exclusive) {
    const auto it = set.find({a, b});
    if (it == set.end()) return false;
    return exclusive ? true : it->second == exclusive;
  }

  void BetweenFieldsAndFragment(std::vector<Conflict>& conflicts, bool exclusive,
                                const CollectResult& collected, const Spread& spread) {
    Spend(1);
    if (collected.order.empty()) return;
    if (Has(fields_and_fragments_, &collected, spread.definition, exclusive)) return;
    fields_and_fragments_[{&collected, spread.definition}] = exclusive;
    if (spread.definition == nullptr) return;
    const CollectResult& other = FragmentFields(*spread.definition);
    const auto referenced = Spreads(other);
    if (&collected == &other) return;
    Between(conflicts, exclusive, collected, other);
    for (const auto& r : referenced) BetweenFieldsAndFragment(conflicts, exclusive, collected, r);
  }

  void BetweenFragments(std::vector<Conflict>& conflicts, bool exclusive, const Spread& s1,
                        const Spread& s2) {
    Spend(2);
    if (s1.definition == s2.definition) return;
    if (Has(fragment_pairs_, s1.definition, s2.definition, exclusive) ||
        Has(fragment_pairs_, s2.definition, s1.definition, exclusive)) {
      return;
    }
    fragment_pairs_[{s1.definition, s2.definition}] = exclusive;
    if (s1.definition == nullptr || s2.definition == nullptr) return;
    const CollectResult& r1 = FragmentFields(*s1.definition);
    const auto referenced1 = Spreads(r1);
    const CollectResult& r2 = FragmentFields(*s2.definition);
    const auto referenced2 = Spreads(r2);
    Between(conflicts, exclusive, r1, r2);
    for (const auto& r : referenced2) BetweenFragments(conflicts, exclusive, s1, r);
    for (const auto& r : referenced1) BetweenFragments(conflicts, exclusive, r, s2);
  }

  std::vector<Conflict> BetweenSubSelections(bool exclusive, const NamedType* t1,
                                             const std::vector<Selection>& set1,
                                             const NamedType* t2,
                                             const std::vector<Selection>& set2) {
    std::vector<Conflict> conflicts;
    const CollectResult& r1 = Collect(t1, set1);
    const auto spreads1 = Spreads(r1);
    const CollectResult& r2 = Collect(t2, set2);
    const auto spreads2 = Spreads(r2);
    Between(conflicts, exclusive, r1, r2);
    for (const auto& s2 : spreads2) BetweenFieldsAndFragment(conflicts, exclusive, r1, s2);
    for (const auto& s1 : spreads1) BetweenFieldsAndFragment(conflicts, exclusive, r2, s1);
    for (const auto& s1 : spreads1) {
      for (const auto& s2 : spreads2) BetweenFragments(conflicts, exclusive, s1, s2);
    }
    return conflicts;
  }

  // graphql-js compares values by a key that ignores object field order and locations.
  static std::string ComparisonKey(const Value& v) {
    switch (v.kind) {
      case Value::Kind::kVariable:
        return "$" + v.text;
      case Value::Kind::kList: {
        std::string out = "[";
        for (const auto& item : v.list) out += ComparisonKey(item) + ",";
        return out + "]";
      }
      case Value::Kind::kObject: {
        std::vector<std::pair<std::string, std::string>> fields;
        for (const auto& f : v.fields) fields.emplace_back(f.name.value, ComparisonKey(f.value));
        std::stable_sort(fields.begin(), fields.end(),
                         [](const auto& a, const auto& b) { return a.first < b.first; });
        std::string out = "{";
        for (const auto& [name, value] : fields) {
          out += name;
          out += ':';
          out += value;
          out += ',';
        }
        return out + "}";
      }
      case Value::Kind::kString:
        return std::string(v.block ? "B" : "S") + DumpJson(Json(v.text));
      case Value::Kind::kInt:
        return "I" + v.text;
      case Value::Kind::kFloat:
        return "F" + v.text;
      case Value::Kind::kBoolean:
        return v.boolean ? "true" : "false";
      case Value::Kind::kNull:
        return "null";
      case Value::Kind::kEnum:
        return "E" + v.text;
    }
    return "";
  }

  bool SameArguments(const std::vector<Argument>& a, const std::vector<Argument>& b) {
    if (a.empty()) return b.empty();
    if (a.size() != b.size()) return false;
    for (const auto& arg1 : a) {
      Spend(1);
      const Argument* arg2 = nullptr;
      for (const auto& x : b) {
        if (x.name.value == arg1.name.value) arg2 = &x;  // the last wins, as in a Map
      }
      if (arg2 == nullptr || ComparisonKey(arg1.value) != ComparisonKey(arg2->value)) return false;
    }
    return true;
  }

  bool TypesConflict(const WrappedType& t1, const WrappedType& t2) {
    if (t1 == t2) return false;
    Spend(1);
    if (t1.IsList()) return t2.IsList() ? TypesConflict(t1.Unwrapped(), t2.Unwrapped()) : true;
    if (t2.IsList()) return true;
    if (t1.IsNonNull()) {
      return t2.IsNonNull() ? TypesConflict(t1.Unwrapped(), t2.Unwrapped()) : true;
    }
    if (t2.IsNonNull()) return true;
    if (IsLeaf(t1.named) || IsLeaf(t2.named)) return t1.named != t2.named;
    return false;
  }

  std::optional<Conflict> FindConflict(bool parents_exclusive, std::string_view response_name,
                                       const FieldDetails& f1, const FieldDetails& f2) {
    const bool exclusive =
        parents_exclusive ||
        (f1.parent != f2.parent && f1.parent != nullptr && f2.parent != nullptr &&
         f1.parent->kind == TypeKind::kObject && f2.parent->kind == TypeKind::kObject);
    Spend(2);
    const Selection& n1 = *f1.node;
    const Selection& n2 = *f2.node;
    const std::optional<WrappedType> type1 =
        f1.definition ? std::optional<WrappedType>(f1.definition->type) : std::nullopt;
    const std::optional<WrappedType> type2 =
        f2.definition ? std::optional<WrappedType>(f2.definition->type) : std::nullopt;
    if (f1.simple_leaf && f2.simple_leaf && type1 == type2 && n1.name.value == n2.name.value) {
      return std::nullopt;
    }
    if (!exclusive) {
      if (n1.name.value != n2.name.value) {
        return Conflict{std::string(response_name),
                        "\"" + Abbreviate(n1.name.value) + "\" and \"" + Abbreviate(n2.name.value) +
                            "\" are different fields",
                        {n1.offset},
                        {n2.offset}};
      }
      if (!SameArguments(n1.arguments, n2.arguments)) {
        return Conflict{
            std::string(response_name), "they have differing arguments", {n1.offset}, {n2.offset}};
      }
    }
    if (f1.stream != nullptr || f2.stream != nullptr) {
      std::string reason = "they have overlapping stream directives";
      if (f1.stream != nullptr && f2.stream != nullptr &&
          SameArguments(f1.stream->arguments, f2.stream->arguments)) {
        reason += ". See https://github.com/graphql/defer-stream-wg/discussions/100";
      }
      return Conflict{std::string(response_name), reason, {n1.offset}, {n2.offset}};
    }
    if (type1 && type2 && TypesConflict(*type1, *type2)) {
      return Conflict{std::string(response_name),
                      "they return conflicting types \"" + type1->ToString() + "\" and \"" +
                          type2->ToString() + "\"",
                      {n1.offset},
                      {n2.offset}};
    }
    if (n1.has_selection_set && n2.has_selection_set) {
      auto sub = BetweenSubSelections(exclusive, type1 ? type1->named : nullptr, n1.selections,
                                      type2 ? type2->named : nullptr, n2.selections);
      if (sub.empty()) return std::nullopt;
      std::string message;
      for (const auto& c : sub) {
        message += (message.empty() ? "" : " and ") + std::string("subfields \"") +
                   Abbreviate(c.response_name) + "\" conflict because " + c.reason;
        if (message.size() > kMaxConflictDetailLength) break;
      }
      return Conflict{std::string(response_name), Abbreviate(message), Nodes(n1.offset, sub, true),
                      Nodes(n2.offset, sub, false)};
    }
    return std::nullopt;
  }

  static std::vector<std::size_t> Nodes(std::size_t node, const std::vector<Conflict>& sub,
                                        bool first_side) {
    std::vector<std::size_t> nodes{node};
    for (const auto& c : sub) {
      const auto& side = first_side ? c.fields1 : c.fields2;
      const std::size_t remaining = kMaxConflictNodes - nodes.size();
      const std::size_t keep = std::min(remaining, side.size());
      nodes.insert(nodes.end(), side.end() - static_cast<std::ptrdiff_t>(keep), side.end());
      if (nodes.size() == kMaxConflictNodes) break;
    }
    return nodes;
  }

  long budget_ = kMaxComplexityBudget;
  std::map<std::pair<const void*, const void*>, CollectResult> collected_;  // nodes stay put
  std::map<std::pair<const void*, const void*>, bool> fields_and_fragments_;
  std::map<std::pair<const void*, const void*>, bool> fragment_pairs_;
};

class UniqueInputFieldNames final : public Rule {
 public:
  using Rule::Rule;
  void EnterObjectValue() override { stack_.emplace_back(); }
  void LeaveObjectValue() override { stack_.pop_back(); }
  void EnterObjectField(const ObjectField& f) override {
    auto& known = stack_.back();
    const auto [it, inserted] = known.emplace(f.name.value, f.name.offset);
    if (!inserted) {
      c_.Report("There can be only one input field named \"" + f.name.value + "\".",
                {it->second, f.name.offset});
    }
  }

 private:
  std::vector<std::map<std::string, std::size_t>> stack_;
};

// --- the walk -------------------------------------------------------------------------------

class Walker {
 public:
  Walker(Context& c, std::vector<RuleEntry> rules) : c_(c), rules_(std::move(rules)) {
    for (std::size_t h = 0; h < on_.size(); ++h) {
      for (const auto& entry : rules_) {
        if (entry.hooks[h]) on_[h].push_back(entry.rule.get());
      }
    }
    // Hooks called together, rule by rule (see Operation): the rules with either.
    const auto either = [this](Hook a, Hook b) {
      std::vector<Rule*> out;
      for (const auto& entry : rules_) {
        if (entry.hooks[static_cast<std::size_t>(a)] || entry.hooks[static_cast<std::size_t>(b)]) {
          out.push_back(entry.rule.get());
        }
      }
      return out;
    };
    with_directives_ = {either(Hook::kEnterOperation, Hook::kEnterDirectives),
                        either(Hook::kEnterVariableDefinition, Hook::kEnterDirectives),
                        either(Hook::kEnterFragment, Hook::kEnterDirectives),
                        either(Hook::kEnterField, Hook::kEnterDirectives),
                        either(Hook::kEnterFragmentSpread, Hook::kEnterDirectives),
                        either(Hook::kEnterInlineFragment, Hook::kEnterDirectives)};
  }

  void Run() {
    for (Rule* r : On(Hook::kEnterDocument)) r->EnterDocument();
    for (const auto& d : c_.document().definitions) {
      if (const auto* op = std::get_if<OperationDefinition>(&d)) {
        Operation(*op);
      } else if (const auto* f = std::get_if<FragmentDefinition>(&d)) {
        Fragment(*f);
      } else {
        TypeSystem(std::get<TypeSystemDefinition>(d));
      }
    }
    for (Rule* r : On(Hook::kLeaveDocument)) r->LeaveDocument();
  }

 private:
  void Operation(const OperationDefinition& op) {
    const Schema& s = c_.schema();
    c_.PushNamedType(op.operation == OperationType::kQuery      ? s.query_type()
                     : op.operation == OperationType::kMutation ? s.mutation_type()
                                                                : s.subscription_type());
    // Each rule's hooks for a node run together, rule by rule, as in graphql-js's parallel
    // visitor; UniqueDirectivesPerLocation's hook is EnterDirectives.
    for (Rule* r : WithDirectives(kOperation)) {
      r->EnterOperation(op);
      r->EnterDirectives(op.directives);
    }
    for (const auto& v : op.variables) VariableDefinitionNode(v);
    const char* location = op.operation == OperationType::kQuery      ? "QUERY"
                           : op.operation == OperationType::kMutation ? "MUTATION"
                                                                      : "SUBSCRIPTION";
    Directives(op.directives, location);
    SelectionSet(op.selections);
    for (Rule* r : On(Hook::kLeaveOperation)) r->LeaveOperation(op);
    c_.PopType();
  }

  void VariableDefinitionNode(const VariableDefinition& v) {
    for (Rule* r : WithDirectives(kVariable)) {
      r->EnterVariableDefinition(v);
      r->EnterDirectives(v.directives);
    }
    TypeRefNode(v.type);
    if (v.default_value) {
      const auto expected = c_.TypeFromAst(v.type);
      for (Rule* r : On(Hook::kEnterValue)) r->EnterValue(*v.default_value, expected);
      ValueNode(*v.default_value);
    }
    Directives(v.directives, "VARIABLE_DEFINITION");
  }

  void TypeRefNode(const TypeRef& t, bool sdl = false) {
    if (t.kind == TypeRef::Kind::kNamed) {
      for (Rule* r : On(Hook::kEnterNamedType)) r->EnterNamedType(t.name, sdl);
    } else {
      TypeRefNode(*t.of, sdl);
    }
  }

  // Type system definitions in an executable document are errors (ExecutableDefinitions), but
  // graphql-js still visits the types they name, so unknown ones are reported too.
  void TypeSystem(const TypeSystemDefinition& d) {
    auto named = [this](const Name& n) {
      for (Rule* r : On(Hook::kEnterNamedType)) r->EnterNamedType(n, true);
    };
    for (const auto& i : d.interfaces) named(i);
    for (const auto& f : d.fields) {
      for (const auto& a : f.arguments) TypeRefNode(a.type, true);
      TypeRefNode(f.type, true);
    }
    for (const auto& f : d.input_fields) TypeRefNode(f.type, true);
    for (const auto& m : d.union_members) named(m);
    for (const auto& o : d.operation_types) named(o.type);
  }

  void Fragment(const FragmentDefinition& f) {
    const NamedType* t = c_.schema().FindType(f.type_condition.value);
    c_.PushNamedType(t);
    for (Rule* r : WithDirectives(kFragment)) {
      r->EnterFragment(f);
      r->EnterDirectives(f.directives);
    }
    for (Rule* r : On(Hook::kEnterNamedType)) r->EnterNamedType(f.type_condition, false);
    Directives(f.directives, "FRAGMENT_DEFINITION");
    SelectionSet(f.selections);
    c_.PopType();
  }

  void SelectionSet(const std::vector<Selection>& selections,
                    bool parent_is_inline_fragment = false) {
    // Only composite types are parents: under a leaf, every field is unknown but unreported.
    const WrappedType* type = c_.Type();
    c_.PushParent(type && type->named->IsComposite() ? type->named : nullptr);
    for (Rule* r : On(Hook::kEnterSelectionSet))
      r->EnterSelectionSet(selections, parent_is_inline_fragment);
    for (const auto& s : selections) SelectionNode(s);
    c_.PopParent();
  }

  void SelectionNode(const Selection& s) {
    switch (s.kind) {
      case Selection::Kind::kField: {
        const Field* def = c_.LookupField(c_.ParentType(), s.name.value);
        c_.PushField(def);
        c_.PushType(def == nullptr ? nullptr : &def->type);
        for (Rule* r : WithDirectives(kField)) {
          r->EnterField(s);
          r->EnterDirectives(s.directives);
        }
        for (const auto& a : s.arguments) {
          ArgumentNode(a, def == nullptr ? nullptr : def->Argument(a.name.value), false);
        }
        Directives(s.directives, "FIELD");
        if (s.has_selection_set) SelectionSet(s.selections);
        for (Rule* r : On(Hook::kLeaveField)) r->LeaveField(s);
        c_.PopType();
        c_.PopField();
        return;
      }
      case Selection::Kind::kFragmentSpread:
        for (Rule* r : WithDirectives(kSpread)) {
          r->EnterFragmentSpread(s);
          r->EnterDirectives(s.directives);
        }
        Directives(s.directives, "FRAGMENT_SPREAD");
        return;
      case Selection::Kind::kInlineFragment: {
        const NamedType* type = nullptr;
        if (s.type_condition) {
          type = c_.schema().FindType(s.type_condition->value);
        } else if (c_.Type() != nullptr) {
          type = c_.Type()->named;
        }
        c_.PushNamedType(type);
        for (Rule* r : WithDirectives(kInline)) {
          r->EnterInlineFragment(s);
          r->EnterDirectives(s.directives);
        }
        if (s.type_condition) {
          for (Rule* r : On(Hook::kEnterNamedType)) r->EnterNamedType(*s.type_condition, false);
        }
        Directives(s.directives, "INLINE_FRAGMENT");
        SelectionSet(s.selections, /*parent_is_inline_fragment=*/true);
        c_.PopType();
        return;
      }
    }
  }

  // Visits the directive nodes themselves; their group was checked on entering the parent.
  void Directives(const std::vector<Directive>& directives, const char* location) {
    for (const auto& d : directives) {
      const DirectiveDefinition* def = c_.schema().FindDirective(d.name.value);
      c_.SetDirective(def);
      for (Rule* r : On(Hook::kEnterDirective)) r->EnterDirective(d, location);
      for (const auto& a : d.arguments) {
        ArgumentNode(a, def == nullptr ? nullptr : def->Argument(a.name.value), true);
      }
      for (Rule* r : On(Hook::kLeaveDirective)) r->LeaveDirective(d);
      c_.SetDirective(nullptr);
    }
  }

  void ArgumentNode(const Argument& a, const InputValue* def, bool of_directive) {
    c_.SetArgument(def);
    for (Rule* r : On(Hook::kEnterArgument)) r->EnterArgument(a, of_directive);
    std::optional<WrappedType> expected;
    if (def != nullptr) expected = def->type;
    for (Rule* r : On(Hook::kEnterValue)) r->EnterValue(a.value, expected);
    ValueNode(a.value);
    c_.SetArgument(nullptr);
  }

  void ValueNode(const Value& v) {
    if (v.kind == Value::Kind::kList) {
      for (const auto& item : v.list) ValueNode(item);
    } else if (v.kind == Value::Kind::kObject) {
      for (Rule* r : On(Hook::kEnterObjectValue)) r->EnterObjectValue();
      for (const auto& f : v.fields) {
        for (Rule* r : On(Hook::kEnterObjectField)) r->EnterObjectField(f);
        ValueNode(f.value);
      }
      for (Rule* r : On(Hook::kLeaveObjectValue)) r->LeaveObjectValue();
    }
  }

  // The rules overriding `hook`, in rule order.
  const std::vector<Rule*>& On(Hook hook) const { return on_[static_cast<std::size_t>(hook)]; }
  enum Paired { kOperation, kVariable, kFragment, kField, kSpread, kInline, kPairedCount };
  // The rules overriding the node's hook or EnterDirectives, in rule order.
  const std::vector<Rule*>& WithDirectives(Paired node) const { return with_directives_[node]; }

  Context& c_;
  std::vector<RuleEntry> rules_;
  std::array<std::vector<Rule*>, static_cast<std::size_t>(Hook::kCount)> on_;
  std::array<std::vector<Rule*>, kPairedCount> with_directives_;
};

template <typename... Rules>
std::vector<RuleEntry> MakeRules(Context& c) {
  std::vector<RuleEntry> rules;
  rules.reserve(sizeof...(Rules));
  (rules.push_back({std::make_unique<Rules>(c), HooksOf<Rules>()}), ...);
  return rules;
}

// The defensive limits of ValidationOptions, checked for one operation by walking its
// selections with fragments expanded. Work is bounded: the walk stops at the first limit
// passed, and counts every selection it visits against a budget.
class LimitChecker {
 public:
  LimitChecker(const Document& document, const ValidationOptions& options) : options_(options) {
    for (const auto& definition : document.definitions) {
      if (const auto* f = std::get_if<FragmentDefinition>(&definition)) {
        fragments_.emplace(f->name.value, f);
      }
    }
  }

  // The limit `operation` passes, worded for users; nullopt when within all of them.
  std::optional<std::string> Check(const OperationDefinition& operation) {
    fields_ = aliases_ = work_ = 0;
    passed_.reset();
    active_.clear();
    Walk(operation.selections, 1);
    if (!passed_) return std::nullopt;
    const std::string name = operation.name ? "Operation \"" + operation.name->value + "\""
                                            : std::string("The anonymous operation");
    return name + " " + *passed_;
  }

 private:
  void Walk(const std::vector<Selection>& selections, std::size_t depth) {
    if (passed_ || selections.empty()) return;
    if (options_.max_depth != 0 && depth > options_.max_depth) {
      passed_ = "nests selections more than " + std::to_string(options_.max_depth) +
                " levels deep, the limit.";
      return;
    }
    for (const auto& s : selections) {
      if (passed_) return;
      // Spreads count as work too, so fragments that only spread others cannot fan out.
      const std::size_t budget = options_.max_fields == 0 ? 0 : 4 * options_.max_fields + 1000;
      if (budget != 0 && ++work_ > budget) {
        passed_ = "selects more than " + std::to_string(options_.max_fields) +
                  " fields with its fragments expanded, the limit.";
        return;
      }
      switch (s.kind) {
        case Selection::Kind::kField:
          if (options_.max_fields != 0 && ++fields_ > options_.max_fields) {
            passed_ = "selects more than " + std::to_string(options_.max_fields) +
                      " fields with its fragments expanded, the limit.";
            return;
          }
          if (s.alias && options_.max_aliases != 0 && ++aliases_ > options_.max_aliases) {
            passed_ = "uses more than " + std::to_string(options_.max_aliases) +
                      " aliases with its fragments expanded, the limit.";
            return;
          }
          Walk(s.selections, depth + 1);
          break;
        case Selection::Kind::kInlineFragment:
          Walk(s.selections, depth);
          break;
        case Selection::Kind::kFragmentSpread: {
          const auto it = fragments_.find(s.name.value);
          // Unknown fragments and cycles are the rules' business.
          if (it == fragments_.end() || active_.count(s.name.value) != 0) break;
          if (active_.size() >= kMaxSpreadNesting) {
            passed_ = "nests fragment spreads more than " + std::to_string(kMaxSpreadNesting) +
                      " deep, the limit.";
            return;
          }
          active_.insert(s.name.value);
          Walk(it->second->selections, depth);
          active_.erase(s.name.value);
          break;
        }
      }
    }
  }

  // The walk recurses per spread; this bounds its stack.
  static constexpr std::size_t kMaxSpreadNesting = 256;
  const ValidationOptions& options_;
  std::map<std::string, const FragmentDefinition*, std::less<>> fragments_;
  std::set<std::string, std::less<>> active_;
  std::size_t fields_ = 0;
  std::size_t aliases_ = 0;
  std::size_t work_ = 0;
  std::optional<std::string> passed_;
};

}  // namespace

std::vector<GraphQLError> Validate(const Schema& schema, const Document& document,
                                   const Source& source, const ValidationOptions& options) {
  if (options.max_depth != 0 || options.max_fields != 0 || options.max_aliases != 0) {
    LimitChecker limits(document, options);
    std::vector<GraphQLError> passed;
    for (const auto& definition : document.definitions) {
      const auto* operation = std::get_if<OperationDefinition>(&definition);
      if (operation == nullptr) continue;
      if (auto message = limits.Check(*operation)) {
        passed.push_back({std::move(*message), {source.LocationOf(operation->offset)}});
      }
    }
    if (!passed.empty()) return passed;
  }
  Context context(schema, document, source, options);
  Walker walker(
      context,
      MakeRules<MaxIntrospectionDepth, ExecutableDefinitions, KnownOperationTypes,
                UniqueOperationNames, LoneAnonymousOperation, SingleFieldSubscriptions,
                KnownTypeNames, FragmentsOnCompositeTypes, VariablesAreInputTypes, ScalarLeafs,
                FieldsOnCorrectType, UniqueFragmentNames, KnownFragmentNames, NoUnusedFragments,
                PossibleFragmentSpreads, NoFragmentCycles, UniqueVariableNames,
                NoUndefinedVariables, NoUnusedVariables, KnownDirectives,
                UniqueDirectivesPerLocation, KnownArgumentNames, UniqueArgumentNames,
                ValuesOfCorrectType, ProvidedRequiredArguments, VariablesInAllowedPosition,
                OverlappingFieldsCanBeMerged, UniqueInputFieldNames>(context));
  try {
    walker.Run();
  } catch (const AbortValidation&) {
  }
  return std::move(context.errors());
}

}  // namespace styrmin::graphql
