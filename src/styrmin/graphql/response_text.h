// The text of a response while execution writes it: a growable byte buffer whose appends are
// inline, because execution makes several per field. It hands its text over as a std::string
// without a copy.
#pragma once

#include <cstddef>
#include <cstdint>
#include <cstring>
#include <string>
#include <string_view>

#include "styrmin/graphql/js_format.h"

namespace styrmin::graphql {

class ResponseText final {
 public:
  ResponseText() = default;
  // Starts with room for `capacity` bytes.
  explicit ResponseText(std::size_t capacity) { Grow(capacity); }

  std::size_t size() const { return size_; }
  bool empty() const { return size_ == 0; }
  std::string_view view() const { return {buffer_.data(), size_}; }

  void Append(char c) {
    if (size_ == buffer_.size()) Grow(1);
    buffer_[size_++] = c;
  }
  void Append(std::string_view text) {
    std::memcpy(Reserve(text.size()), text.data(), text.size());
    size_ += text.size();
  }
  // The first `n` bytes of `text`, which must have `kPadded` readable bytes (n <= kPadded): one
  // fixed-size copy, for short pieces written often.
  template <std::size_t kPadded>
  void AppendPadded(const char* text, std::size_t n) {
    std::memcpy(Reserve(kPadded), text, kPadded);
    size_ += n;
  }
  // `value` as a JSON string literal (see AppendJsonString in js_format.h).
  void AppendJsonString(std::string_view value) {
    char* begin = Reserve(MaxJsonStringSize(value.size()));
    size_ += static_cast<std::size_t>(WriteJsonString(begin, value) - begin);
  }
  // `name` between quotes, as is: for GraphQL names, which never need escaping.
  void AppendQuotedName(std::string_view name) {
    char* at = Reserve(name.size() + 2);
    at[0] = '"';
    std::memcpy(at + 1, name.data(), name.size());
    at[name.size() + 1] = '"';
    size_ += name.size() + 2;
  }
  void AppendInt(std::int64_t value);
  // A finite number as JavaScript writes it (JsNumberToString).
  void AppendJsNumber(double value);

  // Room for `n` more bytes at the returned position; Commit says how many were written.
  char* Reserve(std::size_t n) {
    if (buffer_.size() - size_ < n) Grow(n);
    return buffer_.data() + size_;
  }
  void Commit(std::size_t n) { size_ += n; }

  // Keeps the first `size` bytes (at most size()).
  void Truncate(std::size_t size) { size_ = size < size_ ? size : size_; }
  void Clear() { size_ = 0; }

  // The text; this is left empty.
  std::string Take();

 private:
  void Grow(std::size_t extra);

  std::string buffer_;  // sized to the capacity: bytes from size_ on are not text yet
  std::size_t size_ = 0;
};

}  // namespace styrmin::graphql
