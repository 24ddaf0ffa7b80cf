#include "styrmin/graphql/execute.h"

#include <algorithm>
#include <array>
#include <charconv>
#include <cmath>
#include <condition_variable>
#include <cstring>
#include <deque>
#include <exception>
#include <memory>
#include <mutex>
#include <span>
#include <string_view>
#include <unordered_map>
#include <utility>
#include <vector>

#include "styrmin/graphql/internal/pending.h"
#include "styrmin/graphql/js_format.h"
#include "styrmin/graphql/subscribe.h"
#include "styrmin/graphql/values.h"

namespace styrmin::graphql {
namespace internal {
namespace {

using Wrapper = WrappedType::Wrapper;

// A position in the response while it is being written; lives on the stack of the walk.
struct PathNode {
  const PathNode* prev = nullptr;
  std::string_view key;
  std::int64_t index = -1;
};

std::vector<PathSegment> Persist(const PathNode* node) {
  std::vector<PathSegment> out;
  for (const PathNode* n = node; n != nullptr; n = n->prev) {
    out.push_back(n->index >= 0 ? PathSegment{"", n->index} : PathSegment{std::string(n->key), -1});
  }
  std::reverse(out.begin(), out.end());
  return out;
}

// "a.b[2]" style key of a position, for the set of nulled positions.
std::string PositionKey(const std::vector<PathSegment>& path) {
  std::string out;
  for (const auto& p : path) {
    if (p.index >= 0) {
      out += "[" + std::to_string(p.index) + "]";
    } else {
      out += "." + p.key;
    }
  }
  return out;
}

// One response key of a selection set: the fields merged under it.
struct Collected;
// ,"key": as written in the response; the comma is not written for the first key of an
// object. Kept zero-padded when short, so writing it is one fixed-size copy.
struct QuotedKey {
  static constexpr std::size_t kPadded = 32;
  explicit QuotedKey(std::string_view key) : size(key.size() + 4) {
    if (size <= kPadded) {
      padded[0] = ',';
      padded[1] = '"';
      std::memcpy(padded.data() + 2, key.data(), key.size());
      padded[size - 2] = '"';
      padded[size - 1] = ':';
    } else {
      text = ",\"" + std::string(key) + "\":";  // long keys are rare: kept on the heap
    }
  }
  // Appends the key, with its leading comma unless `first`.
  void WriteTo(ResponseText& out, bool first) const {
    const std::size_t skip = first ? 1 : 0;
    if (size <= kPadded) {
      out.AppendPadded<kPadded>(padded.data() + skip, size - skip);
    } else {
      out.Append(std::string_view(text).substr(skip));
    }
  }
  std::size_t size;
  std::array<char, kPadded + 1> padded{};  // one more: the copy may start at the second byte
  std::string text;                        // when longer than kPadded
};

// The document's nodes of one response name: one in most groups, kept inline.
class NodeList {
 public:
  void push_back(const Selection* node) {
    if (size_ < kInline) {
      inline_[size_++] = node;
      return;
    }
    if (size_ == kInline) more_.assign(inline_.begin(), inline_.end());
    more_.push_back(node);
    ++size_;
  }
  std::span<const Selection* const> view() const {
    return size_ <= kInline ? std::span<const Selection* const>(inline_.data(), size_)
                            : std::span<const Selection* const>(more_);
  }
  std::size_t size() const { return size_; }
  const Selection* front() const { return view().front(); }
  auto begin() const { return view().begin(); }
  auto end() const { return view().end(); }

 private:
  static constexpr std::size_t kInline = 2;
  std::array<const Selection*, kInline> inline_{};
  std::size_t size_ = 0;
  std::vector<const Selection*> more_;  // all of them, once more than kInline
};

struct FieldGroup {
  std::string_view key;
  QuotedKey quoted_key;
  const Field* def = nullptr;  // null: the type has no such field and the key is left out
  enum class Meta { kNone, kTypename, kSchema, kType } meta = Meta::kNone;
  NodeList nodes{};
  const FieldResolver* resolver = nullptr;
  const ExecutableSchema::Writer* writer = nullptr;
  bool args_ready = false;
  tl::expected<OrderedJson, CoercionError> args{};
  const OrderedJson* arguments = nullptr;  // once args_ready and coerced: args, or an empty object
  bool writer_ready = false;               // `writer` is set and its field's arguments coerced fine
  // Collected subfields per runtime type, memoised: lists of objects collect once.
  std::vector<std::pair<const NamedType*, Collected*>> subfields{};
};

struct Collected {
  std::vector<FieldGroup> groups;
  std::optional<CoercionError> error;  // a @skip/@include argument that failed at run time
};

struct Mark {
  std::size_t piece = 0;
  std::size_t offset = 0;
};

struct Hole;
struct Region;

// Response text with holes: texts[i] is followed by holes[i]. Regions listed in `nulled` read
// as null when the rope is flattened.
struct Rope {
  std::vector<ResponseText> texts = std::vector<ResponseText>(1);
  std::vector<Hole*> holes;
  std::vector<Region*> nulled;
};

// The text of a composite value that a late null may have to replace.
struct Region {
  Rope* rope = nullptr;
  Mark begin;
  Mark end;
  std::vector<PathSegment> path;
  bool root = false;  // the whole of "data"
  bool nulled = false;
};

struct Hole {
  const WrappedType* type = nullptr;
  std::size_t wrapper = 0;  // the hole's position has type `type` from this wrapper in
  FieldGroup* group = nullptr;
  const NamedType* parent_type = nullptr;
  std::vector<PathSegment> path;
  Region* target = nullptr;  // what a null at this non-null position nulls
  Rope content;
  bool cancelled = false;
  bool filled = false;
};

struct CompletionQueue {
  std::mutex mu;
  std::condition_variable ready;
  std::deque<std::pair<Hole*, FieldValue>> items;  // guarded by mu

  void Push(Hole* hole, FieldValue value) {
    {
      std::lock_guard<std::mutex> lock(mu);
      items.emplace_back(hole, std::move(value));
    }
    ready.notify_one();
  }
};

struct ThrownError {
  std::string message;
  std::vector<std::size_t> offsets;
  std::vector<PathSegment> path;
  OrderedJson extensions;
};

bool IsNonNullAt(const WrappedType& type, std::size_t i) {
  return i < type.wrappers.size() && type.wrappers[i] == Wrapper::kNonNull;
}

// JavaScript's Number(string), for scalars that coerce strings to numbers.
std::optional<double> JsNumberFromString(std::string_view s) {
  const auto is_space = [](char c) {
    return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\v' || c == '\f';
  };
  while (!s.empty() && is_space(s.front())) s.remove_prefix(1);
  while (!s.empty() && is_space(s.back())) s.remove_suffix(1);
  if (s.empty()) return 0.0;
  if (s == "Infinity" || s == "+Infinity") return HUGE_VAL;
  if (s == "-Infinity") return -HUGE_VAL;
  if (s.size() > 2 && s[0] == '0' &&
      (s[1] == 'x' || s[1] == 'X' || s[1] == 'o' || s[1] == 'O' || s[1] == 'b' || s[1] == 'B')) {
    const int base = (s[1] == 'x' || s[1] == 'X') ? 16 : (s[1] == 'o' || s[1] == 'O') ? 8 : 2;
    double value = 0;
    for (char c : s.substr(2)) {
      int digit = -1;
      if (c >= '0' && c <= '9') digit = c - '0';
      if (c >= 'a' && c <= 'f') digit = c - 'a' + 10;
      if (c >= 'A' && c <= 'F') digit = c - 'A' + 10;
      if (digit < 0 || digit >= base) return std::nullopt;
      value = value * base + digit;
    }
    return value;
  }
  // A decimal literal: sign, digits with an optional point, an optional exponent.
  std::size_t i = 0;
  if (s[i] == '+' || s[i] == '-') ++i;
  std::size_t digits = 0;
  while (i < s.size() && s[i] >= '0' && s[i] <= '9') ++i, ++digits;
  if (i < s.size() && s[i] == '.') {
    ++i;
    while (i < s.size() && s[i] >= '0' && s[i] <= '9') ++i, ++digits;
  }
  if (digits == 0) return std::nullopt;
  if (i < s.size() && (s[i] == 'e' || s[i] == 'E')) {
    ++i;
    if (i < s.size() && (s[i] == '+' || s[i] == '-')) ++i;
    std::size_t exponent_digits = 0;
    while (i < s.size() && s[i] >= '0' && s[i] <= '9') ++i, ++exponent_digits;
    if (exponent_digits == 0) return std::nullopt;
  }
  if (i != s.size()) return std::nullopt;
  return std::strtod(std::string(s).c_str(), nullptr);
}

// The number a value holds, when it is one.
std::optional<double> NumberOf(const FieldValue& v) {
  switch (v.kind()) {
    case FieldValue::Kind::kInt:
      return static_cast<double>(v.AsInt());
    case FieldValue::Kind::kFloat:
      return v.AsFloat();
    case FieldValue::Kind::kJson:
      if (v.json().is_number()) return v.json().get<double>();
      return std::nullopt;
    default:
      return std::nullopt;
  }
}

std::optional<std::string_view> StringOf(const FieldValue& v) {
  if (v.kind() == FieldValue::Kind::kString || v.kind() == FieldValue::Kind::kEnum) {
    return v.text();
  }
  if (v.kind() == FieldValue::Kind::kJson && v.json().is_string()) {
    return std::string_view(v.json().get_ref<const std::string&>());
  }
  return std::nullopt;
}

std::optional<bool> BoolOf(const FieldValue& v) {
  if (v.kind() == FieldValue::Kind::kBool) return v.AsBool();
  if (v.kind() == FieldValue::Kind::kJson && v.json().is_boolean()) return v.json().get<bool>();
  return std::nullopt;
}

void AppendJsonValue(ResponseText& out, const OrderedJson& value) {
  switch (value.type()) {
    case OrderedJson::value_t::string:
      out.AppendJsonString(value.get_ref<const std::string&>());
      return;
    case OrderedJson::value_t::number_integer:
      out.AppendInt(value.get<std::int64_t>());
      return;
    case OrderedJson::value_t::number_float:
      if (std::isfinite(value.get<double>())) {
        out.AppendJsNumber(value.get<double>());
      } else {
        out.Append("null");
      }
      return;
    case OrderedJson::value_t::array: {
      out.Append('[');
      bool first = true;
      for (const auto& item : value) {
        if (!first) out.Append(',');
        first = false;
        AppendJsonValue(out, item);
      }
      out.Append(']');
      return;
    }
    case OrderedJson::value_t::object: {
      out.Append('{');
      bool first = true;
      for (const auto& [key, member] : value.items()) {
        if (!first) out.Append(',');
        first = false;
        out.AppendJsonString(key);
        out.Append(':');
        AppendJsonValue(out, member);
      }
      out.Append('}');
      return;
    }
    default:
      out.Append(value.dump(-1, ' ', false, OrderedJson::error_handler_t::replace));
      return;
  }
}

enum class ScalarKind { kInt, kFloat, kString, kBoolean, kId, kCustom, kEnum };

ScalarKind ScalarKindOf(const NamedType& type) {
  if (type.kind == TypeKind::kEnum) return ScalarKind::kEnum;
  switch (type.specified_scalar) {
    case SpecifiedScalar::kInt:
      return ScalarKind::kInt;
    case SpecifiedScalar::kFloat:
      return ScalarKind::kFloat;
    case SpecifiedScalar::kString:
      return ScalarKind::kString;
    case SpecifiedScalar::kBoolean:
      return ScalarKind::kBoolean;
    case SpecifiedScalar::kId:
      return ScalarKind::kId;
    case SpecifiedScalar::kNone:
      break;
  }
  return ScalarKind::kCustom;
}

// A leaf value as its type serialises it (graphql-js's coerceOutputValue), or the message.
std::optional<std::string> SerializeLeaf(const NamedType& type, const FieldValue& v,
                                         ResponseText& out) {
  const ScalarKind kind = ScalarKindOf(type);
  // The common cases first: the value already has the type's own representation.
  switch (v.kind()) {
    case FieldValue::Kind::kString:
      if (kind == ScalarKind::kString || kind == ScalarKind::kId) {
        out.AppendJsonString(v.text());
        return std::nullopt;
      }
      break;
    case FieldValue::Kind::kInt:
      if (kind == ScalarKind::kInt && v.AsInt() <= 2147483647 && v.AsInt() >= -2147483648LL) {
        out.AppendInt(v.AsInt());
        return std::nullopt;
      }
      break;
    case FieldValue::Kind::kBool:
      if (kind == ScalarKind::kBoolean) {
        out.Append(v.AsBool() ? "true" : "false");
        return std::nullopt;
      }
      break;
    default:
      break;
  }
  const auto shown = [&] { return Inspect(v.ToJson()); };
  if (kind == ScalarKind::kEnum) {
    const auto name = StringOf(v);
    if (!name || type.FindEnumValue(*name) == nullptr) {
      return "Enum \"" + type.name + "\" cannot represent value: " + shown();
    }
    out.AppendJsonString(*name);
    return std::nullopt;
  }
  const std::optional<double> number = NumberOf(v);
  const std::optional<bool> boolean = BoolOf(v);
  const auto text = StringOf(v);
  // What Int and Float read from a value: numbers, booleans as 0/1, numeric strings.
  const auto numeric = [&]() -> std::optional<double> {
    if (boolean) return *boolean ? 1 : 0;
    if (text) return text->empty() ? std::nullopt : JsNumberFromString(*text);
    return number;
  };
  // String and ID write numbers as JavaScript's String(n) does, quoted.
  const auto append_quoted_number = [&] {
    out.Append('"');
    if (v.kind() == FieldValue::Kind::kInt) {
      out.AppendInt(v.AsInt());
    } else {
      out.AppendJsNumber(*number);
    }
    out.Append('"');
  };
  switch (kind) {
    case ScalarKind::kInt: {
      const std::optional<double> n = numeric();
      if (!n || !std::isfinite(*n) || std::trunc(*n) != *n) {
        return "Int cannot represent non-integer value: " + shown();
      }
      if (*n > 2147483647.0 || *n < -2147483648.0) {
        return "Int cannot represent non 32-bit signed integer value: " + shown();
      }
      out.AppendInt(static_cast<std::int64_t>(*n));
      return std::nullopt;
    }
    case ScalarKind::kFloat: {
      const std::optional<double> n = numeric();
      if (!n || !std::isfinite(*n)) return "Float cannot represent non numeric value: " + shown();
      out.AppendJsNumber(*n);
      return std::nullopt;
    }
    case ScalarKind::kString:
      if (text) {
        out.AppendJsonString(*text);
      } else if (boolean) {
        out.Append(*boolean ? "\"true\"" : "\"false\"");
      } else if (number && std::isfinite(*number)) {
        append_quoted_number();
      } else {
        return "String cannot represent value: " + shown();
      }
      return std::nullopt;
    case ScalarKind::kBoolean:
      if (boolean) {
        out.Append(*boolean ? "true" : "false");
      } else if (number && std::isfinite(*number)) {
        out.Append(*number != 0 ? "true" : "false");
      } else {
        return "Boolean cannot represent a non boolean value: " + shown();
      }
      return std::nullopt;
    case ScalarKind::kId:
      if (text) {
        out.AppendJsonString(*text);
      } else if (number && std::trunc(*number) == *number) {
        append_quoted_number();
      } else {
        return "ID cannot represent value: " + shown();
      }
      return std::nullopt;
    case ScalarKind::kCustom:
    case ScalarKind::kEnum:
      break;
  }
  if (type.coercion != nullptr && type.coercion->serialize) {
    if (v.kind() == FieldValue::Kind::kObject) {
      return "Scalar \"" + type.name + "\" cannot represent an object value";
    }
    auto serialized = type.coercion->serialize(v.ToJson());
    if (!serialized) return std::move(serialized.error());
    AppendJsonValue(out, *serialized);
    return std::nullopt;
  }
  // Custom scalars serialise what they are given, as graphql-js's default does.
  switch (v.kind()) {
    case FieldValue::Kind::kObject:
      return "Scalar \"" + type.name + "\" cannot represent an object value";
    case FieldValue::Kind::kInt:
      out.AppendInt(v.AsInt());
      return std::nullopt;
    default:
      AppendJsonValue(out, v.ToJson());
      return std::nullopt;
  }
}

WriteOutcome Written(std::optional<std::string> problem, std::string& error) {
  if (!problem) return WriteOutcome::kWritten;
  error = std::move(*problem);
  return WriteOutcome::kError;
}

}  // namespace

// Member writers call these for every leaf they write: the value's own type is answered
// here, anything else goes through SerializeLeaf.
WriteOutcome WriteLeafSlow(std::string_view value, const NamedType& type, ResponseText& out,
                           std::string& error) {
  // WriteLeaf wrote strings of String and ID fields and known enum values itself.
  return Written(SerializeLeaf(type, FieldValue::StringRef(value), out), error);
}

WriteOutcome WriteLeaf(std::int64_t value, const NamedType& type, ResponseText& out,
                       std::string& error) {
  if (ScalarKindOf(type) == ScalarKind::kInt && value <= 2147483647 && value >= -2147483648LL) {
    out.AppendInt(value);
    return WriteOutcome::kWritten;
  }
  return Written(SerializeLeaf(type, FieldValue::Int(value), out), error);
}

WriteOutcome WriteLeaf(double value, const NamedType& type, ResponseText& out, std::string& error) {
  if (ScalarKindOf(type) == ScalarKind::kFloat && std::isfinite(value)) {
    out.AppendJsNumber(value);
    return WriteOutcome::kWritten;
  }
  return Written(SerializeLeaf(type, FieldValue::Float(value), out), error);
}

WriteOutcome WriteLeaf(bool value, const NamedType& type, ResponseText& out, std::string& error) {
  return Written(SerializeLeaf(type, FieldValue::Bool(value), out), error);
}

// One execution of one operation: the walk that writes the response, the holes pending
// values left, and the errors. Used from the thread that called Execute only; completions from
// other threads arrive through `queue_`.
class Execution final {
 public:
  Execution(const ExecutableSchema& schema, const ExecutionRequest& request)
      : es_(schema),
        schema_(schema.schema()),
        request_(request),
        source_(*request.source),
        queue_(std::make_shared<CompletionQueue>()),
        deadline_(std::chrono::steady_clock::now() + request.timeout) {}

  ExecutionResult Run();
  // The source stream of a subscription operation, or the response that says why not.
  tl::expected<std::shared_ptr<EventStream>, ExecutionResult> StartSubscription();
  // internal::MaySelect, for one field's selections. Each fragment is entered once per level:
  // as in field collection, so that the walk stays within the document's size.
  bool Reaches(const std::vector<Selection>& selections, std::span<const std::string_view> path,
               std::vector<std::string_view>& visited) const;
  void AddLoader(BatchLoader* loader) {
    if (std::find(loaders_.begin(), loaders_.end(), loader) == loaders_.end()) {
      loaders_.push_back(loader);
    }
  }

 private:
  struct Frame {
    Mark begin;
    bool nullable = true;
    Region* region = nullptr;
    const PathNode* path = nullptr;
  };

  // Request-level setup; false with errors_ filled when there is nothing to execute.
  bool Prepare();
  // The response of a request that never executes: its errors, no data.
  ExecutionResult RequestErrors() {
    ExecutionResult result;
    result.body = "{\"errors\":" + ErrorsToJson(errors_) + "}";
    result.errors = std::move(errors_);
    return result;
  }
  // A field or list item whose value failed with thrown_: null there when the position is
  // nullable (the error recorded at `path`), else false for the parent to take the null.
  bool NullAt(bool non_null, const PathNode* path) {
    if (non_null) return false;
    const auto position = Persist(path);
    AddError(std::move(*thrown_), &position);
    thrown_.reset();
    Buf().Append("null");
    return true;
  }
  void ExecuteRoot(const NamedType& root, bool serially);

  Collected* Collect(const NamedType& type, const std::vector<const std::vector<Selection>*>& sets);
  void CollectInto(Collected& out, const NamedType& type, const std::vector<Selection>& selections,
                   std::unordered_map<std::string_view, std::size_t>& index,
                   std::vector<std::string_view>& visited);
  // Whether @skip/@include keep `directives`' node; errors go to `out.error`.
  bool ShouldInclude(const std::vector<Directive>& directives, Collected& out);
  bool FragmentApplies(const std::optional<Name>& condition, const NamedType& type) const;
  Collected* Subfields(const NamedType& type, FieldGroup& group);

  bool ExecuteField(const NamedType& parent_type, const FieldValue& parent, FieldGroup& group,
                    const PathNode* path);
  FieldValue Resolve(const NamedType& parent_type, const FieldValue& parent, FieldGroup& group,
                     const PathNode* path);
  // Completes `value` at a field or list item position; a null there that the position cannot
  // take makes this return false with thrown_ set.
  bool CompleteAtPosition(const WrappedType& type, std::size_t i, FieldGroup& group,
                          const NamedType& parent_type, const PathNode* path,
                          const FieldValue& value);
  bool CompleteValue(const WrappedType& type, std::size_t i, FieldGroup& group,
                     const NamedType& parent_type, const PathNode* path, const FieldValue& value,
                     bool position_nullable);
  bool CompleteList(const WrappedType& type, std::size_t item, FieldGroup& group,
                    const NamedType& parent_type, const PathNode* path, const FieldValue& value,
                    bool position_nullable);
  bool CompleteObject(const NamedType& type, FieldGroup& group, const PathNode* path,
                      const FieldValue& value, bool position_nullable);
  const NamedType* ResolveRuntimeType(const NamedType& abstract, FieldGroup& group,
                                      const NamedType& parent_type, const PathNode* path,
                                      const FieldValue& value);
  bool WriteFields(const NamedType& type, Collected& fields, const FieldValue& value,
                   const PathNode* path, bool serially);

  void Throw(std::string message, const FieldGroup& group, const PathNode* path,
             OrderedJson extensions = nullptr, std::vector<std::size_t> offsets = {});
  void AddError(ThrownError error, const std::vector<PathSegment>* position);
  void NullRegion(Region* region, ThrownError error);

  // Text output into the rope being written.
  ResponseText& Buf() { return out_->texts.back(); }
  Mark Here() { return {out_->texts.size() - 1, Buf().size()}; }
  void Truncate(Mark mark);
  void PushFrame(const PathNode* path, bool nullable) {
    frames_.push_back({Here(), nullable, nullptr, path});
  }
  void PopFrame() {
    if (frames_.back().region != nullptr) frames_.back().region->end = Here();
    frames_.pop_back();
  }

  Hole* MakeHole(const WrappedType& type, std::size_t i, FieldGroup& group,
                 const NamedType& parent_type, const PathNode* path);
  void FillHole(Hole* hole, FieldValue value);
  void DrainUntilIdle();
  bool DispatchLoaders();
  void Flatten(const Rope& rope, ResponseText& out) const;

  const ExecutableSchema& es_;
  const Schema& schema_;
  const ExecutionRequest& request_;
  const Source& source_;
  const OperationDefinition* operation_ = nullptr;
  std::unordered_map<std::string_view, const FragmentDefinition*> fragments_;
  OrderedJson variables_;

  std::deque<Collected> collected_;

  Rope data_;
  Rope* out_ = &data_;
  std::vector<Frame> frames_;
  std::size_t walk_base_ = 0;
  Hole* current_hole_ = nullptr;
  Region root_region_;
  bool data_null_ = false;
  std::deque<Region> regions_;
  std::deque<Hole> holes_;
  std::size_t outstanding_ = 0;
  std::shared_ptr<CompletionQueue> queue_;
  std::chrono::steady_clock::time_point deadline_;
  std::vector<BatchLoader*> loaders_;

  std::optional<ThrownError> thrown_;
  std::string write_error_;  // a member writer's last error
  std::vector<ExecutionError> errors_;
  std::vector<std::string> nulled_positions_;
  bool all_nulled_ = false;
};

bool Execution::Reaches(const std::vector<Selection>& selections,
                        std::span<const std::string_view> path,
                        std::vector<std::string_view>& visited) const {
  for (const Selection& selection : selections) {
    switch (selection.kind) {
      case Selection::Kind::kField: {
        if (selection.name.value != path.front()) break;
        if (path.size() == 1) return true;
        std::vector<std::string_view> inner;
        if (Reaches(selection.selections, path.subspan(1), inner)) return true;
        break;
      }
      case Selection::Kind::kInlineFragment:
        if (Reaches(selection.selections, path, visited)) return true;
        break;
      case Selection::Kind::kFragmentSpread: {
        const std::string_view name = selection.name.value;
        const auto fragment = fragments_.find(name);
        if (fragment == fragments_.end() ||
            std::find(visited.begin(), visited.end(), name) != visited.end()) {
          break;
        }
        visited.push_back(name);
        if (Reaches(fragment->second->selections, path, visited)) return true;
        break;
      }
    }
  }
  return false;
}

bool MaySelect(const Execution* execution, std::span<const Selection* const> nodes,
               std::span<const std::string_view> path) {
  STYRMIN_CHECK(execution != nullptr, "ResolveInfo::MaySelect outside an execution");
  if (path.empty()) return true;
  std::vector<std::string_view> visited;
  for (const Selection* node : nodes) {
    if (execution->Reaches(node->selections, path, visited)) return true;
  }
  return false;
}

void RegisterLoader(Execution* execution, BatchLoader* loader) {
  STYRMIN_CHECK(execution != nullptr, "BatchLoader::Load outside an execution");
  execution->AddLoader(loader);
}

std::vector<PathSegment> PathOf(const void* path_node) {
  return Persist(static_cast<const PathNode*>(path_node));
}

bool Execution::Prepare() {
  const Document& document = *request_.document;
  std::size_t operations = 0;
  for (const auto& definition : document.definitions) {
    if (const auto* op = std::get_if<OperationDefinition>(&definition)) {
      if (!request_.operation_name) {
        ++operations;
        if (operation_ == nullptr) operation_ = op;
      } else if (op->name && op->name->value == *request_.operation_name) {
        operation_ = op;
      }
    } else if (const auto* fragment = std::get_if<FragmentDefinition>(&definition)) {
      fragments_[fragment->name.value] = fragment;
    }
  }
  if (!request_.operation_name && operations > 1) {
    errors_.push_back(
        {"Must provide operation name if query contains multiple operations.", {}, {}, nullptr});
    return false;
  }
  if (operation_ == nullptr) {
    errors_.push_back({request_.operation_name
                           ? "Unknown operation named \"" + *request_.operation_name + "\"."
                           : "Must provide an operation.",
                       {},
                       {},
                       nullptr});
    return false;
  }
  auto variables =
      CoerceVariableValues(schema_, *operation_, request_.variables, request_.max_variable_errors);
  if (!variables) {
    for (auto& e : variables.error()) {
      ExecutionError error{std::move(e.message), {}, {}, nullptr};
      for (std::size_t offset : e.offsets) error.locations.push_back(source_.LocationOf(offset));
      errors_.push_back(std::move(error));
    }
    return false;
  }
  variables_ = std::move(*variables);
  return true;
}

ExecutionResult Execution::Run() {
  if (!Prepare()) return RequestErrors();
  ExecutionResult result;
  result.has_data = true;
  root_region_.root = true;
  root_region_.rope = &data_;
  const NamedType* root = nullptr;
  switch (operation_->operation) {
    case OperationType::kQuery:
      root = schema_.query_type();
      break;
    case OperationType::kMutation:
      root = schema_.mutation_type();
      break;
    case OperationType::kSubscription:
      root = schema_.subscription_type();
      break;
  }
  if (root == nullptr) {
    AddError({"Schema is not configured to execute " +
                  std::string(OperationTypeName(operation_->operation)) + " operation.",
              {operation_->offset},
              {},
              nullptr},
             nullptr);
  } else {
    // The data is written after the response's opening, so that a response without errors
    // or pending values is the walk's own buffer.
    static constexpr std::string_view kOpening = "{\"data\":";
    data_.texts.front() = ResponseText(es_.response_size_hint());
    data_.texts.front().Append(kOpening);
    ExecuteRoot(*root, operation_->operation == OperationType::kMutation);
    if (!data_null_ && errors_.empty() && data_.holes.empty() && data_.nulled.empty()) {
      data_.texts.front().Append('}');
      result.body = data_.texts.front().Take();
      es_.NoteResponseSize(result.body.size());
      return result;
    }
  }
  std::string_view data = "null";
  ResponseText flat(es_.response_size_hint());
  if (root != nullptr && !data_null_) {
    Flatten(data_, flat);  // with the opening, which the walk wrote first
    if (errors_.empty()) {
      // The response is the flattened text itself: no copy behind an errors member.
      flat.Append('}');
      result.body = flat.Take();
      es_.NoteResponseSize(result.body.size());
      return result;
    }
    data = flat.view().substr(8);  // after the opening
  }
  result.body.reserve(data.size() + 32);
  result.body += '{';
  if (!errors_.empty()) {
    result.body += "\"errors\":";
    result.body += ErrorsToJson(errors_);
    result.body += ',';
  }
  result.body += "\"data\":";
  result.body += data;
  result.body += '}';
  result.errors = std::move(errors_);
  return result;
}

tl::expected<std::shared_ptr<EventStream>, ExecutionResult> Execution::StartSubscription() {
  const auto failure = [this](ExecutionError error) {
    errors_.push_back(std::move(error));
    return tl::unexpected(RequestErrors());
  };
  if (!Prepare()) return tl::unexpected(RequestErrors());
  if (operation_->operation != OperationType::kSubscription) {
    return failure({"Expected subscription operation.", {}, {}, nullptr});
  }
  const NamedType* root = schema_.subscription_type();
  if (root == nullptr) {
    return failure({"Schema is not configured to execute subscription operation.",
                    {source_.LocationOf(operation_->offset)},
                    {},
                    nullptr});
  }
  const std::vector<const std::vector<Selection>*> sets{&operation_->selections};
  Collected* fields = Collect(*root, sets);
  const auto located = [this](std::string message, const std::vector<std::size_t>& offsets,
                              std::vector<PathSegment> path) {
    ExecutionError error{std::move(message), {}, std::move(path), nullptr};
    for (std::size_t offset : offsets) error.locations.push_back(source_.LocationOf(offset));
    return error;
  };
  if (fields->error) return failure(located(fields->error->message, fields->error->offsets, {}));
  if (fields->groups.empty())
    return failure({"The subscription selects no field.", {}, {}, nullptr});
  FieldGroup& group = fields->groups.front();
  std::vector<std::size_t> node_offsets;
  for (const Selection* node : group.nodes) node_offsets.push_back(node->offset);
  const std::vector<PathSegment> path{{std::string(group.key), -1}};
  if (group.def == nullptr) {
    return failure(located(
        "The subscription field \"" + group.nodes.front()->name.value + "\" is not defined.",
        node_offsets, {}));
  }
  auto args = CoerceArgumentValues(group.def->arguments, group.nodes.front()->arguments, variables_,
                                   root->name + "." + group.def->name, group.nodes.front()->offset);
  if (!args) return failure(located(args.error().message, args.error().offsets, path));
  group.args = std::move(*args);
  group.args_ready = true;
  const SubscribeResolver* resolver = es_.SubscribeResolverFor(group.def);
  if (resolver == nullptr) {
    return failure(located("Subscription field must return Async Iterable. Received: undefined.",
                           node_offsets, path));
  }
  const PathNode node{nullptr, group.key, -1};
  ResolveInfo info;
  info.parent_ = &request_.root_value;
  info.args_ = &*group.args;
  info.field_ = group.def;
  info.parent_type_ = root;
  info.schema_ = &schema_;
  info.variables_ = &variables_;
  info.nodes_ = group.nodes.view();
  info.path_ = &node;
  info.context_ = request_.context;
  info.context_type_ = request_.context_type;
  info.execution_ = this;
  Result<std::shared_ptr<EventStream>> stream = InvalidArgument("");
  try {
    stream = (*resolver)(info);
  } catch (const std::exception& e) {
    stream = InvalidArgument(e.what());
  }
  if (!stream) return failure(located(stream.error().message(), node_offsets, path));
  if (*stream == nullptr) {
    return failure(located("Subscription field must return Async Iterable. Received: null.",
                           node_offsets, path));
  }
  return std::move(*stream);
}

void Execution::ExecuteRoot(const NamedType& root, bool serially) {
  const std::vector<const std::vector<Selection>*> sets{&operation_->selections};
  Collected* fields = Collect(root, sets);
  if (fields->error) {
    AddError({fields->error->message, fields->error->offsets, {}, nullptr}, nullptr);
    data_null_ = true;
    return;
  }
  frames_.push_back({Here(), true, &root_region_, nullptr});
  const bool ok = WriteFields(root, *fields, request_.root_value, nullptr, serially);
  frames_.pop_back();
  if (!ok) {
    AddError(std::move(*thrown_), nullptr);
    thrown_.reset();
    data_null_ = true;
  }
  DrainUntilIdle();
}

bool Execution::ShouldInclude(const std::vector<Directive>& directives, Collected& out) {
  for (const auto& directive : directives) {
    const bool skip = directive.name.value == "skip";
    if (!skip && directive.name.value != "include") continue;
    const DirectiveDefinition* definition = schema_.FindDirective(directive.name.value);
    if (definition == nullptr) continue;
    auto args = CoerceArgumentValues(definition->arguments, directive.arguments, variables_,
                                     "@" + definition->name, directive.offset);
    if (!args) {
      if (!out.error) out.error = std::move(args.error());
      return false;
    }
    const auto it = args->find("if");
    if (it != args->end() && it->is_boolean() && it->get<bool>() == skip) return false;
  }
  return true;
}

bool Execution::FragmentApplies(const std::optional<Name>& condition, const NamedType& type) const {
  if (!condition) return true;
  const NamedType* conditional = schema_.FindType(condition->value);
  if (conditional == nullptr) return false;
  if (conditional == &type) return true;
  return conditional->IsAbstract() && schema_.IsSubType(*conditional, type);
}

void Execution::CollectInto(Collected& out, const NamedType& type,
                            const std::vector<Selection>& selections,
                            std::unordered_map<std::string_view, std::size_t>& index,
                            std::vector<std::string_view>& visited) {
  for (const auto& selection : selections) {
    switch (selection.kind) {
      case Selection::Kind::kField: {
        if (!ShouldInclude(selection.directives, out)) continue;
        const std::string_view key =
            selection.alias ? selection.alias->value : selection.name.value;
        const std::size_t at = index.try_emplace(key, out.groups.size()).first->second;
        if (at == out.groups.size()) {
          FieldGroup group{.key = key, .quoted_key = QuotedKey(key)};
          const std::string& name = selection.name.value;
          if (name == "__typename") {
            group.meta = FieldGroup::Meta::kTypename;
            group.def = &es_.typename_field();
          } else if (name == "__schema" && &type == schema_.query_type()) {
            group.meta = FieldGroup::Meta::kSchema;
            group.def = &es_.schema_field();
          } else if (name == "__type" && &type == schema_.query_type()) {
            group.meta = FieldGroup::Meta::kType;
            group.def = &es_.type_field();
          } else {
            group.def = type.FindField(name);
          }
          if (group.def != nullptr) {
            group.resolver = &es_.ResolverFor(group.def);
            group.writer = es_.WriterFor(group.def);
          }
          out.groups.push_back(std::move(group));
        }
        out.groups[at].nodes.push_back(&selection);
        break;
      }
      case Selection::Kind::kInlineFragment:
        if (!ShouldInclude(selection.directives, out) ||
            !FragmentApplies(selection.type_condition, type)) {
          continue;
        }
        CollectInto(out, type, selection.selections, index, visited);
        break;
      case Selection::Kind::kFragmentSpread: {
        if (!ShouldInclude(selection.directives, out)) continue;
        const std::string_view name = selection.name.value;
        const auto fragment = fragments_.find(name);
        if (fragment == fragments_.end() ||
            !FragmentApplies(fragment->second->type_condition, type)) {
          continue;
        }
        if (std::find(visited.begin(), visited.end(), name) != visited.end()) continue;
        visited.push_back(name);
        CollectInto(out, type, fragment->second->selections, index, visited);
        break;
      }
    }
  }
}

Collected* Execution::Collect(const NamedType& type,
                              const std::vector<const std::vector<Selection>*>& sets) {
  Collected& out = collected_.emplace_back();
  std::size_t selections = 0;
  for (const auto* set : sets) selections += set->size();
  out.groups.reserve(selections);  // fragments may add more; most sets are plain fields
  std::unordered_map<std::string_view, std::size_t> index;
  std::vector<std::string_view> visited;
  for (const auto* set : sets) CollectInto(out, type, *set, index, visited);
  return &out;
}

Collected* Execution::Subfields(const NamedType& type, FieldGroup& group) {
  for (const auto& [t, c] : group.subfields) {
    if (t == &type) return c;
  }
  std::vector<const std::vector<Selection>*> sets;
  sets.reserve(group.nodes.size());
  for (const Selection* node : group.nodes) {
    if (node->has_selection_set) sets.push_back(&node->selections);
  }
  Collected* c = Collect(type, sets);
  group.subfields.emplace_back(&type, c);
  return c;
}

void Execution::Throw(std::string message, const FieldGroup& group, const PathNode* path,
                      OrderedJson extensions, std::vector<std::size_t> offsets) {
  ThrownError error{std::move(message), std::move(offsets), Persist(path), std::move(extensions)};
  if (error.offsets.empty()) {
    for (const Selection* node : group.nodes) error.offsets.push_back(node->offset);
  }
  thrown_ = std::move(error);
}

void Execution::AddError(ThrownError error, const std::vector<PathSegment>* position) {
  if (all_nulled_) return;
  const std::string key = position == nullptr ? std::string() : PositionKey(*position);
  if (position != nullptr) {
    for (const auto& nulled : nulled_positions_) {
      if (key.size() >= nulled.size() && key.compare(0, nulled.size(), nulled) == 0 &&
          (key.size() == nulled.size() || key[nulled.size()] == '.' || key[nulled.size()] == '[')) {
        return;
      }
    }
    nulled_positions_.push_back(key);
  } else {
    all_nulled_ = true;
  }
  ExecutionError out{
      std::move(error.message), {}, std::move(error.path), std::move(error.extensions)};
  for (std::size_t offset : error.offsets) out.locations.push_back(source_.LocationOf(offset));
  errors_.push_back(std::move(out));
}

bool Execution::WriteFields(const NamedType& type, Collected& fields, const FieldValue& value,
                            const PathNode* path, bool serially) {
  Buf().Append('{');
  bool first = true;
  // Member writers write into this text only; anything else may start another.
  ResponseText* buf = &Buf();
  const bool object = value.kind() == FieldValue::Kind::kObject;
  for (auto& group : fields.groups) {
    if (group.def == nullptr) continue;
    group.quoted_key.WriteTo(*buf, first);
    first = false;
    if (group.writer_ready && object && value.type_ == group.writer->object_type) {
      // The most common field: a member written straight into the response.
      const std::size_t begin = buf->size();
      // Anything else is written again below, with its error or null.
      if (group.writer->write(value.pointer_, *group.def->type.named, *buf, write_error_) ==
          WriteOutcome::kWritten) {
        continue;
      }
      buf->Truncate(begin);
    }
    const PathNode child{path, group.key, -1};
    if (!ExecuteField(type, value, group, &child)) return false;
    if (serially) {
      DrainUntilIdle();
      if (data_null_) return true;
    }
    buf = &Buf();
  }
  buf->Append('}');
  return true;
}

FieldValue Execution::Resolve(const NamedType& parent_type, const FieldValue& parent,
                              FieldGroup& group, const PathNode* path) {
  if (group.meta == FieldGroup::Meta::kTypename) return FieldValue::String(parent_type.name);
  if (group.meta == FieldGroup::Meta::kSchema) return FieldValue::Object(&schema_);
  ResolveInfo info;
  info.parent_ = &parent;
  info.args_ = group.arguments;
  info.field_ = group.def;
  info.parent_type_ = &parent_type;
  info.schema_ = &schema_;
  info.variables_ = &variables_;
  info.nodes_ = group.nodes.view();
  info.path_ = path;
  info.context_ = request_.context;
  info.context_type_ = request_.context_type;
  info.execution_ = this;
  try {
    return (*group.resolver)(info);
  } catch (const std::exception& e) {
    return FieldValue::Error(e.what());
  }
}

bool Execution::ExecuteField(const NamedType& parent_type, const FieldValue& parent,
                             FieldGroup& group, const PathNode* path) {
  if (!group.args_ready) {
    const std::vector<InputValue>& definitions = group.def->arguments;
    if (definitions.empty()) {
      static const OrderedJson kNoArguments = OrderedJson::object();  // never written: shared
      group.arguments = &kNoArguments;
    } else {
      group.args = CoerceArgumentValues(definitions, group.nodes.front()->arguments, variables_,
                                        parent_type.name + "." + group.def->name,
                                        group.nodes.front()->offset);
      if (group.args) group.arguments = &*group.args;
    }
    group.args_ready = true;
    group.writer_ready = group.writer != nullptr && group.args.has_value();
  }
  if (!group.args) {
    // graphql-js locates argument errors at the offending value, with the field's path.
    Throw(group.args.error().message, group, path, nullptr, group.args.error().offsets);
    return NullAt(group.def->type.IsNonNull(), path);
  }
  if (group.writer != nullptr) {
    if (parent.kind() != FieldValue::Kind::kObject || *parent.type_ != *group.writer->object_type) {
      return CompleteAtPosition(
          group.def->type, 0, group, parent_type, path,
          FieldValue::Error("Field \"" + parent_type.name + "." + group.def->name +
                            "\" is bound to a member of another C++ type than its parent's."));
    }
    const Mark begin = Here();
    const WriteOutcome outcome =
        group.writer->write(parent.pointer_, *group.def->type.named, Buf(), write_error_);
    if (outcome == WriteOutcome::kWritten) return true;
    Truncate(begin);
    return CompleteAtPosition(group.def->type, 0, group, parent_type, path,
                              outcome == WriteOutcome::kNull
                                  ? FieldValue::Null()
                                  : FieldValue::Error(std::move(write_error_)));
  }
  return CompleteAtPosition(group.def->type, 0, group, parent_type, path,
                            Resolve(parent_type, parent, group, path));
}

bool Execution::CompleteAtPosition(const WrappedType& type, std::size_t i, FieldGroup& group,
                                   const NamedType& parent_type, const PathNode* path,
                                   const FieldValue& given) {
  const FieldValue* value = &given;
  FieldValue resolved;
  if (given.kind() == FieldValue::Kind::kPending) {
    internal::PendingState* state = given.pending();
    std::unique_lock<std::mutex> lock(state->mu);
    if (!state->done) {
      Hole* hole = MakeHole(type, i, group, parent_type, path);
      state->on_done = [queue = queue_, hole](FieldValue result) {
        queue->Push(hole, std::move(result));
      };
      return true;
    }
    resolved = state->value;
    value = &resolved;
  }
  const Mark begin = Here();
  if (CompleteValue(type, i, group, parent_type, path, *value, !IsNonNullAt(type, i))) {
    return true;
  }
  if (IsNonNullAt(type, i)) return false;
  Truncate(begin);
  return NullAt(false, path);
}

bool Execution::CompleteValue(const WrappedType& type, std::size_t i, FieldGroup& group,
                              const NamedType& parent_type, const PathNode* path,
                              const FieldValue& value, bool position_nullable) {
  if (value.kind() == FieldValue::Kind::kError) {
    Throw(std::string(value.text()), group, path, value.extensions());
    return false;
  }
  if (IsNonNullAt(type, i)) {
    if (value.IsNull()) {
      Throw("Cannot return null for non-nullable field " + parent_type.name + "." +
                group.def->name + ".",
            group, path);
      return false;
    }
    return CompleteValue(type, i + 1, group, parent_type, path, value, false);
  }
  if (value.IsNull()) {
    Buf().Append("null");
    return true;
  }
  if (i < type.wrappers.size()) {
    return CompleteList(type, i + 1, group, parent_type, path, value, position_nullable);
  }
  const NamedType& named = *type.named;
  switch (named.kind) {
    case TypeKind::kScalar:
    case TypeKind::kEnum: {
      auto problem = SerializeLeaf(named, value, Buf());
      if (problem) {
        Throw(std::move(*problem), group, path);
        return false;
      }
      return true;
    }
    case TypeKind::kInterface:
    case TypeKind::kUnion: {
      const NamedType* runtime = ResolveRuntimeType(named, group, parent_type, path, value);
      if (runtime == nullptr) return false;
      return CompleteObject(*runtime, group, path, value, position_nullable);
    }
    case TypeKind::kObject:
      return CompleteObject(named, group, path, value, position_nullable);
    case TypeKind::kInputObject:
      break;
  }
  Throw("Cannot complete value of unexpected output type: " + named.name, group, path);
  return false;
}

const NamedType* Execution::ResolveRuntimeType(const NamedType& abstract, FieldGroup& group,
                                               const NamedType& parent_type, const PathNode* path,
                                               const FieldValue& value) {
  std::string name;
  if (const TypeResolver* resolver = es_.TypeResolverFor(&abstract)) {
    name = (*resolver)(value, abstract);
  } else if (!value.type_name().empty()) {
    name = std::string(value.type_name());
  } else if (value.kind() == FieldValue::Kind::kJson && value.json().is_object()) {
    const auto it = value.json().find("__typename");
    if (it != value.json().end() && it->is_string()) name = it->get<std::string>();
  }
  if (name.empty()) {
    Throw("Abstract type \"" + abstract.name +
              "\" must resolve to an Object type at runtime for field \"" + parent_type.name + "." +
              group.def->name + "\". Either the \"" + abstract.name +
              "\" type should provide a \"resolveType\" function or each possible type should "
              "provide an \"isTypeOf\" function.",
          group, path);
    return nullptr;
  }
  const NamedType* runtime = schema_.FindType(name);
  if (runtime == nullptr) {
    Throw("Abstract type \"" + abstract.name + "\" was resolved to a type \"" + name +
              "\" that does not exist inside the schema.",
          group, path);
    return nullptr;
  }
  if (runtime->kind != TypeKind::kObject) {
    Throw("Abstract type \"" + abstract.name + "\" was resolved to a non-object type \"" + name +
              "\".",
          group, path);
    return nullptr;
  }
  if (!schema_.IsSubType(abstract, *runtime)) {
    Throw("Runtime Object type \"" + name + "\" is not a possible type for \"" + abstract.name +
              "\".",
          group, path);
    return nullptr;
  }
  return runtime;
}

bool Execution::CompleteList(const WrappedType& type, std::size_t item, FieldGroup& group,
                             const NamedType& parent_type, const PathNode* path,
                             const FieldValue& value, bool position_nullable) {
  const bool from_json = value.kind() == FieldValue::Kind::kJson;
  if (!(value.kind() == FieldValue::Kind::kList || (from_json && value.json().is_array()))) {
    Throw("Expected Iterable, but did not find one for field \"" + parent_type.name + "." +
              group.def->name + "\".",
          group, path);
    return false;
  }
  const std::vector<FieldValue>* stored = from_json ? nullptr : value.stored_items();
  const std::size_t size = from_json ? value.json().size() : value.ListSize();
  // Items of an ObjectList view that complete as one object type: each is completed as an
  // object straight away, through one FieldValue pointed at each item in turn.
  const bool item_non_null = IsNonNullAt(type, item);
  const bool objects = !from_json && value.view_ == FieldValue::View::kObjects &&
                       item + (item_non_null ? 1 : 0) == type.wrappers.size() &&
                       type.named->kind == TypeKind::kObject;
  // Items of a StringList view at String or ID positions: written as they are, since a
  // std::string is never null and always serialises as itself.
  if (!from_json && value.view_ == FieldValue::View::kStrings &&
      item + (item_non_null ? 1 : 0) == type.wrappers.size() &&
      (type.named->specified_scalar == SpecifiedScalar::kString ||
       type.named->specified_scalar == SpecifiedScalar::kId)) {
    const auto* strings = static_cast<const std::string*>(value.pointer_);
    ResponseText& buf = Buf();
    buf.Append('[');
    for (std::size_t k = 0; k < size; ++k) {
      if (k > 0) buf.Append(',');
      buf.AppendJsonString(strings[k]);
    }
    buf.Append(']');
    return true;
  }
  FieldValue object(FieldValue::Kind::kObject);
  if (objects) object.type_ = value.type_;
  PushFrame(path, position_nullable);
  const Mark begin = frames_.back().begin;
  Buf().Append('[');
  for (std::size_t k = 0; k < size; ++k) {
    if (k > 0) Buf().Append(',');
    const PathNode child{path, {}, static_cast<std::int64_t>(k)};
    bool ok = false;
    if (objects) {
      object.pointer_ = static_cast<const char*>(value.pointer_) +
                        k * static_cast<std::size_t>(value.scalar_.integer);  // the stride
      const Mark item_begin = Here();
      ok = CompleteObject(*type.named, group, &child, object, !item_non_null);
      if (!ok && !item_non_null) {
        Truncate(item_begin);
        ok = NullAt(false, &child);
      }
    } else if (from_json) {
      ok = CompleteAtPosition(type, item, group, parent_type, &child,
                              value.JsonMember(value.json()[k]));
    } else if (stored != nullptr) {
      ok = CompleteAtPosition(type, item, group, parent_type, &child, (*stored)[k]);
    } else {
      ok = CompleteAtPosition(type, item, group, parent_type, &child, value.ListItem(k));
    }
    if (!ok) {
      frames_.pop_back();
      Truncate(begin);
      return false;
    }
  }
  Buf().Append(']');
  PopFrame();
  return true;
}

bool Execution::CompleteObject(const NamedType& type, FieldGroup& group, const PathNode* path,
                               const FieldValue& value, bool position_nullable) {
  Collected* fields = Subfields(type, group);
  if (fields->error) {
    Throw(fields->error->message, group, path, nullptr, fields->error->offsets);
    return false;
  }
  PushFrame(path, position_nullable);
  const Mark begin = frames_.back().begin;
  if (!WriteFields(type, *fields, value, path, false)) {
    frames_.pop_back();
    Truncate(begin);
    return false;
  }
  PopFrame();
  return true;
}

void Execution::Truncate(Mark mark) {
  for (std::size_t k = mark.piece; k < out_->holes.size(); ++k) out_->holes[k]->cancelled = true;
  out_->holes.resize(mark.piece);
  out_->texts.resize(mark.piece + 1);
  out_->texts.back().Truncate(mark.offset);
}

Hole* Execution::MakeHole(const WrappedType& type, std::size_t i, FieldGroup& group,
                          const NamedType& parent_type, const PathNode* path) {
  Hole& hole = holes_.emplace_back();
  hole.type = &type;
  hole.wrapper = i;
  hole.group = &group;
  hole.parent_type = &parent_type;
  hole.path = Persist(path);
  if (IsNonNullAt(type, i)) {
    // A null here nulls the nearest enclosing composite at a nullable position.
    for (std::size_t k = frames_.size(); k-- > walk_base_;) {
      Frame& frame = frames_[k];
      if (!frame.nullable) continue;
      if (frame.region == nullptr) {
        Region& region = regions_.emplace_back();
        region.rope = out_;
        region.begin = frame.begin;
        region.path = Persist(frame.path);
        frame.region = &region;
      }
      hole.target = frame.region;
      break;
    }
    if (hole.target == nullptr) {
      STYRMIN_CHECK(current_hole_ != nullptr, "the root frame is nullable");
      hole.target = current_hole_->target;
    }
  }
  out_->holes.push_back(&hole);
  // The text up to the next hole: in a list of objects each with a pending field, about one
  // object's worth. Room for that up front spares it growing from nothing, copy by copy.
  constexpr std::size_t kPieceCapacity = 512;
  out_->texts.emplace_back(kPieceCapacity);
  ++outstanding_;
  return &hole;
}

void Execution::NullRegion(Region* region, ThrownError error) {
  if (region->root) {
    AddError(std::move(error), nullptr);
    data_null_ = true;
    return;
  }
  AddError(std::move(error), &region->path);
  if (!region->nulled) {
    region->nulled = true;
    region->rope->nulled.push_back(region);
  }
}

void Execution::FillHole(Hole* hole, FieldValue value) {
  --outstanding_;
  if (hole->cancelled || hole->filled) return;
  hole->filled = true;
  // Rebuild the walk's path nodes from the hole's path.
  std::vector<PathNode> nodes(hole->path.size());
  for (std::size_t k = 0; k < hole->path.size(); ++k) {
    nodes[k].prev = k == 0 ? nullptr : &nodes[k - 1];
    nodes[k].key = hole->path[k].key;
    nodes[k].index = hole->path[k].index;
  }
  const PathNode* path = nodes.empty() ? nullptr : &nodes.back();
  Rope* saved_out = out_;
  Hole* saved_hole = current_hole_;
  const std::size_t saved_base = walk_base_;
  out_ = &hole->content;
  current_hole_ = hole;
  walk_base_ = frames_.size();
  const bool nullable = !IsNonNullAt(*hole->type, hole->wrapper);
  if (value.kind() == FieldValue::Kind::kPending) {
    value = FieldValue::Error("A promise resolved to another pending value.");
  }
  if (!CompleteValue(*hole->type, hole->wrapper, *hole->group, *hole->parent_type, path, value,
                     nullable)) {
    ThrownError error = std::move(*thrown_);
    thrown_.reset();
    Truncate({0, 0});
    if (nullable) {
      AddError(std::move(error), &hole->path);
      Buf().Clear();
      Buf().Append("null");
    } else {
      NullRegion(hole->target, std::move(error));
    }
  }
  out_ = saved_out;
  current_hole_ = saved_hole;
  walk_base_ = saved_base;
}

bool Execution::DispatchLoaders() {
  bool any = false;
  // Dispatching may register more loaders; index, not iterators.
  for (std::size_t k = 0; k < loaders_.size(); ++k) {
    if (loaders_[k]->Dispatch()) any = true;
  }
  return any;
}

void Execution::DrainUntilIdle() {
  while (outstanding_ > 0) {
    std::deque<std::pair<Hole*, FieldValue>> ready;
    {
      std::lock_guard<std::mutex> lock(queue_->mu);
      ready.swap(queue_->items);
    }
    if (!ready.empty()) {
      for (auto& [hole, value] : ready) FillHole(hole, std::move(value));
      continue;
    }
    if (DispatchLoaders()) continue;
    std::unique_lock<std::mutex> lock(queue_->mu);
    if (!queue_->ready.wait_until(lock, deadline_, [&] { return !queue_->items.empty(); })) {
      lock.unlock();
      // Whatever is still pending becomes an error; late results land in a queue nobody reads.
      for (auto& hole : holes_) {
        if (!hole.filled && !hole.cancelled) {
          FillHole(&hole, FieldValue::Error("The field did not resolve before the deadline."));
        }
      }
      outstanding_ = 0;
      return;
    }
  }
}

void Execution::Flatten(const Rope& rope, ResponseText& out) const {
  std::vector<const Region*> nulled(rope.nulled.begin(), rope.nulled.end());
  std::sort(nulled.begin(), nulled.end(), [](const Region* a, const Region* b) {
    return a->begin.piece != b->begin.piece ? a->begin.piece < b->begin.piece
                                            : a->begin.offset < b->begin.offset;
  });
  std::size_t next = 0;
  Mark at;
  while (true) {
    const std::string_view text = rope.texts[at.piece].view();
    // Skip regions that start before the cursor (nested in one already replaced).
    while (next < nulled.size() &&
           (nulled[next]->begin.piece < at.piece ||
            (nulled[next]->begin.piece == at.piece && nulled[next]->begin.offset < at.offset))) {
      ++next;
    }
    if (next < nulled.size() && nulled[next]->begin.piece == at.piece) {
      const Region* region = nulled[next++];
      out.Append(text.substr(at.offset, region->begin.offset - at.offset));
      out.Append("null");
      at = region->end;
      continue;
    }
    out.Append(text.substr(at.offset));
    if (at.piece >= rope.holes.size()) break;
    Flatten(rope.holes[at.piece]->content, out);
    at = {at.piece + 1, 0};
  }
}

}  // namespace internal

namespace internal {

tl::expected<std::shared_ptr<EventStream>, ExecutionResult> StartSubscription(
    const ExecutableSchema& schema, const ExecutionRequest& request) {
  STYRMIN_CHECK(request.document != nullptr && request.source != nullptr,
                "a subscription needs a document and its source");
  Execution execution(schema, request);
  return execution.StartSubscription();
}

}  // namespace internal

ExecutionResult Execute(const ExecutableSchema& schema, const ExecutionRequest& request) {
  STYRMIN_CHECK(request.document != nullptr && request.source != nullptr,
                "an execution needs a document and its source");
  internal::Execution execution(schema, request);
  return execution.Run();
}

std::string ErrorsToJson(const std::vector<ExecutionError>& errors) {
  std::string out = "[";
  for (std::size_t k = 0; k < errors.size(); ++k) {
    const auto& e = errors[k];
    if (k > 0) out += ',';
    out += "{\"message\":";
    AppendJsonString(out, e.message);
    if (!e.locations.empty()) {
      out += ",\"locations\":[";
      for (std::size_t l = 0; l < e.locations.size(); ++l) {
        if (l > 0) out += ',';
        out += "{\"line\":" + std::to_string(e.locations[l].line) +
               ",\"column\":" + std::to_string(e.locations[l].column) + "}";
      }
      out += ']';
    }
    if (!e.path.empty()) {
      out += ",\"path\":[";
      for (std::size_t p = 0; p < e.path.size(); ++p) {
        if (p > 0) out += ',';
        if (e.path[p].index >= 0) {
          out += std::to_string(e.path[p].index);
        } else {
          AppendJsonString(out, e.path[p].key);
        }
      }
      out += ']';
    }
    if (e.extensions.is_object() && !e.extensions.empty()) {
      out += ",\"extensions\":";
      out += e.extensions.dump(-1, ' ', false, OrderedJson::error_handler_t::replace);
    }
    out += '}';
  }
  return out + "]";
}

}  // namespace styrmin::graphql
