#include "styrmin/graphql/resolve.h"

#include "styrmin/core/text_hash.h"
#include "styrmin/graphql/internal/pending.h"

namespace styrmin::graphql {

FieldValue FieldValue::Bool(bool value) {
  FieldValue v(Kind::kBool);
  v.scalar_.boolean = value;
  return v;
}

FieldValue FieldValue::Int(std::int64_t value) {
  FieldValue v(Kind::kInt);
  v.scalar_.integer = value;
  return v;
}

FieldValue FieldValue::Float(double value) {
  FieldValue v(Kind::kFloat);
  v.scalar_.number = value;
  return v;
}

FieldValue FieldValue::String(std::string value) {
  FieldValue v(Kind::kString);
  v.text_ = std::move(value);
  return v;
}

FieldValue FieldValue::StringRef(std::string_view value) {
  FieldValue v(Kind::kString);
  v.borrowed_ = value.data();
  v.borrowed_size_ = value.size();
  return v;
}

FieldValue FieldValue::Enum(std::string name) {
  FieldValue v(Kind::kEnum);
  v.text_ = std::move(name);
  return v;
}

FieldValue FieldValue::JsonRef(const OrderedJson& value) {
  FieldValue v(Kind::kJson);
  v.pointer_ = &value;
  return v;
}

FieldValue FieldValue::Json(OrderedJson value) {
  auto owned = std::make_shared<const OrderedJson>(std::move(value));
  FieldValue v(Kind::kJson);
  v.pointer_ = owned.get();
  v.owner_ = std::move(owned);
  return v;
}

FieldValue FieldValue::JsonMember(const OrderedJson& member) const {
  FieldValue v(Kind::kJson);
  v.pointer_ = &member;
  v.owner_ = owner_;
  return v;
}

FieldValue FieldValue::List(std::vector<FieldValue> items) {
  FieldValue v(Kind::kList);
  auto owned = std::make_shared<const std::vector<FieldValue>>(std::move(items));
  v.pointer_ = owned.get();
  v.owner_ = std::move(owned);
  return v;
}

FieldValue FieldValue::StringList(std::span<const std::string> items) {
  FieldValue v(Kind::kList);
  v.view_ = View::kStrings;
  v.pointer_ = items.data();
  v.borrowed_size_ = items.size();
  return v;
}

std::size_t FieldValue::ListSize() const {
  if (kind_ != Kind::kList) return 0;
  return view_ == View::kNone ? stored_items()->size() : borrowed_size_;
}

FieldValue FieldValue::ListItem(std::size_t k) const {
  STYRMIN_CHECK(kind_ == Kind::kList && k < ListSize(), "a list item out of range");
  switch (view_) {
    case View::kNone:
      return (*stored_items())[k];
    case View::kObjects: {
      FieldValue item(Kind::kObject);
      item.pointer_ = static_cast<const char*>(pointer_) +
                      k * static_cast<std::size_t>(scalar_.integer);  // the stride
      item.type_ = type_;
      item.owner_ = owner_;
      return item;
    }
    case View::kStrings:
      return StringRef(static_cast<const std::string*>(pointer_)[k]);
  }
  return {};
}

FieldValue FieldValue::Error(std::string message, OrderedJson extensions) {
  FieldValue v(Kind::kError);
  v.text_ = std::move(message);
  if (!extensions.is_null()) v.owner_ = std::make_shared<const OrderedJson>(std::move(extensions));
  return v;
}

FieldValue FieldValue::WithTypename(std::string type_name) && {
  text_ = std::move(type_name);
  return std::move(*this);
}

bool FieldValue::IsNull() const {
  return kind_ == Kind::kNull || (kind_ == Kind::kJson && json().is_null());
}

const OrderedJson& FieldValue::extensions() const {
  static const OrderedJson kNone;
  if (kind_ != Kind::kError || owner_ == nullptr) return kNone;
  return *static_cast<const OrderedJson*>(owner_.get());
}

OrderedJson FieldValue::ToJson() const {
  switch (kind_) {
    case Kind::kNull:
    case Kind::kError:
    case Kind::kPending:
      return nullptr;
    case Kind::kBool:
      return scalar_.boolean;
    case Kind::kInt:
      return scalar_.integer;
    case Kind::kFloat:
      return scalar_.number;
    case Kind::kString:
    case Kind::kEnum:
      return std::string(text());
    case Kind::kJson:
      return json();
    case Kind::kObject:
      return OrderedJson::object();
    case Kind::kList: {
      OrderedJson out = OrderedJson::array();
      for (std::size_t k = 0; k < ListSize(); ++k) out.push_back(ListItem(k).ToJson());
      return out;
    }
  }
  return nullptr;
}

std::pair<FieldValue, Promise> MakePending() {
  auto state = std::make_shared<internal::PendingState>();
  FieldValue value(FieldValue::Kind::kPending);
  value.pointer_ = state.get();
  value.owner_ = state;
  Promise promise;
  promise.state_ = std::move(state);
  return {std::move(value), std::move(promise)};
}

Promise& Promise::operator=(Promise&& other) noexcept {
  if (this != &other) {
    if (state_ != nullptr) Resolve(FieldValue::Error("The resolver dropped its promise."));
    state_ = std::move(other.state_);
  }
  return *this;
}

Promise::~Promise() {
  if (state_ != nullptr) Resolve(FieldValue::Error("The resolver dropped its promise."));
}

void Promise::Resolve(FieldValue value) {
  STYRMIN_CHECK(value.kind() != FieldValue::Kind::kPending, "a promise resolves to a value");
  if (state_ == nullptr) return;
  auto state = std::move(state_);
  state->Complete(std::move(value));
}

void internal::PendingState::Complete(FieldValue result) {
  std::function<void(FieldValue)> callback;
  {
    std::lock_guard<std::mutex> lock(mu);
    if (done) return;
    done = true;
    if (on_done) {
      callback = std::move(on_done);
    } else {
      value = std::move(result);
      return;
    }
  }
  callback(std::move(result));
}

std::vector<PathSegment> ResolveInfo::Path() const { return internal::PathOf(path_); }

bool ResolveInfo::MaySelect(std::initializer_list<std::string_view> path) const {
  return internal::MaySelect(execution_, nodes_,
                             std::span<const std::string_view>(path.begin(), path.size()));
}

struct BatchLoader::State {
  struct Entry {
    bool loaded = false;
    FieldValue value;
    std::vector<Promise> waiters;
  };
  std::mutex mu;
  // Guarded by mu. Entries stay where they are (a rehash moves no node), so a dispatched key's
  // callback keeps its entry's address.
  std::unordered_map<std::string, Entry, TextHash, std::equal_to<>> entries;  // found by view
  std::vector<std::string> queued;                                            // guarded by mu
  std::size_t batches = 0;                                                    // guarded by mu
};

BatchLoader::BatchLoader(LoadFn load) : load_(std::move(load)), state_(std::make_shared<State>()) {}

FieldValue BatchLoader::Load(const ResolveInfo& info, std::string key) {
  internal::RegisterLoader(info.execution_, this);
  std::lock_guard<std::mutex> lock(state_->mu);
  auto [it, inserted] = state_->entries.try_emplace(std::move(key));
  if (it->second.loaded) return it->second.value;
  if (inserted) state_->queued.push_back(it->first);
  auto [value, promise] = MakePending();
  it->second.waiters.push_back(std::move(promise));
  return std::move(value);
}

std::size_t BatchLoader::batches() const {
  std::lock_guard<std::mutex> lock(state_->mu);
  return state_->batches;
}

bool BatchLoader::Dispatch() {
  std::vector<std::string> keys;
  {
    std::lock_guard<std::mutex> lock(state_->mu);
    keys.swap(state_->queued);
    if (keys.empty()) return false;
    ++state_->batches;
  }
  std::vector<Promise> promises;
  promises.reserve(keys.size());
  std::vector<State::Entry*> entries;
  entries.reserve(keys.size());
  {
    std::lock_guard<std::mutex> lock(state_->mu);
    for (const auto& key : keys) entries.push_back(&state_->entries.find(key)->second);
  }
  for (State::Entry* entry : entries) {
    auto [value, promise] = MakePending();
    // The loaded value fans out to every Load of the key.
    value.pending()->on_done = [state = state_, entry](const FieldValue& loaded) {
      std::vector<Promise> waiters;
      {
        std::lock_guard<std::mutex> lock(state->mu);
        entry->loaded = true;
        entry->value = loaded;
        waiters.swap(entry->waiters);
      }
      for (auto& waiter : waiters) waiter.Resolve(loaded);
    };
    promises.push_back(std::move(promise));
  }
  load_(std::move(keys), std::move(promises));
  return true;
}

}  // namespace styrmin::graphql
